"""N-gram models of short strings: normalisation, training, counts with backoff, scoring.

A model is data: a vocabulary (token 0 is the boundary marker, used as start
padding and as the end-of-string token) and, for every context length
k = 0 … order-1, the observed (context, next token) counts. Everything here is
integer arithmetic on numpy arrays, so training the same lines twice gives the
same model, on any machine.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._version import __version__
from ..errors import PhonyError

__all__ = [
    "BOUNDARY",
    "ERROR_CODES",
    "MODES",
    "SMOOTHINGS",
    "Level",
    "ModelError",
    "NgramModel",
    "Source",
    "fmix64",
    "hash_powers",
    "membership_hashes",
    "normalize",
    "token_hash",
    "token_hashes",
    "tokenize",
    "train_lines",
]

MODES = ("char", "word")
SMOOTHINGS = ("interpolated", "backoff")  # how samplers treat rare contexts
BOUNDARY = 0  # token id of the start padding / end-of-string marker
MAX_ORDER = 8

# Stable codes of every way a model or a training input can be wrong (spec/phony-format.md).
ERROR_CODES: dict[str, str] = {
    "model-not-found": "the model file does not exist, or no bundled model has that name",
    "unreadable": "the file exists but cannot be read",
    "empty-file": "the file holds zero bytes",
    "not-gzip": "the file does not start with the gzip magic bytes",
    "truncated": "the gzip stream ends before its end marker",
    "corrupt-gzip": "the gzip stream is damaged (bad CRC, bad deflate data, trailing bytes)",
    "not-utf8": "the decompressed payload is not UTF-8",
    "bad-json": "the decompressed payload is not JSON",
    "not-a-model": "the JSON is not a .phony model (no `format: phony`)",
    "unsupported-version": "a `version` this Phony does not read",
    "bad-checksum": "the checksum is missing, malformed or does not match the payload",
    "bad-structure": "a key is missing, unknown, or has the wrong type or range",
    "inconsistent-counts": "counts, offsets or token ids that contradict each other",
    "input-not-found": "the training input file does not exist",
    "bad-input": "a training input that cannot be read (encoding, CSV or JSON syntax)",
    "empty-corpus": "no non-empty training line was found",
    "column-not-found": "`--column` names no column of the CSV header",
    "field-not-found": "`--field` leads nowhere in the JSON records",
    "bad-option": "a training option out of range (order, mode, min_count)",
}


class ModelError(PhonyError, ValueError):
    """A `.phony` model or its training input is invalid; `code` says how (ERROR_CODES)."""

    exit_code = 1

    def __init__(self, message: str, *, code: str, path: str | None = None) -> None:
        if code not in ERROR_CODES:  # a programming error, not user input
            raise KeyError(f"unregistered model error code {code!r}")
        self.code = code
        self.path = path
        super().__init__(message)

    def render(self, sources: Any = None, color: bool = False) -> str:
        return f"error[{self.code}]: {self}"


@dataclass(frozen=True)
class Source:
    """Where the training lines came from (stored in the model's metadata)."""

    name: str
    sha256: str
    bytes: int
    column: str | None = None
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "sha256": self.sha256, "bytes": self.bytes}
        if self.column is not None:
            out["column"] = self.column
        if self.field is not None:
            out["field"] = self.field
        return out


# ------------------------------------------------------------------ normalisation

_TURKIC = ("tr", "az")


def normalize(text: str, *, lowercase: bool = False, locale: str | None = None) -> str:
    """NFC, surrounding whitespace stripped, inner whitespace runs made one space.

    Lowercasing follows the locale where Unicode's default is wrong: in Turkish
    and Azerbaijani `I` lowers to `ı` and `İ` to `i`.
    """
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if lowercase:
        if locale and locale.split("_")[0].lower() in _TURKIC:
            text = text.replace("I", "ı").replace("İ", "i")
        text = text.lower()
    return text


def tokenize(text: str, mode: str) -> list[str]:
    """Tokens of a normalised string: code points (char) or space-separated words (word)."""
    if mode == "char":
        return list(text)
    return text.split(" ") if text else []


# ------------------------------------------------------------------ hashing

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def token_hash(token: str) -> int:
    """First 8 bytes (little-endian) of SHA-256 over the token's UTF-8 bytes."""
    return int.from_bytes(hashlib.sha256(token.encode("utf-8")).digest()[:8], "little")


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """Token hashes of a vocabulary; the boundary ("") hashes to 0 so padding adds nothing."""
    return np.array([token_hash(t) if t else 0 for t in tokens], dtype=np.uint64)


