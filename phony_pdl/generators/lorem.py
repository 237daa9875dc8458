"""lorem.*: placeholder Latin text (lorem.json; en_US's list serves every locale).

Variable-length text is built as Arrow list arrays and joined by one kernel call: row
i's k-th word is drawn from a stream at counter i·K + k, so it depends on the row alone.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import model_validator

from ..types import STRING
from ._common import pick, scaled
from .context import GenContext
from .locale_data import load_pack
from .registry import Params, generator

MAX_WORDS = 64
MAX_SENTENCES = 32


def words_of(ctx: GenContext) -> pa.Array:
    pack = ctx.pack("lorem")
    if "lorem:words" not in pack._cache:
        pack._cache["lorem:words"] = pa.array(pack.data["words"], type=pa.string())
    return pack._cache["lorem:words"]


def word_lists(
    ctx: GenContext, index: np.ndarray, lo: int, hi: int, label: str, stride: int
) -> pa.Array:
    """For each counter in `index`, a list of lo..hi words (stride ≥ hi keeps them apart)."""
    words = words_of(ctx)
    counts = lo + ctx.stream(f"{label}:n").integers(index, hi - lo + 1)
    offsets = np.zeros(len(index) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    owner = np.repeat(index, counts)
    position = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], counts)
    u = ctx.stream(f"{label}:w").uniform(owner * stride + position)
    flat = words.take(pa.array(scaled(u, len(words))))
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def sentences(ctx: GenContext, index: np.ndarray, lo: int, hi: int, label: str) -> pa.Array:
    joined = pc.binary_join(word_lists(ctx, index, lo, hi, label, MAX_WORDS), " ")
    return pc.binary_join_element_wise(pc.utf8_capitalize(joined), ".", "")


class WordsRange(Params):
    min_words: int = 4
    max_words: int = 12

    @model_validator(mode="after")
    def _bounds(self) -> WordsRange:
        if not 1 <= self.min_words <= self.max_words <= MAX_WORDS:
            raise ValueError(f"need 1 <= min_words <= max_words <= {MAX_WORDS}")
        return self


class ParagraphParams(Params):
    min_sentences: int = 3
    max_sentences: int = 6

    @model_validator(mode="after")
    def _bounds(self) -> ParagraphParams:
        if not 1 <= self.min_sentences <= self.max_sentences <= MAX_SENTENCES:
            raise ValueError(f"need 1 <= min_sentences <= max_sentences <= {MAX_SENTENCES}")
        return self


@generator(
    "lorem.word",
    returns=STRING,
    family="lorem",
    summary="One lorem-ipsum word.",
    domain=lambda p, locale: len(set(load_pack(locale, "lorem").data["words"])),
)
def word(ctx: GenContext, p: Params) -> pa.Array:
    return pick(words_of(ctx), ctx.uniform())


@generator(
    "lorem.words",
    params=WordsRange,
    returns=STRING,
    family="lorem",
    summary="Lower-case lorem words, min_words..max_words of them, separated by spaces.",
)
def words(ctx: GenContext, p: WordsRange) -> pa.Array:
    return pc.binary_join(word_lists(ctx, ctx.rows, p.min_words, p.max_words, "w", MAX_WORDS), " ")


@generator(
    "lorem.sentence",
    params=WordsRange,
    returns=STRING,
    family="lorem",
    summary="A capitalised sentence of min_words..max_words words ending in a full stop.",
)
def sentence(ctx: GenContext, p: WordsRange) -> pa.Array:
    return sentences(ctx, ctx.rows, p.min_words, p.max_words, "s")


class TitleWords(WordsRange):
    min_words: int = 2
    max_words: int = 6


@generator(
    "lorem.title",
    params=TitleWords,
    returns=STRING,
    family="lorem",
    summary="A headline of min_words..max_words lorem words, each capitalised, no full stop "
    "(a post's title, a ticket's subject).",
)
def title(ctx: GenContext, p: TitleWords) -> pa.Array:
    lists = word_lists(ctx, ctx.rows, p.min_words, p.max_words, "t", MAX_WORDS)
    return pc.utf8_title(pc.binary_join(lists, " "))


@generator(
    "lorem.paragraph",
    params=ParagraphParams,
    returns=STRING,
    family="lorem",
    summary="Paragraph of min_sentences..max_sentences sentences of 4–12 words each.",
)
def paragraph(ctx: GenContext, p: ParagraphParams) -> pa.Array:
    rows = ctx.rows
    counts = p.min_sentences + ctx.stream("p:count").integers(
        rows, p.max_sentences - p.min_sentences + 1
    )
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    position = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], counts)
    sentence_index = np.repeat(rows, counts) * MAX_SENTENCES + position
    flat = sentences(ctx, sentence_index, 4, 12, "p")
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), flat), " ")
