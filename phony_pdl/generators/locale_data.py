"""Locale packs (`generators/locales/<locale>/<family>.json`) prepared for vectorized sampling."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..resources import load_json, locale_fallbacks, locales_dir


@dataclass(frozen=True)
class Weighted:
    """Values with weights, sampled by inverse CDF over the cumulative weights."""

    values: pa.Array
    cumulative: np.ndarray  # normalised, last == 1.0

    @classmethod
    def build(cls, pairs: list[list[Any]]) -> Weighted:
        values = [p[0] for p in pairs]
        weights = np.asarray([float(p[1]) for p in pairs], dtype=np.float64)
        cumulative = np.cumsum(weights) / weights.sum()
        cumulative[-1] = 1.0
        return cls(pa.array(values), cumulative)

    def index(self, u: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.cumulative, u, side="right").astype(np.int64)

    def sample(self, u: np.ndarray) -> pa.Array:
        return self.values.take(pa.array(self.index(u)))

    def __len__(self) -> int:
        return len(self.values)


class LocalePack:
    """The JSON data of one family for one locale, with prepared samplers cached."""

    def __init__(self, locale: str, family: str, data: dict[str, Any]) -> None:
        self.locale = locale
        self.family = family
        self.data = data
        self._cache: dict[str, Any] = {}

    def weighted(self, key: str, *path: str) -> Weighted:
        cache_key = "/".join((key, *path))
        if cache_key not in self._cache:
            node = self.data[key]
            for p in path:
                node = node[p]
            self._cache[cache_key] = Weighted.build(node)
        return self._cache[cache_key]

    def strings(self, key: str) -> pa.Array:
        if key not in self._cache:
            self._cache[key] = pa.array(self.data[key], type=pa.string())
        return self._cache[key]

    def column(self, table: str, column: str) -> np.ndarray | pa.Array:
        cache_key = f"{table}.{column}"
        if cache_key not in self._cache:
            values = [row[column] for row in self.data[table]]
            if values and isinstance(values[0], float | int) and not isinstance(values[0], bool):
                self._cache[cache_key] = np.asarray(values)
            else:
                self._cache[cache_key] = pa.array(values, type=pa.string())
        return self._cache[cache_key]

    def table_weights(self, table: str) -> Weighted:
        cache_key = f"{table}#weights"
        if cache_key not in self._cache:
            pairs = [[i, row.get("weight", 1)] for i, row in enumerate(self.data[table])]
            self._cache[cache_key] = Weighted.build(pairs)
        return self._cache[cache_key]


@functools.cache
def load_pack(locale: str, family: str) -> LocalePack:
    """The pack for a family, following the fallback chain xx_YY → xx → en_US."""
    for candidate in locale_fallbacks(locale):
        if (locales_dir() / candidate / f"{family}.json").is_file():
            return LocalePack(
                candidate, family, load_json("generators", f"locales/{candidate}/{family}.json")
            )
    raise FileNotFoundError(f"no '{family}' data for locale '{locale}' or its fallbacks")
