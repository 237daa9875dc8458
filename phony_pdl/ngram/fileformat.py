"""The `.phony` file: gzipped canonical JSON with a SHA-256 checksum (spec/phony-format.md).

Writing is deterministic (fixed gzip header: no name, mtime 0, OS 255; keys
sorted; no floats), so training the same input twice gives the same bytes.
Reading checks, in this order, each with its own error code: the file exists
and is not empty, gzip magic, complete gzip stream, UTF-8, JSON, `format`,
`version`, checksum, structure, then the consistency of the counts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..writers.base import AtomicFile
from .model import BOUNDARY, MAX_ORDER, MODES, SMOOTHINGS, Level, ModelError, NgramModel

__all__ = [
    "FORMAT",
    "HASH_NAME",
    "VERSION",
    "canonical_json",
    "checksum",
    "dumps",
    "from_document",
    "load_document",
    "loads",
    "read",
    "schema_errors",
    "to_document",
    "write",
]

FORMAT = "phony"
VERSION = 1
HASH_NAME = "sha256-poly64"
_GZIP_HEADER = (
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no flags, mtime 0, XFL 2, OS 255
)
_MAX_PAYLOAD = 1 << 31  # decompressed bytes a reader accepts (2 GiB)
_TOP_KEYS = {"format", "version", "checksum", "metadata", "vocabulary", "levels", "training_set"}
_LEVEL_KEYS = {"context_length", "contexts", "offsets", "next", "counts"}
_HEX = set("0123456789abcdef")


# ------------------------------------------------------------------ writing


def canonical_json(obj: Any) -> bytes:
    """RFC 8785 (JCS) form for documents without floats and with ASCII keys."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def checksum(doc: dict[str, Any]) -> str:
    """`sha256:` + hex digest of the canonical JSON of the document without `checksum`."""
    payload = {k: v for k, v in doc.items() if k != "checksum"}
    return "sha256:" + hashlib.sha256(canonical_json(payload)).hexdigest()


def to_document(model: NgramModel) -> dict[str, Any]:
    levels = [
        {
            "context_length": lv.context_length,
            "contexts": lv.contexts.reshape(-1).tolist(),
            "offsets": lv.offsets.tolist(),
            "next": lv.next.tolist(),
            "counts": lv.counts.tolist(),
        }
        for lv in model.levels
    ]
    hashes = model.training_hashes.astype("<u8").tobytes()
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "metadata": model.metadata,
        "vocabulary": list(model.vocabulary),
        "levels": levels,
        "training_set": {
            "hash": HASH_NAME,
            "count": len(model.training_hashes),
            "hashes": base64.b64encode(hashes).decode("ascii"),
        },
    }
    doc["checksum"] = checksum(doc)
    return doc


