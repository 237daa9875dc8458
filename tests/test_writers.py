"""Writers: exact text conventions, valid JSON, typed Parquet, atomic files, manifest."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import phony_pdl
from phony_pdl.writers import open_writer
from phony_pdl.writers.base import TEMP_SUFFIX

from .conftest import ROOT

HOSTILE = [
    "plain",
    "",
    None,
    'quote " inside',
    "comma, here",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "ctrl\x01",
    "emoji 🎲",
]


def hostile_batch() -> pa.RecordBatch:
    n = len(HOSTILE)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(HOSTILE),
            pa.array([1, -2, None, 2**53 + 1, 0, 5, 6, 7, 8, 9], type=pa.int64()),
            pa.array([0.1, float("nan"), float("inf"), None, -0.0, 1e20, 2.5, 3, 4, 5]),
            pa.array([True, False, None] + [True] * (n - 3)),
        ],
        names=["s", "i", "f", "b"],
    )


def write(fmt: str, directory: Path, batch: pa.RecordBatch) -> Path:
    writer = open_writer(fmt, directory, "t", batch.schema)
    writer.write(batch)
    writer.close()
    return writer.path


def test_csv_quotes_strings_and_keeps_null_distinct_from_empty(tmp_path: Path) -> None:
    path = write("csv", tmp_path, hostile_batch())
    raw = path.read_bytes()
    assert b"\r\n" not in raw
    rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
    assert rows[0] == ["s", "i", "f", "b"]
    assert [r[0] for r in rows[1:]] == [("" if v is None else v) for v in HOSTILE]
    lines = raw.decode().split("\n")
    assert lines[2].startswith('"",')  # empty string is quoted
    assert lines[3].startswith(",")  # NULL is an empty unquoted field


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_is_valid_and_follows_the_rules(fmt: str, tmp_path: Path) -> None:
    path = write(fmt, tmp_path, hostile_batch())
    text = path.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
    assert [r["s"] for r in rows] == HOSTILE
    assert rows[3]["i"] == str(2**53 + 1)  # beyond 2**53: a string, so JavaScript cannot round it
    assert rows[0]["i"] == 1
    assert rows[1]["f"] is None and rows[2]["f"] is None  # NaN and Infinity become null
    assert rows[5]["f"] == 1e20
    assert rows[2]["b"] is None


def test_parquet_is_typed(tmp_path: Path) -> None:
    ds = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(scale=0.05)
    ds.write(tmp_path, format="parquet")
    schema = pq.read_schema(tmp_path / "customers.parquet")
    assert schema.field("id").type == pa.int64()
    assert schema.field("signed_up_at").type == pa.timestamp("us")
    assert pq.read_schema(tmp_path / "products.parquet").field("price").type == pa.decimal128(10, 2)
    assert pq.read_table(tmp_path / "orders.parquet").num_rows == ds.count("orders")


def test_empty_entity_still_writes_a_valid_file(tmp_path: Path) -> None:
    schema = phony_pdl.load(
        {"pdl": 1, "name": "e", "entities": {"t": {"count": 0, "fields": {"id": {"sequence": 1}}}}}
    )
    for fmt in ("csv", "jsonl", "json", "parquet"):
        schema.generate().write(tmp_path / fmt, format=fmt)
    assert (tmp_path / "csv" / "t.csv").read_text() == '"id"\n'
    assert json.loads((tmp_path / "json" / "t.json").read_text()) == []
    assert pq.read_table(tmp_path / "parquet" / "t.parquet").num_rows == 0


def test_failure_leaves_no_final_file(tmp_path: Path) -> None:
    batch = hostile_batch()
    writer = open_writer("csv", tmp_path, "t", batch.schema)
    writer.write(batch)
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_manifest_lists_counts_and_hashes(tmp_path: Path) -> None:
    import hashlib

    report = (
        phony_pdl.load(ROOT / "examples" / "hr.yaml")
        .generate(seed=3)
        .write(tmp_path, format="jsonl")
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["schema"] == "hr"
    for name, entry in manifest["entities"].items():
        data = (tmp_path / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["rows"] == len(data.splitlines()) == report.entities[name].rows
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_parquet_manifest_hash_is_of_the_bytes_on_disk(tmp_path: Path) -> None:
    """Parquet is hashed as pyarrow writes it (no second read): the digest must still be
    that of the finished file, footer included."""
    import hashlib

    import pyarrow.parquet as pq

    phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(seed=5).write(
        tmp_path, format="parquet"
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    for entry in manifest["entities"].values():
        path = tmp_path / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert pq.read_metadata(path).num_rows == entry["rows"]
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_cli_generate_default_output_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["generate", "--schema", str(ROOT / "examples" / "teams.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "teams" / "players.csv").exists()
    assert "rows/s" in result.output


def test_cli_generate_rejects_bad_schema_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "pdl: 1\nname: b\nentities:\n  t:\n    count: -1\n    fields:\n      id: { sequence: 1 }\n"
    )
    result = CliRunner().invoke(
        app, ["generate", "--schema", str(bad), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "error[bad-count]" in result.output
    assert "Nothing was written." in result.output
    assert not (tmp_path / "o").exists()


def test_cli_generate_usage_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    shop = str(ROOT / "examples" / "shop.yaml")
    runner = CliRunner()
    assert runner.invoke(app, ["generate", "--schema", shop, "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["generate", "--schema", shop, "--workers", "0"]).exit_code == 2
    result = runner.invoke(
        app, ["generate", "--schema", shop, "--only", "nope", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "unknown entities: nope" in result.output


def test_background_writer_keeps_order_reraises_and_leaves_nothing(tmp_path) -> None:
    from phony_pdl.writers.background import BackgroundWriter

    schema = pa.schema([("x", pa.int64())])
    batches = [
        pa.record_batch([pa.array(range(i * 10, i * 10 + 10))], schema=schema) for i in range(6)
    ]
    (tmp_path / "ok").mkdir()
    ok = BackgroundWriter(open_writer("csv", tmp_path / "ok", "t", schema))
    for b in batches:
        ok.write(b)
    ok.close()
    values = (tmp_path / "ok" / "t.csv").read_text().split()[1:]
    assert values == [str(i) for i in range(60)] and ok.rows == 60

    (tmp_path / "bad").mkdir()
    inner = open_writer("csv", tmp_path / "bad", "t", schema)
    calls = []

    def failing(batch: pa.RecordBatch) -> None:
        calls.append(batch.num_rows)
        if len(calls) == 2:
            raise OSError("disk full")

    inner.write_batch = failing
    bad = BackgroundWriter(inner)
    with pytest.raises(OSError, match="disk full"):
        for b in batches:
            bad.write(b)
        bad.close()
    bad.abort()
    assert list((tmp_path / "bad").iterdir()) == []  # no final file, no temp file


def test_background_parquet_writer_gives_the_inline_bytes(tmp_path) -> None:
    """Row groups are cut and codes compacted on the caller's thread (stage), encoded on the
    writer's: the file must be byte for byte the one written inline."""
    from phony_pdl.writers.background import BackgroundWriter

    data = phony_pdl.load(ROOT / "examples" / "users.yaml").generate(scale=140, block_rows=5000)
    schema = data.arrow_schema("users", codes=True)
    digests = []
    for mode in ("inline", "background"):
        (tmp_path / mode).mkdir()
        writer = open_writer("parquet", tmp_path / mode, "users", schema)
        if mode == "background":
            writer = BackgroundWriter(writer)
        for batch in data.iter_batches("users", codes=True):
            writer.write(batch)
        digests.append(writer.close())
        assert writer.rows == 140_000
    assert digests[0] == digests[1]
    table = pq.read_table(tmp_path / "background" / "users.parquet")
    assert table.num_rows == 140_000 and table.column("first_name").type == pa.string()
    assert pq.ParquetFile(tmp_path / "background" / "users.parquet").metadata.num_row_groups == 3


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_sql_script_bytes_do_not_depend_on_block_rows(tmp_path, dialect) -> None:
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    digests = set()
    for block_rows in (97, 1000, 65536):
        out = tmp_path / f"{dialect}-{block_rows}"
        schema.generate(block_rows=block_rows).write(out, format="sql", sql={"dialect": dialect})
        digests.add(hashlib.sha256((out / "shop.sql").read_bytes()).hexdigest())
    assert len(digests) == 1


