"""The partitioned dataset layout: byte-identical parts for any backend, worker count, task
order, worker death, block size (same rows) and resume; readable by DuckDB, pyarrow and Polars."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

import phony_pdl
from phony_pdl.distributed import MANIFEST, PARTIAL, write_dataset
from phony_pdl.distributed.cluster import parse_address
from phony_pdl.distributed.parts import PartJob, runtime_versions, write_part
from phony_pdl.errors import GenerationError, UsageError
from phony_pdl.writers.base import TEMP_SUFFIX

from .conftest import ROOT

BLOCK = 97
CASES = {  # example → scale: a few thousand rows, tens of parts per entity
    "shop": 0.2,
    "bank": 0.1,
    "iot": 0.2,
}


def dataset(example: str, *, block_rows: int = BLOCK, seed: int | None = None):
    schema = phony_pdl.load(ROOT / "examples" / f"{example}.yaml")
    return schema.generate(scale=CASES[example], block_rows=block_rows, seed=seed)


def tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root (relative path → digest)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text())


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, Path]:
    """One clean single-process run per example, shared by the tests below."""
    out = {}
    for example in CASES:
        root = tmp_path_factory.mktemp(f"ref-{example}")
        write_dataset(dataset(example), root)
        out[example] = root
    return out


# ---------------------------------------------------------------- identity matrix


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("example", list(CASES))
def test_local_processes_identical(example: str, workers: int, references, tmp_path: Path) -> None:
    ref = references[example]
    report = write_dataset(dataset(example), tmp_path, workers=workers)
    assert report.backend == f"processes:{workers}"
    assert tree(tmp_path) == tree(ref)
    assert manifest(tmp_path) == manifest(ref)
    assert all(len(e["parts"]) > 1 for e in manifest(ref)["entities"].values() if e["rows"] > BLOCK)


@pytest.mark.parametrize("example", list(CASES))
@pytest.mark.parametrize("shuffle", [None, 7], ids=["in-order", "shuffled"])
def test_dask_identical(example: str, shuffle, client, references, tmp_path: Path) -> None:
    ref = references[example]
    report = write_dataset(dataset(example), tmp_path, client=client, _shuffle_seed=shuffle)
    assert report.backend == "dask"
    assert tree(tmp_path) == tree(ref)
    assert manifest(tmp_path)["entities"] == manifest(ref)["entities"]
    assert manifest(tmp_path) == manifest(ref)


def test_shuffled_local_order_identical(references, tmp_path: Path) -> None:
    write_dataset(dataset("shop"), tmp_path, workers=2, _shuffle_seed=3)
    assert tree(tmp_path) == tree(references["shop"])


def test_manifest_lists_every_part(references) -> None:
    root = references["shop"]
    data = manifest(root)
    assert data["complete"] is True and data["layout"] == "dataset"
    assert data["block_rows"] == BLOCK and data["scale"] == CASES["shop"]
    assert set(data["versions"]) == {"numpy", "scipy", "pyarrow"}
    assert data["phony_version"] == phony_pdl.__version__
    assert not (root / PARTIAL).exists()
    files = {str(p.relative_to(root)) for p in root.rglob("*.parquet")}
    listed = set()
    for name, entry in data["entities"].items():
        assert [p["block"] for p in entry["parts"]] == list(range(len(entry["parts"])))
        assert sum(p["rows"] for p in entry["parts"]) == entry["rows"]
        for part in entry["parts"]:
            path = root / name / part["file"]
            assert part["file"] == f"part-{part['block']:08d}.parquet"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == part["sha256"]
            assert pq.ParquetFile(path).metadata.num_rows == part["rows"]
            listed.add(f"{name}/{part['file']}")
    assert files == listed


def test_every_part_has_the_entity_schema(tmp_path: Path) -> None:
    """Blocks where a column is all NULL still carry the column's type."""
    doc = {
        "pdl": 1,
        "name": "nulls",
        "entities": {
            "t": {
                "count": 300,
                "fields": {
                    "id": {"sequence": 1},
                    "late": {"expr": "CASE WHEN id > 200 THEN 'x' END"},
                    "late_f": {"expr": "CASE WHEN id > 250 THEN 1.5 END"},
                    "never": {"const": 3, "null_rate": 1},
                    "last_day": {"aggregate": "max(c.day)"},
                },
            },
            "c": {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "t_id": {"ref": "t.id", "pick": "sequential"},
                    "day": {"type": "date"},
                },
            },
            "empty": {"count": 0, "fields": {"id": {"sequence": 1}, "x": {"type": "float"}}},
        },
    }
    ds = phony_pdl.load(doc).generate(block_rows=BLOCK)
    write_dataset(ds, tmp_path)
    want = ds.arrow_schema("t")
    parts = sorted((tmp_path / "t").glob("*.parquet"))
    assert len(parts) == 4
    for part in parts:
        assert pq.read_schema(part).remove_metadata() == want
    assert pq.read_table(parts[0]).column("late").null_count == BLOCK
    empty = list((tmp_path / "empty").glob("*.parquet"))
    assert [p.name for p in empty] == ["part-00000000.parquet"]
    assert pq.read_table(empty[0]).schema.remove_metadata() == ds.arrow_schema("empty")
    assert pq.read_table(empty[0]).num_rows == 0