def fmix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a uint64 array (wrap-around arithmetic)."""
    with np.errstate(over="ignore"):
        z ^= z >> _S30
        z *= _M1
        z ^= z >> _S27
        z *= _M2
        z ^= z >> _S31
    return z


def hash_powers(n: int) -> np.ndarray:
    """φ**1 … φ**n modulo 2**64 (φ = 0x9E3779B97F4A7C15)."""
    out = np.empty(n, dtype=np.uint64)
    p = 1
    for i in range(n):
        p = p * 0x9E3779B97F4A7C15 % 2**64
        out[i] = p
    return out


def membership_hashes(sequences: Iterable[Sequence[str]]) -> np.ndarray:
    """Membership hash of token sequences (reference implementation, one by one).

    H = fmix64(sum of token_hash(t_i) * φ**(i+1) for i = 0 … L-1, modulo 2**64).
    """
    out = []
    for seq in sequences:
        h = 0
        p = 1
        for tok in seq:
            p = p * 0x9E3779B97F4A7C15 % 2**64
            h = (h + token_hash(tok) * p) % 2**64
        out.append(h)
    return fmix64(np.array(out, dtype=np.uint64))


# ------------------------------------------------------------------ the model


@dataclass(frozen=True, eq=False)
class Level:
    """Counts for contexts of one length: transitions of context i are offsets[i]:offsets[i+1]."""

    context_length: int
    contexts: np.ndarray  # (m, k) int64 token ids, rows sorted lexicographically
    offsets: np.ndarray  # (m + 1,) int64
    next: np.ndarray  # (t,) int64, ascending within each context
    counts: np.ndarray  # (t,) int64, each >= min_count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.context_length == other.context_length and all(
            np.array_equal(getattr(self, a), getattr(other, a))
            for a in ("contexts", "offsets", "next", "counts")
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_contexts(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_transitions(self) -> int:
        return len(self.next)

    def context_keys(self, base: int) -> np.ndarray:
        """Each context as one integer (base-`base` digits, oldest token first)."""
        keys = np.zeros(self.n_contexts, dtype=np.int64)
        for j in range(self.context_length):
            keys = keys * base + self.contexts[:, j]
        return keys

    def context_totals(self) -> np.ndarray:
        """Sum of counts per context."""
        if self.n_transitions == 0:
            return np.zeros(self.n_contexts, dtype=np.int64)
        csum = np.concatenate([[0], np.cumsum(self.counts)])
        return csum[self.offsets[1:]] - csum[self.offsets[:-1]]

    def context_degrees(self) -> np.ndarray:
        return np.diff(self.offsets)


@dataclass(frozen=True, eq=False)
class NgramModel:
    """A trained model: vocabulary, counts per context length, membership hashes, metadata."""

    order: int
    mode: str
    vocabulary: tuple[str, ...]
    levels: tuple[Level, ...]
    training_hashes: np.ndarray  # sorted, distinct uint64
    metadata: dict[str, Any] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NgramModel):
            return NotImplemented
        return (
            self.order == other.order
            and self.mode == other.mode
            and self.vocabulary == other.vocabulary
            and self.levels == other.levels
            and np.array_equal(self.training_hashes, other.training_hashes)
            and self.metadata == other.metadata
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        src = (self.metadata.get("source") or {}).get("name", "?")
        return (
            f"NgramModel(order={self.order}, mode={self.mode!r}, "
            f"locale={self.metadata.get('locale')!r}, vocabulary={len(self.vocabulary)}, "
            f"lines={self.metadata.get('lines')}, source={src!r})"
        )

    @property
    def base(self) -> int:
        """Radix of integer context keys: every token id plus one out-of-vocabulary id."""
        return len(self.vocabulary) + 1

    @property
    def lowercase(self) -> bool:
        return bool(self.metadata.get("lowercase", False))

    @property
    def smoothing(self) -> str:
        """How to sample: files written before the key existed were sampled with backoff."""
        return str(self.metadata.get("smoothing", "backoff"))

    @property
    def locale(self) -> str | None:
        return self.metadata.get("locale")

    def normalize(self, text: str) -> str:
        return normalize(text, lowercase=self.lowercase, locale=self.locale)

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        """Ids of tokens; unknown tokens get the out-of-vocabulary id len(vocabulary)."""
        index = self._index()
        oov = len(self.vocabulary)
        return [index.get(t, oov) for t in tokens]

    def _index(self) -> dict[str, int]:
        cache = self.__dict__.setdefault("_cache", {})
        if "index" not in cache:
            cache["index"] = {t: i for i, t in enumerate(self.vocabulary) if i != BOUNDARY}
        return cache["index"]

    def contains(self, text: str) -> bool:
        """True when `text` (normalised like the training lines) was a training line."""
        tokens = tokenize(self.normalize(text), self.mode)
        h = membership_hashes([tokens])
        i = np.searchsorted(self.training_hashes, h)
        return bool(i[0] < len(self.training_hashes) and self.training_hashes[i[0]] == h[0])

    # ---------------------------------------------------------------- scoring

    def log2_likelihood(self, lines: Iterable[str]) -> tuple[float, int]:
        """Total log2 probability of lines (each token and its end marker) and the token count.

        Probabilities interpolate every context length with Witten-Bell weights,
        down to a uniform distribution over the vocabulary plus one unknown token,
        so unseen characters and contexts get a finite, honest cost.
        """
        seqs = [tokenize(self.normalize(line), self.mode) for line in lines]
        seqs = [s for s in seqs if s]
        if not seqs:
            return 0.0, 0
        ids = [self.token_ids(s) for s in seqs]
        padded, targets = _padded(ids, self.order)
        base = self.base
        w = padded[targets]
        p = np.full(len(targets), 1.0 / base)
        for level in self.levels:
            k = level.context_length
            ctx = np.zeros(len(targets), dtype=np.int64)
            for j in range(k):
                ctx = ctx * base + padded[targets - k + j]
            ci, seen = _lookup(level.context_keys(base), ctx)
            c_h = np.where(seen, level.context_totals()[ci], 0).astype(np.float64)
            t_h = np.where(seen, level.context_degrees()[ci], 0).astype(np.float64)
            gi, hit = _lookup(_gram_keys(level, base), ctx * base + w)
            c_hw = np.where(hit, level.counts[gi], 0).astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                interp = (c_hw + t_h * p) / (c_h + t_h)
            p = np.where(c_h > 0, interp, p)
        return float(np.log2(p).sum()), len(targets)


def _lookup(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each query in sorted `keys` (clipped) and whether it is there."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return i, keys[i] == query


def _gram_keys(level: Level, base: int) -> np.ndarray:
    ctx = level.context_keys(base)
    per = np.repeat(ctx, level.context_degrees())
    return per * base + level.next


# ------------------------------------------------------------------ training


def _padded(ids: Sequence[Sequence[int]], order: int) -> tuple[np.ndarray, np.ndarray]:
    """All lines as one array, each preceded by order-1 boundaries and ended by one.

    Returns the array and the positions of every predicted token (the line's
    tokens and its end marker); a context is the order-1 ids before a target.
    """
    lens = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter((t for s in ids for t in s), dtype=np.int64, count=int(lens.sum()))
    return _padded_arrays(flat, lens, order)


def _padded_arrays(flat: np.ndarray, lens: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    span = lens + order  # order-1 pads + tokens + end
    starts = np.concatenate([[0], np.cumsum(span)[:-1]]) if len(span) else np.zeros(0, np.int64)
    total = int(span.sum())
    padded = np.zeros(total, dtype=np.int64)
    tok_starts = np.concatenate([[0], np.cumsum(lens)[:-1]]) if len(lens) else lens
    body = np.repeat(starts + order - 1 - tok_starts, lens) + np.arange(len(flat))
    padded[body] = flat
    is_target = np.ones(total, dtype=bool)  # everything but the order-1 pads of each line
    for j in range(order - 1):
        is_target[starts + j] = False
    return padded, np.flatnonzero(is_target)


def _encode_lines(lines: list[str], mode: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Vocabulary (boundary first, then tokens in code-point order), flat ids, tokens per line."""
    if mode == "char":
        lens = np.fromiter((len(s) for s in lines), dtype=np.int64, count=len(lines))
        cps = np.frombuffer("".join(lines).encode("utf-32-le"), dtype=np.uint32)
        present = np.bincount(cps, minlength=1) > 0  # code points are < 0x110000
        ids = np.cumsum(present)  # id of each present code point, in code-point order
        vocab = ["", *(chr(int(c)) for c in np.flatnonzero(present))]
        return vocab, ids[cps].astype(np.int64), lens
    split = pc.split_pattern(pa.array(lines, type=pa.large_string()), " ")
    lens = pc.list_value_length(split).to_numpy(zero_copy_only=False).astype(np.int64)
    encoded = pc.dictionary_encode(split.flatten())
    words = encoded.dictionary.to_pylist()
    order = sorted(range(len(words)), key=words.__getitem__)  # code-point order
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    ids = rank[encoded.indices.to_numpy(zero_copy_only=False)] + 1
    return ["", *(words[i] for i in order)], ids, lens