def test_parquet_bytes_are_pyarrows_own_and_abort_is_quiet(tmp_path: Path, capfd) -> None:
    """The writer buffers pyarrow's many small writes natively: the file must still be
    byte for byte what pyarrow writes itself, and an aborted file must leave nothing (not
    even a complaint from the buffer's destructor about the file it wraps)."""
    import gc

    from phony_pdl.writers.parquet import ROW_GROUP_ROWS

    n = 2 * ROW_GROUP_ROWS + 123  # two full row groups and a short one, several buffers
    table = pa.table({"i": pa.array(range(n)), "s": pa.array([f"v{i % 977}" for i in range(n)])})
    writer = open_writer("parquet", tmp_path, "t", table.schema, ["s"])
    for batch in table.to_batches(max_chunksize=10_000):
        writer.write(batch)
    writer.close()
    expected = pa.BufferOutputStream()
    own = pq.ParquetWriter(expected, table.schema, compression="snappy", use_dictionary=["s"])
    for start in range(0, n, ROW_GROUP_ROWS):
        own.write_table(table.slice(start, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
    own.close()
    assert (tmp_path / "t.parquet").read_bytes() == expected.getvalue().to_pybytes()

    (tmp_path / "x").mkdir()
    aborted = open_writer("parquet", tmp_path / "x", "t", table.schema)
    aborted.write(table.to_batches()[0])
    aborted.abort()
    del aborted
    gc.collect()
    assert list((tmp_path / "x").iterdir()) == []
    assert "Error ignored" not in capfd.readouterr().err


def test_insert_statements_keep_their_row_counts_unless_too_long() -> None:
    """Statements start every `per` rows from the table's first; inside such a group a row
    starts a new one only where the text would pass the limit (so a script's bytes still
    do not depend on the block size), and no statement passes it unless one row does."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from phony_pdl.sql.encode import statement_starts

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.integers(1, 60), min_size=1, max_size=80),
        st.integers(1, 12),
        st.integers(1, 200),
    )
    def holds(sizes: list[int], per: int, limit: int) -> None:
        row_bytes = np.array(sizes)
        starts = statement_starts(row_bytes, per, limit)
        assert starts[0] and all(starts[i] for i in range(0, len(sizes), per))
        bounds = [*np.flatnonzero(starts), len(sizes)]
        for a, b in itertools.pairwise(bounds):
            assert b - a <= per
            assert b - a == 1 or row_bytes[a:b].sum() <= limit
            # greedy: the next row would not have fitted (or a group ends here)
            if b < len(sizes) and b % per:
                assert row_bytes[a : b + 1].sum() > limit

    holds()


def test_parquet_bytes_do_not_depend_on_block_rows_with_long_text(tmp_path: Path) -> None:
    """pyarrow cuts pages where a row group's chunks end: with kilobytes of text per row a
    row group made of several blocks had other bytes than one made of one block."""
    doc = {
        "pdl": 1,
        "name": "long",
        "seed": 3,
        "entities": {
            "a": {"count": 3000, "fields": {"s": {"type": "string", "min": 2000, "max": 3000}}}
        },
    }
    schema = phony_pdl.load(doc)
    digests = set()
    for block_rows in (None, 1000, 700):
        out = tmp_path / str(block_rows)
        schema.generate(block_rows=block_rows).write(out, format="parquet")
        digests.add(hashlib.sha256((out / "a.parquet").read_bytes()).hexdigest())
    assert len(digests) == 1


def _typed_batch(decimal_type: pa.DataType, decimals: list[str]) -> pa.RecordBatch:
    import datetime as dt
    from decimal import Decimal

    base = hostile_batch()
    n = base.num_rows
    extra = [
        pa.array(
            [None if d is None else Decimal(d) for d in decimals]
            + [Decimal("123.5")] * (n - len(decimals)),
            type=decimal_type,
        ),
        pa.array([dt.date(1, 1, 1), None] + [dt.date(2024, 2, 29)] * (n - 2)),
        pa.array(
            [dt.datetime(2024, 1, 2, 3, 4, 5, 6), None] + [dt.datetime(9999, 12, 31)] * (n - 2),
            type=pa.timestamp("us"),
        ),
        pa.array([dt.time(1, 2, 3), None] + [dt.time(23, 59, 59, 999999)] * (n - 2)),
    ]
    return pa.RecordBatch.from_arrays(
        [*base.columns, *extra], names=[*base.schema.names, "d", "day", "at", "clock"]
    )


def test_decimals_are_written_with_every_place_and_never_an_exponent(tmp_path: Path) -> None:
    """Arrow's own text of a decimal(20,8) zero is `0E-8`; formats.md promises `0.00000000`."""
    batch = _typed_batch(pa.decimal128(20, 8), ["0", "1E-8", "-0.00000123", None])
    expected = ["0.00000000", "0.00000001", "-0.00000123"]
    (tmp_path / "c").mkdir()
    (tmp_path / "j").mkdir()
    rows = list(csv.reader(write("csv", tmp_path / "c", batch).open(newline="")))
    assert [r[4] for r in rows[1:4]] == expected
    lines = write("jsonl", tmp_path / "j", batch).read_text().splitlines()
    assert [re.search(r'"d":([^,]*),', x).group(1) for x in lines[:4]] == [*expected, "null"]
    from phony_pdl.sql.dialects import DIALECTS
    from phony_pdl.sql.encode import copy_text, sql_literals

    column = batch.column(4)
    assert sql_literals(column, DIALECTS["postgres"], "t.d").to_pylist()[:4] == [*expected, "NULL"]
    assert copy_text(column, "t.d").to_pylist()[:4] == [*expected, "\\N"]


def test_exact_csv_rows_are_byte_for_byte_pyarrows_for_other_types() -> None:
    """Batches with such decimals take Phony's own CSV rows; every other column must read
    exactly as pyarrow's writer puts it, so a schema's CSV bytes do not depend on the path."""
    import io

    import pyarrow.csv as pacsv

    from phony_pdl.writers.csv import csv_lines

    batch = _typed_batch(pa.decimal128(12, 4), ["0", "-0.5", "12.25", None])
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    assert csv_lines(batch) == buffer.getvalue()


def test_negative_zero_keeps_its_sign_in_sql_literals() -> None:
    """`-0` is read as the integer 0 (PostgreSQL, SQLite and DuckDB store +0.0)."""
    from phony_pdl.sql.dialects import DIALECTS
    from phony_pdl.sql.encode import sql_literals

    floats = pa.array([-0.0, 0.0, None, -1.5])
    for name in ("postgres", "sqlite", "duckdb", "mysql"):
        assert sql_literals(floats, DIALECTS[name], "t.f").to_pylist() == [
            "-0.0", "0", "NULL", "-1.5"
        ]  # fmt: skip


def test_mysql_script_stops_at_text_its_column_cannot_hold(tmp_path) -> None:
    """TEXT holds 65,535 bytes and the key type VARCHAR(255) 255 characters: a longer value
    was written into the script, refused only when it ran (or cut short by a lenient
    server). It now stops the run, naming the field, the row, the length, the limit and
    the fix, and no script is left; other dialects take the same values."""
    fields = {
        "id": {"sequence": 1},
        "n": {"sequence": 1, "hidden": True},
        # 32,000 two-byte letters: under 65,535 characters, over 65,535 bytes, from row 3
        "body": {"expr": "CASE WHEN n >= 3 THEN b ELSE 'short' END"},
        "b": {"pattern": "(é{1000}){33}", "hidden": True},
    }
    schema = {"pdl": 1, "name": "long", "entities": {"docs": {"count": 4, "fields": fields}}}
    dataset = phony_pdl.load(schema).generate(block_rows=2)
    with pytest.raises(phony_pdl.GenerationError) as exc:
        dataset.write(tmp_path / "my", format="sql", sql={"dialect": "mysql"})
    assert str(exc.value) == (
        "docs.body, row 3: the value is 66,000 bytes long in UTF-8, but the mysql dialect "
        "writes this column as TEXT, which holds at most 65,535 bytes; generate values of at "
        "most 65,535 bytes, or give the field `sql_type: MEDIUMTEXT` (16 MiB) or "
        "`sql_type: LONGTEXT`"
    )
    assert not list((tmp_path / "my").glob("*.sql*"))
    for dialect in ("postgres", "sqlite", "duckdb"):
        dataset.write(tmp_path / dialect, format="sql", sql={"dialect": dialect})
        assert (tmp_path / dialect / "long.sql").stat().st_size > 132_000
    fields["body"]["sql_type"] = "MEDIUMTEXT"  # the fix the message gives
    phony_pdl.load(schema).generate().write(tmp_path / "my", format="sql", sql={"dialect": "mysql"})
    assert "`body` MEDIUMTEXT" in (tmp_path / "my" / "long.sql").read_text(encoding="utf-8")

    # (a unique non-ASCII pattern of one length cannot be drawn: an expression makes them)
    keyed = {
        "id": {"sequence": 1},
        "slug": {"expr": f"'{'é' * 250}' || CAST(id + 100000 AS TEXT)", "unique": True},
    }
    schema["entities"] = {"docs": {"count": 3, "fields": keyed}}
    with pytest.raises(phony_pdl.GenerationError) as exc:  # VARCHAR(255) counts characters
        phony_pdl.load(schema).generate().write(
            tmp_path / "key", format="sql", sql={"dialect": "mysql"}
        )
    assert str(exc.value).startswith(
        "docs.slug, row 1: the value is 256 characters long, but the mysql dialect writes "
        "this column, a key (primary, unique or referenced), as VARCHAR(255), which holds "
        "at most 255 characters; generate values of at most 255 characters"
    )
    assert not (tmp_path / "key" / "long.sql").exists()
    keyed["slug"]["expr"] = f"'{'é' * 250}' || CAST(id AS TEXT)"  # 251 characters, 501 bytes
    phony_pdl.load(schema).generate().write(
        tmp_path / "key", format="sql", sql={"dialect": "mysql"}
    )


@pytest.mark.parametrize(
    ("dialect", "q", "own_int"),
    [("sqlite", '"', "INTEGER"), ("postgres", '"', "BIGINT"), ("mysql", "`", "BIGINT")],
)
def test_a_foreign_key_column_takes_its_keys_sql_type(tmp_path, dialect, q, own_int) -> None:
    """`sql_type: SMALLINT` on a key left its foreign keys BIGINT (which MySQL refuses to
    reference a SMALLINT with) and `varchar(12)` left them TEXT or VARCHAR(255): the
    foreign key column now has its key's type, through a chain of references, unless it
    sets its own."""
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "p": {
                "count": 3,
                "primary_key": "code",
                "fields": {
                    "code": {"pattern": "[A-Z]{12}", "unique": True, "sql_type": "varchar(12)"},
                    "alt": {"sequence": 1, "unique": True, "sql_type": "SMALLINT"},
                },
            },
            "c": {
                "count": 3,
                "fields": {
                    "id": {"sequence": 1},
                    "p_code": {"ref": "p.code", "unique": True},
                    "p_alt": {"ref": "p.alt"},
                    "own": {"ref": "p.code", "sql_type": "CHAR(12)"},
                },
            },
            "g": {"count": 2, "fields": {"c_id": {"ref": "c.id"}, "code": {"ref": "c.p_code"}}},
        },
    }
    phony_pdl.load(schema).generate().write(tmp_path, format="sql", sql={"dialect": dialect})
    lines = (tmp_path / "t.sql").read_text(encoding="utf-8").splitlines()

    def column(name: str) -> str:
        [line] = [x for x in lines if x.startswith(f"  {q}{name}{q} ")]
        return line.strip().rstrip(",")

    assert column("p_code") == f"{q}p_code{q} varchar(12) NOT NULL"
    assert column("p_alt") == f"{q}p_alt{q} SMALLINT NOT NULL"
    assert column("own") == f"{q}own{q} CHAR(12) NOT NULL"
    assert column("c_id") == f"{q}c_id{q} {own_int} NOT NULL"  # a key without sql_type
    # p.code, and g.code → c.p_code → p.code
    assert [x.strip() for x in lines if x.startswith(f"  {q}code{q} ")] == 2 * [
        f"{q}code{q} varchar(12) NOT NULL,"
    ]


