"""What `phony train`, `phony info`, `phony stats` and `phony validate` do with models.

Plain functions, so the CLI stays a thin layer and Python users get the same
behaviour. Every failure raises ModelError with a code and a message naming the
file, what was found and what was expected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..csv_dialect import sniff_delimiter
from ..errors import did_you_mean, one_of
from . import fileformat
from .model import BOUNDARY, ModelError, NgramModel, Source, train_lines

__all__ = ["info", "model_path", "read_lines", "stats", "train", "validate"]

Progress = Callable[[int, int], None]
_READ_CHUNK = 1 << 20
_TEXT = (".txt", ".text", ".lst")


# ------------------------------------------------------------------ training input


def _read_bytes(path: Path, progress: Progress | None) -> bytes:
    if not path.exists():
        raise ModelError(
            f"training input '{path}' does not exist", code="input-not-found", path=str(path)
        )
    if path.is_dir():
        raise ModelError(f"training input '{path}' is a folder, not a file", code="bad-input")
    total = path.stat().st_size
    parts = []
    done = 0
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(_READ_CHUNK), b""):
                parts.append(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except OSError as exc:
        raise ModelError(f"cannot read '{path}': {exc.strerror or exc}", code="bad-input") from None
    if progress and not total:
        progress(0, 0)
    return b"".join(parts)


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ModelError(
            f"'{path}' is not UTF-8 text: invalid byte 0x{data[exc.start]:02x} on line {line} "
            "(re-save it as UTF-8)",
            code="bad-input",
            path=str(path),
        ) from None
    return text[1:] if text.startswith("\ufeff") else text  # drop a byte-order mark


def _csv_lines(text: str, path: Path, column: str | None) -> list[str]:
    try:
        delimiter = sniff_delimiter(text[:65_536], complete=len(text) <= 65_536)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ModelError(f"'{path}' is not valid CSV: {exc}", code="bad-input") from None
    if not rows:
        raise ModelError(f"'{path}' is empty: no CSV header", code="empty-corpus", path=str(path))
    header = rows[0]
    if column is None:
        if len(header) != 1:
            raise ModelError(
                f"'{path}' has {len(header)} columns; name one with --column "
                f"(columns: {one_of(header)})",
                code="column-not-found",
                path=str(path),
            )
        column = header[0]
    if column not in header:
        hint = did_you_mean(column, header)
        raise ModelError(
            f"column '{column}' is not in the header of '{path}'"
            + (f"; {hint}" if hint else f" (columns: {one_of(header)})"),
            code="column-not-found",
            path=str(path),
        )
    i = header.index(column)
    return [row[i] for row in rows[1:] if i < len(row)]


def _walk(value: Any, parts: list[str], where: str) -> Iterator[Any]:
    """Values at a dotted path; a name applied to a list maps over its items, `*` too."""
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if isinstance(value, list):
        if head.isdigit():
            i = int(head)
            if i < len(value):
                yield from _walk(value[i], rest, f"{where}.{head}")
            return
        items = value
        if head == "*":
            for item in items:
                yield from _walk(item, rest, where)
            return
        for item in items:
            yield from _walk(item, parts, where)
        return
    if isinstance(value, dict):
        if head == "*":
            for item in value.values():
                yield from _walk(item, rest, where)
        elif head in value:
            yield from _walk(value[head], rest, f"{where}.{head}")


def _keys(value: Any, depth: int = 3) -> list[str]:
    """Dotted paths found in a JSON value (for "did you mean")."""
    out: list[str] = []
    if isinstance(value, list) and value:
        return _keys(value[0], depth)
    if isinstance(value, dict) and depth:
        for k, v in value.items():
            out.append(k)
            out.extend(f"{k}.{sub}" for sub in _keys(v, depth - 1))
    return out


def _strings(values: list[Any], path: Path, field: str | None) -> list[str]:
    lines = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, str):
            lines.append(v)
        elif isinstance(v, list) and v and isinstance(v[0], str):
            lines.append(v[0])  # [value, weight] pairs, as in the locale packs
        else:
            what = f"--field {field}" if field else "each record"
            raise ModelError(
                f"{what} in '{path}' leads to {type(v).__name__} {json.dumps(v)[:60]}, not a "
                "string (point --field at string values)",
                code="field-not-found",
                path=str(path),
            )
    return lines


def _json_lines(text: str, path: Path, field: str | None, jsonl: bool) -> list[str]:
    records: list[Any] = []
    if jsonl:
        # only LF ends a JSON line: U+2028, U+0085 … may stand unescaped inside a string
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ModelError(
                    f"'{path}' line {number} is not valid JSON: {exc.msg} (column {exc.colno})",
                    code="bad-input",
                    path=str(path),
                ) from None
        root: Any = records
    else:
        try:
            root = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"'{path}' is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                code="bad-input",
                path=str(path),
            ) from None
    if field is None:
        values = root if isinstance(root, list) else [root]
    else:
        values = []
        for v in _walk(root, field.split("."), "$"):
            values.extend(v if isinstance(v, list) and not _is_pair(v) else [v])
        if not values:
            hint = did_you_mean(field, _keys(root))
            raise ModelError(
                f"--field {field} matches nothing in '{path}'"
                + (f"; {hint}" if hint else f" (keys: {one_of(_keys(root))})"),
                code="field-not-found",
                path=str(path),
            )
    return _strings(values, path, field)


def _is_pair(v: list[Any]) -> bool:
    """A `[string, weight]` pair, one value, rather than a list of values."""
    return (
        len(v) == 2
        and isinstance(v[0], str)
        and isinstance(v[1], int | float)
        and not isinstance(v[1], bool)
    )


def read_lines(
    path: str | Path,
    *,
    column: str | None = None,
    field: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[str], Source]:
    """Training lines of a file (.txt one per line, .csv a column, .json/.jsonl a field)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if column is not None and suffix != ".csv":
        raise ModelError(f"--column applies to .csv input, not '{path.name}'", code="bad-option")
    if field is not None and suffix not in (".json", ".jsonl"):
        raise ModelError(
            f"--field applies to .json and .jsonl input, not '{path.name}'", code="bad-option"
        )
    data = _read_bytes(path, progress)
    text = _decode(data, path)
    if suffix == ".csv":
        lines = _csv_lines(text, path, column)
    elif suffix in (".json", ".jsonl"):
        lines = _json_lines(text, path, field, suffix == ".jsonl")
    else:
        lines = text.splitlines()
    source = Source(path.name, hashlib.sha256(data).hexdigest(), len(data), column, field)
    return lines, source


