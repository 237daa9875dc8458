"""Tabulated quantile functions for the families whose scipy ppf is slow.

scipy inverts the gamma and beta CDFs numerically per value (2–8 µs each here, seconds per
million rows). Their quantile functions are smooth away from the ends of (0, 1), so a
cubic Hermite interpolant through exact quantiles at u = i/4096, with the exact slopes
dx/du = 1/pdf(x), reproduces them to far below any sampling error. Every interval is
checked when the table is built (at t = 1/4, 1/2, 3/4 of it: |F(x̂) − u| ≤ 1e-10, the
u-resolution numerical-inversion samplers such as UNU.RAN's PINV default to, and tighter
within 1 % of either end: 1e-10 · 100 · min(u, 1 − u)); an interval
that fails, and the two end intervals where the quantile function can have an infinite
slope, keep scipy's exact ppf (about 1–2 % of (0, 1) for common shapes). The table depends only on the distribution, never
on how many values a call asks for, so a value does not change with the block size.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

INTERVALS = 4096  # a power of two: u * INTERVALS is exact, so the interval and t are too
TOLERANCE = 1e-10  # largest |F(x̂) − u| accepted at the checked points of an interval
_CHECKS = np.array([0.25, 0.5, 0.75])


class QuantileTable:
    """ppf(u) for a frozen scipy distribution: interpolated where checked, else exact.

    Pieces are built on first use, so twenty draws cost about twenty pieces, not 4,096;
    a piece depends only on the distribution and its position, never on which others were
    built before it, so the values are the same however the draws arrive.
    """

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        k = INTERVALS
        self.x = np.zeros(k + 1)
        self.slope = np.zeros(k + 1)
        self.node_done = np.zeros(k + 1, dtype=bool)
        self.coef = np.zeros((k, 4))
        self.exact = np.zeros(k, dtype=bool)
        self.built = np.zeros(k, dtype=bool)
        # The end pieces, where the quantile function can have an infinite slope: scipy.
        self.exact[0] = self.exact[-1] = True
        self.built[0] = self.built[-1] = True
        self._lock = threading.Lock()

    def _build(self, pieces: np.ndarray) -> None:
        k = INTERVALS
        dist = self.dist
        nodes = np.unique(np.concatenate([pieces, pieces + 1]))
        nodes = nodes[~self.node_done[nodes]]
        with np.errstate(all="ignore"):  # infinite ends and zero densities are flagged below
            if len(nodes):
                x = dist.ppf(nodes.astype(np.float64) / k)
                self.x[nodes] = x
                self.slope[nodes] = 1.0 / dist.pdf(x) / k  # dx/dt with t = u·k − i
                self.node_done[nodes] = True
            x0, x1 = self.x[pieces], self.x[pieces + 1]
            m0, m1 = self.slope[pieces], self.slope[pieces + 1]
            # Power form of the Hermite cubic on t in [0, 1]: one gather of four numbers a value.
            coef = np.stack([x0, m0, 3 * (x1 - x0) - 2 * m0 - m1, 2 * (x0 - x1) + m0 + m1], axis=1)
            exact = ~(np.isfinite(coef).all(axis=1) & (x1 > x0))
            for t in _CHECKS:
                at = pieces.astype(np.float64) + t
                guess = self._horner(coef, np.full(len(pieces), t))
                want = at / k
                # Tighter towards the ends, where a small error in u is a large one in x
                # relative to x (a power-law tail: x ∝ u^(1/a)).
                tolerance = TOLERANCE * np.minimum(1.0, 100 * np.minimum(want, 1 - want))
                wrong = ~(np.abs(dist.cdf(guess) - want) <= tolerance)
                exact |= wrong | ~((guess >= x0) & (guess <= x1))
        coef[exact] = 0.0  # never read: those values come from scipy
        self.coef[pieces] = coef
        self.exact[pieces] = exact
        self.built[pieces] = True

    @staticmethod
    def _horner(coef: np.ndarray, t: np.ndarray) -> np.ndarray:
        return coef[:, 0] + t * (coef[:, 1] + t * (coef[:, 2] + t * coef[:, 3]))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        s = u * INTERVALS
        i = np.clip(s.astype(np.int64), 0, INTERVALS - 1)
        missing = ~self.built[i]
        if missing.any():
            with self._lock:
                pieces = np.unique(i[missing])
                pieces = pieces[~self.built[pieces]]
                if len(pieces):
                    self._build(pieces)
        out = self._horner(self.coef[i], s - i)
        slow = self.exact[i]
        if slow.any():
            out[slow] = self.dist.ppf(u[slow])
        return out

    @property
    def tabulated_share(self) -> float:
        """Share of (0, 1) answered from the table (the rest calls scipy), all pieces built."""
        rest = np.flatnonzero(~self.built)
        if len(rest):
            with self._lock:
                self._build(rest)
        return float(1.0 - self.exact.mean())


def quantile_table(dist: Any) -> QuantileTable:
    """The table of a frozen distribution, built once (frozen objects are cached)."""
    table = getattr(dist, "_phony_quantile_table", None)
    if table is None:
        table = QuantileTable(dist)
        dist._phony_quantile_table = table
    return table
