"""`.phony` n-gram models: train from text, store as gzipped JSON, sample vectorized.

Modules: `model` (normalisation, training, counts), `fileformat` (read, write,
check the file; spec/phony-format.md), `sample` (the vectorized sampler) and
`commands` (what `phony train`, `info`, `stats` and `validate` do).
"""

from .fileformat import dumps, loads, read, write
from .model import ModelError, NgramModel, train_lines
from .sample import compile_model

__all__ = [
    "ModelError",
    "NgramModel",
    "compile_model",
    "dumps",
    "loads",
    "read",
    "train_lines",
    "write",
]