CODED = """
pdl: 1
name: coded
seed: 7
locale: de_DE
entities:
  people:
    count: 300
    fields:
      id: { sequence: 1 }
      first_name: { generator: person.first_name }
      city: { generator: address.city }
      country: { generator: address.country_code }
      plan: { choice: { free: 5, pro: 2, team: 1 } }
      maybe: { choice: [a, b], null_rate: 0.3 }
      last_name: { generator: person.last_name, null_rate: 0.2 }
      seen: { type: datetime, between: [2024-01-01, 2024-12-31] }
"""


def test_parquet_stores_codes_yet_reads_back_as_the_strings(tmp_path: Path) -> None:
    """Small-list fields reach the Parquet writer as codes (no string hashed again); the
    file must still read back, in pyarrow and DuckDB, exactly as the plain table, with a
    dictionary page of only the values used, and the same bytes for any blocks/workers."""
    import duckdb
    import yaml

    schema = phony_pdl.load(yaml.safe_load(CODED))
    want = schema.generate()["people"]
    assert not any(pa.types.is_dictionary(f.type) for f in want.schema)

    schema.generate().write(tmp_path / "a", format="parquet")
    path = tmp_path / "a" / "people.parquet"
    got = pq.read_table(path)
    assert got.schema == want.schema  # strings stay strings, not dictionaries
    assert got.equals(want)
    pq.write_table(want, tmp_path / "own.parquet")  # what readers get from pyarrow's own file
    assert got.equals(pq.read_table(tmp_path / "own.parquet"))
    assert b"ARROW:schema" not in (pq.read_metadata(path).metadata or {})  # it names codes

    meta = pq.ParquetFile(path).metadata.row_group(0)
    names = [meta.column(i).path_in_schema for i in range(meta.num_columns)]
    for name in ("first_name", "city", "country", "plan"):
        assert "RLE_DICTIONARY" in meta.column(names.index(name)).encodings
    coded = pq.read_table(path, read_dictionary=["first_name", "plan"])
    for name in ("first_name", "plan"):
        column = coded.column(name).chunk(0)
        used = set(want.column(name).to_pylist())
        assert sorted(column.dictionary.to_pylist()) == sorted(used)  # each once, only used

    duck = duckdb.connect().execute(f"SELECT first_name, plan, maybe FROM '{path}'").fetchall()
    columns = [want.column(c).to_pylist() for c in ("first_name", "plan", "maybe")]
    assert duck == list(zip(*columns, strict=True))

    schema.generate(block_rows=7).write(tmp_path / "b", format="parquet", workers=2)
    assert (tmp_path / "b" / "people.parquet").read_bytes() == path.read_bytes()


