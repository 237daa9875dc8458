"""Parameters of `series: value` fields (validated like a generator's parameters)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class SeriesValueParams(BaseModel):
    """`{series: value, model: ar1, mean: 20, sd: 0.5, phi: 0.9, daily: 3, noise: 0.2}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    model: Literal["ar1", "random_walk", "constant"] = "ar1"
    mean: float = 0.0  # level of `ar1` and `constant`; first value of `random_walk` unless `start`
    start: float | None = None  # first value of a random walk
    sd: float = 1.0  # innovation standard deviation per step
    phi: float = 0.9  # AR(1) persistence, |phi| < 1
    daily: float = 0.0  # amplitude of a 24-hour cycle
    weekly: float = 0.0  # amplitude of a 7-day cycle
    peak_hour: float = 15.0  # hour of the day the daily cycle peaks
    noise: float = 0.0  # extra white noise (standard deviation)

    @model_validator(mode="after")
    def _check(self) -> SeriesValueParams:
        if not self.sd > 0:
            raise PydanticCustomError(
                "bad-distribution-param", "sd={sd} must be positive", {"sd": self.sd}
            )
        if not -1 < self.phi < 1:
            raise PydanticCustomError(
                "bad-distribution-param",
                "phi={phi} must lie strictly between -1 and 1",
                {"phi": self.phi},
            )
        if self.noise < 0:
            raise PydanticCustomError("bad-distribution-param", "noise must be >= 0", {})
        if not 0 <= self.peak_hour < 24:
            raise PydanticCustomError("bad-distribution-param", "peak_hour must be in [0, 24)", {})
        return self
