from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
MY = {"host": "127.0.0.1", "port": 3306, "user": "root", "database": "test"}
HEAVY_EXAMPLES = {"tpch"}  # SF1-sized; exercised at small scale in tests/test_distributed.py
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.stem not in HEAVY_EXAMPLES)

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


@pytest.fixture
def database(request, tmp_path: Path):
    """A fresh, empty database of the requested kind: (kind, url, connect())."""
    kind = request.param
    name = f"phony_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        path = tmp_path / "t.db"

        def connect():
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA foreign_keys = ON")
            return conn

        yield kind, f"sqlite:///{path}", connect
        return
    if kind == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        path = tmp_path / "t.duckdb"
        yield kind, f"duckdb:///{path}", lambda: duckdb.connect(str(path))
        return
    if kind == "postgres":
        psycopg = pytest.importorskip("psycopg")
        try:
            admin = psycopg.connect(**PG, autocommit=True)
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432: {exc}")
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                kind,
                f"postgresql://postgres@127.0.0.1:5432/{name}",
                lambda: psycopg.connect(**{**PG, "dbname": name}),
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        return
    pymysql = pytest.importorskip("pymysql")
    try:
        admin = pymysql.connect(**MY, autocommit=True)
    except pymysql.err.OperationalError as exc:
        pytest.skip(f"MariaDB is not running on 127.0.0.1:3306: {exc}")
    admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield (
            kind,
            f"mysql://root@127.0.0.1:3306/{name}",
            lambda: pymysql.connect(**{**MY, "database": name}, charset="utf8mb4"),
        )
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
