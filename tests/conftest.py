from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def root() -> Path:
    return ROOT


# With PHONY_REQUIRE_DB=1 (set by .ci/run) a skipped database test fails the session:
# CI must prove the loaders against real servers, not quietly skip them.
_skipped_db_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "db" in report.keywords:
        _skipped_db_tests.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("PHONY_REQUIRE_DB") and _skipped_db_tests:
        print(f"\nPHONY_REQUIRE_DB=1 but {len(_skipped_db_tests)} database tests were skipped:")
        for nodeid in _skipped_db_tests[:20]:
            print(f"  {nodeid}")
        session.exitstatus = 1
