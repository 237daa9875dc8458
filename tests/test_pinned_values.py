"""Version stability: exact values of the random streams and of a few engine columns.

Output is a pure function of (PDL, seed, scale, Phony version). These numbers must not
move when numpy, scipy, pyarrow or Python change, nor by accident in a refactor: a change
to key derivation (derive_key), the bit mixer (mix) or a transform (uniform, integers,
inverse CDFs, choice's alias table) fails here, loudly, before the golden hashes do.
A deliberate change updates these values and says so in CHANGELOG.md.

The stream layer is exact by construction (SHA-256, uint64 wrap-around, IEEE-754
doubles), so it is compared with ==. Continuous distributions go through scipy's inverse
CDFs, which may differ in the last bit between builds; those are compared to 12
significant digits, far tighter than any change of key, transform or parameters.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

import phony_pdl
from phony_pdl.rng import Stream, derive_key, mix

ROWS = np.arange(5, dtype=np.int64)


def test_derive_key() -> None:
    assert derive_key(1, "customers", "age", "") == 18097065270327188876
    assert derive_key(42, "orders", "#count") == 11677671101370203734
    assert derive_key(0) == 4066689987807800415
    assert derive_key(2**40, "é", 7) == 10916100010683646690


def test_derive_key_labels_are_text() -> None:
    assert derive_key(1, "a", 7) == derive_key(1, "a", "7")  # labels are joined as text
    assert derive_key(True, "a") == derive_key(1, "a")  # the seed is an int


def test_mix() -> None:
    key = derive_key(1, "t", "x", "")
    counters = np.array([0, 1, 2, 2**32, 2**62], dtype=np.int64)
    assert mix(key, counters).tolist() == [
        3366593621130363986,
        456693742023476211,
        606198628888614759,
        2745103759841233253,
        8696124538060638606,
    ]
    assert mix(key, counters).dtype == np.uint64


def test_stream_transforms() -> None:
    s = Stream(7, "t", "x", "")
    assert s.key == 10283047883929734727
    assert s.uniform(ROWS).tolist() == [
        0.10475417619729122,
        0.3369104114012208,
        0.09370778663669166,
        0.2496101113568494,
        0.09466586872700411,
    ]
    assert s.open_uniform(ROWS).tolist() == [
        0.10475417619729127,
        0.33691041140122086,
        0.09370778663669171,
        0.24961011135684946,
        0.09466586872700417,
    ]
    assert s.integers(ROWS, 10).tolist() == [1, 3, 0, 2, 0]
    assert s.integers(ROWS, 16).tolist() == [1, 5, 1, 3, 1]  # power of two: top bits
    assert s.integers(ROWS, 1).tolist() == [0, 0, 0, 0, 0]
    assert s.integers(np.array([10**12]), 1_000_003).tolist() == [469473]
    assert s.sub("a").key == 12495508303867597164


def test_stream_is_addressed_by_row_not_position() -> None:
    s = Stream(7, "t", "x", "")
    assert s.uniform(np.array([4, 0])).tolist() == [0.09466586872700411, 0.10475417619729122]


PINS = {
    "pdl": 1,
    "name": "pins",
    "seed": 3,
    "entities": {
        "t": {
            "count": 5,
            "fields": {
                "id": {"sequence": 1},
                "n": {"distribution": "normal", "mean": 50, "sd": 10},
                "e": {"distribution": "exponential", "mean": 3},
                "c": {"choice": {"a": 50, "b": 30, "c": 20}},
                "k": {"type": "int", "min": 1, "max": 100},
                "d": {"type": "date", "between": ["2020-01-01", "2020-12-31"]},
            },
        },
    },
}


@pytest.fixture(scope="module")
def table():
    return phony_pdl.load(PINS).generate(seed=1)["t"]


def test_normal_field(table) -> None:
    assert table.column("n").to_pylist() == pytest.approx(
        [45.82612725577559, 33.44876208784453, 44.332807408464866, 71.46045846635889,
         57.61613302945281],
        rel=1e-12,
    )  # fmt: skip


def test_exponential_field(table) -> None:
    assert table.column("e").to_pylist() == pytest.approx(
        [6.840472076684996, 1.9375619531310915, 2.3944920941189727, 1.1776459141761144,
         2.347440863999969],
        rel=1e-12,
    )  # fmt: skip


def test_choice_int_and_date_fields(table) -> None:
    assert table.column("c").to_pylist() == ["b", "a", "a", "b", "c"]
    assert table.column("k").to_pylist() == [30, 30, 100, 39, 13]
    assert table.column("d").to_pylist() == [
        dt.date(2020, 6, 6),
        dt.date(2020, 5, 12),
        dt.date(2020, 11, 14),
        dt.date(2020, 5, 31),
        dt.date(2020, 1, 17),
    ]


def test_seed_argument_overrides_document_seed(table) -> None:
    other = phony_pdl.load(PINS).generate()["t"]  # the document's seed, 3
    assert other.column("k").to_pylist() != table.column("k").to_pylist()


def test_ref_and_from_columns() -> None:
    """A uniform foreign-key pick and a value read through it, at seed 1."""
    ds = phony_pdl.load(
        {
            "pdl": 1,
            "name": "pin_shop",
            "entities": {
                "products": {
                    "count": 20,
                    "fields": {
                        "id": {"sequence": 1},
                        "price": {"type": "decimal(10,2)", "min": 1, "max": 100},
                    },
                },
                "items": {
                    "count": 5,
                    "fields": {
                        "id": {"sequence": 1},
                        "product_id": {"ref": "products.id"},
                        "price": {"from": "product_id.price"},
                    },
                },
            },
        }
    ).generate(seed=1)
    items = ds["items"]
    assert items.column("product_id").to_pylist() == [4, 18, 17, 15, 3]
    assert items.column("price").to_pylist() == [
        Decimal(v) for v in ("38.88", "59.17", "19.81", "72.42", "90.58")
    ]


def test_open_uniform_never_reaches_one() -> None:
    """The top 53-bit draw plus a half rounded to exactly 1.0, an infinite quantile for a
    distribution unbounded above (a 2**-53 chance per row)."""
    from phony_pdl.rng import Stream

    class Top(Stream):
        __slots__ = ()

        def raw(self, rows: np.ndarray) -> np.ndarray:
            return np.array([2**64 - 1, 0], dtype=np.uint64)

    u = Top(1, "x").open_uniform(np.arange(2))
    assert u[1] > 0.0 and u[0] == np.nextafter(1.0, 0.0)
