"""`format` on numbers (`"${:,.2f}"`, `"{:.1f}%"`, `"INV-{:05d}"`): what Python's format()
writes, vectorized; validated with the place and the fix."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.number_format import (
    NumberFormatError,
    format_numbers,
    looks_like_number_format,
    parse_number_format,
)
from phony_pdl.types import FLOAT, INT, DataType


def _python(text: str, value) -> str:
    """What Python writes, except that a negative value that rounds to zero is written as
    zero is (Python keeps the minus: -0.001 as '-0.00'). The texts around the number in
    these tests hold no digits."""
    out = text.format(value)
    negative = value.is_signed() if isinstance(value, Decimal) else math.copysign(1, value) < 0
    if negative and not any(c in "123456789" for c in out):
        return text.format(type(value)(0))
    return out


def _specs(kind: str) -> st.SearchStrategy[str]:
    sign = st.sampled_from(["", "+"])
    group = st.sampled_from(["", ",", "_"])
    digits = st.integers(0, 6).map(lambda d: f".{d}f") | st.integers(0, 4).map(lambda d: f".{d}%")
    width = st.integers(1, 14).map(lambda w: f"0{w}")
    tail = digits if kind == "float" else st.sampled_from(["", "d", ".2f", ".0f", ".1%", "%"])
    grouped = st.tuples(sign, group, tail).map("".join)
    padded = st.tuples(sign, width, tail).map("".join)
    return st.one_of(grouped, padded)


@settings(max_examples=300, deadline=None)
@given(
    spec=_specs("float"),
    values=st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=40),
    around=st.sampled_from([("", ""), ("$", ""), ("", "%"), ("€ ", " EUR"), ("{{", "}}")]),
)
def test_floats_are_written_as_python_formats_them(spec, values, around) -> None:
    text = f"{around[0]}{{:{spec}}}{around[1]}"
    got = format_numbers(pa.array(values, pa.float64()), parse_number_format(text), FLOAT)
    assert got.to_pylist() == [_python(text, v) for v in values]


@settings(max_examples=300, deadline=None)
@given(
    spec=_specs("int"),
    values=st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=40),
)
def test_integers_are_written_as_python_formats_them(spec, values) -> None:
    if spec.endswith("%"):  # six digits after the point, times 100: 8 more digits
        values = [v // 10**6 for v in values]
    text = f"#{{:{spec}}}"
    got = format_numbers(pa.array(values, pa.int64()), parse_number_format(text), INT)
    assert got.to_pylist() == [_python(text, v) for v in values]


@settings(max_examples=200, deadline=None)
@given(
    spec=st.sampled_from(["", ",", ".0f", ".1f", ",.2f", ".3f", "+,.5f", "012.2f", ".1%", ",%"]),
    cents=st.lists(st.integers(-(10**11), 10**11), min_size=1, max_size=40),
)
def test_decimals_are_written_as_python_formats_decimals(spec, cents) -> None:
    """Decimal values round half to even (Python's Decimal does too); without digits in
    the spec, the type's scale (decimal(14,3): three)."""
    values = [Decimal(c).scaleb(-3) for c in cents]
    text = f"{{:{spec}}}"
    kind = pa.decimal128(14, 3)
    got = format_numbers(
        pa.array(values, kind), parse_number_format(text), DataType("decimal", 14, 3)
    )
    assert got.to_pylist() == [_python(text, v) for v in values]


def test_rounding_ties_nulls_slices_and_negative_zero() -> None:
    fmt = parse_number_format("{:.2f}")
    # 0.125 is exactly a tie (even: 0.12); 2.675 is 2.67499999… in binary (2.67)
    assert format_numbers(pa.array([0.125, 2.675, 1.005, -0.001]), fmt, FLOAT).to_pylist() == [
        "0.12",
        "2.67",
        "1.00",
        "0.00",
    ]
    sliced = pa.array([1.5, None, 2.25, 3.0]).slice(1)
    assert format_numbers(sliced, fmt, FLOAT).to_pylist() == [None, "2.25", "3.00"]
    assert format_numbers(pa.array([], pa.float64()), fmt, FLOAT).to_pylist() == []
    padded = parse_number_format("{:025d}")  # zeros beyond the 20 digits of a uint64
    assert format_numbers(pa.array([-42]), padded, INT).to_pylist() == ["-" + "0" * 22 + "42"]


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("{:.2}", "'.2' without 'f'", "write '{:.2f}'"),
        ("{x:.2f}", "names its field ('x')", "write {:.2f}"),
        ("{}{}", "has 2 '{…}' fields", "'${:,.2f}'"),
        ("$$", "has no '{…}' for the number", "'{:.1f}%'"),
        ("{:09,d}", "pads with zeros and groups thousands", "drop the '09' or the ','"),
        ("{:.19f}", "19 digits after the point; at most 18", "use .18f or fewer"),
        ("{:q}", "'q' is not a number format spec", "[+][0width][,|_][.digits f | d]"),
        ("}{}", "has a '}' that closes no '{'", "write '}}' for a brace"),
        ("{:.2f", "opens a '{' it never closes", "write '{{' for a brace"),
    ],
)
def test_bad_number_formats_say_what_and_how_to_fix(text, message, hint) -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_number_format(text)
    assert message in caught.value.message and hint in caught.value.hint