def gzip_bytes(data: bytes) -> bytes:
    """One gzip member with a fixed header, so equal input gives equal bytes everywhere."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    body = comp.compress(data) + comp.flush()
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def dumps(model: NgramModel) -> bytes:
    return gzip_bytes(canonical_json(to_document(model)))


def write(model: NgramModel, path: str | Path) -> int:
    """Write atomically (temp file + rename); returns the file size in bytes."""
    path = Path(path)
    data = dumps(model)
    if path.parent and not path.parent.is_dir():
        raise ModelError(
            f"cannot write '{path}': folder '{path.parent}' does not exist", code="bad-option"
        )
    if path.is_dir():
        raise ModelError(
            f"cannot write '{path}': it is a folder; give a file name such as '{path}/model.phony'",
            code="bad-option",
        )
    try:
        out = AtomicFile(path)
    except OSError as exc:
        raise ModelError(f"cannot write '{path}': {exc.strerror}", code="bad-option") from None
    try:
        out.write(data)
        out.commit()
    except OSError as exc:
        out.abort()
        raise ModelError(f"cannot write '{path}': {exc.strerror}", code="bad-option") from None
    except BaseException:
        out.abort()
        raise
    return len(data)


# ------------------------------------------------------------------ reading


def read(path: str | Path) -> NgramModel:
    """Load and check a model file; every failure raises ModelError with its code."""
    doc = load_document(path)
    return from_document(doc, str(path))


def load_document(path: str | Path) -> dict[str, Any]:
    """The checked JSON document of a file (gzip, UTF-8, JSON, format, version, checksum)."""
    p = Path(path)
    if not p.exists():
        raise ModelError(f"model file '{p}' does not exist", code="model-not-found", path=str(p))
    if p.is_dir():
        raise ModelError(f"'{p}' is a folder, not a .phony model file", code="unreadable")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ModelError(
            f"cannot read '{p}': {exc.strerror or exc}", code="unreadable", path=str(p)
        ) from None
    return loads_document(data, str(p))


def loads(data: bytes, name: str = "<bytes>") -> NgramModel:
    return from_document(loads_document(data, name), name)


def loads_document(data: bytes, name: str) -> dict[str, Any]:
    def fail(code: str, message: str) -> ModelError:
        return ModelError(f"'{name}' {message}", code=code, path=name)

    if not data:
        raise fail("empty-file", "is empty (0 bytes); a .phony model is gzipped JSON")
    if data[:2] != b"\x1f\x8b":
        hint = " (it looks like plain JSON: gzip it)" if data.lstrip()[:1] in (b"{", b"[") else ""
        raise fail(
            "not-gzip",
            f"is not gzip-compressed: it starts with {data[:4].hex(' ')}, not 1f 8b{hint}",
        )
    d = zlib.decompressobj(wbits=31)
    try:
        text = d.decompress(data, _MAX_PAYLOAD)
    except zlib.error as exc:
        raise fail("corrupt-gzip", f"is a damaged gzip stream ({exc})") from None
    if d.unconsumed_tail:
        raise fail("corrupt-gzip", f"decompresses to more than {_MAX_PAYLOAD:,} bytes")
    if not d.eof:
        raise fail(
            "truncated",
            f"is truncated: the gzip stream ends after {len(data):,} bytes, "
            f"before its end marker ({len(text):,} bytes decompressed)",
        )
    if d.unused_data:
        raise fail(
            "corrupt-gzip",
            f"has {len(d.unused_data):,} unexpected bytes after the end of the gzip stream",
        )
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(
            "not-utf8", f"does not hold UTF-8 text (invalid byte at offset {exc.start:,})"
        ) from None
    try:
        doc = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise fail(
            "bad-json",
            f"does not hold valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise fail("not-a-model", f"is not a .phony model: expected format 'phony', got {got!r}")
    version = doc.get("version")
    if version != VERSION or isinstance(version, bool):
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            msg = (
                f"is a version-{version} .phony model; Phony {__version__} reads "
                f"version {VERSION} only: upgrade Phony"
            )
        else:
            msg = f"has version {version!r}; expected {VERSION}"
        raise fail("unsupported-version", msg)
    stored = doc.get("checksum")
    if not isinstance(stored, str) or not _is_checksum(stored):
        raise fail(
            "bad-checksum",
            f"has no valid checksum: expected 'sha256:' and 64 hex digits, got {stored!r}",
        )
    computed = checksum(doc)
    if stored != computed:
        raise fail(
            "bad-checksum",
            f"failed its checksum: stored {stored[:19]}…, computed {computed[:19]}…; "
            "the file was modified or damaged after it was written",
        )
    return doc


def _is_checksum(value: str) -> bool:
    return value.startswith("sha256:") and len(value) == 71 and set(value[7:]) <= _HEX


# ------------------------------------------------------------------ structure


class _Checker:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, message: str, code: str = "bad-structure") -> ModelError:
        return ModelError(f"'{self.name}': {message}", code=code, path=self.name)

    def obj(self, value: Any, where: str, required: set[str], allowed: set[str] | None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be an object, got {_kind(value)}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(f"{where} lacks required key '{missing[0]}'")
        if allowed is not None:
            extra = sorted(set(value) - allowed)
            if extra:
                raise self.fail(f"{where} has unknown key '{extra[0]}'")
        return value

    def int(self, value: Any, where: str, lo: int = 0, hi: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where} must be an integer, got {_kind(value)}")
        if value < lo or (hi is not None and value > hi):
            rng = f">= {lo}" if hi is None else f"from {lo} to {hi}"
            raise self.fail(f"{where} must be an integer {rng}, got {value}")
        return value

    def str(self, value: Any, where: str, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where} must be a string, got {_kind(value)}")
        return value

    def ints(self, value: Any, where: str) -> np.ndarray:
        if not isinstance(value, list):
            raise self.fail(f"{where} must be a list of integers, got {_kind(value)}")
        if not value:
            return np.zeros(0, dtype=np.int64)
        try:
            arr = np.asarray(value)
        except (ValueError, OverflowError):
            arr = np.zeros(0, dtype=object)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            bad = next((v for v in value if isinstance(v, bool) or not isinstance(v, int)), None)
            raise self.fail(f"{where} must hold integers only, found {bad!r}")
        if arr.dtype.kind == "u" or (len(arr) and arr.min() < 0):
            raise self.fail(f"{where} must hold integers >= 0, found {int(arr.min())}")
        return arr.astype(np.int64)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def from_document(doc: dict[str, Any], name: str = "<document>") -> NgramModel:
    """Check the structure and counts of a document (its checksum already checked)."""
    c = _Checker(name)
    c.obj(doc, "the document", _TOP_KEYS, _TOP_KEYS)
    meta = c.obj(
        doc["metadata"],
        "metadata",
        {"order", "mode", "locale", "lowercase", "min_count", "source", "lines",
         "distinct_lines", "tokens", "length_counts", "phony_version"},
        None,  # unknown metadata keys are allowed (and ignored) within version 1
    )  # fmt: skip
    order = c.int(meta["order"], "metadata.order", 1, MAX_ORDER)
    mode = meta["mode"]
    if mode not in MODES:
        raise c.fail(f"metadata.mode must be 'char' or 'word', got {mode!r}")
    c.str(meta["locale"], "metadata.locale", nullable=True)
    if "smoothing" in meta and meta["smoothing"] not in SMOOTHINGS:
        raise c.fail(
            f"metadata.smoothing must be 'interpolated' or 'backoff', got {meta['smoothing']!r}"
        )
    if not isinstance(meta["lowercase"], bool):
        raise c.fail(f"metadata.lowercase must be true or false, got {_kind(meta['lowercase'])}")
    min_count = c.int(meta["min_count"], "metadata.min_count", 1)
    src = c.obj(meta["source"], "metadata.source", {"name", "sha256", "bytes"},
                {"name", "sha256", "bytes", "column", "field"})  # fmt: skip
    c.str(src["name"], "metadata.source.name")
    sha = c.str(src["sha256"], "metadata.source.sha256")
    if len(sha) != 64 or not set(sha) <= _HEX:
        raise c.fail(f"metadata.source.sha256 must be 64 lowercase hex digits, got {sha!r}")
    c.int(src["bytes"], "metadata.source.bytes")
    for key in ("column", "field"):
        if key in src:
            c.str(src[key], f"metadata.source.{key}")
    lines = c.int(meta["lines"], "metadata.lines", 1)
    distinct = c.int(meta["distinct_lines"], "metadata.distinct_lines", 1)
    tokens = c.int(meta["tokens"], "metadata.tokens", 1)
    length_counts = c.ints(meta["length_counts"], "metadata.length_counts")
    c.str(meta["phony_version"], "metadata.phony_version")

    vocab = doc["vocabulary"]
    if not isinstance(vocab, list) or not vocab:
        raise c.fail(f"vocabulary must be a non-empty list of strings, got {_kind(vocab)}")
    for i, tok in enumerate(vocab):
        if not isinstance(tok, str):
            raise c.fail(f"vocabulary[{i}] must be a string, got {_kind(tok)}")
    if vocab[BOUNDARY] != "":
        raise c.fail(f'vocabulary[0] must be the boundary marker "", got {vocab[0]!r}')
    for i in range(1, len(vocab)):
        tok = vocab[i]
        if not tok:
            raise c.fail(f'vocabulary[{i}] is empty; only vocabulary[0] may be ""')
        if mode == "char" and len(tok) != 1:
            raise c.fail(f"vocabulary[{i}] = {tok!r} is not one character (mode 'char')")
        if mode == "word" and (tok != tok.strip() or " " in tok):
            raise c.fail(f"vocabulary[{i}] = {tok!r} contains whitespace (mode 'word')")
        if i > 1 and vocab[i - 1] >= tok:
            what = "repeats" if vocab[i - 1] == tok else "is out of code-point order after"
            raise c.fail(f"vocabulary[{i}] = {tok!r} {what} {vocab[i - 1]!r}")

    raw_levels = doc["levels"]
    if not isinstance(raw_levels, list):
        raise c.fail(f"levels must be a list, got {_kind(raw_levels)}")
    if len(raw_levels) != order:
        raise c.fail(
            f"levels has {len(raw_levels)} entries; metadata.order = {order} needs {order}",
            "inconsistent-counts",
        )
    levels = []
    for k, raw in enumerate(raw_levels):
        where = f"levels[{k}]"
        c.obj(raw, where, _LEVEL_KEYS, _LEVEL_KEYS)
        c.int(raw["context_length"], f"{where}.context_length")
        lv = Level(
            raw["context_length"],
            c.ints(raw["contexts"], f"{where}.contexts"),
            c.ints(raw["offsets"], f"{where}.offsets"),
            c.ints(raw["next"], f"{where}.next"),
            c.ints(raw["counts"], f"{where}.counts"),
        )
        levels.append(_check_level(c, lv, k, len(vocab), min_count))
    _check_levels(c, levels, len(vocab), min_count, lines, tokens)

    ts = c.obj(doc["training_set"], "training_set", {"hash", "count", "hashes"},
               {"hash", "count", "hashes"})  # fmt: skip
    if ts["hash"] != HASH_NAME:
        raise c.fail(f"training_set.hash must be {HASH_NAME!r}, got {ts['hash']!r}")
    count = c.int(ts["count"], "training_set.count")
    encoded = c.str(ts["hashes"], "training_set.hashes")
    try:
        raw_hashes = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise c.fail("training_set.hashes is not valid base64") from None
    if len(raw_hashes) % 8:
        raise c.fail(
            f"training_set.hashes decodes to {len(raw_hashes)} bytes, not a multiple of 8",
            "inconsistent-counts",
        )
    hashes = np.frombuffer(raw_hashes, dtype="<u8").astype(np.uint64)
    if len(hashes) != count or count != distinct:
        raise c.fail(
            f"training_set holds {len(hashes)} hashes, training_set.count says {count} and "
            f"metadata.distinct_lines says {distinct}",
            "inconsistent-counts",
        )
    if len(hashes) > 1 and not np.all(hashes[1:] > hashes[:-1]):
        raise c.fail("training_set.hashes are not sorted and distinct", "inconsistent-counts")
    if distinct > lines:
        raise c.fail(
            f"metadata.distinct_lines ({distinct}) exceeds metadata.lines ({lines})",
            "inconsistent-counts",
        )
    if int(length_counts.sum()) != lines or (len(length_counts) and length_counts[0] != 0):
        raise c.fail(
            f"metadata.length_counts sums to {int(length_counts.sum())} with "
            f"{int(length_counts[0]) if len(length_counts) else 0} empty lines; "
            f"expected {lines} lines, none empty",
            "inconsistent-counts",
        )
    return NgramModel(order, mode, tuple(vocab), tuple(levels), hashes, meta)


def _check_level(c: _Checker, lv: Level, k: int, vocab_size: int, min_count: int) -> Level:
    where = f"levels[{k}]"

    def bad(message: str) -> ModelError:
        return c.fail(f"{where}: {message}", "inconsistent-counts")

    if lv.context_length != k:
        raise bad(f"context_length is {lv.context_length}, expected {k}")
    m = len(lv.offsets) - 1
    if m < 0:
        raise bad("offsets is empty; it needs one more entry than there are contexts")
    if len(lv.contexts) != m * k:
        raise bad(f"contexts holds {len(lv.contexts)} ids, expected {m} contexts × {k} = {m * k}")
    if k == 0 and m != 1:
        raise bad(f"the empty context must appear exactly once, found {m} contexts")
    if lv.offsets[0] != 0 or lv.offsets[-1] != len(lv.next):
        raise bad(
            f"offsets run from {int(lv.offsets[0])} to {int(lv.offsets[-1])}; "
            f"expected 0 to {len(lv.next)} (the length of next)"
        )
    if len(lv.counts) != len(lv.next):
        raise bad(f"counts has {len(lv.counts)} entries but next has {len(lv.next)}")
    steps = np.diff(lv.offsets)
    if m and steps.min() <= 0:
        i = int(np.argmax(steps <= 0))
        raise bad(f"context {i} has no transitions (offsets must increase)")
    for arr, label in ((lv.contexts, "contexts"), (lv.next, "next")):
        if len(arr) and arr.max() >= vocab_size:
            i = int(np.argmax(arr >= vocab_size))
            raise bad(
                f"{label}[{i}] = {int(arr[i])} is not a token id (vocabulary has {vocab_size})"
            )
    if len(lv.counts) and lv.counts.min() < min_count:
        i = int(np.argmin(lv.counts))
        raise bad(f"counts[{i}] = {int(lv.counts[i])} is below metadata.min_count = {min_count}")
    contexts = lv.contexts.reshape(m, k)
    lv = Level(k, contexts, lv.offsets, lv.next, lv.counts)
    if k and m:
        # the boundary may only pad a context on the left (contexts never cross a line's end)
        nonzero_seen = np.maximum.accumulate(contexts != BOUNDARY, axis=1)
        wrong = nonzero_seen & (contexts == BOUNDARY)
        if wrong.any():
            i = int(np.argmax(wrong.any(axis=1)))
            raise bad(f"context {i} {contexts[i].tolist()} has the boundary after a token")
    keys = lv.context_keys(vocab_size + 1)
    if m > 1 and not np.all(keys[1:] > keys[:-1]):
        i = int(np.argmax(keys[1:] <= keys[:-1])) + 1
        raise bad(f"context {i} is not after context {i - 1} (contexts must be sorted, distinct)")
    owner = np.repeat(np.arange(m), steps)
    if len(lv.next) > 1:
        same = owner[1:] == owner[:-1]
        wrong_order = same & (lv.next[1:] <= lv.next[:-1])
        if wrong_order.any():
            i = int(np.argmax(wrong_order)) + 1
            raise bad(f"next[{i}] is not above next[{i - 1}] within context {int(owner[i])}")
    return lv


def _check_levels(
    c: _Checker, levels: list[Level], vocab_size: int, min_count: int, lines: int, tokens: int
) -> None:
    base = vocab_size + 1
    top = levels[0]
    total = int(top.counts.sum())
    if total > tokens or (min_count == 1 and total != tokens):
        raise c.fail(
            f"levels[0] counts sum to {total:,} but metadata.tokens = {tokens:,}",
            "inconsistent-counts",
        )
    if top.n_transitions == 0 or top.next[0] != BOUNDARY:
        raise c.fail("levels[0] has no end-of-string count: no string could end",
                     "inconsistent-counts")  # fmt: skip
    if top.n_transitions < 2:
        raise c.fail("levels[0] has no token besides the end marker: every string would be empty",
                     "inconsistent-counts")  # fmt: skip
    if int(top.counts[0]) > lines or (min_count == 1 and int(top.counts[0]) != lines):
        raise c.fail(
            f"levels[0] counts {int(top.counts[0]):,} string ends but metadata.lines = {lines:,}",
            "inconsistent-counts",
        )
    for k in range(1, len(levels)):
        hi, lo = levels[k], levels[k - 1]
        if hi.n_transitions == 0:
            continue
        # every n-gram's backoff (drop the oldest context token) must be at least as frequent
        ctx = np.repeat(hi.context_keys(base) % base ** (k - 1), hi.context_degrees())
        lo_ctx = np.repeat(lo.context_keys(base), lo.context_degrees())
        lo_keys = lo_ctx * base + lo.next
        q = ctx * base + hi.next
        i = np.minimum(np.searchsorted(lo_keys, q), max(len(lo_keys) - 1, 0))
        missing = (lo_keys[i] != q) if len(lo_keys) else np.ones(len(q), bool)
        if missing.any():
            j = int(np.argmax(missing))
            raise c.fail(
                f"levels[{k}] transition {j} has no backoff n-gram in levels[{k - 1}]",
                "inconsistent-counts",
            )
        larger = hi.counts > lo.counts[i]
        if larger.any():
            j = int(np.argmax(larger))
            raise c.fail(
                f"levels[{k}] counts[{j}] = {int(hi.counts[j])} exceeds its backoff count "
                f"{int(lo.counts[i[j]])} in levels[{k - 1}]",
                "inconsistent-counts",
            )


# ------------------------------------------------------------------ JSON Schema


def schema_errors(doc: Any) -> list[str]:
    """Messages of every JSON Schema violation (schemas/phony-1.schema.json), sorted."""
    import jsonschema

    from ..resources import data_root

    schema = json.loads((data_root("schemas") / "phony-1.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for e in validator.iter_errors(doc):
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        out.append(f"{where}: {e.message}")
    return sorted(out)