def _check_options(order: int, mode: str, min_count: int, smoothing: str) -> None:
    if smoothing not in SMOOTHINGS:
        raise ModelError(
            f"smoothing={smoothing!r}: expected 'interpolated' or 'backoff'", code="bad-option"
        )
    if mode not in MODES:
        raise ModelError(f"mode={mode!r}: expected 'char' or 'word'", code="bad-option")
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ModelError(
            f"order={order!r}: expected an integer from 1 to {MAX_ORDER}", code="bad-option"
        )
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ModelError(f"min_count={min_count!r}: expected an integer >= 1", code="bad-option")


def train_lines(
    lines: Iterable[str],
    *,
    order: int = 3,
    mode: str = "char",
    min_count: int = 1,
    lowercase: bool = False,
    locale: str | None = None,
    source: Source | None = None,
    smoothing: str = "interpolated",
) -> NgramModel:
    """Count the n-grams of `lines` (one training string each).

    Lines are normalised (NFC, whitespace collapsed, optionally lowercased);
    empty ones are skipped. n-grams seen fewer than `min_count` times are
    dropped at every context length; shorter contexts keep their own counts,
    which is what sampling backs off to. `smoothing` is recorded for samplers:
    "interpolated" (rare contexts borrow their suffixes' continuations; more
    distinct values) or "backoff" (raw counts only; closer to the training lines).
    """
    _check_options(order, mode, min_count, smoothing)
    text = [normalize(line, lowercase=lowercase, locale=locale) for line in lines]
    text = [t for t in text if t]
    if not text:
        name = source.name if source else "the input"
        raise ModelError(
            f"no training lines in {name}: every line is empty or blank", code="empty-corpus"
        )
    vocab, flat, lens = _encode_lines(text, mode)
    base = len(vocab) + 1
    if base**order >= 2**63:
        raise ModelError(
            f"order={order} is too high for a vocabulary of {len(vocab) - 1:,} tokens "
            f"(keys would overflow 64 bits); use order <= {int(62 / math.log2(base))}",
            code="bad-option",
        )
    padded, targets = _padded_arrays(flat, lens, order)
    nxt = padded[targets]
    levels = []
    ctx = np.zeros(len(targets), dtype=np.int64)
    for k in range(order):
        if k:
            # context of length k = the previous token prepended to the context of length k-1
            ctx = ctx + padded[targets - k] * base ** (k - 1)
        grams, counts = _count(ctx * base + nxt, base ** (k + 1))
        keep = counts >= min_count
        grams, counts = grams[keep], counts[keep].astype(np.int64)
        levels.append(_level_from_grams(k, grams, counts, base))
    unigrams = levels[0]
    if unigrams.n_transitions < 2 or unigrams.next[0] != BOUNDARY:
        lost = (
            "every token"
            if unigrams.n_transitions == 0
            else ("the end-of-string count" if unigrams.next[0] != BOUNDARY else "every token")
        )
        raise ModelError(
            f"min_count={min_count} removes {lost} ({len(text):,} lines): lower min_count",
            code="empty-corpus",
        )
    hashes = _line_hashes(vocab, flat, lens)
    metadata: dict[str, Any] = {
        "order": order,
        "mode": mode,
        "locale": locale,
        "lowercase": bool(lowercase),
        "min_count": min_count,
        "smoothing": smoothing,
        "source": (source or _lines_source(text)).to_json(),
        "lines": len(text),
        "distinct_lines": len(hashes),
        "tokens": len(targets),
        "length_counts": np.bincount(lens).tolist(),  # lines per length in tokens
        "phony_version": __version__,
    }
    return NgramModel(order, mode, tuple(vocab), tuple(levels), hashes, metadata)


