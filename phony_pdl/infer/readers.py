"""Sample data → Arrow tables: CSV, Parquet, JSON lines, a folder of them, or a database URL.

Text columns (every CSV column, and string columns of the other formats) are
typed here, by Phony's rules rather than a reader's guesses: `00123` stays the
text `00123` (a code, not the number 123), the number of decimals written is
kept as the column's precision, and ISO 8601 text becomes a date, datetime or
time of day.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..csv_dialect import sniff_delimiter
from ..errors import InputNotFoundError, UsageError
from ..writers.file_names import table_of_stem
from .profile import MAX_DECIMALS

__all__ = ["Source", "TableData", "read_source", "type_text_column"]

SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
NULL_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "none", "#N/A", "#n/a"]

_INT = r"^[+-]?(0|[1-9][0-9]*)$"
_GROUPED = r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?$"  # 1,234 or 12,345.50
_FLOAT = r"^[+-]?((0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_WHOLE_FLOAT = r"^[+-]?(0|[1-9][0-9]*)\.0+$"
_NUMBERISH = r"^[+-]?[0-9.,]+([eE][+-]?[0-9]+)?$"  # digits with separators: maybe a number
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
_TIME = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
_BOOL = {"true": True, "false": False, "True": True, "False": False, "TRUE": True, "FALSE": False}


@dataclass
class TableData:
    """One table of the sample, typed, with what the text said about precision."""

    name: str
    table: pa.Table
    decimals: dict[str, int] = field(default_factory=dict)  # column → decimals written
    primary_key: list[str] = field(default_factory=list)  # declared (databases)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (col, parent, key)
    uniques: list[list[str]] = field(default_factory=list)  # declared multi-column constraints
    nullable: set[str] = field(default_factory=set)  # columns declared to accept NULL
    skipped: dict[str, str] = field(default_factory=dict)  # column → type PDL cannot generate
    formats: dict[str, str] = field(default_factory=dict)  # column → strftime its dates used
    # column → the `{…}` format its numbers were written in (`${:,.2f}`)
    number_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the file was read, when unusual
    composite_references: list[str] = field(default_factory=list)  # in a multi-column FK


@dataclass
class Source:
    name: str
    tables: dict[str, TableData]
    origin: str = ""
    notes: list[str] = field(default_factory=list)  # what was left out of the folder, and why


def read_source(
    source: str | Path | pa.Table | Mapping[str, Any] | Source, *, name: str | None = None
) -> Source:
    """Read a file, folder, database URL, Arrow table or mapping of name → table/DataFrame."""
    if isinstance(source, Source):
        return source
    if not isinstance(source, pa.Table | Mapping | str | Path) and (
        hasattr(source, "__arrow_c_stream__")
        or hasattr(source, "to_arrow")
        or type(source).__name__ == "DataFrame"
    ):  # pandas or polars frames, Arrow record batch readers: one table
        source = _from_frame(source)
    if isinstance(source, pa.Table):
        label = name or "data"
        data = _typed(label, source)
        problem = _unusable(data)
        if problem:
            raise UsageError(f"the table has {problem}")
        return Source(label, {label: data}, "<table>")
    if isinstance(source, Mapping):
        tables = {}
        for key, value in source.items():
            table = value if isinstance(value, pa.Table) else _from_frame(value)
            tables[str(key)] = _typed(str(key), table)
        return Source(name or "data", tables, "<tables>")
    text = str(source)
    if "://" in text:
        return _read_database(text, name)
    path = Path(text)
    if path.is_dir() and _part_files(path):  # one entity of `--layout dataset`
        data = _read_parts(path)
        table = table_of_stem(path.name)
        return Source(name or table, {table: data}, str(path), list(data.notes))
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if (data_suffix(p) in SUFFIXES and p.is_file() and p.name != "manifest.json")
            or (p.is_dir() and _part_files(p))
        )  # manifest.json: what `phony generate` writes next to the data
        if not files:
            raise UsageError(
                f"{path}: no data files (.csv, .parquet, .jsonl, .json) in this folder"
            )
        tables, notes = {}, []
        for p in files:
            if p.is_dir():  # an entity of `--layout dataset`: its parts are one table
                folder = table_of_stem(p.name)
                if folder in tables:
                    raise UsageError(f"{path}: two entries give table '{folder}'")
                tables[folder] = _read_parts(p)
                notes += [f"{folder}: {note}" for note in tables[folder].notes]
                continue
            stem = table_name(p)
            if stem in tables:
                raise UsageError(f"{path}: two files give table '{stem}'")
            if p.stat().st_size == 0:  # one empty export does not stop the folder
                notes.append(f"left out {p.name}: the file is empty")
                continue
            if p.suffix.lower() == ".txt" and not _delimited(p):
                notes.append(f"left out {p.name}: text, not a delimited table")
                continue
            data = read_file(p, stem)
            # tables of a folder share column names (`created_at`): say whose column it is
            notes += [f"{stem}: {note}" for note in data.notes]
            problem = _unusable(data)
            if problem:
                notes.append(f"left out {p.name}: {problem}")
                continue
            tables[stem] = data
        if not tables:
            raise UsageError(f"{path}: no data file in this folder has rows to learn from")
        return Source(name or path.resolve().name, tables, str(path), notes)
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file or folder")
    stem = table_name(path)
    data = read_file(path, stem)
    problem = _unusable(data)
    if problem:
        raise UsageError(f"{path}: {problem}")
    return Source(name or stem, {stem: data}, str(path), list(data.notes))


PART_PREFIX = "part-"  # as phony_pdl.distributed.parts names them


def _part_files(folder: Path) -> list[Path]:
    """The part files of a `--layout dataset` entity folder (part-00000000.parquet …),
    or [] for any other folder."""
    data = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    parts = sorted(
        p for p in data if p.name.startswith(PART_PREFIX) and p.suffix.lower() in SUFFIXES
    )
    return parts if parts and len(parts) == len(data) else []


def _read_parts(folder: Path) -> TableData:
    """The parts of one entity, in order, as one table."""
    parts = _part_files(folder)
    name = table_of_stem(folder.name)
    tables = [read_file(p, name).table for p in parts]
    try:
        whole = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise UsageError(f"{folder}: its parts do not share one set of columns: {exc}") from None
    return _typed(name, whole)


def _unusable(data: TableData) -> str | None:
    """Why a table read fine but gives nothing to learn from, or None."""
    if data.table.num_columns == 0:
        kinds = ", ".join(sorted(set(data.skipped.values()))) or "none"
        return f"no column PDL can generate (column types: {kinds})"
    if data.table.num_rows == 0:
        return "a header but no rows"
    return None


def _delimited(path: Path) -> bool:
    """A .txt file in a folder is a table only if its first line splits into columns."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(65_536)
    delimiter = sniff_delimiter(head, complete=len(head) < 65_536)
    first = next(csv.reader(io.StringIO(head), delimiter=delimiter), [])
    return len(first) > 1


COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}


def data_suffix(path: Path) -> str:
    """`.csv` for sales.csv and for sales.csv.gz (a compressed file of that kind)."""
    suffixes = [x.lower() for x in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in COMPRESSED:
        return suffixes[-2]
    return path.suffix.lower()


def table_name(path: Path) -> str:
    """The file's name without its data suffix (and compression suffix), as the table
    `phony generate` named it so (`Sales%3A2024.csv` → `Sales:2024`, see file_names)."""
    name = path.name
    if path.suffix.lower() in COMPRESSED:
        name = name[: -len(path.suffix)]
    inner = Path(name).suffix
    return table_of_stem(name[: -len(inner)] if inner else name)


def read_file(path: Path, name: str) -> TableData:
    if path.suffix.lower() in COMPRESSED:  # x.csv.gz as CSV, x.gz as a file without suffix
        return _read_compressed(path, name)
    kind = SUFFIXES.get(path.suffix.lower())
    try:
        if kind == "parquet":
            return _typed(name, _read_parquet(path))
        if kind == "jsonl":
            table, mixed = _read_json(path)
            data = _typed(name, table)
            if mixed:
                data.notes.append(
                    f"{', '.join(mixed)}: values written both as text and as other JSON values "
                    '(`"3"` and `3`): read as text, then typed'
                )
            return data
        return _read_csv(path, name)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def _read_parquet(path: Path) -> pa.Table:
    """The file's table with each column in one chunk, combined one column at a time while
    the chunks of the others are released, so the file is held once, not twice over."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    schema, columns = table.schema, []
    while table.num_columns:
        columns.append(table.column(0).combine_chunks())
        table = table.remove_column(0)  # the only reference: its chunks go now
    return pa.Table.from_arrays(columns, schema=schema)


def _read_compressed(path: Path, name: str) -> TableData:
    """A gzip/bz2/zstd/lz4 file of CSV, JSON lines or Parquet: decompressed to a temporary
    file of the inner kind, read like that kind."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="phony-infer-") as tmp:
        inner = Path(tmp) / path.name[: -len(path.suffix)]
        try:
            with (
                pa.input_stream(str(path), compression=COMPRESSED[path.suffix.lower()]) as src,
                inner.open("wb") as dst,
            ):
                shutil.copyfileobj(src, dst, 1 << 20)
        except (pa.ArrowInvalid, OSError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        try:
            return read_file(inner, name)
        except UsageError as exc:
            raise UsageError(str(exc).replace(str(inner), str(path))) from None


def _read_json(path: Path) -> tuple[pa.Table, list[str]]:
    """JSON lines, with the values Arrow would read as timestamps (`"2024-01-31"`) kept as
    text, so they type as dates or datetimes the way CSV text does; and the columns whose
    values mix text with numbers (see _read_json_mixed)."""
    import pyarrow.json as pj

    try:
        table = pj.read_json(_json_lines(path))
    except pa.ArrowInvalid as exc:
        if "changed from" not in str(exc):
            raise
        return _read_json_mixed(path)
    stamped = [f for f in table.schema if pa.types.is_timestamp(f.type)]
    if not stamped:
        return table, []
    schema = pa.schema([pa.field(f.name, pa.string()) if f in stamped else f for f in table.schema])
    options = pj.ParseOptions(explicit_schema=schema)
    return pj.read_json(_json_lines(path), parse_options=options), []


def _read_json_mixed(path: Path) -> tuple[pa.Table, list[str]]:
    """JSON rows where a key holds text in some rows and numbers (or booleans, objects) in
    others (`"qty": "3"` beside `"qty": 3`, as hand-edited or merged exports have), which
    Arrow's reader refuses: such columns are read as text, which types like CSV text."""
    source = _json_lines(path)
    raw = source.getvalue() if isinstance(source, io.BytesIO) else source.read_bytes()
    rows = []
    for number, line in enumerate(raw.decode("utf-8-sig").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise UsageError(f"cannot read {path}: line {number}: {exc}") from None
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            kind = (
                "number"
                if isinstance(value, int | float) and not isinstance(value, bool)
                else (type(value).__name__)
            )
            if value is not None:
                kinds.setdefault(key, set()).add(kind)
            else:
                kinds.setdefault(key, set())
    mixed = [key for key, seen in kinds.items() if len(seen) > 1]

    def text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)  # 3 → "3", true → "true"

    columns = {
        key: [text(r.get(key)) for r in rows] if key in mixed else [r.get(key) for r in rows]
        for key in kinds
    }
    return pa.table(columns), mixed


def _json_lines(path: Path) -> Path | io.BytesIO:
    """JSON lines as they are; a JSON array of objects (`phony generate --format json`)
    rewritten as JSON lines, so both go through the same reader and typing."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"["):
        return path
    try:
        rows = json.loads(path.read_bytes().decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise UsageError(f"cannot read {path}: expected JSON lines or an array of objects")
    if not rows:
        raise UsageError(f"{path}: the array is empty")
    return io.BytesIO(b"\n".join(json.dumps(r, ensure_ascii=False).encode() for r in rows))


def _delimiter(path: Path, encoding: str = "utf-8-sig") -> str:
    """`,` unless the file's first lines say `;`, tab or `|` (spreadsheets in many locales
    write `;` and decimal commas)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open(newline="", encoding=encoding, errors="replace") as fh:
        head = fh.read(65_536)
    return sniff_delimiter(head, complete=len(head) < 65_536)


def _read_csv(path: Path, name: str) -> TableData:
    """A CSV file: quoted fields may hold newlines (RFC 4180); a file that is not UTF-8 is
    read as Windows-1252 (what spreadsheets on Windows write), noted in TableData.notes."""
    try:
        return _read_csv_as(path, name, "utf-8-sig")
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if isinstance(exc, pa.ArrowInvalid) and "UTF8" not in str(exc).upper().replace("-", ""):
            raise
    data = _read_csv_as(path, name, "cp1252")
    data.notes.append(f"read {path.name} as Windows-1252 (cp1252): it is not UTF-8")
    return data


def _read_csv_as(path: Path, name: str, encoding: str) -> TableData:
    import pyarrow.csv as pcsv

    delimiter = _delimiter(path, encoding)
    with path.open(newline="", encoding=encoding) as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header:
        raise UsageError(f"{path}: the file is empty")
    names = unique_names(header)
    table = pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(
            column_names=names,
            skip_rows=1,
            encoding="utf8" if encoding == "utf-8-sig" else encoding,
        ),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={c: pa.string() for c in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if delimiter != ",":
        table = _decimal_commas(table)
    return _typed(name, table)


def unique_names(header: list[str]) -> list[str]:
    """Header names, each once: a blank name becomes `column_<n>`, a repeated one gets
    `_2`, `_3` (spreadsheets export both)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header, start=1):
        base = raw.strip() or f"column_{i}"
        candidate, k = base, 2
        while candidate in seen:
            candidate, k = f"{base}_{k}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out


_COMMA_NUMBER = r"^[+-]?[0-9]+,[0-9]+$"
_DOTTED_THOUSANDS = r"^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?$"  # 1.234,50 or 12.345


def _whole_with_gaps(column: pa.Array) -> pa.Array:
    """A float column with NULLs whose every value is a whole number is an integer column
    that went through pandas (NaN needs a float), so ids and counts stay integers."""
    if column.null_count == 0 or column.null_count == len(column):
        return column
    values = pc.drop_null(column).to_numpy()
    if (
        np.all(np.isfinite(values))
        and np.all(values == np.round(values))
        and (np.abs(values).max() < 2**53)
    ):
        return pc.cast(column, pa.int64())
    return column


def _decimal_commas(table: pa.Table) -> pa.Table:
    """Text columns written with decimal commas (`1,50`) in a file not separated by commas:
    the commas become points, so the values type as numbers."""
    for i, column in enumerate(table.columns):
        values = pc.drop_null(column)
        values = pc.filter(values, pc.invert(pc.is_in(values, pa.array(NULL_TOKENS))))
        if len(values) == 0:
            continue
        numbers = pc.utf8_trim_whitespace(values)
        commas = pc.match_substring_regex(numbers, _COMMA_NUMBER)
        plain = pc.match_substring_regex(numbers, _INT)
        dotted = pc.match_substring_regex(numbers, _DOTTED_THOUSANDS)
        # 1.234,50 or 1.234.567: points group thousands, the comma is the decimal mark (a
        # column of 1.500 alone could be one and a half: it is left to read as written)
        certain = pc.match_substring_regex(numbers, r"^[^,]*\.[0-9]{3}(,|\.)")
        if (
            pc.any(pc.and_(dotted, certain)).as_py()
            and pc.all(pc.or_(pc.or_(commas, plain), dotted)).as_py()
        ):
            fixed = pc.replace_substring(pc.replace_substring(column, ".", ""), ",", ".")
            table = table.set_column(i, table.column_names[i], fixed)
        elif pc.any(commas).as_py() and pc.all(pc.or_(commas, plain)).as_py():
            fixed = pc.replace_substring(column, ",", ".")
            table = table.set_column(i, table.column_names[i], fixed)
    return table


def _from_frame(frame: Any) -> pa.Table:
    """A pandas DataFrame (a named index becomes a column), a polars DataFrame or anything
    that speaks the Arrow stream protocol, as an Arrow table."""
    if isinstance(frame, pa.Table):
        return frame
    if hasattr(frame, "to_arrow") and not hasattr(frame, "to_pandas"):
        return frame.to_arrow()
    if hasattr(frame, "__arrow_c_stream__") and not hasattr(frame, "iloc"):
        return pa.table(frame)
    try:
        named_index = any(n is not None for n in getattr(frame.index, "names", [None]))
        return pa.Table.from_pandas(frame, preserve_index=named_index)
    except (TypeError, AttributeError):
        raise UsageError(
            f"expected a pyarrow.Table or a pandas or polars DataFrame, got {type(frame).__name__}"
        ) from None
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:  # a column mixing types
        raise UsageError(f"the DataFrame does not convert to Arrow: {exc}") from None


def _unsupported(t: pa.DataType) -> bool:
    """Values PDL cannot generate: lists, structs, maps, unions, raw bytes, durations."""
    return (
        pa.types.is_nested(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_fixed_size_binary(t)
        or pa.types.is_duration(t)
        or isinstance(t, pa.ExtensionType)
    )


def _uuids_as_text(column: pa.Array) -> pa.Array:
    """Arrow's UUID extension (16 bytes each) as the canonical text PDL's uuid type reads."""
    import uuid

    raw = column.storage if isinstance(column, pa.ExtensionArray) else column
    return pa.array(
        [None if b is None else str(uuid.UUID(bytes=b)) for b in raw.to_pylist()], pa.string()
    )


_CURRENCIES = (
    "USD|EUR|GBP|JPY|CHF|CNY|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|TRY|BRL|MXN|INR|RUB|ZAR|KRW|"
    "HKD|SGD|ILS|AED|SAR|THB|IDR|MYR|PHP|ARS|CLP|COP|RON|BGN|UAH"
)  # ISO 4217 codes seen in exports; `INV 10023` is a code, not money
_UNIT = (
    rf"^\s*([+-]?)\s*([$€£¥%]|(?:{_CURRENCIES})\s)?\s*([+-]?[0-9][0-9.,]*)\s*"
    rf"([$€£¥%]|\s(?:{_CURRENCIES}))?\s*$"
)


def _without_unit(column: pa.Array) -> tuple[pa.Array, str | None, tuple[str, str]]:
    """Money and shares written with their unit (`$1,234.50`, `14.4%`, `12.50 EUR`): the
    numbers, and the unit, when every non-empty value carries the same one, with the text
    before and after the number most values have (`("$", "")`, `("", " EUR")`)."""
    values = pc.drop_null(column)
    values = pc.filter(values, pc.invert(pc.is_in(values, pa.array(NULL_TOKENS))))
    if len(values) == 0:
        return column, None, ("", "")
    head = values.slice(0, 1000).to_pylist()
    units = set()
    layouts: Counter[tuple[str, str]] = Counter()
    for text in head:
        m = re.match(_UNIT, text)
        if m is None:
            return column, None, ("", "")
        units.add(((m.group(2) or "") + (m.group(4) or "")).strip())
        layouts[(m.group(2) or "", m.group(4) or "")] += 1
    if len(units) != 1 or "" in units:
        return column, None, ("", "")
    unit = units.pop()
    pattern = re.escape(unit)
    if not pc.all(pc.match_substring_regex(values, pattern)).as_py():
        return column, None, ("", "")
    layout = max(sorted(layouts), key=layouts.__getitem__)
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(column, pattern, "")), unit, layout


def number_format(text: pa.Array, typed: pa.Array, places: int | None, layout: tuple) -> str:
    """The `{…}` format that writes `typed` (numbers read from `text`) as `text` had them:
    the unit around them, thousands grouped where the text grouped them, the digits after
    the point it wrote (`$1,234.50` → `${:,.2f}`)."""
    before, after = (part.replace("{", "{{").replace("}", "}}") for part in layout)
    grouped = _grouped(text)
    digits = places if places is not None else (0 if pa.types.is_integer(typed.type) else 2)
    return f"{before}{{:{',' if grouped else ''}.{digits}f}}{after}"


def _typed(name: str, table: pa.Table) -> TableData:
    columns, names, decimals, skipped, formats = [], [], {}, {}, {}
    number_formats: dict[str, str] = {}
    notes: list[str] = []
    for col_name, column in zip(table.column_names, table.columns, strict=True):
        if isinstance(column, pa.ChunkedArray):  # one chunk as it is: combining copies it
            column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        if getattr(column.type, "extension_name", None) == "arrow.uuid":
            column = _uuids_as_text(column)
        if _unsupported(column.type):
            skipped[col_name] = str(column.type)
            continue
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            text = column
            signed = _accounting_negatives(column)
            if signed is not None:
                trial = _typed(name, pa.table({col_name: signed}))
                if col_name in trial.table.column_names and _is_number(
                    trial.table.column(col_name).type
                ):
                    column = signed  # read as numbers; NULL tokens stay as they were
                    notes.append(
                        f"{col_name}: negatives written in parentheses, as accounts write "
                        "them ((1,234.00)), read as negative numbers; generated with a minus"
                    )
            bare, unit, layout = _without_unit(column)
            if unit is not None:
                typed = type_text_column(bare)
                if pa.types.is_string(typed[0].type):
                    unit = None  # not numbers after all: keep the text as written
                else:
                    notes.append(
                        f"{col_name}: read as numbers without the {unit!r} they are written with"
                    )
            column, places, written = typed if unit is not None else type_text_column(column)
            if pa.types.is_string(column.type):
                mixed = _mixed_dates(column)
                if mixed is not None:
                    column, written, note = mixed
                    notes.append(f"{col_name}: {note}")
            if pa.types.is_timestamp(column.type) and _with_offsets(text):
                notes.append(
                    f"{col_name}: times with UTC offsets read as UTC, as PDL times have no "
                    "time zone (hours of the day are UTC hours)"
                )
            if places is not None:
                decimals[col_name] = places
            if written is not None:
                formats[col_name] = written
            numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
            numbers = bare if unit is not None else text  # as written, without the unit
            if numeric and (unit is not None or _grouped(numbers)):
                number_formats[col_name] = number_format(numbers, column, places, layout)
        elif pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(column.type) and column.type.tz is not None:
            # PDL datetimes have no time zone: say so, or the hours generated (UTC) look
            # shifted against the sample as its tools show it (local time)
            notes.append(
                f"{col_name}: times in {column.type.tz} read as UTC, as PDL times have no "
                "time zone (hours of the day are UTC hours)"
            )
        elif pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
            column = _whole_with_gaps(column)
        columns.append(column)
        names.append(col_name)
    data = TableData(name, pa.table(columns, names=names), decimals)
    data.skipped = skipped
    data.formats = formats
    data.number_formats = number_formats
    data.notes = notes
    return data


_PARENTHESISED = (
    rf"^\s*\(\s*((?:[$€£¥]|(?:{_CURRENCIES})\s)?\s*[0-9][0-9.,]*\s*(?:[$€£¥%]|\s(?:{_CURRENCIES}))?)"
    rf"\s*\)\s*$"
)


def _accounting_negatives(column: pa.Array) -> pa.Array | None:
    """`(1,234.00)` as `-1,234.00` where some values of a text column are a number in
    parentheses (how accounts write a negative amount), or None where none is."""
    values = column.cast(pa.string())
    bracketed = pc.match_substring_regex(values, _PARENTHESISED)
    if not pc.any(bracketed).as_py():
        return None
    signed = pc.replace_substring_regex(values, _PARENTHESISED, r"-\1")
    return pc.if_else(bracketed, signed, values)


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _grouped(text: pa.Array) -> bool:
    """Whether numbers in `text` group their thousands with commas (1,234.50)."""
    grouped = pc.match_substring_regex(text, r"^\s*[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?\s*$")
    return bool(pc.any(grouped).as_py())


_LOCAL_DATE = (
    r"^([0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4}|[0-9]{1,2} [A-Za-z]{3,9},? [0-9]{4}"
    r"|[A-Za-z]{3,9} [0-9]{1,2},? [0-9]{4})( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
)
# Dates as spreadsheets write them, tried in this order (month first before day first when
# every day is 12 or less: the US order, as those exports say no more). Two-digit years
# (`01/15/98`) read as 1969-2068, as Python's and C's strptime take them.
_DATE_FORMATS = (
    "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y",
    "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y", "%m-%d-%y",
    "%b %d %Y", "%b %d, %Y", "%B %d %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y",
)  # fmt: skip
_FOUR_DIGIT_YEAR = r"(^|[^0-9])[0-9]{4}($|[^0-9])"


def dated_text(stripped: pa.Array) -> tuple[pa.Array, str] | None:
    """(dates or datetimes, the strftime format they were written in) for text such as
    `03/31/2024`, `31.03.2024 14:05` or `Jan 31 2024`, if one format reads every value."""
    sample = stripped.slice(0, 1).to_pylist()  # not the whole column as Python text
    clock = re.search(r" [0-9]{1,2}:[0-9]{2}", sample[0]) if sample else None
    times = (" %H:%M:%S", " %H:%M") if clock else ("",)
    # %Y also reads `98` as the year 98: it is tried only where every year has four digits
    four_digits = bool(pc.all(pc.match_substring_regex(stripped, _FOUR_DIGIT_YEAR)).as_py())
    for date_format in _DATE_FORMATS:
        if ("%Y" in date_format) != four_digits:
            continue
        for time_format in times:
            fmt = date_format + time_format
            parsed = pc.strptime(stripped, fmt, "us", error_is_null=True)
            if parsed.null_count == 0:
                if time_format:
                    return parsed, fmt
                return pc.cast(pc.cast(parsed, pa.timestamp("s")), pa.date32()), fmt
    return None


def _mixed_dates(column: pa.Array) -> tuple[pa.Array, str | None, str] | None:
    """(dates, the format of most of them, a note) for a column of dates written two ways,
    ISO (`2024-03-31`) and one local way (`31/03/2024`), as when exports of two systems are
    joined. Each way is read on its own; the data is written back the way most rows were."""
    is_null = pc.or_kleene(pc.is_null(column), pc.is_in(column, pa.array(NULL_TOKENS)))
    values = pc.utf8_trim_whitespace(pc.filter(column, pc.invert(is_null)))
    if len(values) == 0:
        return None
    iso = pc.match_substring_regex(values, _DATE)
    n_iso = int(pc.sum(iso).as_py() or 0)
    if not 0 < n_iso < len(values):
        return None
    local = pc.filter(values, pc.invert(iso))
    # dates only: a clock on some values but not others is no date column written two ways
    if (
        not pc.all(pc.match_substring_regex(local, _LOCAL_DATE)).as_py()
        or pc.any(pc.match_substring_regex(local, ":")).as_py()
    ):
        return None
    dated = dated_text(local)
    if dated is None:
        return None
    try:
        iso_days = pc.cast(pc.strptime(pc.filter(values, iso), "%Y-%m-%d", "s"), pa.date32())
    except pa.ArrowInvalid:  # 2024-02-30: not dates after all
        return None
    days = np.empty(len(values), dtype=np.int32)
    mask = iso.to_numpy(zero_copy_only=False)
    days[mask] = iso_days.cast(pa.int32()).to_numpy(zero_copy_only=False)
    days[~mask] = dated[0].cast(pa.int32()).to_numpy(zero_copy_only=False)
    # back in place, NULL where the text was a null token
    nulls = is_null.to_numpy(zero_copy_only=False)
    index = np.full(len(column), -1, dtype=np.int64)
    index[~nulls] = np.arange(len(values))
    typed = pa.array(days, pa.int32()).cast(pa.date32()).take(pa.array(index, mask=nulls))
    n_local = len(values) - n_iso
    written = None if n_iso >= n_local else dated[1]
    note = (
        f"dates written two ways, {n_iso:,} as %Y-%m-%d and {n_local:,} as {dated[1]}: "
        f"read both, written as {written or '%Y-%m-%d'}"
    )
    return typed, written, note


# Placeholders for a missing value, compared trimmed and in lower case. They count as NULL
# only in a column that then reads as numbers or dates (a text column keeps its "-").
PLACEHOLDERS = ["", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "?", "#n/a",
                "missing", "unknown", "0000-00-00", "00/00/0000", "00.00.0000"]  # fmt: skip
MAX_PLACEHOLDER_SHARE = 0.1  # at most this share of a column's values may be placeholders


def type_text_column(column: pa.Array) -> tuple[pa.Array, int | None, str | None]:
    """(typed column, decimals written for numbers, strftime format of dates) for text.

    A column of numbers or dates with a few placeholders (`n/a`, `-`, `?`, blanks, at most
    one value in ten) is read as numbers or dates with those values NULL."""
    column = column.cast(pa.string())
    typed = _type_text(
        column, pc.or_kleene(pc.is_null(column), pc.is_in(column, pa.array(NULL_TOKENS)))
    )
    if not (pa.types.is_string(typed[0].type) and len(column)):
        return typed
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(column))
    placeholder = pc.fill_null(pc.is_in(folded, pa.array(PLACEHOLDERS)), True)
    present = len(column) - column.null_count
    marked = int(pc.sum(pc.and_(placeholder, pc.is_valid(column))).as_py() or 0)
    if not 0 < marked <= MAX_PLACEHOLDER_SHARE * present or marked == present:
        return typed
    retyped = _type_text(column, placeholder)
    return typed if pa.types.is_string(retyped[0].type) else retyped


def _type_text(column: pa.Array, is_null: pa.Array) -> tuple[pa.Array, int | None, str | None]:
    """type_text_column with the NULL positions given."""
    values = pc.filter(column, pc.invert(is_null))
    if len(values) == 0:
        return pa.nulls(len(column), pa.string()), None, None
    stripped = pc.utf8_trim_whitespace(values)

    def all_match(pattern: str) -> bool:
        # the first values rule most patterns out before the whole column is scanned
        if not pc.all(pc.match_substring_regex(stripped.slice(0, 1000), pattern)).as_py():
            return False
        return bool(pc.all(pc.match_substring_regex(stripped, pattern)).as_py())

    def expand(typed: pa.Array) -> pa.Array:
        # Put the typed values back in place, NULL where the text was a null token.
        mask = is_null.to_numpy(zero_copy_only=False)
        index = np.full(len(column), -1, dtype=np.int64)
        index[~mask] = np.arange(len(typed))
        return typed.take(pa.array(index, mask=mask))

    grouped = pc.match_substring_regex(stripped, _GROUPED) if all_match(_NUMBERISH) else None
    if (
        grouped is not None
        and pc.any(grouped).as_py()
        and pc.all(pc.or_(grouped, pc.match_substring_regex(stripped, _FLOAT))).as_py()
    ):  # 1,234.50: thousands separators, a number all the same
        stripped = pc.replace_substring(stripped, ",", "")
    if all_match(_INT):
        try:
            return expand(pc.cast(stripped, pa.int64())), 0, None
        except pa.ArrowInvalid:  # beyond 64 bits: a code, not a number
            return expand(values), None, None
    if all_match(_WHOLE_FLOAT):  # 4.0: integers that went through a float
        whole = pc.replace_substring_regex(stripped, r"\.0+$", "")
        try:
            ints = pc.cast(whole, pa.int64())
        except pa.ArrowInvalid:
            ints = None
        if ints is not None:
            if len(values) < len(column):
                # with NULLs: pandas' way of writing an integer column that has gaps (ids)
                return expand(ints), 0, None
            return expand(pc.cast(stripped, pa.float64())), 0, None
    if all_match(_FLOAT):
        text = stripped.to_numpy(zero_copy_only=False)
        places = None
        if not any("e" in t or "E" in t for t in text):
            # Decimals as written (1.50 has two); a stray 9.899999 among 99.5 % of values
            # written with two decimals does not make the column six.
            written = np.array([len(t) - t.index(".") - 1 if "." in t else 0 for t in text])
            places = int(np.quantile(written, 0.995, method="higher"))
        # Long tails of digits are float noise (27.240000000000002): let the values decide.
        return (
            expand(pc.cast(stripped, pa.float64())),
            places if places is not None and places <= MAX_DECIMALS else None,
            None,
        )
    if all_match(_DATE):
        try:
            return expand(pc.cast(pc.strptime(stripped, "%Y-%m-%d", "s"), pa.date32())), None, None
        except pa.ArrowInvalid:
            return expand(values), None, None
    if all_match(_DATETIME):
        parsed = _parse_datetimes(stripped)
        if parsed is not None:
            return expand(parsed), None, _iso_format(stripped)
    if all_match(_TIME):
        parsed = _parse_times(stripped)
        if parsed is not None:
            return expand(parsed), None, None
    if all_match(_LOCAL_DATE):
        dated = dated_text(stripped)
        if dated is not None:
            return expand(dated[0]), None, dated[1]
    if pc.all(pc.is_in(stripped, pa.array(list(_BOOL)))).as_py():  # true/false words only
        booleans = pc.is_in(stripped, pa.array([k for k, v in _BOOL.items() if v]))
        return expand(booleans), None, None
    return expand(values), None, None


def _parse_datetimes(text: pa.Array) -> pa.Array | None:
    import datetime as dt

    out = []
    for t in text.to_pylist():
        try:
            v = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
        except ValueError:
            return None
        if v.tzinfo is not None:
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        out.append(v)
    return pa.array(out, pa.timestamp("us"))


def _iso_format(text: pa.Array) -> str | None:
    """The strftime format of ISO datetimes written another way than Phony's default
    (`2022-01-03T09:34:10Z`, `2022-01-03 09:34`), so they are written back the same way."""

    def every(pattern: str) -> bool:
        return bool(pc.all(pc.match_substring_regex(text, pattern)).as_py())

    sep = "T" if every(r"T") else " " if every(r" ") else None
    if sep is None or every(r"[+-][0-9]{2}:?[0-9]{2}$"):
        return None  # mixed separators, or offsets (read as UTC; not written back)
    seconds = ":%S" if every(r"[0-9]{2}:[0-9]{2}:[0-9]{2}") else ""
    zone = "Z" if every(r"Z$") else ""
    fmt = f"%Y-%m-%d{sep}%H:%M{seconds}{zone}"
    return None if fmt == "%Y-%m-%d %H:%M:%S" else fmt


def _with_offsets(text: pa.Array) -> bool:
    """Whether ISO datetimes written as text carry a UTC offset other than Z (`+01:00`)."""
    return bool(
        pc.any(pc.match_substring_regex(text, r"T?[0-9:.]+[+-][0-9]{2}:?[0-9]{2}$")).as_py()
    )


def _parse_times(text: pa.Array) -> pa.Array | None:
    import datetime as dt

    out = []
    for t in text.to_pylist():
        try:
            out.append(dt.time.fromisoformat(t))
        except ValueError:
            return None
    return pa.array(out, pa.time64("us"))


# ---------------------------------------------------------------- databases


def _read_database(url: str, name: str | None) -> Source:
    """Every table of a live database, with declared keys from the importer's introspection."""
    from ..importer.introspect import catalog_from_url
    from ..loaders import parse_url, require_driver

    catalog, db_name = catalog_from_url(url)
    target = parse_url(url, "database URL")
    kind = target.dialect.name
    tables: dict[str, TableData] = {}
    for info in catalog.tables:
        q = _quote(info.name, kind)
        if kind == "sqlite":
            import sqlite3

            conn = sqlite3.connect(target.path)
            cur = conn.execute(f"SELECT * FROM {q}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            conn.close()
            table = _rows_to_table(names, rows)
        elif kind == "duckdb":
            duckdb = require_driver("duckdb")
            conn = duckdb.connect(target.path, read_only=True)
            relation = conn.sql(f"SELECT * FROM {q}")
            # duckdb 2 names it to_arrow_table (and dropped .arrow() on a connection)
            fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
            table = fetch()
            if not isinstance(table, pa.Table):
                table = table.read_all()
            conn.close()
        elif kind == "mysql":
            pymysql = require_driver("mysql")
            conn = pymysql.connect(
                charset="utf8mb4", **{k: v for k, v in target.params.items() if v is not None}
            )
            cur = conn.cursor()
            cur.execute(f"SELECT * FROM {q}")
            names = [d[0] for d in cur.description]
            table = _times_of_day(_rows_to_table(names, cur.fetchall()))
            conn.close()
        else:
            psycopg = require_driver("postgres")
            p = {k: v for k, v in target.params.items() if v is not None}
            p["dbname"] = p.pop("database")
            with psycopg.connect(**p) as conn:
                cur = conn.execute(f"SELECT * FROM {q}")
                names = [d.name for d in cur.description]
                table = _rows_to_table(names, cur.fetchall())
        data = _typed(info.name, _declared_decimals(table, info))
        data.primary_key = list(info.primary_key)
        data.uniques = [list(u) for u in info.uniques if len(u) >= 2]
        data.nullable = {c.name for c in info.columns if c.nullable}
        data.foreign_keys = [
            (fk.columns[0], fk.parent, fk.parent_columns[0])
            for fk in info.foreign_keys
            if len(fk.columns) == 1 and fk.parent_columns
        ]
        for fk in info.foreign_keys:
            if len(fk.columns) > 1:  # PDL refs are one column: say so, guess no other key
                data.composite_references.extend(fk.columns)
                data.notes.append(
                    f"foreign key ({', '.join(fk.columns)}) → {fk.parent}"
                    f"({', '.join(fk.parent_columns)}) has several columns, which a PDL `ref` "
                    "cannot express yet: its columns are drawn on their own"
                )
        tables[info.name] = data
    notes = [f"{t}: {note}" for t, data in tables.items() for note in data.notes]
    return Source(name or db_name, tables, url.split("@")[-1], notes)


def _declared_decimals(table: pa.Table, info) -> pa.Table:
    """Decimal columns typed as declared (`numeric(12,2)`), not as narrow as the rows read
    (Arrow infers decimal(6,2) from values below 10,000, and more rows then overflow). An
    unbounded `numeric` keeps the scale read, with the widest precision."""
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        declared = info.column(name)
        if declared is None or not pa.types.is_decimal(column.type):
            continue
        if len(declared.params) == 2 and 0 < declared.params[0] <= 38:
            target = pa.decimal128(declared.params[0], declared.params[1])
        elif not declared.params:
            target = pa.decimal128(38, column.type.scale)
        else:
            continue
        # values beyond the declared type (an unusual driver): keep what was read
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
            table = table.set_column(i, name, column.cast(target))
    return table


def _quote(name: str, kind: str) -> str:
    if kind == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _times_of_day(table: pa.Table) -> pa.Table:
    """PyMySQL returns TIME values as timedeltas: durations within one day are times."""
    for i, column in enumerate(table.columns):
        if not pa.types.is_duration(column.type):
            continue
        us = pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
        known = us[~np.isnan(us)] if us.dtype.kind == "f" else us
        if len(known) and known.min() >= 0 and known.max() < 86_400 * 10**6:
            times = pc.cast(pc.cast(column, pa.int64()), pa.time64("us"))
            table = table.set_column(i, table.column_names[i], times)
    return table


def _rows_to_table(names: list[str], rows: list[tuple]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for values in columns:
        try:
            arrays.append(pa.array(list(values)))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([None if v is None else str(v) for v in values], pa.string()))
    return pa.table(arrays, names=names)


def sanitize(name: str, taken: set[str]) -> str:
    """A PDL identifier for a source column or table name (letters, digits, underscores)."""
    ident = re.sub(r"[^0-9A-Za-z_]+", "_", name.strip()).strip("_") or "column"
    if ident[0].isdigit():
        ident = "c_" + ident
    ident = ident[:60]
    base, i = ident, 2
    while ident.lower() in taken:
        ident = f"{base}_{i}"
        i += 1
    taken.add(ident.lower())
    return ident