# ---------------------------------------------------------------- worker death


def test_dask_worker_death_still_identical(client, references, tmp_path: Path) -> None:
    marker = tmp_path / "crashed"
    out = tmp_path / "out"
    report = write_dataset(
        dataset("shop"), out, client=client, _crash_once=("orders", 3, str(marker))
    )
    assert marker.exists(), "the worker making orders part 3 was killed on its first attempt"
    assert int(marker.read_text()) != os.getpid()
    assert report.written == sum(len(e["parts"]) for e in manifest(out)["entities"].values())
    assert tree(out) == tree(references["shop"])
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the dead worker


# ---------------------------------------------------------------- layout vs single file


@pytest.mark.parametrize("example", ["shop", "bank"])
def test_parts_concatenate_to_the_single_file(example: str, tmp_path: Path) -> None:
    single = dataset(example).write(tmp_path / "single", format="parquet")
    small = write_dataset(dataset(example, block_rows=BLOCK), tmp_path / "b97")
    large = write_dataset(dataset(example, block_rows=1000), tmp_path / "b1000")
    for name in single.entities:
        whole = pq.read_table(tmp_path / "single" / f"{name}.parquet")
        for report, root in ((small, tmp_path / "b97"), (large, tmp_path / "b1000")):
            files = [root / name / p.file for p in report.entities[name].parts]
            parts = pa.concat_tables(pq.read_table(f) for f in files)
            assert parts.equals(whole), f"{example}.{name}"

    def count(report):
        return sum(len(e.parts) for e in report.entities.values())

    assert count(small) > count(large)