_DENSE_LIMIT = 1 << 22  # key spaces up to this size are counted with bincount


def _count(keys: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (ascending) and how often each occurs."""
    if space <= _DENSE_LIMIT:
        counts = np.bincount(keys, minlength=1)
        grams = np.flatnonzero(counts)
        return grams.astype(np.int64), counts[grams]
    return np.unique(keys, return_counts=True)


def _lines_source(text: list[str]) -> Source:
    """Source of in-memory lines: the normalised lines, one per line, UTF-8."""
    data = "".join(t + "\n" for t in text).encode("utf-8")
    return Source("<lines>", hashlib.sha256(data).hexdigest(), len(data))


def _level_from_grams(k: int, grams: np.ndarray, counts: np.ndarray, base: int) -> Level:
    ctx_keys, nxt = np.divmod(grams, base)
    uniq, first = np.unique(ctx_keys, return_index=True)
    offsets = np.append(first, len(grams)).astype(np.int64)
    contexts = np.zeros((len(uniq), k), dtype=np.int64)
    rest = uniq.copy()
    for j in range(k - 1, -1, -1):
        rest, contexts[:, j] = np.divmod(rest, base)
    return Level(k, contexts, offsets, nxt.astype(np.int64), counts)


def _line_hashes(vocab: list[str], flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Sorted distinct membership hashes of the lines (see membership_hashes)."""
    th = token_hashes(vocab)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    position = np.arange(len(flat)) - np.repeat(starts, lens)
    with np.errstate(over="ignore"):
        terms = th[flat] * hash_powers(int(lens.max()))[position]
    return np.unique(fmix64(np.add.reduceat(terms, starts)))
