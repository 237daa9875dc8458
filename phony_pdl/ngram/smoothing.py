"""The distributions the sampler walks: Witten-Bell interpolation down to one-token contexts.

A context seen only a few times in training has a handful of continuations, and
a walk that reaches it copies the training line it came from. Interpolating
each context's counts with those of its shorter suffixes (the same Witten-Bell
weights `NgramModel.log2_likelihood` scores with) lets such a context continue
the way its last token usually does, so a small corpus yields far more distinct
values (spec/phony-format.md, "Sampling"):

    P_k(t | c) = (C(c, t) + T(c) * P_{k-1}(t | c')) / (N(c) + T(c))

where c' is c without its oldest token, N(c) its total count and T(c) its number
of distinct continuations (both counting the end marker). The recursion stops at
contexts of one token: a value never shows a two-token sequence absent from the
training data, which keeps the output pronounceable.

All arithmetic is on integers (each context's weights are rescaled to sum to
SCALE, rounding down), so the tables are the same on every machine. The end
marker keeps its place only in contexts that ended a training line, since the
sampler ends values only where the training data did.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .model import BOUNDARY, Level, NgramModel

__all__ = ["FLOOR", "SCALE", "interpolated", "interpolated_size"]

SCALE = 1 << 24  # each smoothed context's weights sum to about this
FLOOR = 1  # shortest context length that is interpolated with nothing shorter
_MAX_COUNT = 1 << 38  # counts * SCALE stays inside int64


def _concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices starts[0]..starts[0]+lengths[0]-1, then the next range, and so on."""
    shift = starts - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(shift, lengths)


def interpolated(model: NgramModel, floor: int = FLOOR) -> tuple[Level, ...]:
    """The model's levels with each context's counts replaced by interpolated weights.

    Levels shorter than `floor` keep their counts and the floor level its ratios.
    Contexts and their order are unchanged; each context gains the continuations
    of its suffixes, and the end marker stays where the raw counts had it.
    """
    levels = list(model.levels)
    base = model.base
    parent: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # offsets, tokens, weights
    for k, level in enumerate(model.levels):
        if k < floor or level.n_contexts == 0:
            continue
        deg = level.context_degrees().astype(np.int64)
        owner = np.repeat(np.arange(level.n_contexts, dtype=np.int64), deg)
        counts = level.counts.astype(np.int64)
        peak = int(counts.max()) if len(counts) else 0
        if peak >= _MAX_COUNT:  # keep counts * SCALE in range (ratios barely move)
            counts = -(-counts * (_MAX_COUNT - 1) // peak)
        owner_of, token, weight = owner, level.next.astype(np.int64), counts * SCALE
        if k > floor and parent is not None:
            p_off, p_tok, p_w = parent
            suffix = level.context_keys(base) % base ** (k - 1)
            p_keys = model.levels[k - 1].context_keys(base)
            j = np.searchsorted(p_keys, suffix)  # every suffix of a seen context was seen
            p_len = np.diff(p_off)[j]
            take = _concat_ranges(p_off[:-1][j], p_len)
            inherit = np.repeat(np.arange(level.n_contexts, dtype=np.int64), p_len)
            key = np.concatenate([owner * base + token, inherit * base + p_tok[take]])
            weight = np.concatenate([weight, deg[inherit] * p_w[take]])
            order = np.argsort(key, kind="stable")
            key, weight = key[order], weight[order]
            starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
            weight = np.add.reduceat(weight, starts)
            owner_of, token = key[starts] // base, key[starts] % base
        first = np.searchsorted(owner_of, np.arange(level.n_contexts))
        total = np.add.reduceat(weight, first)
        scaled = weight * SCALE // total[owner_of]
        keep = scaled > 0
        owner_of, token, scaled = owner_of[keep], token[keep], scaled[keep]
        offsets = np.concatenate(
            [[0], np.cumsum(np.bincount(owner_of, minlength=level.n_contexts))]
        )
        parent = (offsets.astype(np.int64), token, scaled)
        ended = np.zeros(level.n_contexts, dtype=bool)
        ended[owner[level.next == BOUNDARY]] = True
        show = ~((token == BOUNDARY) & ~ended[owner_of])
        owner_out = owner_of[show]
        levels[k] = replace(
            level,
            offsets=np.concatenate(
                [[0], np.cumsum(np.bincount(owner_out, minlength=level.n_contexts))]
            ).astype(np.int64),
            next=token[show],
            counts=scaled[show],
        )
    return tuple(levels)


def interpolated_size(model: NgramModel, floor: int = FLOOR) -> int:
    """At most how many transitions `interpolated(model)` gives, without building them.

    A context gains its suffix's continuations, so its count is at most its own plus its
    suffix's (and never more than the vocabulary and the end marker): over random codes
    nearly every context of order-1 tokens sees every token, and the tables the sampler
    builds grow with contexts times vocabulary, not with the training text.
    """
    base = model.base
    total = 0
    parent: np.ndarray | None = None  # per context of the previous level: its bound
    for k, level in enumerate(model.levels):
        deg = level.context_degrees().astype(np.int64)
        if k < floor or level.n_contexts == 0 or parent is None or k == floor:
            bound = deg
        else:
            suffix = level.context_keys(base) % base ** (k - 1)
            j = np.searchsorted(model.levels[k - 1].context_keys(base), suffix)
            bound = np.minimum(deg + parent[j], base)
        total += int(bound.sum())
        parent = bound if k >= floor else None
    return total
