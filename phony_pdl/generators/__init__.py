"""Generator code: the registry and one module per family (data lives in /generators)."""

from .registry import GeneratorSpec, Params, generator

__all__ = ["GeneratorSpec", "Params", "generator"]