# ------------------------------------------------------------------ commands


def model_path(model: str | Path) -> Path:
    """A model file, or the file of a bundled model (`en_US/first_names`, `first_names`)."""
    path = Path(model)
    if path.exists() or str(model).endswith(".phony"):
        return path
    from ..generators.ngram import resolve_model

    return resolve_model(str(model))


def train(
    input_path: str | Path,
    output_path: str | Path,
    *,
    column: str | None = None,
    field: str | None = None,
    order: int = 3,
    mode: str = "char",
    min_count: int = 1,
    lowercase: bool = False,
    locale: str | None = None,
    smoothing: str = "interpolated",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train a model from a file and write it; returns a summary of what was learnt."""
    output = Path(output_path)
    if output.suffix != ".phony":
        raise ModelError(
            f"output '{output}' must end in .phony (models are found by that suffix)",
            code="bad-option",
        )
    lines, source = read_lines(input_path, column=column, field=field, progress=progress)
    if not any(line.strip() for line in lines):
        raise ModelError(
            f"no training lines in '{input_path}': "
            + ("the file is empty" if not lines else "every line is blank"),
            code="empty-corpus",
            path=str(input_path),
        )
    model = train_lines(
        lines,
        order=order,
        mode=mode,
        min_count=min_count,
        lowercase=lowercase,
        locale=locale,
        source=source,
        smoothing=smoothing,
    )
    size = fileformat.write(model, output)
    meta = model.metadata
    return {
        "output": str(output),
        "bytes": size,
        "order": model.order,
        "mode": model.mode,
        "locale": model.locale,
        "lines": meta["lines"],
        "distinct_lines": meta["distinct_lines"],
        "tokens": meta["tokens"],
        "vocabulary": len(model.vocabulary) - 1,
        "contexts": sum(lv.n_contexts for lv in model.levels),
        "transitions": sum(lv.n_transitions for lv in model.levels),
        "source_sha256": source.sha256,
        "checksum": fileformat.checksum(fileformat.to_document(model)),
    }


def validate(path: str | Path) -> None:
    """Check a model file completely (also against schemas/phony-1.schema.json)."""
    path = model_path(path)
    doc = fileformat.load_document(path)
    fileformat.from_document(doc, str(path))  # the reader's checks and messages first
    problems = fileformat.schema_errors(doc)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ModelError(
            f"'{path}' does not match the .phony JSON Schema: {problems[0]}{more}",
            code="bad-structure",
            path=str(path),
        )


def info(path: str | Path) -> list[tuple[str, Any]]:
    """What a model is and where it came from, as (key, value) pairs in display order."""
    path = model_path(path)
    model = fileformat.read(path)
    meta = model.metadata
    src = meta["source"]
    selector = (
        f" (column {src['column']})"
        if "column" in src
        else (f" (field {src['field']})" if "field" in src else "")
    )
    lo, hi = _length_range(model)
    return [
        ("file", str(path)),
        ("bytes", path.stat().st_size),
        ("format", f"phony {fileformat.VERSION}"),
        ("order", model.order),
        ("mode", model.mode),
        ("locale", model.locale or "-"),
        ("lowercase", model.lowercase),
        ("smoothing", model.smoothing),
        ("min_count", meta["min_count"]),
        ("source", src["name"] + selector),
        ("source_sha256", src["sha256"]),
        ("source_bytes", src["bytes"]),
        ("lines", meta["lines"]),
        ("distinct_lines", meta["distinct_lines"]),
        # as `phony train` counts them: without the end-of-line marker of each line
        ("tokens", meta["tokens"] - meta["lines"]),
        ("vocabulary", len(model.vocabulary) - 1),
        ("contexts", " / ".join(str(lv.n_contexts) for lv in model.levels)),
        ("transitions", " / ".join(str(lv.n_transitions) for lv in model.levels)),
        ("lengths", f"{lo}–{hi} {'characters' if model.mode == 'char' else 'words'}"),
        ("phony_version", meta["phony_version"]),
        ("checksum", fileformat.checksum(fileformat.to_document(model))),
    ]


def _length_range(model: NgramModel) -> tuple[int, int]:
    counts = np.asarray(model.metadata["length_counts"])
    nz = np.flatnonzero(counts)
    return (int(nz[0]), int(nz[-1])) if len(nz) else (0, 0)


def _show(model: NgramModel, ids: np.ndarray) -> str:
    sep = "" if model.mode == "char" else " "
    return sep.join("^" if i == BOUNDARY else model.vocabulary[i] for i in ids.tolist())


def stats(path: str | Path, *, top: int = 10, samples: int = 10_000) -> dict[str, Any]:
    """Shape of a model: contexts, branching, top transitions, lengths, entropy, a sample."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..rng import derive_key
    from .sample import compile_model, sample

    model = fileformat.read(model_path(path))
    top_level = model.levels[-1]
    totals = top_level.context_totals()
    degrees = top_level.context_degrees()
    owner = np.repeat(np.arange(top_level.n_contexts), degrees)
    prob = top_level.counts / totals[owner]
    weight = totals / totals.sum()  # how often each context is visited in training
    h_ctx = -np.bincount(owner, weights=prob * np.log2(prob), minlength=top_level.n_contexts)
    entropy = float((weight * h_ctx).sum())
    order_idx = np.lexsort((np.arange(len(prob)), -top_level.counts))[:top]
    transitions = [
        {
            "context": _show(model, top_level.contexts[owner[i]]),
            "next": "$" if top_level.next[i] == BOUNDARY else model.vocabulary[top_level.next[i]],
            "count": int(top_level.counts[i]),
            "probability": round(float(prob[i]), 4),
        }
        for i in order_idx.tolist()
    ]
    counts = np.asarray(model.metadata["length_counts"], dtype=np.float64)
    lengths = np.arange(len(counts))
    mean = float((counts * lengths).sum() / counts.sum())
    cdf = np.cumsum(counts) / counts.sum()
    lo, hi = _length_range(model)
    compiled = compile_model(model)
    values = sample(compiled, np.arange(samples), lambda label: derive_key(0, "stats", label))
    known = pc.is_in(values, value_set=pa.array(_training_probe(model, values), type=pa.string()))
    return {
        "order": model.order,
        "mode": model.mode,
        "contexts": {f"length {lv.context_length}": lv.n_contexts for lv in model.levels},
        "transitions": sum(lv.n_transitions for lv in model.levels),
        "branching_factor": {
            "mean": round(float(degrees.mean()), 3),
            "weighted": round(float((weight * degrees).sum()), 3),
            "max": int(degrees.max()),
        },
        "top_transitions": transitions,
        "length": {
            "unit": "characters" if model.mode == "char" else "words",
            "min": lo,
            "max": hi,
            "mean": round(mean, 3),
            "p50": int(np.searchsorted(cdf, 0.5)),
            "p90": int(np.searchsorted(cdf, 0.9)),
            "histogram": {int(k): int(v) for k, v in zip(lengths, counts, strict=True) if v},
        },
        "entropy_bits_per_token": round(entropy, 4),
        "perplexity": round(2.0**entropy, 3),
        "sample": {
            "n": samples,
            "distinct_share": round(pc.count_distinct(values).as_py() / samples, 4),
            "novel_share": round(1 - pc.sum(known).as_py() / samples, 4) if samples else 0.0,
            "examples": values.slice(0, 10).to_pylist(),
        },
    }


def _training_probe(model: NgramModel, values: Any) -> list[str]:
    """The sampled values that are training lines (membership through the stored hashes)."""
    return sorted({v for v in values.to_pylist() if model.contains(v)})