def test_parquet_writer_takes_plain_or_differently_coded_batches(tmp_path: Path) -> None:
    """A batch may bring a column plain where the file stores codes, or codes into another
    list: the writer conforms it, and the values read back unchanged."""
    coded = pa.schema([("s", pa.dictionary(pa.int32(), pa.string()))])
    writer = open_writer("parquet", tmp_path, "t", coded, ["s"])
    first = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int32()), ["x", "y"])
    other = pa.DictionaryArray.from_arrays(pa.array([1, 1], pa.int32()), ["y", "z"])
    writer.write(pa.RecordBatch.from_arrays([first], schema=coded))
    writer.write(pa.RecordBatch.from_arrays([pa.array(["q", None])], names=["s"]))
    writer.write(pa.RecordBatch.from_arrays([other], schema=coded))
    writer.close()
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.schema.field("s").type == pa.string()
    assert table.column("s").to_pylist() == ["x", "y", "x", "q", None, "z", "z"]


def test_parquet_decodes_codes_where_the_arrow_schema_is_needed(tmp_path: Path) -> None:
    """Without the Arrow schema a duration would read back as int64: a file with one keeps
    the schema and writes its coded columns decoded."""
    coded = pa.schema([("s", pa.dictionary(pa.int32(), pa.string())), ("d", pa.duration("us"))])
    writer = open_writer("parquet", tmp_path, "t", coded, ["s"])
    codes = pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), ["x", "y"])
    writer.write(
        pa.RecordBatch.from_arrays([codes, pa.array([5, 6], pa.duration("us"))], schema=coded)
    )
    writer.close()
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.schema == pa.schema([("s", pa.string()), ("d", pa.duration("us"))])
    assert table.column("s").to_pylist() == ["y", "x"]