def test_block_size_changes_only_the_layout(tmp_path: Path) -> None:
    """Rewriting a directory with another block size leaves no part of the old layout."""
    write_dataset(dataset("shop", block_rows=BLOCK), tmp_path)
    before = len(list(tmp_path.rglob("*.parquet")))
    write_dataset(dataset("shop", block_rows=1000), tmp_path)
    data = manifest(tmp_path)
    assert data["block_rows"] == 1000
    listed = {f"{n}/{p['file']}" for n, e in data["entities"].items() for p in e["parts"]}
    assert {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.parquet")} == listed
    assert len(listed) < before


# ---------------------------------------------------------------- resume


def damage(root: Path) -> list[str]:
    """Delete one part, corrupt another, truncate a third; return their paths."""
    parts = sorted((root / "order_items").glob("*.parquet"))
    parts[0].unlink()
    parts[1].write_bytes(b"not parquet")
    data = parts[2].read_bytes()
    parts[2].write_bytes(data[: len(data) // 2])
    return [str(p.relative_to(root)) for p in parts[:3]]


def test_resume_after_damage_is_identical(references, tmp_path: Path) -> None:
    ref = references["shop"]
    shutil.copytree(ref, tmp_path, dirs_exist_ok=True)
    damage(tmp_path)
    total = sum(len(e["parts"]) for e in manifest(ref)["entities"].values())
    report = write_dataset(dataset("shop"), tmp_path, resume=True)
    assert (report.written, report.reused) == (3, total - 3)
    assert tree(tmp_path) == tree(ref)


def test_resume_with_dask_is_identical(client, references, tmp_path: Path) -> None:
    ref = references["bank"]
    shutil.copytree(ref, tmp_path, dirs_exist_ok=True)
    parts = sorted((tmp_path / "transactions").glob("*.parquet"))
    for p in parts[::4]:
        p.unlink()
    report = write_dataset(dataset("bank"), tmp_path, client=client, resume=True)
    assert report.written == len(parts[::4])
    assert tree(tmp_path) == tree(ref)


def test_resume_after_interrupted_run(references, tmp_path: Path) -> None:
    """A run stopped midway leaves manifest.partial.json (and no manifest.json); resuming keeps
    the parts it lists and ends identical to a clean run."""
    ref = references["shop"]
    seen = []

    def stop_after_some(entity: str, done: int, total: int) -> None:
        if done:
            seen.append(entity)
        if len(seen) == 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(dataset("shop"), tmp_path, progress=stop_after_some)
    assert not (tmp_path / MANIFEST).exists()
    partial = json.loads((tmp_path / PARTIAL).read_text())
    assert partial["complete"] is False
    assert recorded(tmp_path) == 20
    report = write_dataset(dataset("shop"), tmp_path, resume=True)
    assert report.reused == 20
    assert tree(tmp_path) == tree(ref)


def recorded(root: Path) -> int:
    """Parts listed by the partial manifest (replaced atomically, so always whole)."""
    try:
        data = json.loads((root / PARTIAL).read_text())
    except FileNotFoundError:
        return 0
    return sum(len(e["parts"]) for e in data["entities"].values())


def test_resume_after_sigkill(tmp_path: Path) -> None:
    """SIGKILL a 2-process run once the partial manifest lists parts; resume ends identical."""
    shop = str(ROOT / "examples" / "shop.yaml")
    out, clean = tmp_path / "out", tmp_path / "clean"
    script = textwrap.dedent(
        f"""
        import phony_pdl
        from phony_pdl.distributed import write_dataset
        ds = phony_pdl.load({shop!r}).generate(scale=1.5, block_rows=1000)
        write_dataset(ds, {str(out)!r}, workers=2)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not recorded(out):
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):  # finished first on a very fast machine
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its forked workers
    proc.wait(timeout=30)
    # A kill that lands after the final manifest was renamed into place (the run had just
    # finished) leaves a complete run; otherwise no final manifest may exist.
    finished = (out / MANIFEST).exists()
    report = write_dataset(
        phony_pdl.load(shop).generate(scale=1.5, block_rows=1000), out, resume=True
    )
    assert report.reused > 0
    write_dataset(phony_pdl.load(shop).generate(scale=1.5, block_rows=1000), clean, workers=2)
    assert tree(out) == tree(clean)
    if finished:
        assert report.written == 0  # the manifest was complete: every part was reused


def test_resume_ignores_a_manifest_of_another_run(references, tmp_path: Path) -> None:
    shutil.copytree(references["iot"], tmp_path, dirs_exist_ok=True)
    report = write_dataset(dataset("iot", seed=99), tmp_path, resume=True)
    assert report.reused == 0
    assert report.resume_note and "seed" in report.resume_note
    assert manifest(tmp_path)["seed"] == 99
    assert tree(tmp_path) != tree(references["iot"])


# ---------------------------------------------------------------- readers


@pytest.mark.parametrize("example", list(CASES))
def test_readers_need_no_schema_options(example: str, references) -> None:
    root = references[example]
    data = manifest(root)
    ds = dataset(example)
    duckdb = pytest.importorskip("duckdb")
    try:
        import polars
    except ImportError:  # pragma: no cover - optional
        polars = None
    con = duckdb.connect()
    for name, entry in data["entities"].items():
        want = ds[name]
        got = pads.dataset(root / name, format="parquet").to_table()
        assert got.num_rows == entry["rows"]
        assert got.schema.remove_metadata() == want.schema
        assert got.equals(want.cast(got.schema))
        glob = str(root / name / "*.parquet")
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [glob]).fetchone()[0]
        assert n == entry["rows"]
        columns = [
            r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [glob]).fetchall()
        ]
        assert columns == want.schema.names
        if polars is not None:
            frame = polars.read_parquet(str(root / name))
            assert frame.height == entry["rows"]
            assert frame.columns == want.schema.names


def test_csv_parts(tmp_path: Path) -> None:
    a = write_dataset(dataset("bank"), tmp_path / "a", format="csv")
    write_dataset(dataset("bank"), tmp_path / "b", format="csv", workers=2)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    duckdb = pytest.importorskip("duckdb")
    glob = str(tmp_path / "a" / "transactions" / "*.csv")
    n = duckdb.connect().execute("SELECT count(*) FROM read_csv(?)", [glob]).fetchone()[0]
    assert n == a.entities["transactions"].rows


# ---------------------------------------------------------------- errors and guards


def test_missing_dask_is_a_usage_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UsageError, match=r"pip install 'phony-pdl\[dask\]'"):
        write_dataset(dataset("iot"), tmp_path, client="local:1")


@pytest.mark.parametrize("spec", ["local:0", "local:x", "somewhere", "tcp://"])
def test_bad_dask_address(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_address(spec)


def test_addresses() -> None:
    assert parse_address("local") == ("local", None)
    assert parse_address("local:3") == ("local", 3)
    assert parse_address("tcp://10.0.0.5:8786") == ("remote", "tcp://10.0.0.5:8786")


def test_bad_format_and_workers(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_dataset(dataset("iot"), tmp_path, format="sql")
    with pytest.raises(UsageError):
        write_dataset(dataset("iot"), tmp_path, workers=0)


def test_worker_with_other_versions_refuses(tmp_path: Path) -> None:
    ds = dataset("iot")
    ds.prepare()
    versions = {**runtime_versions(), "numpy": "0.0.0"}
    job = PartJob(
        plan=ds.plan, root=str(tmp_path), format="parquet", extension="parquet",
        schemas={"devices": ds.arrow_schema("devices")}, dictionaries={"devices": []},
        versions=versions,
    )  # fmt: skip
    with pytest.raises(GenerationError, match=r"numpy 0\.0\.0"):
        write_part(job, "devices", 0)


# ---------------------------------------------------------------- the TPC-H example


def test_tpch_example_small(tmp_path: Path) -> None:
    """examples/tpch.yaml at a small scale: SF-proportional counts, keys and derived values."""
    duckdb = pytest.importorskip("duckdb")
    scale = 0.004
    ds = phony_pdl.load(ROOT / "examples" / "tpch.yaml").generate(scale=scale, block_rows=2000)
    report = write_dataset(ds, tmp_path, workers=2)
    rows = {n: e.rows for n, e in report.entities.items()}
    assert rows["supplier"] == 40 and rows["customer"] == 600 and rows["part"] == 800
    assert rows["partsupp"] == 4 * rows["part"] and rows["orders"] == 6000
    assert rows["orders"] <= rows["lineitem"] <= 7 * rows["orders"]
    assert rows["region"] == rows["nation"] == 0  # documented: they scale too
    con = duckdb.connect()
    for name in rows:
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{tmp_path / name}/*.parquet')"
        )
    one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
    assert one("SELECT count(*) - count(DISTINCT (ps_partkey, ps_suppkey)) FROM partsupp") == (0,)
    assert one(
        "SELECT count(*) FROM lineitem LEFT JOIN partsupp"
        " ON l_partkey = ps_partkey AND l_suppkey = ps_suppkey WHERE ps_partkey IS NULL"
    ) == (0,)
    assert one(
        "SELECT count(*) FROM lineitem JOIN part ON l_partkey = p_partkey"
        " WHERE l_extendedprice <> l_quantity * p_retailprice"
    ) == (0,)
    assert one(
        "SELECT count(*) FROM part WHERE p_retailprice"
        " <> (90000 + (p_partkey // 10) % 20001 + 100 * (p_partkey % 1000)) / 100"
    ) == (0,)
    assert one(
        "SELECT max(abs(o_totalprice - s)) < 0.05 FROM orders JOIN (SELECT l_orderkey,"
        " sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) s FROM lineitem GROUP BY 1)"
        " ON o_orderkey = l_orderkey"
    ) == (True,)
    assert one(
        "SELECT count(*) FROM orders JOIN (SELECT l_orderkey, min(l_linestatus) lo,"
        " max(l_linestatus) hi FROM lineitem GROUP BY 1) ON o_orderkey = l_orderkey"
        " WHERE o_orderstatus <> CASE WHEN lo = hi THEN lo ELSE 'P' END"
    ) == (0,)
    assert one(
        "SELECT count(*) - count(DISTINCT (l_orderkey, l_linenumber)), min(l_linenumber),"
        " max(l_linenumber) <= 7 FROM lineitem"
    ) == (0, 1, True)
    assert one(
        "SELECT min(o_orderdate) >= DATE '1992-01-01', max(o_orderdate) <= DATE '1998-08-02'"
        " FROM orders"
    ) == (True, True)
    assert one(
        "SELECT count(*) FROM lineitem JOIN orders ON o_orderkey = l_orderkey"
        " WHERE NOT (o_orderdate < l_shipdate AND l_shipdate < l_receiptdate)"
    ) == (0,)


def test_tpch_region_and_nation_at_scale_1() -> None:
    ds = phony_pdl.load(ROOT / "examples" / "tpch.yaml").generate(only=["region", "nation"])
    nation = ds["nation"]
    assert ds["region"].column("r_name").to_pylist() == [
        "AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST",
    ]  # fmt: skip
    assert nation.num_rows == 25
    assert nation.column("n_regionkey").to_pylist() == [k // 5 for k in range(25)]
    names = nation.column("n_name").to_pylist()
    assert names[:5] == ["ALGERIA", "ETHIOPIA", "KENYA", "MOROCCO", "MOZAMBIQUE"]
    assert len(set(names)) == 25
