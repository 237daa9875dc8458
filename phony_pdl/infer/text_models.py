"""Free-text columns → n-gram models: invented values in the column's own style.

A column of names or titles that matches no generator (airport names, product names)
gets a model trained on its values, sampled with `novel: true` so no generated value
copies a value of the sample: a word model of order 2 when values are several words
drawn from a shared vocabulary ("Big Horn County" from "Big Horn Basin" and "Horn
County"), else a character model of order 4. The model is registered in memory under
the relative path the schema names (`models/<entity>.<field>.<hash>.phony`, the hash of
the model so that two inferences in one process never share a path), and
`InferResult.write` saves it beside the schema.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..errors import GenerationError
from ..generators.ngram import register_model
from ..ngram import fileformat
from ..ngram.model import ModelError, NgramModel, Source, train_lines
from ..ngram.sample import Compiled, compile_model, sample
from ..ngram.smoothing import interpolated_size
from ..rng import derive_key
from .document import FieldOut

__all__ = ["MODEL_FOLDER", "text_model"]

MODEL_FOLDER = "models"
PROBE_ROWS = 2_000  # rows sampled at inference to check the model can invent novel values
# Least share of new values among a model's plain draws: a row gets up to 64 draws to find a
# new one, so at 0.3 a row fails once in ~10^10; at 12 % (a word model of "reboot on <id>")
# the probe passed and one row in ~4,000 then stopped generation.
MIN_NOVEL_SHARE = 0.3
# Most transitions a model may have once smoothed: sampling keeps about 60 bytes per
# transition (about 250 while compiling), and over random codes (TPC-H's addresses) every
# order-3 context sees the whole alphabet, so 150,000 addresses would need 230 million
# transitions (tens of GB, in `phony generate` too). A larger column trains on every 2nd,
# 4th, … value: 2**20 transitions take about 250 MB while compiling, 60 MB after.
MAX_TRANSITIONS = 1 << 20


def text_model(
    entity: str, source: str, f: FieldOut, models: dict[str, NgramModel]
) -> FieldOut | None:
    """`f` with an `ngram` generator instead of random letters, or None (model not usable)."""
    values = f.text or []
    lengths = [len(v) for v in values]
    lo, hi = max(min(lengths), 1), max(max(lengths), 1)
    tokens = [w for v in values for w in v.split()]
    words = len(tokens) / max(len(values), 1)
    shared = len(tokens) / max(len(set(tokens)), 1)  # uses per distinct word
    tries = [(2, "word"), (4, "char")] if words >= 1.5 and shared >= 2 else [(4, "char")]
    for order, mode in tries:
        try:
            model, stride = _bounded_model(values, order, mode, source, f.name)
        except ModelError:
            continue
        usable = _usable(model, values, lo, hi, derive_key(0, entity, f.name))
        if usable is not None:
            break
    else:
        return None
    model, compiled = usable
    digest = fileformat.checksum(fileformat.to_document(model)).split(":", 1)[1][:10]
    path = f"{MODEL_FOLDER}/{entity}.{f.name}.{digest}.phony"
    register_model(path, model, compiled)  # compiled once: a model of long text takes seconds
    models[path] = model
    distinct = len(set(values))
    spec = {"generator": "ngram", "model": path, "novel": True, "min_length": lo, "max_length": hi}
    spec.update({k: v for k, v in f.spec.items() if k in ("null_rate", "hidden")})
    kind = "word" if model.mode == "word" else "character"
    if stride == 1:
        comment = (
            f"free text: an order-{model.order} {kind} model of the {distinct:,} distinct values "
            "(new values only, none copied)"
        )
    else:
        trained = model.metadata["distinct_lines"]
        comment = (
            f"free text: an order-{model.order} {kind} model of every {_ordinal(stride)} value "
            f"({trained:,} of the {distinct:,} distinct values: a model of all would be too "
            "large to sample; new values only, none copied of those)"
        )
    return FieldOut(f.name, spec, comment)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _bounded_model(
    values: list[str], order: int, mode: str, source: str, column: str
) -> tuple[NgramModel, int]:
    """The model of every value, or of every 2nd, 4th, … value when it would have more than
    MAX_TRANSITIONS once smoothed, and that stride."""
    stride = 1
    while True:
        chosen = values[::stride]
        data = "\n".join(chosen).encode("utf-8")
        origin = Source(
            name=source, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), column=column
        )
        model = train_lines(chosen, order=order, mode=mode, source=origin)
        if interpolated_size(model) <= MAX_TRANSITIONS or len(chosen) < 2:
            return model, stride
        stride *= 2


def _usable(
    model: NgramModel, values: list[str], lo: int, hi: int, key: int
) -> tuple[NgramModel, Compiled] | None:
    """The model and its compiled form, if it invents enough values new to the whole column
    (`values`) of the observed lengths."""
    try:
        compiled = compile_model(model)
        plain = sample(
            compiled,
            np.arange(PROBE_ROWS, dtype=np.int64),
            lambda label: derive_key(key, label),
            min_length=lo,
            max_length=hi,
        ).to_pylist()
        seen = set(values)
        if sum(v not in seen for v in plain) < MIN_NOVEL_SHARE * len(plain):
            return None
        sample(
            compiled,
            np.arange(PROBE_ROWS, dtype=np.int64),
            lambda label: derive_key(key, label),
            min_length=lo,
            max_length=hi,
            novel=True,
        )
    except (ModelError, GenerationError):
        return None
    return model, compiled