@pytest.mark.parametrize(
    ("dialect", "check"),
    [
        ("postgres", '"minutes" BIGINT NOT NULL CHECK ("minutes" IN (15, 30, 60))'),
        ("sqlite", '"minutes" INTEGER NOT NULL CHECK ("minutes" = 15 OR "minutes" = 30 OR '),
        ("tsql", "[minutes] BIGINT NOT NULL CHECK ([minutes] IN (15, 30, 60))"),
    ],
)
def test_an_int_choice_mapping_is_checked_against_numbers(tmp_path, dialect, check) -> None:
    """A weighted choice's keys are text, so `{15: 50, 30: 40, 60: 10}` with `type: int`
    wrote `CHECK ("minutes" IN ('15', '30', '60'))` on a BIGINT column (N'15' in T-SQL),
    leaning on each server to convert text to numbers; a list choice wrote numbers."""
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "visits": {
                "count": 5,
                "fields": {"minutes": {"choice": {"15": 50, "30": 40, "60": 10}, "type": "int"}},
            }
        },
    }
    phony_pdl.load(schema).generate().write(tmp_path, format="sql", sql={"dialect": dialect})
    assert check in (tmp_path / "t.sql").read_text(encoding="utf-8")


def test_parquet_writer_keeps_one_copy_of_a_list_across_blocks(tmp_path: Path) -> None:
    """Each block brings its own copy of a choice's list: a row group of small blocks held
    the list once per block (a 5,000-value choice at --block-rows 64: 834 MB instead of
    160 MB). Equal lists now share the first one."""
    coded = pa.schema([("s", pa.dictionary(pa.int32(), pa.string()))])
    writer = open_writer("parquet", tmp_path, "t", coded, ["s"])
    words = [f"value-{i}" for i in range(1000)]
    for start in range(3):
        codes = pa.DictionaryArray.from_arrays(pa.array([start, 999], pa.int32()), words)
        writer.write(pa.RecordBatch.from_arrays([codes], schema=coded))
    lists = {b.column(0).dictionary.buffers()[2].address for b in writer.pending}
    assert len(writer.pending) == 3 and len(lists) == 1
    writer.close()
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.column("s").to_pylist() == [words[i] for i in (0, 999, 1, 999, 2, 999)]


