"""Vectorized sampling: every row walks the model at once, one numpy pass per draw.

How a value is made (spec/phony-format.md, "Sampling"):

1. Its length L in tokens is drawn from the training lines' length distribution
   (restricted to what `min_length`/`max_length` allow in char mode).
2. Starting from the context of the start padding and the prefix, L tokens are
   drawn, never the end marker: each from the longest context seen in
   training, without its end count; contexts of two or more tokens use their
   counts interpolated with their suffixes' (smoothing.py), so a rare context
   does not just copy its training line.
3. The value is kept if that last context ended a training line at least once,
   and (with `novel`) if it is not a training line; otherwise the row is drawn
   again from fresh streams, at most MAX_ATTEMPTS times.

So lengths follow the training data, and every token pair and ending was seen.

The model is compiled once into a finite automaton whose states are the seen
contexts (of any length); a transition leads to the longest seen suffix of the
context extended by the token, so backoff costs nothing while walking. Each
state's distribution is an alias table (Walker/Vose, exact integer weights)
padded to a power-of-two width; the fast path draws two tokens at once from
tables over (token, next token) pairs. A draw is one 64-bit number per row
from the stream labelled `step{k}` (`try{a}:step{k}` on retry a) evaluated at
the row's index: the top bits pick the column, the low 32 bits choose between
it and its alias. A row's value thus depends only on the stream keys and its
own index, never on the other rows of the call.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import GenerationError
from .alias import alias_tables
from .model import (
    BOUNDARY,
    NgramModel,
    fmix64,
    hash_powers,
    normalize,
    token_hash,
    token_hashes,
)
from .smoothing import interpolated

__all__ = ["MAX_ATTEMPTS", "PAIR_BUDGET", "SEEK_AFTER", "Compiled", "compile_model", "sample"]

_LENGTH_TABLE_MAX = 1 << 20  # up to this total length weight, lengths come from a table
MAX_ATTEMPTS = 64  # draws of a row before giving up
SEEK_AFTER = 8  # from this attempt on, a row that cannot end at its length ends at the next
# position where it can (keeps rare hard rows from failing; lengths shift slightly)
PAIR_BUDGET = 1 << 18  # most (token, next token) entries for two-token draws
CHUNK = 1 << 15  # rows walked together (the work arrays stay in cache)
SEEK_SLACK = 4  # tokens past the longest allowed length a seeking row may draw
FALLBACK_SPAN = 8  # lengths tried when no training line has an allowed length

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S30, _S27, _S31 = np.uint64(11), np.uint64(30), np.uint64(27), np.uint64(31)
_LOW32 = np.uint64(0xFFFFFFFF)
# A draw reads one packed word per slot instead of two tables (each a random access into
# megabytes): keep threshold (0 … 2**32, 33 bits) above the alias slot (31 bits), and
# for the next state its table's shift above its table's base.
_SLOT_BITS = np.uint64(31)
_SLOT_MASK = np.uint64((1 << 31) - 1)
_TWO_M53 = 2.0**-53
_DEAD = 0  # state 0: no context (padding slots point here; never walked)
_DENSE_KEYS = 1 << 21  # context key spaces up to this size are looked up in a table, not searched

_OK, _NO_END, _SHORT, _LONG, _KNOWN, _BLOCKED = 0, 1, 2, 3, 4, 5
_REASONS = {
    _BLOCKED: "containing a blocked word",
    _NO_END: "ended in a context that never ends a training line",
    _SHORT: "shorter than min_length",
    _LONG: "longer than max_length",
    _KNOWN: "equal to a training line (novel: true)",
}


@dataclass
class _Tables:
    """Alias tables, one per state, each padded to a power-of-two width.

    A draw z picks slot `base[s] + (z >> shift[s])`; the low 32 bits of z keep
    it when below `thr`, else the walk takes `alias`. Slots emit `tokens`
    (one or two per draw) and lead to state `after`; two-token slots also know
    the state after their first token (`mid`).
    """

    base: np.ndarray
    shift: np.ndarray
    thr: np.ndarray
    alias: np.ndarray
    tokens: list[np.ndarray]
    after: np.ndarray
    mid: np.ndarray
    flag: np.ndarray  # per slot: the draw may complete a blocked word (checked exactly later)

    @classmethod
    def build(
        cls,
        first: np.ndarray,
        deg: np.ndarray,
        weights: np.ndarray,
        tokens: list[np.ndarray],
        after: np.ndarray,
        mid: np.ndarray,
        flag: np.ndarray,
    ) -> _Tables:
        """Table s holds entries first[s] … first[s]+deg[s]-1 (exact integer weights)."""
        bits = np.zeros(len(deg), dtype=np.int64)
        wide = deg > 1
        bits[wide] = np.ceil(np.log2(deg[wide])).astype(np.int64)
        width = np.int64(1) << bits
        base = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
        n_slots = int(width.sum())
        # arrays of one value per slot are built in place: fresh memory is slow to fault in
        entry = np.arange(n_slots, dtype=np.int64)
        entry += np.repeat(first - base, width)
        pad = entry >= np.repeat(first + deg, width)
        entry[pad] = 0
        thr = np.full(n_slots, 1 << 32, dtype=np.uint64)
        alias = np.arange(n_slots, dtype=np.int64)
        in_wide = np.repeat(wide, width)  # a table of one slot always keeps it
        slot_weight = weights[entry[in_wide]]
        slot_weight[pad[in_wide]] = 0
        thr[in_wide], local = alias_tables(slot_weight, width[wide])
        local += np.repeat(base[wide], width[wide])
        alias[in_wide] = local

        def per_slot(values: np.ndarray, padding: int | bool) -> np.ndarray:
            out = values[entry]
            out[pad] = padding
            return out

        return cls(
            base,
            (64 - bits).astype(np.uint64),
            thr,
            alias,
            [per_slot(t, BOUNDARY) for t in tokens],
            per_slot(after, _DEAD),
            per_slot(mid, _DEAD),
            per_slot(flag, False),
        )

    @property
    def per_draw(self) -> int:
        return len(self.tokens)

    def walked(self) -> _Walked:
        """What a walk reads of these tables once Compiled has packed the rest."""
        return _Walked(self.base, self.shift, self.flag, self.per_draw)


@dataclass
class _Walked:
    """The parts of the tables a walk still reads beside Compiled's packed slot arrays (the
    rest, about 40 bytes a slot, is dropped once packed: a large model's tables take
    hundreds of MB)."""

    base: np.ndarray
    shift: np.ndarray
    flag: np.ndarray
    per_draw: int


@dataclass
class _Config:
    min_length: int | None
    max_length: int | None
    base_len: int  # characters of prefix + suffix
    spaced_first: bool  # word mode with a prefix: the first word needs a space too
    body_min: int  # fewest tokens a walk draws
    cum: np.ndarray  # cumulative weights of body lengths body_min, body_min+1, …
    steps: int  # most tokens a walk draws
    start: int
    h0: int  # membership-hash sum of the prefix tokens
    tail: str  # the prefix tokens the model continues (after the last unknown one)
    prefix_tokens: int
    novel: bool


class Compiled:
    """A model turned into flat arrays for sampling (built once per model, then cached)."""

    def __init__(self, model: NgramModel, blocklist: tuple[str, ...] = ()) -> None:
        self.model = model
        self.order = order = model.order
        self.mode = model.mode
        vocab = model.vocabulary
        self.base = base = model.base
        self.levels = levels = (
            interpolated(model) if model.smoothing == "interpolated" else model.levels
        )
        self.level_keys = [lv.context_keys(base) for lv in levels]
        self._key_indexes: dict[int, np.ndarray] = {}  # dense look-ups of level_keys
        # states: 0 unused, 1 … S the contexts of every length, level by level
        n_ctx = [lv.n_contexts for lv in levels]
        self.state0 = np.concatenate([[1], 1 + np.cumsum(n_ctx)]).astype(np.int64)
        deg = np.concatenate([lv.context_degrees() for lv in levels]).astype(np.int64)
        tok = np.concatenate([lv.next for lv in levels]).astype(np.int64)
        counts = np.concatenate([lv.counts for lv in levels]).astype(np.int64)
        first = np.concatenate([[0], np.cumsum(deg)[:-1]]).astype(np.int64)
        nxt = np.zeros(len(tok), dtype=np.int64)
        lo = 0
        for k, lv in enumerate(levels):
            ctx = np.repeat(self.level_keys[k], lv.context_degrees())
            length = min(k + 1, order - 1)
            g = (ctx * base + lv.next) % base**length if length else np.zeros_like(ctx)
            nxt[lo : lo + lv.n_transitions] = self._longest_suffix(g, length)
            lo += lv.n_transitions
        has_end = tok[first] == BOUNDARY  # the end marker (id 0) sorts first
        self.end_ok = np.concatenate([[False], has_end])
        nxt[tok == BOUNDARY] = _DEAD

        # entries: 0 is the "no token" entry (token 0, leads to state 0), then every
        # transition. A state walks its transitions without the end marker; a state
        # that only ever ended walks the "no token" entry, so a walk that reaches it
        # before its length is rejected (its tokens stop) rather than made up.
        e_tok = np.concatenate([[BOUNDARY], tok])
        e_nxt = np.concatenate([[_DEAD], nxt])
        e_cnt = np.concatenate([[1], counts])
        w_deg = deg - has_end
        w_first = np.where(w_deg > 0, 1 + first + has_end, 0)
        w_deg = np.maximum(w_deg, 1)
        w_first = np.concatenate([[0], w_first])  # state 0 walks the "no token" entry
        w_deg = np.concatenate([[1], w_deg])
        self.blocklist = tuple(blocklist)
        e_flag = self._suspicious(e_tok, deg)
        fast = _pair_tables(w_first, w_deg, e_tok, e_nxt, e_cnt, e_flag) or _Tables.build(
            w_first, w_deg, e_cnt, [e_tok], e_nxt, e_nxt, e_flag
        )
        del e_tok, e_nxt, e_cnt, e_flag, nxt, tok, counts
        if len(fast.thr) >= 1 << 31:
            raise ValueError("model too large to sample: more than 2**31 alias slots")
        # per slot, packed: keep threshold and alias slot; the table of the state it leads to
        self.keep_alias = fast.thr << _SLOT_BITS
        self.keep_alias |= fast.alias.view(np.uint64)  # slots are non-negative
        self.next_table = fast.shift[fast.after]
        self.next_table <<= _SLOT_BITS
        self.next_table |= fast.base[fast.after].view(np.uint64)
        # per slot: may the walk end after it (after its first token)? a "no token" draw may not
        self.end_after = self.end_ok[fast.after] & (fast.tokens[-1] != BOUNDARY)
        self.end_mid = self.end_ok[fast.mid] & (fast.tokens[0] != BOUNDARY)
        # per slot: the draw leads into a context that only ever ended (after its first
        # token / after the draw): the walk cannot go on from there
        only_end = np.concatenate([[False], deg - has_end == 0])
        self.forced_mid = only_end[fast.mid] & (fast.tokens[0] != BOUNDARY)
        self.forced_after = only_end[fast.after] & (fast.tokens[-1] != BOUNDARY)
        self.forced_any = self.forced_mid | self.forced_after | (fast.tokens[0] == BOUNDARY)
        self.tok_hash = token_hashes(vocab)
        self.char_len = np.array([len(t) for t in vocab], dtype=np.int64)
        plain = [t.encode("utf-8") for t in vocab]
        pool = plain + ([b" " + t for t in plain] if self.mode == "word" else [])
        self.pool_len = np.array([len(b) for b in pool], dtype=np.int64)
        self.pool_start = np.concatenate([[0], np.cumsum(self.pool_len)[:-1]]).astype(np.int64)
        self.pool = np.frombuffer(b"".join(pool), dtype=np.uint8)
        # ASCII char models walk in bytes: the token matrix is the UTF-8 text itself
        self.ascii = (
            self.mode == "char"
            and bool((self.pool_len[1:] == 1).all())
            and bool((self.pool[: len(vocab) - 1] != 0).all())
        )
        matrix_value = np.arange(len(vocab), dtype=np.int64)  # what the matrix holds per token
        if self.ascii:
            byte_of = matrix_value
            byte_of[1:] = self.pool[self.pool_start[1 : len(vocab)]]
            by_byte = np.zeros(256, dtype=np.uint64)
            by_byte[byte_of] = self.tok_hash
            self.tok_hash = by_byte  # hashes indexed by what the matrix holds
            self.tok_dtype = np.uint8
        else:
            self.tok_dtype = (
                np.uint8 if len(vocab) <= 256 else np.uint16 if len(vocab) <= 65536 else np.int32
            )
        self.pack_dtype = None
        if fast.per_draw == 2:  # both tokens of a draw in one little-endian word
            lead, follow = (matrix_value[t] for t in fast.tokens)
            size = np.dtype(self.tok_dtype).itemsize
            self.pack_dtype = np.dtype(f"<u{2 * size}")
            self.emit = (lead | (follow << (8 * size))).astype(self.pack_dtype)
        else:
            self.emit = matrix_value.astype(self.tok_dtype)[fast.tokens[0]]
        self.fast = fast.walked()
        self.start = self.state_for([])
        self._length_tables: dict[bytes, np.ndarray] = {}  # per cumulative length weights
        self.length_counts = np.asarray(model.metadata["length_counts"], dtype=np.int64)

    def _suspicious(self, e_tok: np.ndarray, deg: np.ndarray) -> np.ndarray:
        """Per entry: may drawing this token complete a blocked word? (over-approximate)

        The text known at that moment is the context plus the token. A blocked word
        ending inside the token is possible if it occurs in that text, or, unless the
        context starts at the beginning of the string, if the text begins with the
        word's end (its start lies before the context).
        """
        flag = np.zeros(len(e_tok), dtype=bool)
        words = [w.lower() for w in self.blocklist if w]
        if not words:
            return flag
        vocab = self.model.vocabulary
        sep = "" if self.mode == "char" else " "
        tails = {w[i:] for w in words for i in range(1, len(w))}
        if self.mode == "char":
            return self._suspicious_chars(e_tok, flag, words, tails)
        # Either way the blocked word ends inside the new token, so the token holds the
        # word's last character: tokens without any such character need no search.
        last = {w[-1] for w in words}
        may_end = [bool(last & set(v.lower())) for v in vocab]
        entry = 1
        for lv in self.levels:
            for ctx, d in zip(lv.contexts.tolist(), lv.context_degrees().tolist(), strict=True):
                anchored = bool(ctx) and ctx[0] == BOUNDARY
                head = sep.join(vocab[i] for i in ctx if i != BOUNDARY).lower()
                for e in range(entry, entry + d):
                    t = int(e_tok[e])
                    if t == BOUNDARY or not may_end[t]:
                        continue
                    before = head + sep if head else ""
                    if self._blocked_after(before, vocab[t].lower(), anchored, words, tails):
                        flag[e] = True
                entry += d
        return flag

    def _suspicious_chars(
        self, e_tok: np.ndarray, flag: np.ndarray, words: list[str], tails: set[str]
    ) -> np.ndarray:
        """_suspicious for a model of characters, the same flags without searching every
        word for every transition (minutes for a model of long comments).

        A token of one character c after the context's text h gives the text h + c, and
        the general rule then reads: some blocked word is a suffix of h + c, or (the
        context not anchored) h + c is a word's proper tail. So c is flagged when w[:-1]
        is a suffix of h for a word w ending in c, or h is t[:-1] for a tail t ending in
        c: per context, a few look-ups of h's suffixes find every such c at once, and
        contexts that find none (nearly all) have no transition to check. Tokens whose
        lower case is not one character take the general rule.

        In a context of one-character tokens (the boundary only as leading padding), h
        ends with a string of k characters exactly when its last k tokens are those
        characters: the look-ups compare integer columns, every context of a level at
        once. Other contexts build h and look up its suffixes one by one."""
        vocab = self.model.vocabulary
        ends: dict[str, set[str]] = {}  # a word's first characters → its last ones
        for w in words:
            ends.setdefault(w[:-1], set()).add(w[-1])
        tail_ends: dict[str, set[str]] = {}
        for t in tails:
            tail_ends.setdefault(t[:-1], set()).add(t[-1])
        longest = max(len(w) for w in words)
        lower = [v.lower() for v in vocab]
        odd = np.array([i != BOUNDARY and len(v) != 1 for i, v in enumerate(lower)])  # 'İ' → 'i̇'
        code = np.array([ord(v) if len(v) == 1 else -1 for v in lower], dtype=np.int64)
        code[BOUNDARY] = -1
        levels = [lv.contexts for lv in self.levels]
        deg = np.concatenate([lv.context_degrees() for lv in self.levels]).astype(np.int64)
        entry0 = 1 + np.concatenate([[0], np.cumsum(deg)[:-1]]).astype(np.int64)
        level0 = np.concatenate([[0], np.cumsum([len(c) for c in levels])]).astype(np.int64)

        def text(g: int) -> tuple[str, bool]:  # context g's text h, and whether anchored
            k = int(np.searchsorted(level0, g, side="right")) - 1
            row = levels[k][g - level0[k]].tolist()
            return "".join(lower[i] for i in row if i != BOUNDARY), bool(row) and row[0] == BOUNDARY

        found: dict[int, set[str]] = {}  # context → last characters of words it may complete
        for ctx, g0 in zip(levels, level0[:-1].tolist(), strict=True):
            k = ctx.shape[1]
            cols = code[ctx]
            edge = ctx == BOUNDARY
            plain = ~odd[ctx].any(axis=1) & (edge[:, 1:] <= edge[:, :-1]).all(axis=1)
            hits: list[tuple[np.ndarray, set[str]]] = []
            for key, chars in ends.items():
                if len(key) <= k:
                    tail = cols[:, k - len(key) :] == [ord(c) for c in key]
                    hits.append((plain & tail.all(axis=1), chars))
            for key, chars in tail_ends.items():  # h is the whole tail: not anchored
                if len(key) == k:
                    whole = cols == [ord(c) for c in key]
                    hits.append((plain & whole.all(axis=1), chars))
            for hit, chars in hits:
                for g in (g0 + np.flatnonzero(hit)).tolist():
                    found.setdefault(g, set()).update(chars)
            for g in (g0 + np.flatnonzero(~plain)).tolist():
                head, at_start = text(g)
                chars = set()
                for j in range(min(len(head), longest - 1) + 1):
                    chars |= ends.get(head[len(head) - j :], set())
                if not at_start:
                    chars |= tail_ends.get(head, set())
                if chars:
                    found.setdefault(g, set()).update(chars)
        for g, chars in found.items():
            e0 = int(entry0[g])
            for e, t in enumerate(e_tok[e0 : e0 + deg[g]].tolist(), start=e0):
                if t != BOUNDARY and not odd[t] and lower[t] in chars:
                    flag[e] = True
        # tokens whose lower case is not one character: the general rule, one by one
        odd_entries = np.flatnonzero(odd[e_tok])
        owner = np.searchsorted(entry0, odd_entries, side="right") - 1
        for e, g in zip(odd_entries.tolist(), owner.tolist(), strict=True):
            head, at_start = text(g)
            flag[e] = self._blocked_after(head, lower[int(e_tok[e])], at_start, words, tails)
        return flag

    @staticmethod
    def _blocked_after(
        head: str, token: str, anchored: bool, words: list[str], tails: set[str]
    ) -> bool:
        """The general rule of _suspicious for one token after the text `head`: a word that
        ends inside the new token, wholly in the text, or (when the context may be cut)
        with its start before the text."""
        text = head + token
        known = len(head)  # characters before the new token
        return any(text.find(w, max(0, known - len(w) + 1)) >= 0 for w in words) or (
            not anchored and any(len(x) > known and text.startswith(x) for x in tails)
        )

    # ---------------------------------------------------------------- states

    def _longest_suffix(self, keys: np.ndarray, length: int) -> np.ndarray:
        """State of the longest seen suffix of each context key (`length` tokens each)."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for ln in range(length, -1, -1):
            todo = out < 0
            if not todo.any():
                break
            k = keys[todo] % self.base**ln if ln else np.zeros(int(todo.sum()), np.int64)
            table = self.level_keys[ln]
            if self.base**ln <= _DENSE_KEYS:
                i = self._key_index(ln)[k]
                found = i >= 0
            else:
                i = np.minimum(np.searchsorted(table, k), max(len(table) - 1, 0))
                found = table[i] == k if len(table) else np.zeros(len(k), bool)
            out[np.flatnonzero(todo)[found]] = self.state0[ln] + i[found]
        return out

    def _key_index(self, length: int) -> np.ndarray:
        """Per context key of `length` tokens: its index among the seen contexts, or -1."""
        index = self._key_indexes.get(length)
        if index is None:
            table = self.level_keys[length]
            index = np.full(self.base**length, -1, dtype=np.int32)
            index[table] = np.arange(len(table), dtype=np.int32)
            self._key_indexes[length] = index
        return index

    def state_for(self, ids: list[int]) -> int:
        """State after the start padding and the given token ids (unknown ids cut context)."""
        n = self.order - 1
        ctx = ([BOUNDARY] * n + list(ids))[len(ids) :] if n else []
        key = 0
        for t in ctx:
            key = key * self.base + t
        return int(self._longest_suffix(np.array([key], dtype=np.int64), n)[0])

    @property
    def length_range(self) -> tuple[int, int]:
        """Shortest and longest training line, in tokens."""
        nz = np.flatnonzero(self.length_counts)
        return (int(nz[0]), int(nz[-1])) if len(nz) else (1, 1)

    # ---------------------------------------------------------------- sampling

    def configure(
        self,
        *,
        min_length: int | None,
        max_length: int | None,
        prefix: str,
        suffix: str,
        novel: bool,
    ) -> _Config:
        model = self.model
        cond = normalize(prefix, lowercase=model.lowercase, locale=model.locale)
        tokens = list(cond) if self.mode == "char" else cond.split()
        ids = model.token_ids(tokens)
        oov = len(model.vocabulary)
        if oov in ids:  # a token the model never saw starts a new string: "Dr. " + name
            cut = len(ids) - ids[::-1].index(oov)
            tokens, ids = tokens[cut:], ids[cut:]
        if prefix[-1:].isspace():  # "Sir " + a name: the space ends the prefix's word
            tokens, ids = [], []
        p = len(tokens)
        powers = hash_powers(p)
        h0 = sum(token_hash(t) * int(w) for t, w in zip(tokens, powers.tolist(), strict=True))
        base_len = len(prefix) + len(suffix)
        # body lengths (tokens drawn) allowed; in char mode one token is one character
        lo, hi = 1, None
        if self.mode == "char":
            if min_length is not None:
                lo = max(lo, min_length - base_len)
            if max_length is not None:
                hi = max_length - base_len
        counts = self.length_counts[p + lo :] if p + lo < len(self.length_counts) else []
        weights = np.asarray(counts if hi is None else counts[: max(hi - lo + 1, 0)], np.int64)
        if weights.sum() == 0:  # no training line has an allowed length: try a few evenly
            top = lo + FALLBACK_SPAN - 1 if hi is None else min(hi, lo + FALLBACK_SPAN - 1)
            weights = np.ones(max(top - lo + 1, 1), dtype=np.int64)
        last = int(np.flatnonzero(weights)[-1])
        weights = weights[: last + 1]
        steps = lo + last + SEEK_SLACK  # room for rows that look for a place to end
        if hi is not None:
            steps = min(steps, hi)
        return _Config(
            min_length=min_length,
            max_length=max_length,
            base_len=base_len,
            # "Sir " already ends in its space; "Sir" needs one before the first word
            spaced_first=self.mode == "word" and bool(prefix) and not prefix[-1].isspace(),
            body_min=lo,
            cum=np.cumsum(weights),
            steps=steps,
            start=self.state_for(ids),
            h0=h0 % 2**64,
            tail=("" if self.mode == "char" else " ").join(tokens),
            prefix_tokens=p,
            novel=novel,
        )

    def lengths(self, rows: np.ndarray, key: int, cfg: _Config) -> np.ndarray:
        """Body length of each row, drawn from stream `key` (inverse CDF on exact integers)."""
        if len(cfg.cum) == 1:
            return np.full(len(rows), cfg.body_min, dtype=np.int64)
        with np.errstate(over="ignore"):
            z = rows.astype(np.uint64) * _GOLDEN + np.uint64(key)
            z ^= z >> _S30
            z *= _M1
            z ^= z >> _S27
            z *= _M2
            z ^= z >> _S31
        u = (z >> _S11).astype(np.float64) * _TWO_M53
        total = int(cfg.cum[-1])
        target = np.minimum((u * float(total)).astype(np.int64), total - 1)
        if total > _LENGTH_TABLE_MAX:
            return cfg.body_min + np.searchsorted(cfg.cum, target, side="right")
        key = cfg.cum.tobytes()
        table = self._length_tables.get(key)
        if table is None:  # searchsorted's answer for every possible target, once
            table = np.searchsorted(cfg.cum, np.arange(total), side="right").astype(np.int64)
            self._length_tables[key] = table
        return cfg.body_min + table[target]

    def walk(
        self,
        rows: np.ndarray,
        target: np.ndarray,
        keys: list[int],
        cfg: _Config,
        seek: bool = False,
        out: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Draw about target[i] tokens per row: (tokens [n, width], lengths, ended, suspicious).

        A row ends after exactly target[i] tokens if its context may end there;
        with `seek`, otherwise at the first later position where it may (within
        cfg.steps). Rows that cannot end have ended = False; suspicious rows took a
        draw that may complete a blocked word (checked exactly by `blocked`). Tokens are written
        from column 0, zeros after. `out` (zero-filled, that shape) is written in
        place when given.
        """
        n = len(rows)
        if out is None:
            out = np.zeros((n, self.width(cfg)), dtype=self.tok_dtype)
        fast = self.fast
        per = fast.per_draw
        keep_alias, emit = self.keep_alias, self.emit
        end_after, end_mid = self.end_after, self.end_mid
        flag = fast.flag if self.blocklist else None
        forced_mid, forced_after, forced_any = self.forced_mid, self.forced_after, self.forced_any
        length = np.zeros(n, dtype=np.int64)
        ended = np.zeros(n, dtype=bool)
        suspicious = np.zeros(n, dtype=bool)
        cells = out.view(self.pack_dtype) if per == 2 else out  # one cell per draw
        if per == 2:  # the low half of a cell: its first token
            first_token = self.pack_dtype.type((1 << (4 * self.pack_dtype.itemsize)) - 1)
        # preallocated work arrays: a draw allocates nothing of size n (large temporaries
        # would be fresh, page-faulting memory at every draw)
        z, t, t2, rg, sh, nx = (np.empty(n, dtype=np.uint64) for _ in range(6))
        j, b, left = (np.empty(n, dtype=np.int64) for _ in range(3))
        keep_col = np.empty(n, dtype=bool)
        np.multiply(rows.astype(np.uint64), _GOLDEN, out=rg)
        b.fill(fast.base[cfg.start])
        sh.fill(fast.shift[cfg.start])
        left[:] = target  # tokens still to draw before the row may end
        idx = np.arange(n)  # positions of the rows still drawing
        m = n
        with np.errstate(over="ignore"):
            for k in range(-(-cfg.steps // per)):
                zm, tm = z[:m], t[:m]
                np.add(rg[:m], np.uint64(keys[k]), out=zm)  # rng.mix of stream `step{k}`
                np.right_shift(zm, _S30, out=tm)
                np.bitwise_xor(zm, tm, out=zm)
                np.multiply(zm, _M1, out=zm)
                np.right_shift(zm, _S27, out=tm)
                np.bitwise_xor(zm, tm, out=zm)
                np.multiply(zm, _M2, out=zm)
                np.right_shift(zm, _S31, out=tm)
                np.bitwise_xor(zm, tm, out=zm)
                # column from the top bits; keep it or take its alias (low 32 bits vs threshold)
                np.right_shift(zm, sh[:m], out=tm)
                jm, km, t2m = j[:m], keep_col[:m], t2[:m]
                np.add(b[:m], tm.view(np.int64), out=jm)
                np.take(keep_alias, jm, out=t2m, mode="clip")
                np.bitwise_and(zm, _LOW32, out=tm)
                np.right_shift(t2m, _SLOT_BITS, out=zm)  # z is spent: the threshold
                np.less(tm, zm, out=km)
                np.bitwise_and(t2m, _SLOT_MASK, out=tm)
                am = np.where(km, jm, tm.view(np.int64))  # faster than a masked copy
                ix = idx[:m]
                drawn = emit[am]  # written to the row's cell once its stop is known
                if flag is not None:
                    hit = flag[am]
                    if hit.any():
                        suspicious[ix[hit]] = True
                lm = left[:m]
                lm -= per
                due = lm <= 0  # the target is this draw or behind
                if seek:  # a seeking row must also stop where its context only ever ended
                    due |= forced_any[am]
                if not due.any():
                    self._put(cells, ix, k, drawn, m == n)
                    self._next_state(am, nx[:m], b[:m], sh[:m])
                    continue
                d = np.flatnonzero(due)
                ld, ad = lm[d], am[d]
                pos = (k + 1) * per  # tokens drawn after this draw
                if per == 2:
                    at_mid, at_end = ld == -1, ld == 0
                    if seek:
                        at_mid |= (ld <= -2) | forced_mid[ad]
                        at_end |= (ld <= -1) | forced_after[ad]
                    stop_mid = at_mid & end_mid[ad]
                    stop = stop_mid | (at_end & end_after[ad]) if pos <= cfg.steps else stop_mid
                    length[ix[d]] = np.where(stop_mid, pos - 1, pos)
                    # a row ending after the first token of the draw drops the second
                    drawn[d[stop_mid]] &= first_token
                else:
                    stop = end_after[ad]
                    length[ix[d]] = pos
                ended[ix[d]] = stop
                self._put(cells, ix, k, drawn, m == n)
                if seek:  # a row due but not stopped goes on seeking, unless it cannot
                    give_up = ~stop & ((pos >= cfg.steps) | forced_any[ad])
                    out_of_walk = np.zeros(m, dtype=bool)
                    out_of_walk[d[stop | give_up]] = True
                    keep = np.flatnonzero(~out_of_walk)
                else:  # every due row stops or gives up
                    keep = np.flatnonzero(~due)
                am_keep = am[keep]
                m = len(keep)
                if not m:
                    break
                idx[:m], left[:m], rg[:m] = ix[keep], lm[keep], rg[keep]
                self._next_state(am_keep, nx[:m], b[:m], sh[:m])
        return out, length, ended, suspicious

    @staticmethod
    def _put(cells: np.ndarray, ix: np.ndarray, k: int, drawn: np.ndarray, in_place: bool):
        """Column k of the rows ix; while no row has stopped, ix is every row in order."""
        if in_place:
            cells[:, k] = drawn
        else:
            cells[ix, k] = drawn

    def _next_state(self, slots: np.ndarray, nx: np.ndarray, b: np.ndarray, sh: np.ndarray):
        """Table base and shift of the states the draws `slots` lead to, into b and sh."""
        np.take(self.next_table, slots, out=nx, mode="clip")
        np.bitwise_and(nx, _SLOT_MASK, out=b.view(np.uint64))
        np.right_shift(nx, _SLOT_BITS, out=sh)

    def width(self, cfg: _Config) -> int:
        """Columns of a walk's token matrix: every draw's tokens, and a zero after the last."""
        per = self.fast.per_draw
        return per * (-(-cfg.steps // per)) + per

    def judge(
        self, toks: np.ndarray, body: np.ndarray, ended: np.ndarray, cfg: _Config
    ) -> np.ndarray:
        """Failure reason of each walked row (0: accepted)."""
        reason = np.where(ended, _OK, _NO_END).astype(np.int8)
        if cfg.min_length is not None or cfg.max_length is not None:
            # in char mode the walk aims inside the bounds, but a seeking row (a late
            # attempt) stops early where its context only ever ended a training line
            if self.mode == "word":
                spaces = body - 1 + cfg.spaced_first
                chars = self.char_len[toks[:, : cfg.steps]].sum(axis=1) + spaces + cfg.base_len
            else:
                chars = body + cfg.base_len
            if cfg.min_length is not None:
                reason[(reason == _OK) & (chars < cfg.min_length)] = _SHORT
            if cfg.max_length is not None:
                reason[(reason == _OK) & (chars > cfg.max_length)] = _LONG
        if cfg.novel:
            hashes = self.model.training_hashes
            width = toks.shape[1]
            powers = hash_powers(cfg.prefix_tokens + width)[cfg.prefix_tokens :]
            with np.errstate(over="ignore"):
                terms = self.tok_hash[toks] * powers  # the boundary hashes to 0
                h = fmix64(terms.sum(axis=1, dtype=np.uint64) + np.uint64(cfg.h0))
            pos = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
            reason[(reason == _OK) & (hashes[pos] == h)] = _KNOWN
        return reason

    def blocked(self, toks: np.ndarray, body: np.ndarray, cfg: _Config) -> np.ndarray:
        """Which rows' generated text (prefix tail + body) contains a blocked word."""
        if not len(body) or not self.blocklist:
            return np.zeros(len(body), dtype=bool)
        text = self.strings(toks, body, cfg)
        if cfg.tail:
            text = pc.binary_join_element_wise(pa.scalar(cfg.tail), text, "")
        pattern = "|".join(re.escape(w) for w in self.blocklist)
        hit = pc.match_substring_regex(text, pattern, ignore_case=True)
        return hit.to_numpy(zero_copy_only=False)

    def strings(self, toks: np.ndarray, body: np.ndarray, cfg: _Config) -> pa.Array:
        """Arrow strings from a token matrix [n, width], zero after each row's end; no row loop."""
        n = len(body)
        flat = toks.reshape(-1)
        seq = flat.compress(flat != 0)  # row-major: each row's tokens, in order
        if self.ascii:
            data = seq  # the matrix holds the bytes themselves
            offsets = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(body, out=offsets[1:])
        else:
            seq = seq.astype(np.int64)
            if self.mode == "word":
                spaced = np.ones(len(seq), dtype=bool)
                if not cfg.spaced_first:
                    spaced[np.concatenate([[0], np.cumsum(body)[:-1]])] = False
                seq = seq + len(self.model.vocabulary) * spaced
            blen = self.pool_len[seq]
            cb = np.zeros(len(seq) + 1, dtype=np.int64)
            np.cumsum(blen, out=cb[1:])
            offsets = cb[np.concatenate([[0], np.cumsum(body)])]
            data = self.pool[np.repeat(self.pool_start[seq] - cb[:-1], blen) + np.arange(cb[-1])]
        if offsets[-1] >= 2**31:
            raise GenerationError("ngram: more than 2 GiB of text in one call; lower block_rows")
        return pa.StringArray.from_buffers(
            n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
        )


def _pair_tables(
    first: np.ndarray,
    deg: np.ndarray,
    tok: np.ndarray,
    nxt: np.ndarray,
    counts: np.ndarray,
    flag: np.ndarray,
) -> _Tables | None:
    """Tables drawing two tokens at once: every (entry, entry of the state it leads to).

    `first`/`deg` give each state's walking entries (state 0 and states that only
    end walk entry 0, "no token"). Weights are exact: P(t1 t2 | s) = c1/T(s) ·
    c2/T(s'), scaled per state by the least common multiple of its T(s').
    None when the tables would exceed PAIR_BUDGET entries.
    """
    csum = np.concatenate([[0], np.cumsum(counts)])
    totals = (csum[first + deg] - csum[first]).tolist()  # walking weight of each state
    reps_of = deg[nxt]  # entries of the state each entry leads to
    rsum = np.concatenate([[0], np.cumsum(reps_of)])
    if int((rsum[first + deg] - rsum[first]).sum()) > PAIR_BUDGET:
        return None
    e1_all, e2_all, pdeg = [np.zeros(1, np.int64)], [np.zeros(1, np.int64)], [1]
    weights: list[int] = [1]  # state 0: the "no token" entry twice
    for s in range(1, len(deg)):
        f, d = int(first[s]), int(deg[s])
        e1 = np.arange(f, f + d)
        reps = reps_of[e1]
        lcm = 1
        for s2 in sorted(set(nxt[e1].tolist())):
            lcm = math.lcm(lcm, totals[s2])
        e1r = np.repeat(e1, reps)
        within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        e2 = first[nxt[e1r]] + within
        weights.extend(
            c1 * c2 * (lcm // totals[s2])
            for c1, c2, s2 in zip(
                counts[e1r].tolist(), counts[e2].tolist(), nxt[e1r].tolist(), strict=True
            )
        )
        e1_all.append(e1r)
        e2_all.append(e2)
        pdeg.append(len(e1r))
    e1 = np.concatenate(e1_all)
    e2 = np.concatenate(e2_all)
    pdeg_a = np.asarray(pdeg, dtype=np.int64)
    pfirst = np.concatenate([[0], np.cumsum(pdeg_a)[:-1]]).astype(np.int64)
    w = np.empty(len(weights), dtype=object)
    w[:] = weights
    return _Tables.build(
        pfirst, pdeg_a, w, [tok[e1], tok[e2]], nxt[e2], nxt[e1], flag[e1] | flag[e2]
    )


_COMPILED: dict[tuple[str, tuple[str, ...]], Compiled] = {}


@functools.cache
def default_blocklist() -> tuple[str, ...]:
    """Words no generated value may contain: generators/models/blocklist.txt (lowercase)."""
    from ..resources import data_root

    path = data_root("generators") / "models" / "blocklist.txt"
    if not path.is_file():
        return ()
    words = (line.split("#", 1)[0].strip().lower() for line in path.read_text("utf-8").splitlines())
    return tuple(sorted({w for w in words if w}))


def compile_model(
    model: NgramModel, key: str | None = None, blocklist: tuple[str, ...] | None = None
) -> Compiled:
    """The compiled form of a model, cached by `key` (e.g. the file's checksum).

    `blocklist` defaults to generators/models/blocklist.txt; pass () to allow every value.
    """
    words = default_blocklist() if blocklist is None else tuple(blocklist)
    if key is None:
        return Compiled(model, words)
    hit = _COMPILED.get((key, words))
    if hit is None:
        hit = _COMPILED[(key, words)] = Compiled(model, words)
    return hit


def sample(
    compiled: Compiled,
    rows: np.ndarray,
    stream_key: Callable[[str], int],
    *,
    min_length: int | None = None,
    max_length: int | None = None,
    prefix: str = "",
    suffix: str = "",
    novel: bool = False,
    name: str = "model",
) -> pa.Array:
    """One string per row; row i's value depends only on the stream keys and rows[i].

    `stream_key(label)` gives the 64-bit key of a counter-based stream
    (phony_pdl.rng). Attempt a of a row uses labels `length` and `step{k}`
    (a = 0) or `try{a}:length` and `try{a}:step{k}`.
    """
    rows = np.asarray(rows, dtype=np.int64)
    n = len(rows)
    if n == 0:
        return pa.array([], type=pa.string())
    cfg = compiled.configure(
        min_length=min_length, max_length=max_length, prefix=prefix, suffix=suffix, novel=novel
    )
    draws = -(-cfg.steps // compiled.fast.per_draw)
    keys: list[tuple[int, list[int]]] = []

    def keys_for(attempt: int) -> tuple[int, list[int]]:
        while len(keys) <= attempt:
            label = f"try{len(keys)}:" if keys else ""
            keys.append(
                (
                    stream_key(f"{label}length"),
                    [stream_key(f"{label}step{k}") for k in range(draws)],
                )
            )
        return keys[attempt]

    toks = np.zeros((n, compiled.width(cfg)), dtype=compiled.tok_dtype)
    body = np.empty(n, dtype=np.int64)
    pending, reason = np.arange(n), np.zeros(0, dtype=np.int8)
    for attempt in range(MAX_ATTEMPTS):
        if not len(pending):
            break
        length_key, step_keys = keys_for(attempt)
        seek = attempt >= SEEK_AFTER
        still, why, check = [], [], []
        for lo in range(0, len(pending), CHUNK):
            sub = pending[lo : lo + CHUNK]
            r_sub = rows[sub]
            target = compiled.lengths(r_sub, length_key, cfg)
            if attempt == 0:  # sub is the contiguous range lo:lo+len(sub): write in place
                t, ln, ended, susp = compiled.walk(
                    r_sub, target, step_keys, cfg, seek, toks[lo : lo + len(sub)]
                )
                r = compiled.judge(t, ln, ended, cfg)
                body[lo : lo + len(sub)] = ln
            else:
                t, ln, ended, susp = compiled.walk(r_sub, target, step_keys, cfg, seek)
                r = compiled.judge(t, ln, ended, cfg)
                ok = r == _OK
                toks[sub[ok]] = t[ok]
                body[sub[ok]] = ln[ok]
            bad = r != _OK
            still.append(sub[bad])
            why.append(r[bad])
            check.append(sub[susp & ~bad])
        # accepted rows that took a suspicious draw: the exact blocklist check, once per attempt
        suspects = np.concatenate(check)
        hit = suspects[compiled.blocked(toks[suspects], body[suspects], cfg)]
        pending = np.concatenate([*still, hit])
        reason = np.concatenate([*why, np.full(len(hit), _BLOCKED, dtype=np.int8)])
    if len(pending):
        raise GenerationError(_give_up(compiled, name, n, reason, cfg))
    out = compiled.strings(toks, body, cfg)
    if prefix or suffix:
        out = pc.binary_join_element_wise(pa.scalar(prefix), out, pa.scalar(suffix), "")
    return out


def _give_up(compiled: Compiled, name: str, n: int, why: np.ndarray, cfg: _Config) -> str:
    counts = np.bincount(why, minlength=len(_REASONS) + 1)
    main = int(np.argmax(counts))
    lo, hi = compiled.length_range
    unit = "characters" if compiled.mode == "char" else "words"
    bounds = ", ".join(
        f"{k}={v}" for k, v in (("min_length", cfg.min_length), ("max_length", cfg.max_length))
        if v is not None
    )  # fmt: skip
    hints = {
        _NO_END: f"few of its contexts end a string at the lengths allowed ({bounds or 'none'}; "
        f"training lines are {lo}–{hi} {unit}): widen the bounds or retrain with a lower order",
        _SHORT: f"raise max_length or lower min_length ({bounds})",
        _LONG: f"raise max_length or lower min_length ({bounds})",
        _KNOWN: "the model mostly reproduces its training lines: drop `novel` or train on "
        "more, or more varied, lines",
        _BLOCKED: "the model keeps producing words of generators/models/blocklist.txt",
    }
    return (
        f"ngram model '{name}': {len(why):,} of {n:,} rows found no acceptable value after "
        f"{MAX_ATTEMPTS} attempts ({counts[main]:,} {_REASONS[main]}); {hints[main]}"
    )
