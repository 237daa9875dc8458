"""The `pattern:` regex subset: parsed once into a small tree that can count its
domain (for uniqueness checks) and generate strings column-wise.

Supported: literals and escaped metacharacters; `.`; classes `[a-z0-9_]`,
`[^...]` (over printable ASCII); `\\d \\w \\s \\D \\W \\S`; groups `( )` and
`(?: )`; alternation `|`; quantifiers `? * + {m} {m,} {m,n}` (`*`, `+` and
`{m,}` stop at m+8 repetitions); `^` and `$` at the ends are ignored.
Back-references, look-arounds and flags are not supported.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
_CLASS_ESCAPES = {
    "d": string.digits,
    "w": string.ascii_letters + string.digits + "_",
    "s": " \t",
    "D": "".join(c for c in PRINTABLE if c not in string.digits),
    "W": "".join(c for c in PRINTABLE if c not in string.ascii_letters + string.digits + "_"),
    "S": "".join(c for c in PRINTABLE if c not in " \t"),
}
_LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
UNBOUNDED_EXTRA = 8
MAX_REPEAT = 1000


class PatternError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class CharClass:
    chars: str  # distinct characters, in a fixed order


@dataclass(frozen=True)
class Seq:
    items: tuple


@dataclass(frozen=True)
class Alt:
    options: tuple


@dataclass(frozen=True)
class Repeat:
    item: object
    min: int
    max: int


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self) -> str:
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def parse(self) -> object:
        text = self.text
        if text.startswith("^"):
            self.pos = 1
        end = len(text)
        if text.endswith("$") and not text.endswith("\\$"):
            self.text = text[:-1]
            end -= 1
        node = self.alternation()
        if self.pos < len(self.text):
            raise PatternError(f"unbalanced ')' at offset {self.pos}", self.pos)
        return node

    def alternation(self) -> object:
        options = [self.sequence()]
        while self.peek() == "|":
            self.take()
            options.append(self.sequence())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def sequence(self) -> object:
        items: list = []
        while self.peek() is not None and self.peek() not in "|)":
            atom = self.atom()
            atom = self.quantified(atom)
            if isinstance(atom, Lit) and items and isinstance(items[-1], Lit):
                items[-1] = Lit(items[-1].text + atom.text)
            else:
                items.append(atom)
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def atom(self) -> object:
        start = self.pos
        ch = self.take()
        if ch == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
            elif self.peek() == "?":
                raise PatternError("look-arounds and flags `(?...)` are not supported", start)
            node = self.alternation()
            if self.peek() != ")":
                raise PatternError(f"unclosed '(' at offset {start}", start)
            self.take()
            return node
        if ch == "[":
            return self.char_class(start)
        if ch == ".":
            return CharClass(PRINTABLE)
        if ch == "\\":
            return self.escape(start)
        if ch in "*+?{":
            raise PatternError(f"nothing to repeat before '{ch}' at offset {start}", start)
        if ch in "^$":
            raise PatternError(f"anchor '{ch}' is only allowed at the ends", start)
        return Lit(ch)

    def escape(self, start: int) -> object:
        if self.peek() is None:
            raise PatternError("pattern ends with a lone backslash", start)
        ch = self.take()
        if ch in _CLASS_ESCAPES:
            return CharClass(_CLASS_ESCAPES[ch])
        if ch in _LITERAL_ESCAPES:
            return Lit(_LITERAL_ESCAPES[ch])
        if ch.isalnum():
            raise PatternError(f"escape '\\{ch}' is not supported", start)
        return Lit(ch)

    def char_class(self, start: int) -> CharClass:
        negate = False
        if self.peek() == "^":
            self.take()
            negate = True
        chars: list[str] = []
        first = True
        while True:
            ch = self.peek()
            if ch is None:
                raise PatternError(f"unclosed '[' at offset {start}", start)
            if ch == "]" and not first:
                self.take()
                break
            first = False
            self.take()
            if ch == "\\":
                if self.peek() is None:
                    raise PatternError("pattern ends with a lone backslash", start)
                esc = self.take()
                if esc in _CLASS_ESCAPES:
                    chars.extend(_CLASS_ESCAPES[esc])
                    continue
                ch = _LITERAL_ESCAPES.get(esc, esc)
            if (
                self.peek() == "-"
                and self.pos + 1 < len(self.text)
                and self.text[self.pos + 1] != "]"
            ):
                self.take()
                hi = self.take()
                if hi == "\\":
                    hi = self.take()
                if ord(hi) < ord(ch):
                    raise PatternError(f"bad range '{ch}-{hi}' in a class", start)
                if ord(hi) - ord(ch) > 0xFFFF:
                    raise PatternError(f"range '{ch}-{hi}' is too wide", start)
                chars.extend(chr(c) for c in range(ord(ch), ord(hi) + 1))
            else:
                chars.append(ch)
        distinct = "".join(dict.fromkeys(chars))
        if negate:
            distinct = "".join(c for c in PRINTABLE if c not in distinct)
        if not distinct:
            raise PatternError(f"empty character class at offset {start}", start)
        return CharClass(distinct)

    def quantified(self, atom: object) -> object:
        ch = self.peek()
        start = self.pos
        if ch == "?":
            self.take()
            lo, hi = 0, 1
        elif ch == "*":
            self.take()
            lo, hi = 0, UNBOUNDED_EXTRA
        elif ch == "+":
            self.take()
            lo, hi = 1, 1 + UNBOUNDED_EXTRA
        elif ch == "{":
            close = self.text.find("}", self.pos)
            body = self.text[self.pos + 1 : close] if close > 0 else ""
            parts = body.split(",")
            if close < 0 or not (1 <= len(parts) <= 2) or not parts[0].strip().isdigit():
                raise PatternError(f"bad quantifier at offset {start}; use {{m}} or {{m,n}}", start)
            self.pos = close + 1
            lo = int(parts[0])
            if len(parts) == 1:
                hi = lo
            elif parts[1].strip() == "":
                hi = lo + UNBOUNDED_EXTRA
            elif parts[1].strip().isdigit():
                hi = int(parts[1])
            else:
                raise PatternError(f"bad quantifier at offset {start}", start)
            if hi < lo:
                raise PatternError(f"quantifier {{{lo},{hi}}} has max < min", start)
            if hi > MAX_REPEAT:
                raise PatternError(f"quantifier bound {hi} exceeds {MAX_REPEAT}", start)
        else:
            return atom
        if self.peek() in ("?", "+"):
            self.take()  # lazy/possessive markers do not change what can be generated
        if lo == hi == 1:
            return atom
        return Repeat(atom, lo, hi)


def parse_pattern(text: str) -> object:
    """Parse the supported subset; raises PatternError with an offset."""
    if not text:
        raise PatternError("empty pattern", 0)
    return _Parser(text).parse()


def domain_size(node: object, cap: int = 10**30) -> int:
    """Upper bound on distinct strings (exact when alternatives do not overlap)."""
    if isinstance(node, Lit):
        return 1
    if isinstance(node, CharClass):
        return len(node.chars)
    if isinstance(node, Seq):
        total = 1
        for item in node.items:
            total = min(cap, total * domain_size(item, cap))
        return total
    if isinstance(node, Alt):
        return min(cap, sum(domain_size(o, cap) for o in node.options))
    if isinstance(node, Repeat):
        base = domain_size(node.item, cap)
        total = 0
        for k in range(node.min, node.max + 1):
            total = min(cap, total + min(cap, base**k) if base > 1 else total + 1)
            if total >= cap:
                break
        return total
    raise TypeError(node)


# ---------------------------------------------------------------- generation

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from .generators._common import strings_from_matrix  # noqa: E402


def _ascii_class(chars: str) -> bool:
    return all(ord(c) < 128 for c in chars)


def generate(node: object, rows: np.ndarray, stream, label: str = "p") -> pa.Array:
    """Strings matching the pattern tree for each row, from `stream` (an rng.Stream).

    Every draw is addressed by row index, so a branch can be generated for just
    the rows that take it: an alternation or an optional part costs the rows
    that use it, not all rows once per option.
    """
    n = len(rows)
    if label == "p":
        positions = fixed_positions(node)
        if positions is not None and all(_ascii_class(p) for p in positions):
            return _fixed_ascii(positions, rows, stream)
    return _as_array(_generate(node, rows, stream, label), n)


def _as_array(value: pa.Array | pa.Scalar, n: int) -> pa.Array:
    if isinstance(value, pa.Array):
        return value
    return pa.array([value.as_py()], type=pa.string()).take(np.zeros(n, dtype=np.int64))


def _scatter(pieces: list[pa.Array | pa.Scalar], owner: np.ndarray, n: int) -> pa.Array:
    """Row r gets pieces[owner[r]][its rank among the rows of that owner]; owner -1 gets ""."""
    arrays: list[pa.Array] = []
    index = np.empty(n, dtype=np.int64)
    offset = 0
    for k, piece in enumerate(pieces):
        mine = np.flatnonzero(owner == k)
        arrays.append(_as_array(piece, len(mine)))
        index[mine] = offset + np.arange(len(mine))
        offset += len(mine)
    arrays.append(pa.array([""], type=pa.string()))
    index[owner < 0] = offset
    return pa.concat_arrays(arrays).take(index)


def _generate(node: object, rows: np.ndarray, stream, label: str) -> pa.Array | pa.Scalar:
    """Like generate, but a literal comes back as a scalar (joins broadcast it)."""
    n = len(rows)
    if isinstance(node, Lit):
        return pa.scalar(node.text, type=pa.string())
    if isinstance(node, CharClass):
        return _repeat_class(node.chars, 1, 1, rows, stream, label)
    if isinstance(node, Seq):
        parts = [_generate(item, rows, stream, f"{label}.{i}") for i, item in enumerate(node.items)]
        if all(isinstance(p, pa.Scalar) for p in parts):
            return pa.scalar("".join(p.as_py() for p in parts), type=pa.string())
        return pc.binary_join_element_wise(*parts, "")
    if isinstance(node, Alt):
        pick = stream.sub(f"{label}|").integers(rows, len(node.options))
        if all(isinstance(o, Lit) for o in node.options):
            return pa.array([o.text for o in node.options], type=pa.string()).take(pick)
        pieces = [
            _generate(option, rows[pick == i], stream, f"{label}|{i}")
            for i, option in enumerate(node.options)
        ]
        return _scatter(pieces, pick, n)
    if isinstance(node, Repeat):
        if isinstance(node.item, CharClass) and _ascii_class(node.item.chars):
            return _repeat_class(node.item.chars, node.min, node.max, rows, stream, label)
        if node.max == 0:
            return pa.scalar("", type=pa.string())
        lengths = node.min + stream.sub(f"{label}#").integers(rows, node.max - node.min + 1)
        parts = []
        for j in range(node.max):
            if j < node.min:
                parts.append(_generate(node.item, rows, stream, f"{label}*{j}"))
                continue
            used = lengths > j
            piece = _generate(node.item, rows[used], stream, f"{label}*{j}")
            parts.append(_scatter([piece], np.where(used, 0, -1), n))
        return pc.binary_join_element_wise(*parts, "")
    raise TypeError(node)


def _repeat_class(chars: str, lo: int, hi: int, rows: np.ndarray, stream, label: str) -> pa.Array:
    n = len(rows)
    if not _ascii_class(chars):
        table = pa.array(list(chars), type=pa.string())
        parts = []
        lengths = lo + stream.sub(f"{label}#").integers(rows, hi - lo + 1)
        for j in range(hi):
            piece = table.take(pa.array(stream.sub(f"{label}@{j}").integers(rows, len(chars))))
            if j >= lo:
                piece = pc.if_else(pa.array(lengths > j), piece, pa.scalar(""))
            parts.append(piece)
        return pc.binary_join_element_wise(*parts, "")
    alphabet = np.frombuffer(chars.encode("ascii"), dtype=np.uint8)
    matrix = np.empty((n, hi), dtype=np.uint8)
    for j in range(hi):
        matrix[:, j] = alphabet[stream.sub(f"{label}@{j}").integers(rows, len(chars))]
    if lo == hi:
        lengths = np.full(n, hi, dtype=np.int64)
    else:
        lengths = lo + stream.sub(f"{label}#").integers(rows, hi - lo + 1)
    return strings_from_matrix(matrix, lengths)


def _fixed_ascii(positions: list[str], rows: np.ndarray, stream) -> pa.Array:
    """Fixed-length ASCII patterns in one byte matrix: literals broadcast, classes drawn."""
    n, width = len(rows), len(positions)
    matrix = np.empty((n, width), dtype=np.uint8)
    for j, chars in enumerate(positions):
        if len(chars) == 1:
            matrix[:, j] = ord(chars)
        else:
            alphabet = np.frombuffer(chars.encode("ascii"), dtype=np.uint8)
            matrix[:, j] = alphabet[stream.sub(f"p@{j}").integers(rows, len(chars))]
    return strings_from_matrix(matrix, np.full(n, width, dtype=np.int64))


def fixed_positions(node: object) -> list[str] | None:
    """Character choices per position when the pattern has one fixed length, else None."""
    if isinstance(node, Lit):
        return list(node.text)
    if isinstance(node, CharClass):
        return [node.chars]
    if isinstance(node, Seq):
        out: list[str] = []
        for item in node.items:
            sub = fixed_positions(item)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if isinstance(node, Repeat) and node.min == node.max:
        sub = fixed_positions(node.item)
        return None if sub is None else sub * node.min
    return None


def generate_unique(positions: list[str], index: np.ndarray, stream, label: str = "p") -> pa.Array:
    """Distinct strings for distinct `index` values (< the pattern's domain).

    The index is written in mixed radix over the positions, least significant last;
    positions beyond 62 bits of index are random (the suffix already makes rows distinct).
    """
    n = len(index)
    width = len(positions)
    ascii_only = all(_ascii_class(p) for p in positions)
    # ASCII: one byte per character; otherwise code points (UTF-32), encoded by Arrow
    matrix = np.empty((n, width), dtype=np.uint8 if ascii_only else np.uint32)
    remaining = index.astype(np.int64).copy()
    capacity = 1
    rows = index.astype(np.int64)
    for pos in range(width - 1, -1, -1):
        chars = positions[pos]
        if ascii_only:
            alphabet = np.frombuffer(chars.encode("ascii"), dtype=np.uint8)
        else:
            alphabet = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
        k = len(chars)
        if capacity * k <= 2**62:
            digit = remaining % k
            remaining //= k
            capacity *= k
        else:
            digit = stream.sub(f"{label}@u{pos}").integers(rows, k)
        matrix[:, pos] = alphabet[digit]
    if not ascii_only:
        return _strings_from_code_points(matrix)
    return strings_from_matrix(matrix, np.full(n, width, dtype=np.int64))


def _strings_from_code_points(matrix: np.ndarray) -> pa.Array:
    """Rows of a (n, width) uint32 code-point matrix as strings (no NUL code points)."""
    n, width = matrix.shape
    if width == 0:
        return pa.array(np.full(n, "", dtype="<U1"), type=pa.string())
    text = np.ascontiguousarray(matrix, dtype="<u4").view(f"<U{width}").reshape(n)
    return pa.array(text, type=pa.string())