CODED_MATRIX = """
pdl: 1
name: matrix
seed: 3
locale: pl_PL
entities:
  people:
    count: 70
    fields:
      id: { sequence: 1 }
      first: { generator: person.first_name, gender: female }
      last: { generator: person.last_name, unique: true }
      sex: { generator: person.sex }
      job: { generator: person.job_title, link: other, locale: tr_TR }
      city: { generator: address.city, hidden: true }
      where: { template: "{city}/{sex}" }
      loud: { expr: "UPPER(city)" }
      cc: { generator: address.country_code }
      region: { generator: address.region, null_rate: 0.3 }
      plan: { choice: { free: 5, pro: 2, team: 1 } }
      label: { choice: [web, partner, null] }
      n: { choice: [1, 2, 3] }
      d: { choice: ["1.50", "2.25"], type: "decimal(6,2)" }
      k: { const: import }
  orders:
    count: 150
    fields:
      id: { sequence: 1 }
      person_id: { ref: people.id }
      city: { from: person_id.city }
      plan: { from: person_id.plan }
      kind: { choice: [a, b, c] }
"""


@pytest.mark.parametrize("block_rows, workers", [(1, 2), (7, 1), (65536, 2)])
def test_parquet_codes_match_the_plain_table_across_fields_blocks_and_workers(
    tmp_path: Path, block_rows: int, workers: int
) -> None:
    """Coded fields next to what reads them (templates, expressions, look-ups, hidden
    fields), unique, link, locale, gender, NULLs and non-string choices: the file reads
    back as the API's table, in pyarrow and DuckDB, with the same bytes for any blocks."""
    import duckdb
    import yaml

    schema = phony_pdl.load(yaml.safe_load(CODED_MATRIX))
    schema.generate().write(tmp_path / "a", format="parquet", compression="zstd")
    schema.generate(block_rows=block_rows).write(
        tmp_path / "b", format="parquet", workers=workers, compression="zstd"
    )
    for entity in ("people", "orders"):
        want = schema.generate()[entity]
        path = tmp_path / "a" / f"{entity}.parquet"
        got = pq.read_table(path)
        assert got.schema == want.schema and got.equals(want)
        pq.write_table(want, tmp_path / f"{entity}.own.parquet")
        sql = "SELECT * FROM '{}'"
        con = duckdb.connect()
        own = con.execute(sql.format(tmp_path / f"{entity}.own.parquet")).fetchall()
        assert con.execute(sql.format(path)).fetchall() == own
        assert (tmp_path / "b" / f"{entity}.parquet").read_bytes() == path.read_bytes()
