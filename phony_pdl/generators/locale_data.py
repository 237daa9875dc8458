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
    """Values with weights, sampled in O(1) per row with Walker's alias method.

    One uniform u picks a column i = floor(u·K) and reuses its fractional part to
    choose between column i and its alias, so each sample costs a few vector ops.
    """

    values: pa.Array
    probability: np.ndarray  # per column: chance of keeping the column itself
    alias: np.ndarray  # per column: the other value it points to

    @classmethod
    def build(cls, pairs: list[list[Any]]) -> Weighted:
        values = [p[0] for p in pairs]
        weights = np.asarray([float(p[1]) for p in pairs], dtype=np.float64)
        probability, alias = alias_table(weights)
        return cls(pa.array(values), probability, alias)

    def index(self, u: np.ndarray) -> np.ndarray:
        k = len(self.probability)
        scaled = u * k
        column = np.minimum(scaled.astype(np.int64), k - 1)
        keep = (scaled - column) < self.probability[column]
        return np.where(keep, column, self.alias[column])

    def sample(self, u: np.ndarray) -> pa.Array:
        return self.values.take(pa.array(self.index(u)))

    def __len__(self) -> int:
        return len(self.values)


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias method; deterministic (stable order of small/large columns)."""
    k = len(weights)
    scaled = weights / weights.sum() * k
    probability = np.ones(k)
    alias = np.arange(k, dtype=np.int64)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        probability[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    return probability, alias


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
