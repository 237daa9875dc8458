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
