"""Golden SHA-256 of every example × format for a fixed seed, and the determinism contract:
the same bytes for any worker count, any block size and any PYTHONHASHSEED.

After a deliberate output change: PHONY_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py,
then note the change in CHANGELOG.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import phony_pdl

from .conftest import EXAMPLES, ROOT

GOLDEN = Path(__file__).parent / "golden" / "hashes.json"
FORMATS = ["csv", "jsonl", "json", "parquet"]
SEED = 20261126


def run(example: Path, fmt: str, out: Path, **options) -> dict[str, str]:
    report = (
        phony_pdl.load(example)
        .generate(seed=SEED, block_rows=options.pop("block_rows", None))
        .write(out, format=fmt, **options)
    )
    return {name: entry.sha256 for name, entry in report.entities.items()}


def golden() -> dict:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


def expected(example: Path, fmt: str) -> dict[str, str]:
    data = golden()
    if fmt == "parquet" and data.get("pyarrow_major") != pa.__version__.split(".")[0]:
        pytest.skip(f"parquet hashes were pinned with pyarrow {data.get('pyarrow_major')}.x")
    return data["hashes"][example.stem][fmt]


@pytest.mark.skipif(
    not os.environ.get("PHONY_UPDATE_GOLDEN"), reason="only when updating golden hashes"
)
def test_update_golden(tmp_path: Path) -> None:
    hashes = {e.stem: {f: run(e, f, tmp_path / e.stem / f) for f in FORMATS} for e in EXAMPLES}
    GOLDEN.write_text(
        json.dumps(
            {"seed": SEED, "pyarrow_major": pa.__version__.split(".")[0], "hashes": hashes},
            indent=2,
        )
        + "\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_golden_hashes(example: Path, fmt: str, tmp_path: Path) -> None:
    assert run(example, fmt, tmp_path) == expected(example, fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_workers_and_block_size_do_not_change_bytes(
    example: Path, fmt: str, tmp_path: Path
) -> None:
    want = expected(example, fmt)
    assert run(example, fmt, tmp_path / "w2", workers=2, block_rows=97) == want
    assert run(example, fmt, tmp_path / "w1", workers=1, block_rows=1000) == want


@pytest.mark.parametrize("hashseed", ["0", "12345"])
def test_python_hash_seed_does_not_change_bytes(hashseed: str, tmp_path: Path) -> None:
    example = ROOT / "examples" / "shop.yaml"
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "phony_pdl.cli",
            "generate",
            "--schema",
            str(example),
            "--seed",
            str(SEED),
            "--out",
            str(tmp_path),
            "--format",
            "jsonl",
            "--quiet",
        ],
        check=True,
        env=env,
        timeout=300,
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    got = {name: entry["sha256"] for name, entry in manifest["entities"].items()}
    assert got == expected(example, "jsonl")
