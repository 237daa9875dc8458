"""pytest fixtures for tests that need fake data.

``phony``: a :class:`phony_pdl.fake.Phony` seeded from the test's node id, so each test
gets its own values and the same values on every run, on every machine, in any order
and under xdist. The node id is the test file's path from pytest's rootdir plus the
test's name and parameters: renaming or moving a test gives it new values, and so does
starting pytest from another folder when no pytest config file (pyproject.toml,
pytest.ini) fixes the rootdir. A failed test's report has a ``phony`` section naming
its ``Phony(locale=…, seed=…)``::

    def test_signup(phony):
        email = phony.internet.email()

    @pytest.mark.phony(locale="de_DE", seed=7)      # optional: choose locale or seed
    def test_german_names(phony): ...

``phony_dataset``: a factory that generates a PDL schema (a path, PDL text or a dict)
and returns ``{entity: pyarrow.Table}``::

    def test_report(phony_dataset):
        data = phony_dataset("schemas/shop.yaml", scale=0.1)
        assert data["orders"].num_rows > 0

A relative path is looked up from the working directory, then next to the test file.
Enable with the ``pytest11`` entry point of phony-pdl, or in a conftest or test module
with ``pytest_plugins = ["phony_pdl.pytest_plugin"]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the engine loads when a test asks for a fixture, not at plugin load
    import pyarrow as pa

    from .fake import Phony

DEFAULT_LOCALE = "en_US"


def node_seed(nodeid: str) -> int:
    """A stable 32-bit seed for a test id (SHA-256, never Python's salted hash())."""
    return int.from_bytes(hashlib.sha256(nodeid.encode("utf-8")).digest()[:4], "little")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "phony(locale='en_US', seed=None): locale and seed of the `phony` fixture"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """A failed test that used `phony` says which Phony it had: its data is that of
    ``Phony(locale=…, seed=…)``, to replay in a REPL or pin with the marker."""
    outcome = yield
    report = outcome.get_result()
    fake = getattr(item, "funcargs", {}).get("phony")
    if report.when == "call" and report.failed and fake is not None:
        origin = (
            f", seeded from the test id {item.nodeid!r} (a new name, file path or pytest "
            "rootdir gives new values)"
            if fake.seed == node_seed(item.nodeid)
            else ""
        )
        report.sections.append(
            (
                "phony",
                f"{fake!r}{origin}: replay with Phony(locale={fake.locale!r}, "
                f"seed={fake.seed}); pin with @pytest.mark.phony(seed={fake.seed})",
            )
        )


@pytest.fixture
def phony(request: pytest.FixtureRequest) -> Phony:
    """A Phony seeded from this test's node id (or from `@pytest.mark.phony(seed=…)`)."""
    marker = request.node.get_closest_marker("phony")
    options = dict(marker.kwargs) if marker else {}
    if marker and marker.args:  # @pytest.mark.phony("de_DE") or ("de_DE", 7), like Phony()
        if len(marker.args) > 2:
            raise pytest.UsageError(
                f"@pytest.mark.phony takes at most locale and seed, got {marker.args!r}"
            )
        for key, value in zip(("locale", "seed"), marker.args, strict=False):
            if key in options:
                raise pytest.UsageError(f"@pytest.mark.phony: {key} given twice")
            options[key] = value
    unknown = set(options) - {"locale", "seed"}
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.phony takes locale and seed, not {sorted(unknown)}")
    seed = options.get("seed")
    from .fake import Phony

    return Phony(
        locale=options.get("locale", DEFAULT_LOCALE),
        seed=node_seed(request.node.nodeid) if seed is None else seed,
    )


def _resolve(source: Any, test_file: Path | None) -> Any:
    if isinstance(source, Mapping):
        return source
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith(("pdl:", "{"))):
        return source  # PDL text (YAML, or JSON on one line)
    path = Path(source)
    if not path.is_absolute() and not path.exists() and test_file is not None:
        beside = test_file.parent / path
        if beside.exists():
            return beside
    return path


@pytest.fixture
def phony_dataset(request: pytest.FixtureRequest) -> Callable[..., dict[str, pa.Table]]:
    """Factory: ``phony_dataset(source, seed=None, scale=1.0, only=None, counts=None)`` →
    {entity: Table}.

    `seed` None keeps the schema's own seed, so the data is the same as `phony generate`;
    `counts` sets the rows of entities with a fixed count (`{"customers": 20}`).
    """
    from . import load

    test_file = Path(str(request.node.path)) if getattr(request.node, "path", None) else None

    def make(
        source: str | Path | Mapping[str, Any],
        *,
        seed: int | None = None,
        scale: float = 1.0,
        only: list[str] | None = None,
        counts: Mapping[str, int] | None = None,
    ) -> dict[str, pa.Table]:
        resolved = _resolve(source, test_file)
        if isinstance(resolved, Path) and not resolved.exists():  # say where it looked
            places = [str(Path.cwd())] + ([str(test_file.parent)] if test_file else [])
            raise FileNotFoundError(
                f"phony_dataset: no PDL file {str(source)!r} in the working directory or "
                f"beside the test (looked in {' and '.join(dict.fromkeys(places))})"
            )
        schema = load(resolved)
        dataset = schema.generate(seed=seed, scale=scale, only=only, counts=counts)
        return {name: dataset[name] for name in dataset}

    return make


__all__ = ["node_seed", "phony", "phony_dataset"]
