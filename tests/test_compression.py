"""Compressed output: Parquet column codecs and whole-file gzip/zstd for the text formats."""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.errors import UsageError
from phony_pdl.writers.base import TEMP_SUFFIX
from phony_pdl.writers.compression import CompressedSink

from .conftest import ROOT

SHOP = ROOT / "examples" / "shop.yaml"


def decompress(path: Path) -> bytes:
    codec = {".gz": "gzip", ".zst": "zstd"}[path.suffix]
    with pa.input_stream(str(path), compression=codec) as stream:
        return stream.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Uncompressed reference outputs of the shop example, per format."""
    out = {}
    for fmt in ("csv", "jsonl", "json", "sql"):
        d = tmp_path_factory.mktemp(f"plain-{fmt}")
        phony_pdl.load(SHOP).generate(seed=7).write(d, format=fmt)
        out[fmt] = d
    return out


@pytest.mark.parametrize("codec,suffix", [("gzip", ".gz"), ("zstd", ".zst")])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_text_files_decompress_to_the_uncompressed_bytes(
    fmt: str, codec: str, suffix: str, plain: dict[str, Path], tmp_path: Path
) -> None:
    report = phony_pdl.load(SHOP).generate(seed=7).write(tmp_path, format=fmt, compression=codec)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["compression"] == codec
    for name, entry in manifest["entities"].items():
        path = tmp_path / entry["file"]
        assert entry["file"] == f"{name}.{fmt}{suffix}" == report.entities[name].file
        assert sha256(path.read_bytes()) == entry["sha256"]  # the hash is of the file on disk
        assert decompress(path) == (plain[fmt] / f"{name}.{fmt}").read_bytes()
    assert not list(tmp_path.glob(f".*{TEMP_SUFFIX}"))


def test_gzip_files_open_with_the_standard_library_and_carry_no_time_or_name(
    plain: dict[str, Path], tmp_path: Path
) -> None:
    phony_pdl.load(SHOP).generate(seed=7).write(tmp_path, format="csv", compression="gzip")
    raw = (tmp_path / "customers.csv.gz").read_bytes()
    # no file name, modification time 0, OS 255: the same header on every platform
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    assert gzip.decompress(raw) == (plain["csv"] / "customers.csv").read_bytes()


def test_sql_script_compresses_whole(plain: dict[str, Path], tmp_path: Path) -> None:
    phony_pdl.load(SHOP).generate(seed=7).write(tmp_path, format="sql", compression="gzip")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {e["file"] for e in manifest["entities"].values()} == {"shop.sql.gz"}
    assert (
        gzip.decompress((tmp_path / "shop.sql.gz").read_bytes())
        == (plain["sql"] / "shop.sql").read_bytes()
    )


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_bytes_depend_neither_on_block_size_nor_on_workers(
    codec: str, tmp_path: Path
) -> None:
    schema = phony_pdl.load(SHOP)
    digests = []
    for i, (block_rows, workers) in enumerate([(None, 1), (97, 1), (61, 2)]):
        d = tmp_path / str(i)
        schema.generate(seed=3, block_rows=block_rows).write(
            d, format="jsonl", compression=codec, workers=workers
        )
        digests.append({p.name: sha256(p.read_bytes()) for p in sorted(d.glob("*.jsonl.*"))})
    assert digests[0] == digests[1] == digests[2]
    assert len(digests[0]) == 5


@settings(max_examples=40, deadline=None)
@given(
    codec=st.sampled_from(["gzip", "zstd"]),
    cuts=st.lists(st.integers(min_value=0, max_value=20_000), max_size=12),
)
def test_a_stream_compresses_the_same_however_its_input_is_cut(codec: str, cuts: list) -> None:
    data = b"".join(b"%d,row %d,%.3f\n" % (i, i * 7919 % 1000, i / 7) for i in range(1000))

    def compressed(pieces: list[bytes]) -> bytes:
        out = io.BytesIO()
        sink = CompressedSink(out, codec)
        for piece in pieces:
            sink.write(piece)
        sink.finish()
        return out.getvalue()

    edges = [0, *sorted(cuts), len(data)]
    pieces = [data[a:b] for a, b in itertools.pairwise(edges)]
    whole = compressed([data])
    assert compressed(pieces) == whole
    assert decompress_bytes(whole, codec) == data


def decompress_bytes(data: bytes, codec: str) -> bytes:
    with pa.CompressedInputStream(pa.BufferReader(data), codec) as stream:
        return stream.read()


def test_an_aborted_zstd_stream_writes_nothing_more(tmp_path: Path) -> None:
    out = io.BytesIO()
    sink = CompressedSink(out, "zstd")
    sink.write(b"x" * 100_000)
    before = out.getvalue()
    sink.abort()
    assert out.getvalue() == before


@pytest.mark.parametrize("codec", ["zstd", "gzip", "lz4", "brotli", "none"])
def test_parquet_column_codecs(codec: str, tmp_path: Path) -> None:
    schema = phony_pdl.load(SHOP)
    schema.generate(seed=7).write(tmp_path / "default", format="parquet")
    schema.generate(seed=7).write(tmp_path / codec, format="parquet", compression=codec)
    path = tmp_path / codec / "customers.parquet"  # Parquet compresses inside the file
    meta = pq.read_metadata(path)
    assert meta.row_group(0).column(0).compression == codec.upper().replace("NONE", "UNCOMPRESSED")
    assert pq.read_table(path).equals(pq.read_table(tmp_path / "default" / "customers.parquet"))
    manifest = json.loads((tmp_path / codec / "manifest.json").read_text())
    assert manifest["compression"] == codec


def test_parquet_default_stays_snappy(tmp_path: Path) -> None:
    phony_pdl.load(SHOP).generate(seed=7).write(tmp_path, format="parquet")
    meta = pq.read_metadata(tmp_path / "customers.parquet")
    assert meta.row_group(0).column(0).compression == "SNAPPY"
    assert json.loads((tmp_path / "manifest.json").read_text())["compression"] == "snappy"


def test_dataset_layout_parts_are_compressed_and_resume(tmp_path: Path) -> None:
    from phony_pdl.distributed import write_dataset

    schema = phony_pdl.load(SHOP)
    first = write_dataset(
        schema.generate(seed=7, block_rows=500), tmp_path, format="csv", compression="gzip"
    )
    parts = sorted((tmp_path / "customers").iterdir())
    assert parts and all(p.name.endswith(".csv.gz") for p in parts)
    text = b"".join(gzip.decompress(p.read_bytes()) for p in parts)
    assert text.count(b"\n") == first.entities["customers"].rows + len(parts)  # + headers
    again = write_dataset(
        schema.generate(seed=7, block_rows=500),
        tmp_path,
        format="csv",
        compression="gzip",
        resume=True,
    )
    assert again.written == 0 and again.reused == first.written


def test_infer_reads_what_generate_compressed(tmp_path: Path) -> None:
    from phony_pdl.infer import infer

    phony_pdl.load(SHOP).generate(seed=7).write(tmp_path, format="csv", compression="gzip")
    result = infer(tmp_path / "customers.csv.gz")
    assert "customers" in result.schema().entities


@pytest.mark.parametrize(
    "fmt,codec,message",
    [
        (
            "parquet",
            "bz2",
            "compression 'bz2' for parquet: expected one of snappy, zstd, gzip, lz4, brotli, none",
        ),
        (
            "csv",
            "snappy",
            "compression 'snappy' for csv: expected one of gzip, zstd, none "
            "(snappy is a Parquet codec; csv files are compressed whole)",
        ),
    ],
)
def test_unknown_codecs_are_refused_before_anything_is_written(
    fmt: str, codec: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError) as info:
        phony_pdl.load(SHOP).generate().write(tmp_path / "o", format=fmt, compression=codec)
    assert str(info.value) == message
    assert not (tmp_path / "o").exists()


def test_cli_compression(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    runner = CliRunner()
    ok = runner.invoke(
        app,
        ["generate", "-s", str(SHOP), "-o", str(tmp_path / "o"), "--compression", "zstd", "-q"],
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "o" / "orders.csv.zst").exists()
    bad = runner.invoke(
        app,
        [
            "generate",
            "-s",
            str(SHOP),
            "-o",
            str(tmp_path / "b"),
            "-f",
            "json",
            "--compression",
            "lz4",
        ],
    )
    assert bad.exit_code == 2
    assert "--compression 'lz4' for json: expected one of gzip, zstd, none" in bad.output
    assert not (tmp_path / "b").exists()
    db = runner.invoke(
        app,
        [
            "generate",
            "-s",
            str(SHOP),
            "--to",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--compression",
            "gzip",
        ],
    )
    assert db.exit_code == 2
    assert "--compression is about output files: not with --to" in db.output
