"""The identity matrix's 3-worker Dask cluster, in its own module: one Dask client per
process at a time (test_distributed.py keeps a 2-worker cluster open for its module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from phony_pdl.distributed import connect, write_dataset

from .test_distributed import CASES, dataset, manifest, tree


def test_dask_three_workers_identical(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    with connect("local:3") as client:
        assert len(client.scheduler_info()["workers"]) == 3
        for example in CASES:
            ref = tmp_path / f"ref-{example}"
            write_dataset(dataset(example), ref)
            out = tmp_path / f"dask3-{example}"
            report = write_dataset(dataset(example), out, client=client)
            assert report.backend == "dask"
            assert tree(out) == tree(ref), example
            assert manifest(out) == manifest(ref), example