def test_a_share_as_a_percentage() -> None:
    """`%` writes the number times 100 (a float in float arithmetic, as Python does: 0.0145
    is 1.4500000000000002 then, so 1.5%), with six digits unless told."""
    shares = pa.array([0.0145, 0.125, 1.0, None])
    fmt = parse_number_format("{:.1%}")
    assert format_numbers(shares, fmt, FLOAT).to_pylist() == ["1.5%", "12.5%", "100.0%", None]
    assert format_numbers(pa.array([3]), parse_number_format("{:%}"), INT).to_pylist() == [
        "300.000000%"
    ]
    assert format_numbers(pa.array([0.5]), parse_number_format("{:08.1%}"), FLOAT).to_pylist() == [
        "00050.0%"
    ]


def test_a_number_format_is_told_from_a_strftime_one() -> None:
    assert looks_like_number_format("${:,.2f}") and looks_like_number_format("{}")
    assert not looks_like_number_format("%d/%m/%Y") and not looks_like_number_format("{{%Y}}")


SCHEMA = """\
pdl: 1
name: money
entities:
  invoices:
    count: 300
    fields:
      id:      { sequence: 1, format: "INV-{:05d}" }
      amount:  { distribution: lognormal, median: 900, sigma: 1.5, format: "${:,.2f}" }
      exact:   { type: "decimal(10,2)", between: [-5000, 5000], format: "{:+,}" }
      rate:    { distribution: uniform, min: 0, max: 40, format: "{:.1f}%" }
      qty:     { type: int, between: [1, 20000], format: "{:,d} pcs", null_rate: 0.3 }
  lines:
    count: { per: invoices, const: 2 }
    fields:
      invoice_id: { ref: invoices.id }
"""


def test_formatted_numbers_in_a_schema_and_a_key_its_references_follow(tmp_path) -> None:
    schema = phony_pdl.load(SCHEMA)
    out = schema.generate()
    invoices, lines = out["invoices"], out["lines"]
    assert all(pa.types.is_string(t) for t in invoices.schema.types)
    assert invoices["id"].to_pylist()[:2] == ["INV-00001", "INV-00002"]
    assert set(lines["invoice_id"].to_pylist()) <= set(invoices["id"].to_pylist())
    for text in invoices["amount"].to_pylist():
        assert text.startswith("$") and float(text[1:].replace(",", "")) > 0
        assert len(text.split(".")[1]) == 2
    qty = invoices["qty"].to_pylist()
    assert 0.2 < qty.count(None) / len(qty) < 0.4
    assert all(q is None or q.endswith(" pcs") for q in qty)
    schema.generate().write(tmp_path, format="parquet")
    assert pq.read_table(tmp_path / "invoices.parquet").equals(invoices)


def test_formats_of_numbers_are_validated_at_their_place() -> None:
    text = SCHEMA.replace('format: "{:.1f}%"', 'format: "%.1f"').replace(
        'format: "{:,d} pcs"', 'format: "{:,.1}"'
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    first, second = exc.value.diagnostics
    assert first.code == second.code == "invalid-value"
    assert "'%.1f' has no '{…}' for the number" in first.message
    assert (first.span.line, first.span.column) == (10, 66)
    assert "rate is a float: a number's format puts the number in '{}'" in first.hint
    assert "'.1' without 'f'" in second.message
    assert (second.span.line, second.span.column) == (11, 58)


def test_a_float_needs_digits_and_d_needs_an_integer() -> None:
    base = "pdl: 1\nname: t\nentities:\n  a:\n    count: 5\n    fields:\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(base + "      x: { distribution: normal, mean: 0, sd: 1, format: '{:,}' }\n")
    [d] = exc.value.diagnostics
    assert "does not say how many digits after the point" in d.message
    assert d.hint == "write the digits with f: '{:,.2f}'"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(base + "      x: { type: 'decimal(8,2)', format: '{:d}' }\n")
    [d] = exc.value.diagnostics
    assert "writes whole numbers ('d'); x is a decimal(8,2)" in d.message
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(base + "      d: { type: date, format: '{:,.2f}' }\n")
    [d] = exc.value.diagnostics
    assert "is a number's; d is a date" in d.message


def test_a_copy_of_a_formatted_number_is_refused_and_points_at_the_fix() -> None:
    text = SCHEMA + "      price: { from: invoice_id.exact }\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "type-mismatch" and "its values are text, not numbers" in d.message


def test_large_values_and_infinities_are_refused_with_the_field() -> None:
    with pytest.raises(phony_pdl.GenerationError, match="does not fit the format's 2 digits"):
        format_numbers(pa.array([2**62]), parse_number_format("{:.2f}"), INT)
    with pytest.raises(phony_pdl.GenerationError, match="infinite values or NaN"):
        format_numbers(pa.array([np.inf]), parse_number_format("{:.2f}"), FLOAT)
