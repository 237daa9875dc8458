"""Semantic validation: every problem at once, as data, through the public API."""

from __future__ import annotations

import re

import pytest

import phony_pdl
from phony_pdl import SchemaError


def doc(**users_fields: dict) -> dict:
    return {"pdl": 1, "name": "t", "entities": {"users": {"count": 10, "fields": users_fields}}}


def test_load_accepts_path_text_and_dict(root) -> None:
    by_path = phony_pdl.load(root / "examples" / "shop.yaml")
    by_text = phony_pdl.load((root / "examples" / "shop.yaml").read_text())
    by_dict = phony_pdl.load(doc(id={"sequence": 1}))
    assert by_path.name == by_text.name == "shop"
    assert list(by_dict.entities) == ["users"]


def test_every_problem_is_reported_sorted_by_position() -> None:
    text = (
        "pdl: 1\nname: t\nentities:\n  users:\n    count: -1\n    fields:\n"
        "      id: { sequence: 1 }\n      a: { distribution: normal, sd: 0 }\n"
        "      b: { generator: internet.emial }\n      c: { choice: { x: -1, y: 2 } }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    diags = exc.value.diagnostics
    assert [d.code for d in diags] == [
        "bad-count",
        "bad-distribution-param",
        "unknown-generator",
        "bad-weights",
    ]
    assert [d.span.line for d in diags] == [5, 8, 9, 10]
    assert diags[2].hint == "did you mean 'internet.email'?"
    assert diags[2].to_dict()["path"] == "entities.users.fields.b.generator"


@pytest.mark.parametrize(
    ("faker", "hint"),
    [
        ("person.name", "did you mean 'person.full_name'? (Faker's 'name')"),
        ("address.zipcode", "did you mean 'address.postal_code'? (Faker's 'zipcode')"),
        ("address.state", "did you mean 'address.region'? (Faker's 'state')"),
        ("company.company", "did you mean 'company.name'? (Faker's 'company')"),
        ("phone.phone_number", "did you mean 'phone.number'? (Faker's 'phone_number')"),
        (
            "person.first_name_female",
            "did you mean 'person.first_name' with gender: female? (Faker's 'first_name_female')",
        ),
    ],
)
def test_fakers_names_get_phonys(faker: str, hint: str) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(x={"generator": faker}))
    (diag,) = exc.value.diagnostics
    assert diag.code == "unknown-generator"
    assert diag.hint == hint
    assert str(exc.value).endswith(f"({hint})")  # str() alone says how to fix it


def test_schema_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown generator"):
        phony_pdl.load(doc(id={"sequence": 1}, x={"generator": "nope.nope"}))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"x": {"type": "int", "min": 5, "max": 1}}, "min-greater-than-max"),
        ({"x": {"type": "date", "between": ["2024-05-01", "2024-01-01"]}}, "min-greater-than-max"),
        ({"x": {"choice": [1, 2], "unique": True}}, "impossible-unique"),
        (
            {"x": {"type": "date", "between": ["2024-01-01", "2024-01-05"], "unique": True}},
            "impossible-unique",
        ),
        ({"x": {"pattern": "[AB][0-9]", "unique": True}}, None),  # 20 values ≥ 10 rows
        ({"x": {"pattern": "[AB]", "unique": True}}, "impossible-unique"),
        ({"x": {"null_rate": -0.1, "const": 1}}, "bad-null-rate"),
        ({"x": {"expr": "y + 1"}, "y": {"expr": "x + 1"}}, "field-cycle"),
        ({"x": {"expr": "NTILE(4) OVER (ORDER BY y)"}, "y": {"const": 1}}, "bad-expression"),
        (
            {"x": {"expr": "SUM(y) OVER (ORDER BY y ROWS 2 PRECEDING)"}, "y": {"const": 1}},
            "bad-expression",
        ),
        ({"x": {"expr": "SUM(y) OVER (PARTITION BY y ORDER BY y)"}, "y": {"const": 1}}, None),
        ({"x": {"distribution": "uniform"}}, "bad-distribution-param"),
        (
            {"x": {"distribution": "lognormal", "median": 5, "mean": 5, "sigma": 1}},
            "bad-distribution-param",
        ),
        ({"x": {"after": "y", "gap": "3 days"}, "y": {"type": "datetime"}}, "bad-duration"),
        ({"x": {"after": "y", "gap": "P1M"}, "y": {"type": "datetime"}}, "bad-duration"),
        ({"x": {"after": "y"}, "y": {"type": "int"}}, "type-mismatch"),
        ({"x": {"const": "abc", "type": "int"}}, "type-mismatch"),
        ({"x": {"type": "decimal(40,2)"}}, "unknown-type"),
        ({"x": {"template": "{y"}}, "bad-template"),
        ({"x": {"pattern": "(?=a)"}}, "bad-pattern"),
        ({"x": {"ref": "users"}}, "invalid-value"),
        ({"x": {"sequence": 1, "gap": "1h"}}, "misplaced-key"),
        ({"x": {"const": 1, "locale": "xx_YY"}}, "unknown-locale"),
        ({"x": {"const": 1}}, None),
    ],
)
def test_field_rules(fields: dict, code: str | None) -> None:
    fields = {"id": {"sequence": 1}, **fields}
    if code is None:
        phony_pdl.load(doc(**fields))
        return
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(**fields))
    assert code in exc.value.codes


def test_nullable_fk_cycle_is_allowed_and_not_null_cycle_is_not() -> None:
    base = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {"count": 2, "fields": {"id": {"sequence": 1}, "b_id": {"ref": "b.id"}}},
            "b": {"count": 2, "fields": {"id": {"sequence": 1}, "a_id": {"ref": "a.id"}}},
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(base)
    assert exc.value.codes == ["fk-cycle"]
    base["entities"]["a"]["fields"]["b_id"]["nullable"] = True
    schema = phony_pdl.load(base)
    assert schema.entity_order() == ["a", "b"]  # a loads first with b_id NULL


def test_per_parent_composite_uniqueness_uses_children_per_parent() -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "orders": {"count": 5, "fields": {"id": {"sequence": 1}}},
            "products": {"count": 3, "fields": {"id": {"sequence": 1}}},
            "items": {
                "count": {"per": "orders", "const": 4},
                "unique": [["order_id", "product_id"]],
                "fields": {"order_id": {"ref": "orders.id"}, "product_id": {"ref": "products.id"}},
            },
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    assert exc.value.codes == ["impossible-unique"]
    assert "4 rows per 'orders' row" in exc.value.diagnostics[0].message
    schema["entities"]["items"]["count"]["const"] = 3
    phony_pdl.load(schema)


def test_timeline_probability_expressions_are_not_summed() -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "orders": {
                "count": 3,
                "fields": {
                    "id": {"sequence": 1},
                    "at": {"type": "datetime"},
                    "total": {"distribution": "normal", "mean": 100, "sd": 10},
                },
            },
            "events": {
                "timeline": {
                    "for": "orders",
                    "start": "orders.at",
                    "initial": "new",
                    "states": {
                        "new": {
                            "next": {
                                "paid": "CASE WHEN total > 100 THEN 0.8 ELSE 0.9 END",
                                "lost": "0.1",
                            }
                        },
                        "paid": {},
                        "lost": {},
                    },
                },
                "fields": {"order_id": {"ref": "orders.id"}, "state": {"timeline": "state"}},
            },
        },
    }
    phony_pdl.load(schema)


def test_entity_unique_makes_a_ref_target_and_schema_key_is_allowed() -> None:
    spec = {
        "$schema": "../schemas/pdl-1.schema.json",
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {"count": 5, "unique": [["code"]], "fields": {"code": {"pattern": "[A-Z]{4}"}}},
            "b": {"count": 5, "fields": {"a_code": {"ref": "a.code", "pick": {"zipf": 1.1}}}},
        },
    }
    phony_pdl.load(spec)
    spec["entities"]["b"]["fields"]["a_code"]["pick"] = {"zipf": 0}
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    assert exc.value.codes == ["invalid-value"]


def test_implicit_primary_key_must_be_unique_and_not_null() -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(id={"const": 1}))
    assert exc.value.codes == ["impossible-unique"]
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(id={"sequence": 1, "null_rate": 0.1}))
    assert exc.value.codes == ["bad-key"]


def test_numeric_alias_and_duplicate_correlation_blocks() -> None:
    phony_pdl.load(doc(id={"sequence": 1}, x={"type": "numeric(10,2)"}))
    spec = doc(
        id={"sequence": 1},
        a={"distribution": "normal", "mean": 0, "sd": 1},
        b={"distribution": "normal", "mean": 0, "sd": 1},
        c={"distribution": "normal", "mean": 0, "sd": 1},
    )
    spec["entities"]["users"]["correlate"] = [
        {"fields": ["a", "b"], "rho": 0.5},
        {"fields": ["a", "c"], "rho": 0.2},
    ]
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    assert exc.value.codes == ["bad-correlation"]


@pytest.mark.parametrize("key", ["pearson", "Pearson", "correlation"])
def test_a_pearson_correlation_is_pointed_at_rho(key: str) -> None:
    """`pearson: 0.7` in a correlate block got "did you mean 'spearman'?": the closest
    spelling, but the other correlation; Pearson's is `rho`."""
    spec = doc(
        id={"sequence": 1},
        a={"distribution": "normal"},
        b={"distribution": "normal"},
    )
    spec["entities"]["users"]["correlate"] = [{"fields": ["a", "b"], key: 0.7}]
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    unknown = [d for d in exc.value.diagnostics if d.code == "unknown-key"]
    assert len(unknown) == 1
    assert unknown[0].message == f"unknown key '{key}' in a `correlate` block"
    assert unknown[0].hint == "did you mean 'rho'? (PDL's word for it)"


def test_keys_a_generator_shares_with_fields_are_the_generators() -> None:
    """`format` of phone.number and `min`/`max` of commerce.price are also field keys; on
    those generators' fields they are the generator's parameters, not ignored."""
    schema = phony_pdl.load(
        doc(
            phone={"generator": "phone.number", "format": "e164"},
            price={"generator": "commerce.price", "min": 5, "max": 10},
            amount={"generator": "finance.amount", "min": 0.07, "max": 0.08},
            born={"generator": "person.birth_date", "format": "%d/%m/%Y"},
        )
    )
    rows = schema.generate(seed=1)["users"].to_pylist()
    assert all(r["phone"].startswith("+1") and r["phone"][1:].isdigit() for r in rows)
    assert all(5 <= r["price"] <= 10 for r in rows)
    assert {str(r["amount"]) for r in rows} <= {"0.07", "0.08"}
    assert all(len(r["born"]) == 10 and r["born"][2] == "/" for r in rows)  # still formatted


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min": 1e11, "max": 1e13}, "need 0 < min <= max < 10,000,000,000"),
        ({"min": 0.001, "max": 0.004}, "no whole cent lies between min 0.001 and max 0.004"),
    ],
)
def test_price_bounds_fit_the_column(params: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        phony_pdl.load(doc(price={"generator": "commerce.price", **params}))


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"const": 123.456, "type": "decimal(3,2)"}, r"const 123.456 does not fit decimal\(3,2\)"),
        ({"type": "decimal(3,2)", "min": 0, "max": 50}, r"max=50 does not fit decimal\(3,2\)"),
        # exact bound (10**16 - 0.01 in floats was 10**16), before the 64-bit unit limit
        (
            {"type": "decimal(18,2)", "max": 2e16},
            r"max=2e\+16 does not fit decimal\(18,2\) \(largest 9999999999999999\.99\)",
        ),
        (
            {"type": "decimal(18,2)", "max": 1e20},
            r"max=1e\+20 does not fit decimal\(18,2\) \(largest 9999999999999999\.99\)",
        ),
        ({"type": "string", "min": -1, "max": 3}, "a string length cannot be negative"),
        ({"type": "float", "min": float("-inf"), "max": 1}, "min=-inf is not a finite number"),
        ({"distribution": "normal", "min": float("nan")}, "min=nan is not a finite number"),
        ({"type": "int", "min": 1.5, "max": 3}, "min=1.5 is not a whole number"),
        ({"type": "int", "max": 2**63}, "beyond the range of 64-bit integers"),
        ({"type": "int", "between": [0.5, 2]}, r"between\[0\]=0.5 is not a whole number"),
    ],
)
def test_bounds_the_column_cannot_hold_are_errors(field: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        phony_pdl.load(doc(x=field))


def test_a_schema_name_cannot_leave_the_output_folder() -> None:
    bad = {**doc(id={"sequence": 1}), "name": "../../escaped"}
    with pytest.raises(SchemaError, match=r"name '\.\./\.\./escaped' cannot be a file name"):
        phony_pdl.load(bad)
    phony_pdl.load({**doc(id={"sequence": 1}), "name": "shop test.v2"})  # spaces, dots: fine


def test_series_intervals_may_be_numbers_of_seconds() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "s",
            "entities": {
                "p": {"count": 2, "fields": {"id": {"sequence": 1}}},
                "r": {
                    "series": {
                        "for": "p",
                        "start": "2024-01-01",
                        "every": 3600,
                        "jitter": "60",
                        "max_events": 3,
                    },
                    "fields": {"id": {"sequence": 1}},
                },
            },
        }
    )
    assert schema.generate()["r"].num_rows == 6


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"a": {"type": "decimal(5,6)"}}, r"hint: write decimal\(p,s\) with 1 <= p <= 38"),
        ({"c": {"choice": {"x": float("nan"), "y": 1}}}, "weight nan of 'x' is not a finite"),
        (
            {"s": {"type": "string"}, "g": {"type": "float"}, "correlate": None},
            "'s' is a type-alone string, which has no order to correlate",
        ),
        (
            {"f": {"type": "float", "min": 0.01, "max": 0.02, "round": 1}},
            "round=1 leaves no value between 0.01 and 0.02",
        ),
    ],
)
def test_clearer_messages_for_types_weights_correlations_and_rounding(
    fields: dict, message: str
) -> None:
    correlate = fields.pop("correlate", False) is None
    document = doc(**fields)
    if correlate:
        document["entities"]["users"]["correlate"] = [{"fields": ["s", "g"], "rho": 0.5}]
    with pytest.raises(SchemaError) as caught:
        phony_pdl.load(document)
    problem = caught.value.diagnostics[0]
    assert re.search(message, f"{problem.message} hint: {problem.hint}")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"a": {"type": "datetime"}, "b": {"after": "a", "gap": {"min": "2h", "max": "1h"}}},
            "gap min=2h is longer than max=1h",
        ),
        (
            {
                "id": {"sequence": 1},
                "d": {"type": "date"},
                "l": {"expr": "LAG(d, 1, 0) OVER (ORDER BY id)"},
            },
            "the default 0 of LAG\\(d\\) is not a date",
        ),
        (
            {"id": {"sequence": 1}, "l": {"expr": "LEAD(id, 1, 'x') OVER (ORDER BY id)"}},
            "the default 'x' of LEAD\\(id\\) is not an int",
        ),
    ],
)
def test_gap_bounds_and_window_defaults_are_checked(fields: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        phony_pdl.load(doc(**fields))


def test_a_broken_model_file_is_a_validation_error(tmp_path) -> None:
    (tmp_path / "bad.phony").write_text("this is not a model\n")
    schema = tmp_path / "s.yaml"
    schema.write_text(
        "pdl: 1\nname: t\nentities:\n  t:\n    count: 5\n    fields:\n"
        "      n: { generator: ngram, model: bad.phony }\n"
    )
    with pytest.raises(SchemaError, match="is not gzip-compressed"):
        phony_pdl.load(schema)


@pytest.mark.parametrize(
    ("fields", "expr"),
    [
        ({"code": {"pattern": "[0-9]{4}"}}, "CAST(code AS INT) + 1"),
        ({"d": {"pattern": "2024-0[1-9]-1[0-9]"}}, "CAST(d AS DATE)"),
        ({"f": {"choice": ["true", "false"]}}, "CAST(f AS BOOLEAN)"),
        ({"x": {"type": "float", "min": 1, "max": 9, "round": 0}}, "CAST(x AS INT)"),
    ],
)
def test_casts_that_depend_on_the_values_pass_validation(fields: dict, expr: str) -> None:
    """The two made-up rows of the expression check ("a", 1.5) do not parse as every type;
    only a type mistake, or a literal that cannot parse, is an error."""
    schema = phony_pdl.load(doc(**fields, n={"expr": expr}))
    assert schema.generate(seed=1)["users"].num_rows == 10


def test_hints_for_words_from_other_tools_and_keys_through_a_parent() -> None:
    with pytest.raises(SchemaError) as caught:
        phony_pdl.load(doc(kind={"enum": ["a", "b"]}))
    assert "did you mean 'choice'?" in caught.value.diagnostics[0].hint
    parents = {
        "pdl": 1,
        "name": "p",
        "entities": {
            "users": {
                "count": 3,
                "fields": {"id": {"sequence": 1}, "created_at": {"type": "datetime"}},
            },
            "posts": {
                "count": 5,
                "fields": {
                    "user_id": {"ref": "users"},
                    "uid": {"ref": "users.id"},
                    "updated_at": {"after": "created_at"},
                },
            },
        },
    }
    with pytest.raises(SchemaError) as caught:
        phony_pdl.load(parents)
    hints = {d.code: d.hint for d in caught.value.diagnostics}
    assert hints["invalid-value"] == "e.g. `ref: users.id`"
    assert "`user_id.created_at`" in hints["unknown-field"]


def test_unique_names_count_the_sex_another_field_sets() -> None:
    fields = {
        "first": {"generator": "person.first_name", "unique": True},
        "full": {"generator": "person.full_name", "gender": "female"},
    }
    text = {"pdl": 1, "name": "g", "entities": {"t": {"count": 600, "fields": fields}}}
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    (diag,) = exc.value.diagnostics
    assert diag.code == "impossible-unique" and "only 381 distinct values exist" in diag.message
    text["entities"]["t"]["count"] = 150
    assert len(set(phony_pdl.load(text).generate()["t"]["first"].to_pylist())) == 150


def test_expression_over_a_formatted_field_reads_text() -> None:
    """`format` turns a date into text before an `expr` reads it: validation must say so
    (it tried the expression on a date and passed; generation then failed)."""
    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: 5\n    fields:\n"
        "      a: { type: date, format: '%Y' }\n      b: { expr: 'EXTRACT(YEAR FROM a)' }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "bad-expression" and (d.span.line, d.span.column) == (8, 18)
    assert "YEAR does not apply to text" in d.message
    assert "a is text once `format: '%Y'` writes it" in d.hint
    typed = text.replace("format: '%Y'", "between: [2020-01-01, 2024-12-31]")
    assert phony_pdl.load(typed).generate()["a"].num_rows == 5


def test_generator_checks_over_several_params_point_at_one() -> None:
    """A check of several parameters (min_age ≤ max_age) pointed at the field's `{` and
    kept pydantic's `Value error, ` prefix."""
    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: 5\n    fields:\n"
        "      age: { generator: person.age, min_age: 50, max_age: 20 }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "bad-generator-param"
    assert d.message == "need 0 <= min_age <= max_age <= 150, got 50..20"
    assert (d.span.line, d.span.column) == (7, 46)


def test_row_counts_in_a_circle_are_named_as_such() -> None:
    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: { per: a, const: 1 }\n"
        "    fields:\n      id: { sequence: 1 }\n"
        "  p:\n    count: { per: c, const: 1 }\n    fields:\n      id: { sequence: 1 }\n"
        "      c_id: { ref: c.id, null_rate: 0.5 }\n"
        "  c:\n    count: { per: p, const: 1 }\n    fields:\n      id: { sequence: 1 }\n"
        "      p_id: { ref: p.id, null_rate: 0.5 }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    diags = exc.value.diagnostics
    assert [d.code for d in diags] == ["bad-count", "field-cycle"]  # once for `a`, not twice
    assert "#rows" not in diags[1].message
    assert diags[1].message.startswith("row counts depend on each other in a circle: ")
    assert "fixed count" in diags[1].hint and diags[1].span.line == 14


def problems(fields: str) -> list[tuple[str, str, int, int]]:
    """(code, message, line, column) of each problem of an entity `t` with these field lines
    (the first is line 7)."""
    text = "pdl: 1\nname: t\nentities:\n  t:\n    count: 2\n    fields:\n" + fields
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    return [(d.code, d.message, d.span.line, d.span.column) for d in exc.value.diagnostics]


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        ('c: { type: datetime, max: "yesterday" }', "bound 'yesterday' is not a datetime", 33),
        ("c: { type: int, min: abc }", "bound 'abc' is not an int", 28),
        ("c: { type: int, max: 2024-01-01 }", "bound '2024-01-01' is not an int", 28),
        ("c: { type: date, min: 2024-02-30 }", "bound '2024-02-30' is not a date", 29),
        ("c: { type: date, max: 5 }", "bound 5 is not a date", 29),
        ("c: { type: time, min: '25:00' }", "bound '25:00' is not a time", 29),
        (
            "c: { distribution: normal, mean: 0, sd: 1, min: low }",
            "bound 'low' is not a number",
            55,
        ),
        ("c: { type: float, between: [0, x] }", "bound 'x' is not a float", 38),
    ],
)
def test_a_single_bound_is_type_checked(field: str, message: str, column: int) -> None:
    """One bound is used as much as two (the other defaults), so it is checked alone too;
    before, only a pair was, and generation failed with a traceback."""
    assert problems(f"      {field}\n") == [("type-mismatch", message, 7, column)]


def test_both_bad_bounds_are_reported_each_at_its_place() -> None:
    assert problems("      c: { type: date, between: [soon, 2024-02-30] }\n") == [
        ("type-mismatch", "bound 'soon' is not a date", 7, 34),
        ("type-mismatch", "bound '2024-02-30' is not a date", 7, 40),
    ]


@pytest.mark.parametrize(
    "field",
    [
        {"type": "datetime", "max": "2024-01-01"},
        {"type": "datetime", "min": "2024-01-01T08:00:00"},
        {"type": "datetime", "min": 0},  # seconds since 1970
        {"type": "date", "min": "2024-02-29"},
        {"type": "date", "max": "2024-02-29T12:00:00"},
        {"type": "int", "min": 5},
        {"type": "int", "max": "50"},
        {"type": "float", "min": "2.5"},
        {"type": "decimal(8,2)", "max": 99.5},
        {"type": "time", "min": "08:30:00"},
        {"type": "string", "max": 4},
        {"distribution": "normal", "mean": 0, "sd": 1, "min": -1},
        {"distribution": "poisson", "mean": 3, "max": "9"},
    ],
)
def test_good_single_bounds_still_validate_and_generate(field: dict) -> None:
    schema = phony_pdl.load(doc(id={"sequence": 1}, x=field))
    assert schema.generate(seed=1)["users"].num_rows == 10


@pytest.mark.parametrize(
    ("field", "space"),
    [
        ("b: { type: time, min: '00:00:00', max: '00:00:00', unique: true }", 1),
        ("b: { type: time, min: '23:59:59.999999', unique: true }", 1),  # the day ends there
        ("b: { type: time, between: ['10:00:00', '10:00:02'], round: 0, unique: true }", 3),
        (
            "b: { type: datetime, between: ['2024-01-01T08:00:00', '2024-01-01T08:00:00'], unique: true }",
            1,
        ),
        ("b: { type: date, min: 9999-12-31, unique: true }", 1),  # the calendar ends there
    ],
)
def test_unique_times_and_datetimes_count_their_values(field: str, space: int) -> None:
    """The engine draws a unique time or datetime from the microseconds (or `round` steps)
    of its range; validation counts them like days and integers, so a range too small is
    reported here and not after generation started."""
    text = "pdl: 1\nname: t\nentities:\n  a:\n    count: 4\n    fields:\n      " + field + "\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    (d,) = exc.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == (
        "impossible-unique",
        7,
        field.index("unique") + 7,
    )
    values = "value exists" if space == 1 else "values exist"
    assert d.message == f"b must be unique over 4 rows, but only {space:,} distinct {values}"


@pytest.mark.parametrize(
    "field",
    [
        {"type": "time", "min": "10:00:00", "max": "10:00:00.000003"},
        {"type": "time", "between": ["10:00:00", "10:00:03"], "round": 0},
        {"type": "time"},
        {"type": "datetime", "between": ["2024-01-01", "2024-01-01"]},  # the whole day
        {"type": "datetime", "min": "9999-12-31T23:59:59.999996"},
        {"type": "date", "max": "0001-01-04"},
    ],
)
def test_unique_time_ranges_that_fit_still_generate(field: dict) -> None:
    spec = {
        "pdl": 1,
        "name": "t",
        "entities": {"a": {"count": 4, "fields": {"b": {**field, "unique": True}}}},
    }
    values = phony_pdl.load(spec).generate(seed=1)["a"]["b"].to_pylist()
    assert len(set(values)) == 4


AGGREGATE_CHILD = (
    "  c:\n    count: 9\n    fields:\n      p_id: { ref: p.id }\n      day: { type: date }\n"
    "      flag: { type: bool }\n      code: { pattern: '[a-z]{3}' }\n"
    "      amount: { type: 'decimal(8,2)' }\n      n: { type: int }\n"
    "      code_x: { expr: \"code || 'x'\" }\n      twice: { expr: 'n * 2' }\n"
)


def aggregate_problems(field: str) -> list[tuple[str, str, int, int, str | None]]:
    """Problems of a parent `p` (the field on line 7) of the child above."""
    text = (
        "pdl: 1\nname: t\nentities:\n  p:\n    count: 3\n    fields:\n"
        f"      a: {field}\n      id: {{ sequence: 1 }}\n" + AGGREGATE_CHILD
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    return [(d.code, d.message, d.span.line, d.span.column, d.hint) for d in exc.value.diagnostics]


@pytest.mark.parametrize(
    ("aggregate", "message", "hint"),
    [
        ("avg(c.day)", "avg() averages numbers, but c.day is a date", "min, max, first, last"),
        (
            "sum(c.flag)",
            "sum() adds numbers, but c.flag is a bool",
            "count(*) FILTER (WHERE c.flag)",
        ),
        ("sum(c.code)", "sum() adds numbers, but c.code is a string", "CASTs them"),
        ("avg(c.code_x)", "avg() averages numbers, but c.code_x is a string", "CASTs them"),
    ],
)
def test_sum_and_avg_need_numbers(aggregate: str, message: str, hint: str) -> None:
    """Before, these validated and wrote days since 1970 as a float, a bool, or stopped with
    a traceback (`could not convert string to float`)."""
    ((code, text, line, column, given),) = aggregate_problems(f'{{ aggregate: "{aggregate}" }}')
    assert (code, text, line, column) == ("bad-aggregate", message, 7, 23)
    assert hint in given


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        (
            '{ aggregate: "count(c)", type: date }',
            "count(c) yields an int, which a date cannot hold",
            41,
        ),
        (
            '{ aggregate: "avg(c.n)", type: datetime }',
            "avg(c.n) yields a float, which a datetime cannot hold",
            41,
        ),
        (
            '{ aggregate: "sum(c.amount)", type: int }',
            "sum(c.amount) yields a decimal(8,2), which an int cannot hold",
            46,
        ),
        (
            '{ aggregate: "max(c.day)", type: float }',
            "max(c.day) yields a date, which a float cannot hold",
            43,
        ),
        (
            '{ aggregate: "first(c.code)", type: int }',
            "first(c.code) yields a string, which an int cannot hold",
            46,
        ),
        (
            '{ aggregate: "count(DISTINCT c.code)", type: bool }',
            "count(DISTINCT c.code) yields an int, which a bool cannot hold",
            55,
        ),
    ],
)
def test_a_declared_type_must_hold_the_aggregate(field: str, message: str, column: int) -> None:
    ((code, text, line, col, hint),) = aggregate_problems(field)
    assert (code, text, line, col) == ("type-mismatch", message, 7, column)
    assert hint.startswith("remove `type`")


@pytest.mark.parametrize(
    "field",
    [
        {"aggregate": "sum(c.n)"},
        {"aggregate": "sum(c.twice)"},  # an expr: its type is what it yields
        {"aggregate": "avg(c.amount)", "type": "decimal(10,2)"},
        {"aggregate": "sum(c.amount)", "type": "decimal(12,2)"},
        {"aggregate": "sum(c.n)", "type": "float"},
        {"aggregate": "min(c.day)"},
        {"aggregate": "max(c.day)", "type": "datetime"},
        {"aggregate": "max(c.code)"},
        {"aggregate": "last(c.flag)"},
        {"aggregate": "max(c.flag)", "type": "int"},
        {"aggregate": "first(c.code)", "type": "string"},
        {"aggregate": "count(c)", "type": "decimal(6,0)"},
        {"aggregate": "count(c)", "type": "string"},
        {"aggregate": "count(*) FILTER (WHERE c.flag)"},
        {"aggregate": "count(DISTINCT c.day)"},
    ],
)
def test_aggregates_that_fit_their_type_still_generate(field: dict) -> None:
    child = {
        "p_id": {"ref": "p.id"},
        "day": {"type": "date"},
        "flag": {"type": "bool"},
        "code": {"pattern": "[a-z]{3}"},
        "amount": {"type": "decimal(8,2)"},
        "n": {"type": "int", "max": 100},
        "twice": {"expr": "n * 2"},
    }
    spec = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "p": {"count": 3, "fields": {"id": {"sequence": 1}, "a": field}},
            "c": {"count": 9, "fields": child},
        },
    }
    assert phony_pdl.load(spec).generate(seed=1)["p"].num_rows == 3


@pytest.mark.parametrize(
    ("fmt", "message", "note"),
    [
        ("%Q-%Y", "format '%Q-%Y' uses '%Q', which is not a supported strftime directive", None),
        (
            "%Y%m%d %f %s",
            "format '%Y%m%d %f %s' uses '%f' and '%s', which are not supported strftime directives",
            "%S already includes the microseconds",
        ),
        ("%c", "format '%c' uses '%c', which is not a supported strftime directive", "%m/%d/%y"),
        (
            "%H:%M %z",
            "format '%H:%M %z' uses '%z', which is not a supported strftime directive",
            "no time zone",
        ),
        ("%Ey", "format '%Ey' uses '%Ey', which is not a supported strftime directive", None),
        ("100%", "format '100%' uses '%', which is not a supported strftime directive", "%%"),
    ],
)
def test_format_directives_must_be_supported(fmt: str, message: str, note: str | None) -> None:
    """Arrow's strftime copies an unknown directive as text or writes an internal value
    (`%Q-%Y` gave "0-2016"), fails on %z/%Z, and %c/%x/%X/%r differ between platforms."""
    field = f"d: {{ type: date, format: '{fmt}' }}"
    text = "pdl: 1\nname: t\nentities:\n  t:\n    count: 2\n    fields:\n      " + field + "\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    (d,) = exc.value.diagnostics
    assert (d.code, d.message, d.span.line, d.span.column) == ("invalid-value", message, 7, 32)
    assert d.hint.endswith(
        "supported: %a %A %b %B %C %d %D %e %F %g %G %h %H %I %j %m %M %n %p %R %S %t %T %u %U %V %w %W %y %Y %%"
    )
    assert note is None or note in d.hint


def test_every_supported_format_directive_writes_text() -> None:
    from phony_pdl.validate import _DATE_DIRECTIVES, STRFTIME_DIRECTIVES

    fmt = "|".join("%" + d for d in STRFTIME_DIRECTIVES)
    of_time = [d for d in STRFTIME_DIRECTIVES if d not in _DATE_DIRECTIVES]
    fields = {
        "d": {"type": "date", "format": fmt},
        "ts": {"type": "datetime", "format": fmt},
        "tm": {"type": "time", "format": "|".join("%" + d for d in of_time)},
        "born": {"generator": "person.birth_date", "format": "%d/%m/%Y"},
    }
    table = phony_pdl.load(doc(**fields)).generate(seed=1)["users"]
    for name, directives in (
        ("d", STRFTIME_DIRECTIVES),
        ("ts", STRFTIME_DIRECTIVES),
        ("tm", of_time),
    ):
        parts = table[name][0].as_py().split("|")
        assert len(parts) == len(directives)
        assert not any(p.startswith("%") and p != "%" for p in parts)  # none copied as text
    assert table["d"][0].as_py().split("|")[-1] == "%"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"type": "int", "format": "%Y"},
            "format '%Y' has no '{…}' for the number",
        ),
        ({"choice": ["a", "b"], "format": "%Y"}, "x is a string, which it would leave unchanged"),
        ({"type": "time", "format": "%Y-%H"}, "writes the date (%Y) of a time of day"),
    ],
)
def test_format_only_where_it_writes_something(field: dict, message: str) -> None:
    """`format` on text was ignored without a word (on a number it takes a `{…}` format),
    and date directives on a time of day wrote 1970-01-01's parts."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(x=field))
    [d] = exc.value.diagnostics
    assert d.code == "invalid-value" and message in d.message
    assert d.to_dict()["path"] == "entities.users.fields.x.format"


def test_more_bounds_and_types_checked_before_generation() -> None:
    """Each of these validated and then failed (or wrote nonsense) in generation."""

    def coded(fields: dict) -> list[tuple[str, str]]:
        try:
            phony_pdl.load(doc(**fields))
        except SchemaError as exc:
            return [(d.code, d.to_dict()["path"]) for d in exc.diagnostics]
        return []

    normal = {"distribution": "normal", "mean": 0, "sd": 1}
    # a mixture component's own min beyond the field's max; a component bound not a number
    assert coded(
        {"x": {"distribution": "mixture", "max": 5, "components": [{**normal, "min": 10}, normal]}}
    ) == [("min-greater-than-max", "entities.users.fields.x.components[0].min")]
    assert coded({"x": {"distribution": "mixture", "components": [{**normal, "min": "low"}]}}) == [
        ("type-mismatch", "entities.users.fields.x.components[0].min")
    ]
    # seconds since 1970 past the year 9999
    assert coded({"t": {"type": "datetime", "min": 1e20}}) == [
        ("type-mismatch", "entities.users.fields.t.min")
    ]
    assert coded({"t": {"type": "datetime", "min": 1e9}}) == []
    # a formatted number is an error of its own, not also a text operand of an expression
    assert coded({"n": {"type": "int", "format": "%Y"}, "m": {"expr": "n + 1"}}) == [
        ("invalid-value", "entities.users.fields.n.format")
    ]
    # a multi-parameter check points at the parameter its message names first
    assert coded({"age": {"generator": "person.age", "max_age": 20, "min_age": 50}}) == [
        ("bad-generator-param", "entities.users.fields.age.min_age")
    ]


def test_an_aggregate_of_a_formatted_date_is_text() -> None:
    text = (
        "pdl: 1\nname: t\nentities:\n  p:\n    count: 3\n    fields:\n"
        "      id: { sequence: 1 }\n      m: { aggregate: 'min(c.d)', type: date }\n"
        "  c:\n    count: { per: p, const: 2 }\n    fields:\n      id: { sequence: 1 }\n"
        "      p_id: { ref: p.id }\n"
        "      d: { type: date, between: [2024-01-01, 2024-12-31], format: '%d/%m/%Y' }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "type-mismatch" and (d.span.line, d.span.column) == (8, 41)
    assert "min(c.d) yields a string" in d.message


@pytest.mark.parametrize(
    ("expr", "literal"),
    [
        ("CAST(id AS DOUBLE) * 123456789012345678", "123456789012345678"),
        ("f + 9007199254740993", "9007199254740993"),
        ("f * -(9007199254740993)", "9007199254740993"),
        ("id / 123456789012345678", "123456789012345678"),  # true division: doubles
        ("f > 123456789012345678", "123456789012345678"),
        ("f IN (1.5, 123456789012345678)", "123456789012345678"),
        ("f BETWEEN 0 AND 123456789012345678", "123456789012345678"),
        ("COALESCE(f, 123456789012345678)", "123456789012345678"),
        ("CASE WHEN id = 1 THEN 1.5 ELSE 123456789012345678 END", "123456789012345678"),
        ("NULLIF(f, 123456789012345678)", "123456789012345678"),
        ("FLOOR(123456789012345678)", "123456789012345678"),
        ("id * 99999999999999999999", "99999999999999999999"),  # not even an int64
    ],
)
def test_integer_literals_no_double_holds_are_errors_at_the_literal(
    expr: str, literal: str
) -> None:
    """`CAST(id AS DOUBLE) * 123456789012345678` passed validation and failed when generating,
    blaming `id`; a literal beyond 2^53 that meets a double is now refused at its place."""
    text = (
        "pdl: 1\nname: t\nentities:\n  t:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1 }\n      f: { type: float, min: 0, max: 9 }\n"
        f'      x: {{ expr: "{expr}" }}\n'
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    column = len('      x: { expr: "') + 1 + expr.index(literal)
    assert d.code == "bad-expression"
    assert (d.span.line, d.span.column, d.span.end_column) == (9, column, column + len(literal))
    assert f"the integer literal {literal} " in d.message
    assert "write it as a float literal" in d.hint and "id is int64" not in d.message


@pytest.mark.parametrize(
    "expr",
    [
        "f + 9007199254740992",  # 2^53 itself is exact
        "f * 1.2345678901234568e17",
        "id * 123456789012345678",  # integers stay integers
        "id IN (1, 123456789012345678)",
        "CAST(123456789012345678 AS DOUBLE)",  # asked for in so many words
    ],
)
def test_integer_literals_that_stay_exact_pass(expr: str) -> None:
    schema = phony_pdl.load(
        doc(id={"sequence": 1}, f={"type": "float", "min": 0, "max": 9}, x={"expr": expr})
    )
    assert schema.generate(seed=1)["users"].num_rows == 10


INT64_MIN = -(2**63)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("-9223372036854775808", INT64_MIN),
        ("-(9223372036854775808)", INT64_MIN),
        ("id + -9223372036854775808", INT64_MIN + 1),
        ("CASE WHEN id > 0 THEN -9223372036854775808 ELSE 0 END", INT64_MIN),
        ("COALESCE(NULL, -9223372036854775808)", INT64_MIN),
        ("id IN (-9223372036854775808, 1)", True),
        ("id BETWEEN -9223372036854775808 AND 1", True),
        ("LAG(id, 1, -9223372036854775808) OVER (ORDER BY id)", INT64_MIN),
    ],
)
def test_the_smallest_int64_is_a_literal_as_in_sql(expr: str, expected: object) -> None:
    """`-9223372036854775808` was refused ("beyond the 64-bit integer range"): the minus is
    a unary operator on 9223372036854775808, one past int64. SQL reads the pair as BIGINT's
    minimum, and so does PDL now, as it already did in `min`, `between` and `const`."""
    schema = phony_pdl.load(
        doc(id={"sequence": 1}, x={"expr": expr}, b={"type": "int", "between": [INT64_MIN, -5]})
    )
    users = schema.generate(seed=1)["users"]
    assert users["x"][0].as_py() == expected
    assert min(users["b"].to_pylist()) >= INT64_MIN


@pytest.mark.parametrize("expr", ["9223372036854775808", "id + 9223372036854775808"])
def test_one_past_int64_is_still_refused_without_its_minus_sign(expr: str) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(id={"sequence": 1}, x={"expr": expr}))
    [d] = exc.value.diagnostics
    assert d.code == "bad-expression"
    assert "the integer literal 9223372036854775808 is beyond the 64-bit integer range" in (
        d.message
    )
    assert "or -9223372036854775808 with its minus sign" in d.message


def test_an_inexact_literal_in_a_window_expression_is_blamed_when_generating() -> None:
    """Window expressions are checked as they are generated: the message names the literal,
    not the columns the expression reads."""
    schema = phony_pdl.load(
        doc(
            id={"sequence": 1},
            f={"type": "float", "min": 0, "max": 9},
            x={"expr": "SUM(f) OVER (ORDER BY id) * 123456789012345678"},
        )
    )
    with pytest.raises(phony_pdl.GenerationError) as exc:
        schema.generate(seed=1)["users"]
    message = str(exc.value)
    assert message.startswith("users.x: the integer literal 123456789012345678 cannot be")
    assert "1.2345678901234568e17" in message and "is int64" not in message


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        (
            "c: { distribution: negative_binomial, mean: 6, p: 0.3 }",
            "negative_binomial: `p` goes with `n`; with `mean` give `n` or `sd`",
            26,
        ),
        (
            "c: { distribution: negative_binomial, mean: 4, sd: 2 }",
            "negative_binomial: sd=2.0 must be above √mean = 2: a negative binomial's variance, mean + mean²/n, "
            "exceeds its mean (for variance equal to the mean use poisson)",
            26,
        ),
        (
            "c: { distribution: negative_binomial, mean: 4, n: 2, sd: 3 }",
            "negative_binomial: give only one of n, sd",
            26,
        ),
        (
            "c: { distribution: negative_binomial, n: 2 }",
            "negative_binomial: needs `n` and `p`, or `mean` with `n` or with `sd`",
            26,
        ),
    ],
)
def test_negative_binomial_takes_n_and_p_or_the_mean_with_n_or_sd(
    field: str, message: str, column: int
) -> None:
    [(code, text, line, col)] = problems(f"      {field}\n")
    assert (code, line, col) == ("bad-distribution-param", 7, column)
    assert text == message


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        (
            "c: { distribution: normal, mean: .nan }",
            "normal: mean=nan: distribution parameters must be finite numbers",
            40,
        ),
        (
            "c: { distribution: normal, sd: .inf }",
            "normal: sd=inf: distribution parameters must be finite numbers",
            38,
        ),
        (
            "c: { distribution: empirical, quantiles: [0, 1, .inf] }",
            "empirical: `quantiles` holds inf: distribution parameters must be finite numbers",
            48,
        ),
        (
            "c: { distribution: empirical, histogram: { edges: [0, 1, .inf], weights: [1, 1] } }",
            "empirical: `histogram.edges` holds inf: distribution parameters must be finite",
            48,
        ),
        (
            "c: { distribution: empirical, histogram: { edges: [0, 1, 2], weights: [1, .inf] } }",
            "empirical: `histogram.weights` holds inf: distribution parameters must be finite",
            48,
        ),
        (
            "c: { distribution: mixture, components: [{ distribution: normal, weight: .nan }] }",
            "weight=nan must be a finite number (not NaN or infinity)",
            80,
        ),
        (
            "c: { distribution: mixture, components: [{ distribution: poisson, mean: .inf }] }",
            "poisson: mean=inf: distribution parameters must be finite numbers",
            79,
        ),
        (
            "c: { distribution: triangular, mode: -.inf, min: 0, max: 1 }",
            "triangular: mode=-inf: distribution parameters must be finite numbers",
            44,
        ),
        (
            "c: { distribution: gamma, shape: 2, rate: .nan }",
            "gamma: rate=nan: distribution parameters must be finite numbers",
            49,
        ),
    ],
)
def test_distribution_parameters_must_be_finite(field: str, message: str, column: int) -> None:
    """NaN and infinities passed validation (every comparison with NaN is false) and gave
    NaN values or none at all; every family's numbers are now checked in one place."""
    [(code, text, line, col)] = problems(f"      {field}\n")
    assert (code, line, col) == ("bad-distribution-param", 7, column)
    assert text.startswith(message), text


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            "c: { distribution: poisson, lambda: 3 }",
            [("unknown-key", "unknown key 'lambda' for distribution 'poisson'", 35, "mean")],
        ),
        (
            "c: { distribution: exponential, lambda: 0.2 }",
            [("unknown-key", "unknown key 'lambda' for distribution 'exponential'", 39, "rate")],
        ),
        (
            "c: { distribution: normal, mu: 3, sigma: 2 }",
            [
                ("unknown-key", "unknown key 'mu' for distribution 'normal'", 34, "mean"),
                ("unknown-key", "unknown key 'sigma' for distribution 'normal'", 41, "sd"),
            ],
        ),
        (
            "c: { distribution: binomial, trials: 10, p: 0.5 }",
            [("unknown-key", "unknown key 'trials' for distribution 'binomial'", 36, "n")],
        ),
        (  # a typo of another parameter: the missing one is still reported
            "c: { distribution: gamma, scal: 2 }",
            [
                ("bad-distribution-param", "distribution 'gamma' needs `shape`", 26, None),
                ("unknown-key", "unknown key 'scal' for distribution 'gamma'", 33, "scale"),
            ],
        ),
    ],
)
def test_unknown_distribution_parameters_are_unknown_keys(field: str, expected: list) -> None:
    """`poisson` with `lambda:` was reported first as a missing `mean`
    (bad-distribution-param); the spec says a parameter of another name is `unknown-key`, and
    the hint now names the family's parameter other tools call by that name."""
    text = "pdl: 1\nname: t\nentities:\n  t:\n    count: 2\n    fields:\n      " + field + "\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    got = [
        (d.code, d.message, d.span.column, d.hint)
        for d in exc.value.diagnostics
        if d.span.line == 7
    ]
    assert len(got) == len(expected), got
    for (code, message, column, hint), want in zip(got, expected, strict=True):
        assert (code, message, column) == want[:3]
        if want[3] is not None:
            assert hint == f"did you mean '{want[3]}'?"


@pytest.mark.parametrize(
    ("field", "message", "column", "hint"),
    [
        (
            "c: { distribution: poisson, mean: 3, min: 2.5, max: 2.7 }",
            "no whole number lies between min=2.5 and max=2.7, and distribution 'poisson' "
            "draws only whole numbers",
            49,
            "widen the bounds to hold one, such as `min: 2` or `max: 3`",
        ),
        (
            "c: { distribution: geometric, p: 0.5, between: [1.2, 1.8], clip: true }",
            "no whole number lies between min=1.2 and max=1.8, and distribution 'geometric' "
            "draws only whole numbers",
            55,
            "widen the bounds to hold one, such as `min: 1` or `max: 2`",
        ),
        (
            "c: { distribution: mixture, max: 2.9, components: "
            "[{ distribution: binomial, n: 5, p: 0.5, min: 2.1 }] }",
            "no whole number lies between min=2.1 and max=2.9, and mixture component 0 "
            "('binomial') draws only whole numbers",
            103,
            "widen the bounds to hold one, such as `min: 2` or `max: 3`",
        ),
    ],
)
def test_count_family_bounds_must_hold_a_whole_number(
    field: str, message: str, column: int, hint: str
) -> None:
    """A count family draws from ceil(min) to floor(max); `min: 2.5, max: 2.7` holds none
    (sampling used to write 2 or 3, outside the bounds)."""
    text = "pdl: 1\nname: t\nentities:\n  t:\n    count: 2\n    fields:\n      " + field + "\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    [d] = exc.value.diagnostics
    assert (d.code, d.message, d.span.line, d.span.column, d.hint) == (
        "bad-distribution-param",
        message,
        7,
        column,
        hint,
    )


@pytest.mark.parametrize(
    ("field", "value", "column", "hint"),
    [
        ("c: { distribution: poisson, mean: 1e16 }", "1e+16", 41, "set `max`"),
        (
            "c: { distribution: binomial, n: 100000000000000000, p: 0.5 }",
            "5e+16",
            39,
            "set `max`",
        ),
        ("c: { distribution: negative_binomial, n: 2, p: 1e-16 }", "5.17e+17", 54, "set `max`"),
        ("c: { distribution: geometric, p: 1e-15 }", "3.75e+16", 40, "set `max`"),
        ("c: { distribution: zipf, s: 0.5, n: 10000000000000000 }", "1e+16", 43, "set `max`"),
        ("c: { distribution: geometric, p: 0.5, min: 1e17 }", "1e+17", 50, "lower `min`"),
        (
            "c: { distribution: mixture, components: [{ distribution: poisson, mean: 1e16 }] }",
            "1e+16",
            79,
            "set `max`",
        ),
    ],
)
def test_count_draws_beyond_2_53_are_rejected(field: str, value: str, column: int, hint) -> None:
    """Above 2**53 doubles skip whole numbers and the inverse CDF's bisection stopped there:
    every draw of `poisson` with mean 1e16 was 2**54, of `binomial` with n 1e17 2**56."""
    [(code, message, line, col)] = problems(f"      {field}\n")
    assert (code, line, col) == ("bad-distribution-param", 7, column)
    assert f"would draw values up to about {value}, beyond 2^53" in message, message


@pytest.mark.parametrize(
    "field",
    [
        {"distribution": "poisson", "mean": 8e15},
        {"distribution": "binomial", "n": 10**17, "p": 0.5, "max": 10**6, "clip": True},
        {"distribution": "binomial", "n": 10**17, "p": 1e-16},
        {"distribution": "zipf", "s": 2, "n": 10**17, "max": 1000},
    ],
)
def test_count_draws_below_2_53_still_validate(field: dict) -> None:
    phony_pdl.load(doc(id={"sequence": 1}, x=field))


def per_parent_doc(count: dict, unique_fk: bool = True) -> dict:
    return {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {"count": 20, "fields": {"id": {"sequence": 1}}},
            "b": {
                "count": {"per": "a", **count},
                "fields": {"id": {"sequence": 1}, "a_id": {"ref": "a.id", "unique": unique_fk}},
            },
        },
    }


@pytest.mark.parametrize(
    ("count", "how"),
    [
        ({"const": 2}, "gets 2 children"),
        ({"min": 0, "max": 3}, "gets up to 3 children"),
        ({"distribution": "poisson", "mean": 1}, "gets any number of children"),
        ({"distribution": "binomial", "n": 4, "p": 0.5}, "gets up to 4 children"),
    ],
)
def test_a_unique_per_parent_key_with_several_children_is_impossible(count: dict, how: str) -> None:
    """`unique: true` on the key `count: {per: a}` fills passed validation and wrote the
    parent's key once per child: duplicates."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(per_parent_doc(count))
    [d] = exc.value.diagnostics
    assert d.code == "impossible-unique"
    assert d.message.startswith("a_id must be unique, but `count: {per: a}` fills it: each ")
    assert how in d.message
    assert d.to_dict()["path"] == "entities.b.fields.a_id.unique"
    assert "`max: 1`" in d.hint


@pytest.mark.parametrize("count", [{"const": 1}, {"min": 0, "max": 1}, {"const": 0}])
def test_a_unique_per_parent_key_with_one_child_at_most_is_fine(count: dict) -> None:
    data = phony_pdl.load(per_parent_doc(count)).generate(seed=3)
    ids = data["b"].column("a_id").to_pylist()
    assert len(ids) == len(set(ids))


def test_a_unique_key_over_a_drawn_parent_count_is_checked_on_average_then_per_seed() -> None:
    """The parent has 0 to 20 rows (10 on average). More unique references than the average
    are refused at validation, naming the drawn count; up to the average passes, and a seed
    whose draw falls short stops generation with the shortfall."""
    schema = per_parent_doc({"min": 0, "max": 1}, unique_fk=False)
    schema["entities"]["d"] = {"count": 12, "fields": {"b_id": {"ref": "b.id", "unique": True}}}
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    [d] = exc.value.diagnostics
    assert d.code == "impossible-unique"
    assert "'b' has 10 rows on average (its count is drawn per 'a' row, at least 0)" in d.hint
    schema["entities"]["d"]["count"] = 10
    loaded = phony_pdl.load(schema)
    data = loaded.generate(seed=1)
    assert data.count("b") == 9  # this seed draws one row fewer than the average
    with pytest.raises(phony_pdl.GenerationError, match="only 9 distinct values exist"):
        data["d"]
    schema["entities"]["b"]["count"] = {"per": "a", "const": 1}
    assert phony_pdl.load(schema).generate(seed=1)["d"].num_rows == 10


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (
            {"distribution": "geometric", "p": 1, "min": 2, "max": 4},
            "min=2 is above every value of distribution 'geometric', the largest being 1",
        ),
        (
            {"distribution": "binomial", "n": 5, "p": 0, "min": 1, "max": 4},
            "min=1 is above every value of distribution 'binomial', the largest being 0",
        ),
        (
            {"distribution": "binomial", "n": 5, "p": 1, "max": 4},
            "max=4 is below every value of distribution 'binomial', the smallest being 5",
        ),
        (
            {"distribution": "negative_binomial", "n": 2, "p": 1, "min": 1, "max": 3},
            "min=1 is above every value of distribution 'negative_binomial', the largest being 0",
        ),
    ],
)
def test_a_degenerate_count_distribution_outside_its_bounds_is_refused(
    count: dict, message: str
) -> None:
    """geometric p 1 is always 1: `min: 2` left nothing to draw, which passed validation and
    failed at generation ("too little probability") after scipy's RuntimeWarning."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(per_parent_doc(count, unique_fk=False))
    [d] = exc.value.diagnostics
    assert (d.code, d.message) == ("bad-distribution-param", message)
    assert d.to_dict()["path"].startswith("entities.b.count.")


@pytest.mark.parametrize(
    "count",
    [
        {"distribution": "geometric", "p": 1, "min": 1, "max": 4},
        {"distribution": "binomial", "n": 3, "p": 1, "min": 1, "max": 4},
    ],
)
def test_a_degenerate_count_distribution_generates_without_warnings(count: dict) -> None:
    import warnings

    schema = phony_pdl.load(per_parent_doc(count, unique_fk=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = schema.generate(seed=2)["b"].num_rows
    assert rows == 20 * (1 if count["distribution"] == "geometric" else 3)


REF_PARENT = (
    "      id: { sequence: 1 }\n"
    '      amt: { type: "decimal(8,3)", min: 0, max: 99, unique: true }\n'
    "      d: { type: date, between: [2020-01-01, 2024-12-31], unique: true }\n"
)


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        (
            "p2: { ref: t.amt, round: 1 }",
            "a foreign key cannot be rounded: its values must equal the key t.amt to point at a row",
            25,
        ),
        (
            'p3: { ref: t.d, format: "%Y" }',
            "a foreign key cannot be formatted: its values must equal the key t.d to point at a row",
            23,
        ),
        (
            'p5: { ref: t.id, type: "decimal(10,2)" }',
            "'p5' is decimal(10,2) but the key it references, t.id, is int",
            30,
        ),
        (
            'p6: { ref: t.amt, type: "decimal(9,3)" }',
            "'p6' is decimal(9,3) but the key it references, t.amt, is decimal(8,3)",
            31,
        ),
        (
            "p7: { ref: t.amt, type: int }",
            "'p7' is int but the key it references, t.amt, is decimal(8,3)",
            31,
        ),
    ],
)
def test_a_foreign_key_keeps_its_keys_values_and_type(
    field: str, message: str, column: int
) -> None:
    """`round` and `format` on a `ref` validated and then wrote keys that point at no row
    (`2020` for a date); a decimal foreign key to an int key is refused by PostgreSQL
    ("cannot be implemented") and MariaDB (errno 150)."""
    [(code, got, line, col)] = problems(REF_PARENT + f"      {field}\n")
    assert (got, line, col) == (message, 10, column)
    assert code == ("invalid-value" if "cannot be" in message else "fk-type-mismatch")


def test_a_foreign_key_to_a_formatted_key_is_text() -> None:
    schema = phony_pdl.load(
        "pdl: 1\nname: t\nentities:\n  t:\n    count: 20\n    fields:\n"
        '      d: { type: date, unique: true, format: "%d/%m/%Y" }\n'
        "  c:\n    count: 30\n    fields:\n      t_d: { ref: t.d }\n"
        "      t_s: { ref: t.d, type: string }\n"
    )
    data = schema.generate(seed=5)
    keys = set(data["t"].column("d").to_pylist())
    assert data["c"].schema.field("t_d").type == data["c"].schema.field("t_s").type
    assert set(data["c"].column("t_d").to_pylist()) <= keys
    assert set(data["c"].column("t_s").to_pylist()) <= keys
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(
            "pdl: 1\nname: t\nentities:\n  t:\n    count: 20\n    fields:\n"
            '      d: { type: date, unique: true, format: "%d/%m/%Y" }\n'
            "  c:\n    count: 30\n    fields:\n      t_d: { ref: t.d, type: date }\n"
        )
    assert [d.message for d in exc.value.diagnostics] == [
        "'t_d' is date but the key it references, t.d, is string"
    ]


@pytest.mark.parametrize("clip", [True, False])
def test_an_int_field_of_a_continuous_family_stays_within_fractional_bounds(clip: bool) -> None:
    """Rounding a draw at a fractional bound stepped past it: with clip, min 2.5 gave 31 % 2s
    (2.5 rounds half to even) and max 3.5 gave 4s."""
    field = {"distribution": "normal", "mean": 3, "sd": 1, "min": 2.5, "max": 3.5, "type": "int"}
    values = phony_pdl.load(doc(x={**field, "clip": clip})).generate(scale=5000)["users"]["x"]
    assert set(values.to_pylist()) == {3}


def test_an_int_field_whose_fractional_bounds_hold_no_whole_number_is_refused() -> None:
    text = (
        "pdl: 1\nname: t\nentities:\n  t:\n    count: 5\n    fields:\n"
        "      x: { distribution: normal, mean: 3, sd: 1, min: 2.5, max: 2.7, type: int }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("bad-distribution-param", 7, 55)
    assert d.message == (
        "no whole number lies between min=2.5 and max=2.7, and the field is of type int"
    )
    assert "or use type: float" in d.hint


@pytest.mark.parametrize(
    ("locale", "hint"),
    [
        ("de", "did you mean 'de_DE'?"),
        ("en", "did you mean 'en_GB' or 'en_US'?"),
        ("de-DE", "did you mean 'de_DE'?"),
        ("xx", "available: "),
    ],
)
def test_a_bare_language_as_locale_is_pointed_at_its_bundled_locales(
    locale: str, hint: str
) -> None:
    text = f"pdl: 1\nname: t\nlocale: {locale}\nentities:\n  a:\n    count: 1\n    fields:\n      x: {{ const: 1 }}\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    (d,) = exc.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("unknown-locale", 3, 9)
    assert d.hint.startswith(hint)


def test_one_distinct_value_is_written_in_the_singular() -> None:
    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: 4\n    fields:\n"
        "      c: { generator: address.country, unique: true }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text, name="schema.yaml")
    (d,) = exc.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("impossible-unique", 7, 40)
    assert d.message == "c must be unique over 4 rows, but only 1 distinct value exists"


def _aggregate_hint(entities: dict) -> str:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load({"pdl": 1, "name": "t", "entities": entities})
    (diag,) = [d for d in exc.value.diagnostics if d.code == "bad-aggregate"]
    return diag.hint


def test_an_aggregate_without_a_foreign_key_gets_a_hint_that_works() -> None:
    """The hint always said "add a field `{ref: stats.id}`", also for an entity with no `id`
    (a ref to a field that does not exist), and for siblings under one parent, where the
    aggregate belongs on the parent."""
    devices = {"count": 3, "fields": {"id": {"sequence": 1}}}
    readings = {"count": 9, "fields": {"device_id": {"ref": "devices.id"}}}
    stats = {
        "count": {"per": "devices", "const": 1},
        "fields": {
            "device_id": {"ref": "devices.id", "unique": True},
            "n": {"aggregate": "count(readings)"},
        },
    }
    hint = _aggregate_hint({"devices": devices, "readings": readings, "stats": stats})
    assert hint == (
        "'readings' and 'stats' both reference 'devices': put the aggregate on 'devices' "
        "(and copy it here with `from`)"
    )
    coded = {"count": 3, "fields": {"code": {"pattern": "[A-Z]{4}", "unique": True}}}
    coded["fields"]["n"] = {"aggregate": "count(readings)"}
    assert _aggregate_hint({"coded": coded, "readings": readings, "devices": devices}) == (
        "add a field `{ref: coded.code}` to 'readings'"
    )
    keyless = {"count": 3, "fields": {"n": {"aggregate": "count(readings)"}}}
    assert _aggregate_hint({"keyless": keyless, "readings": readings, "devices": devices}) == (
        "give 'keyless' a key (`id: {sequence: 1}`) and add `{ref: keyless.id}` to 'readings'"
    )


def test_a_field_named_as_a_bound_is_pointed_at_after_or_expr() -> None:
    """`min: hired_on` got "write dates as 2024-01-31": true, but the user meant a date after
    another field, which `after:` gives."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(
            doc(
                hired_on={"type": "date", "between": ["2010-01-01", "2024-12-31"]},
                left_on={"type": "date", "min": "hired_on"},
                salary={"type": "int", "min": 1000, "max": 9000},
                bonus={"type": "int", "max": "salary"},
            )
        )
    diags = {d.message: d for d in exc.value.diagnostics}
    assert [d.code for d in diags.values()] == ["type-mismatch", "type-mismatch"]
    assert diags["bound 'hired_on' is not a date"].hint == (
        "'hired_on' is a field, and bounds are fixed values: for a time after it write "
        "`after: hired_on` (with a `gap`), or `before: hired_on`"
    )
    assert diags["bound 'salary' is not an int"].hint == (
        "'salary' is a field, and bounds are fixed values: compute the value with an `expr`"
    )


def test_weights_beside_a_list_choice_are_shown_the_mapping_form() -> None:
    """`choice: [1, 2], weights: [50, 50]` got "did you mean 'choice'?", a key the field
    already had."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(level={"choice": [1, 2, 3], "weights": [50, 30, 20]}))
    (diag,) = exc.value.diagnostics
    assert diag.code == "unknown-key"
    assert diag.message == "unknown key 'weights' in a field"
    assert diag.hint == "weights go in the choice itself, as a mapping: `choice: {a: 3, b: 1}`"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(level={"type": "int", "weights": [50, 30, 20]}))
    assert exc.value.diagnostics[0].hint == "did you mean 'choice'? (PDL's word for it)"


def test_a_locale_on_an_entity_says_where_locale_goes() -> None:
    spec = doc(id={"sequence": 1}, city={"generator": "address.city"})
    spec["entities"]["users"]["locale"] = "fr_FR"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    (diag,) = exc.value.diagnostics
    assert diag.message == "unknown key 'locale' in an entity"
    assert diag.hint == (
        "`locale` goes on the document or on a field "
        "(`{generator: address.city, locale: fr_FR}`), not on an entity"
    )


def test_misspelt_series_and_timeline_words_get_a_did_you_mean() -> None:
    """`series: timestamp`, `timeline: status` and `model: ar` listed the allowed words
    without the close one (`model: ar` in pydantic's "Input should be …")."""
    spec = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "d": {"count": 2, "fields": {"id": {"sequence": 1}, "t": {"type": "datetime"}}},
            "r": {
                "series": {"for": "d", "start": "d.t", "every": "1h", "max_events": 3},
                "fields": {"d_id": {"ref": "d.id"}, "at": {"series": "timestamp"}},
            },
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    (diag,) = exc.value.diagnostics
    assert diag.message.startswith("expected one of 'time', 'step' or 'value', got string")
    assert diag.hint == "did you mean 'time'?"
    spec["entities"]["r"]["fields"]["at"] = {"series": "value", "model": "ar", "mean": 20}
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-distribution-param"
    assert diag.message == (
        "series value: unknown model 'ar'; expected one of 'ar1', 'constant', 'random_walk'"
    )
    assert diag.hint == "did you mean 'ar1'?"


@pytest.mark.parametrize(
    ("written", "short"),
    [("15 minutes", "15m"), ("2 Hours", "2h"), ("1.5 days", "1.5d"), ("250 milliseconds", "250ms")],
)
def test_a_duration_in_words_is_shown_its_short_form(written: str, short: str) -> None:
    spec = doc(
        id={"sequence": 1},
        at={"type": "datetime"},
        later={"after": "at", "gap": written},
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-duration"
    assert diag.message == f"'{written}' is not a duration"
    assert diag.hint == (
        f"did you mean '{short}'? "
        "(write a duration like 90s, 15m, 2h, 30d, 2w, 1h30m or ISO 8601 P3DT4H)"
    )


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        (
            "2 months",
            "'2 months' is not a duration",
            "months and years have no fixed length: write days, like '60d'; "
            "events 30d apart drift against calendar months; "
            "calendar months go in a timeline state's `after` or a series' `every` "
            "('1 month', 'P1M')",
        ),
        (
            # `1M` read as a month used to be offered '1m', which is one minute
            "1M",
            "'1M' is not a duration",
            "months and years have no fixed length: write days, like '30d' ('1m' is minutes); "
            "events 30d apart drift against calendar months; "
            "calendar months go in a timeline state's `after` or a series' `every` "
            "('1 month', 'P1M')",
        ),
        (
            "P1Y",
            "'P1Y' uses months or years, which have no fixed length; use days",
            "months and years have no fixed length: write days, like 'P365D' or '365d'; "
            "calendar months go in a timeline state's `after` or a series' `every` "
            "('1 month', 'P1M')",
        ),
    ],
)
def test_a_duration_in_months_or_years_is_told_the_days_to_write(
    written: str, message: str, hint: str
) -> None:
    """A `gap` is a duration; calendar months are for a timeline's `after` and a series'
    `every` (tests/test_timeline_months.py)."""
    source = f"""pdl: 1
name: renewals
entities:
  subs:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
      due: {{ after: at, gap: {written} }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="renewals.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-duration"
    assert diag.message == message
    assert diag.hint == hint
    assert str(diag.span) == "renewals.yaml:9:30"
    assert diag.path == "entities.subs.fields.due.gap"


def test_a_string_from_a_dict_is_quoted_once_in_messages() -> None:
    """From Python, `null_rate: "high"` was described as string "'high'" (repr of repr)."""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc(a={"type": "int", "null_rate": "high"}))
    (diag,) = exc.value.diagnostics
    assert diag.message == "expected a number, got string 'high'"


def test_an_expression_of_constants_that_overflows_fails_validation() -> None:
    """An expression that reads no field has the same value in every row: an overflow is
    certain at validation (it passed and generation failed); one over a field is left to
    generation, whose values decide."""
    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1 }\n      n: { type: int, expr: '- -9223372036854775808' }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "bad-expression" and (d.span.line, d.span.column) == (8, 29)
    assert d.message == "the expression cannot be evaluated: overflow"
    assert "leaves the 64-bit integer range" in d.hint
    ok = text.replace("- -9223372036854775808", "- -9223372036854775807")
    assert phony_pdl.load(ok).generate()["a"]["n"].to_pylist() == [9223372036854775807] * 5
    over_a_field = text.replace("'- -9223372036854775808'", "'9223372036854775800 + id'")
    assert phony_pdl.load(over_a_field).entities["a"].count == 5  # rows 8+ would overflow


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        # a timeline's `start` takes the bare name, so users write it for a series too
        ("joined", "did you mean 'subs.joined'? a series bound names its entity"),
        # the example used to be `devices.installed_at`, whatever the schema
        ("yesterday", "write a parent field like subs.joined or a date like 2024-01-01"),
    ],
)
def test_a_series_bound_that_is_no_date_names_the_parent_field_to_write(
    written: str, hint: str
) -> None:
    source = f"""pdl: 1
name: renewals
entities:
  subs:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      plan: {{ choice: [a, b] }}
      joined: {{ type: date }}
  renewals:
    series: {{ for: subs, start: {written}, every: 30d, max_events: 12 }}
    fields:
      sub_id: {{ ref: subs.id }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="renewals.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "invalid-value"
    assert diag.message == f"series start '{written}' is neither `subs.field` nor a date"
    assert diag.hint == hint
    assert str(diag.span) == "renewals.yaml:11:33"
    assert diag.path == "entities.renewals.series.start"


@pytest.mark.parametrize(
    ("where", "written", "message", "hint", "column"),
    [
        (
            "gap",
            "      later: { after: at, gap: { min: 1h } }",
            "a gap needs a `distribution` or `min` and `max`",
            "e.g. `gap: {distribution: exponential, mean: 2h}` or `gap: {min: 1h, max: 1d}`",
            32,
        ),
        (
            # a timeline state's `after` was told to write `gap: …`, a key it does not take
            "after",
            "      later: { after: at }",
            "a state's `after` needs a `distribution` or `min` and `max`",
            "e.g. `after: {distribution: exponential, mean: 2h}` or `after: {min: 1h, max: 1d}`",
            21,
        ),
    ],
)
def test_a_gap_without_max_names_the_key_it_was_written_under(
    where: str, written: str, message: str, hint: str, column: int
) -> None:
    source = f"""pdl: 1
name: gaps
entities:
  orders:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
{written}
  ev:
    timeline:
      for: orders
      start: orders.at
      initial: a
      states:
        a: {{ next: {{ b: 1 }} }}
        b: {{ after: {{ min: 1h }} }}
    fields:
      order_id: {{ ref: orders.id }}
"""
    if where == "gap":
        source = source.replace("after: { min: 1h }", "after: 1h")
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="gaps.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "missing-key"
    assert diag.message == message
    assert diag.hint == hint
    line = 9 if where == "gap" else 17
    assert str(diag.span) == f"gaps.yaml:{line}:{column}"


@pytest.mark.parametrize("written", ["-2h", "-P1D", "-90"])
def test_a_negative_duration_says_it_is_negative(written: str) -> None:
    """`-2h` was 'not a duration' with the generic hint, as if the unit were wrong."""
    source = f"""pdl: 1
name: neg
entities:
  orders:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
      later: {{ after: at, gap: "{written}" }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="neg.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-duration"
    assert diag.message == f"duration {written} is negative"
    assert diag.hint == "a duration is never negative: for a time before another, use `before:`"
    assert str(diag.span) == "neg.yaml:9:32"


@pytest.mark.parametrize(
    ("nxt", "message", "hint"),
    [
        (
            # thirds written as 0.333: change one, no new state needed
            "{ b: 0.333, c: 0.333, d: 0.333 }",
            "probabilities out of 'a' sum to 0.999, not 1",
            "next-state probabilities must add up to 1: make 'b' 0.334",
        ),
        (
            # "delivered, returned for 8%, else done": the rest is `end`, never implied
            "{ b: 0.08 }",
            "probabilities out of 'a' sum to 0.08, not 1",
            "next-state probabilities must add up to 1: make 'b' 1, or end the timeline here "
            "with the other 0.92: `end: 0.92` (spec/pdl.md, Timelines: a state that may end "
            "the timeline or go on)",
        ),
        (
            "{ b: 0.5, c: 0.7 }",
            "probabilities out of 'a' sum to 1.2, not 1",
            "next-state probabilities must add up to 1: make 'c' 0.5",
        ),
    ],
)
def test_next_probabilities_off_1_are_told_the_number_to_change(
    nxt: str, message: str, hint: str
) -> None:
    source = f"""pdl: 1
name: sums
entities:
  orders:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
  ev:
    timeline:
      for: orders
      start: orders.at
      initial: a
      states:
        a: {{ next: {nxt} }}
        b: {{}}
        c: {{}}
        d: {{}}
    fields:
      order_id: {{ ref: orders.id }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="sums.yaml")
    diags = [d for d in exc.value.diagnostics if d.code == "bad-weights"]
    assert len(diags) == 1
    assert diags[0].message == message
    assert diags[0].hint == hint
    assert str(diags[0].span) == "sums.yaml:15:20"


@pytest.mark.parametrize(
    ("field", "message", "hint", "column"),
    [
        (
            "{ timeline: time }",
            "`timeline: time` needs a `timeline:` block on entity 'readings'",
            "this entity has a `series:` block: write `series: time`",
            22,
        ),
        (
            "{ timeline: state }",
            "`timeline: state` needs a `timeline:` block on entity 'readings'",
            "this entity has a `series:` block, which has no state; a series has a value",
            22,
        ),
    ],
)
def test_a_timeline_column_on_a_series_entity_is_told_the_series_column(
    field: str, message: str, hint: str, column: int
) -> None:
    source = f"""pdl: 1
name: mixup
entities:
  devices:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
  readings:
    series: {{ for: devices, start: devices.at, every: 1h, max_events: 5 }}
    fields:
      device_id: {{ ref: devices.id }}
      x: {field}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="mixup.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-timeline"
    assert diag.message == message
    assert diag.hint == hint
    assert str(diag.span) == f"mixup.yaml:13:{column}"


def test_a_series_column_on_a_timeline_entity_is_told_the_timeline_column() -> None:
    source = """pdl: 1
name: mixup
entities:
  orders:
    count: 3
    fields:
      id: { sequence: 1 }
      at: { type: datetime }
  ev:
    timeline: { for: orders, start: orders.at, initial: a, states: { a: {} } }
    fields:
      order_id: { ref: orders.id }
      k: { series: step }
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="mixup.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.message == "`series: step` needs a `series:` block on entity 'ev'"
    assert diag.hint == "this entity has a `timeline:` block: write `timeline: step`"
    assert str(diag.span) == "mixup.yaml:13:20"


@pytest.mark.parametrize(
    ("written", "hint"), [('"9-17"', "write a list: [9, 17]"), ("9 – 17", "write a list: [9, 17]")]
)
def test_business_hours_written_as_a_range_are_shown_as_a_list(written: str, hint: str) -> None:
    """`hours: "9-17"` got "expected a list" with no hint on how to write one."""
    source = f"""pdl: 1
name: hours
entities:
  tickets:
    count: 3
    fields:
      id: {{ sequence: 1 }}
      at: {{ type: datetime }}
  ev:
    timeline:
      for: tickets
      start: tickets.at
      initial: a
      calendar: {{ hours: {written} }}
      states: {{ a: {{}} }}
    fields:
      ticket_id: {{ ref: tickets.id }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="hours.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "wrong-type"
    assert diag.message.startswith("expected a list, got string '9")
    assert diag.hint == hint
    assert str(diag.span) == "hours.yaml:14:26"


def test_a_mixture_count_is_estimated_by_its_components_weighted_mean() -> None:
    """Children per parent of a count's mixture: poisson mean 2 (weight 3) and binomial
    10 x 0.5 = 5 (weight 1) average 2.75; the zipf over 1..50 (s 1.5) is cut at its own
    max 3 (1.48 on average there). The estimate (in the impossible-unique hint) is within
    3 % of a generated count; it used to be one child per parent."""
    components = [
        {"distribution": "poisson", "mean": 2, "weight": 3},
        {"distribution": "binomial", "n": 10, "p": 0.5, "weight": 1},
        {"distribution": "zipf", "s": 1.5, "n": 50, "max": 3, "weight": 0},
    ]
    schema = {
        "pdl": 1,
        "name": "m",
        "entities": {
            "a": {"count": 2000, "fields": {"id": {"sequence": 1}}},
            "b": {
                "count": {
                    "per": "a",
                    "max": 30,
                    "distribution": "mixture",
                    "components": components,
                },
                "fields": {"id": {"sequence": 1}, "a_id": {"ref": "a.id"}},
            },
            "d": {"count": 9000, "fields": {"b_id": {"ref": "b.id", "unique": True}}},
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    [d] = exc.value.diagnostics
    assert "'b' has 5,500 rows on average (its count is drawn per 'a' row, at least 0)" in d.hint
    del schema["entities"]["d"]
    rows = phony_pdl.load(schema).generate(seed=2).count("b")
    assert abs(rows - 5500) / 5500 < 0.03
    components[2]["weight"] = 2  # a third of the parents draw 1-3 children (1.48 each)
    schema["entities"]["d"] = {"count": 9000, "fields": {"b_id": {"ref": "b.id", "unique": True}}}
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    assert "'b' has 4,651 rows on average" in exc.value.diagnostics[0].hint
    del schema["entities"]["d"]
    rows = phony_pdl.load(schema).generate(seed=2).count("b")
    assert abs(rows - 4651) / 4651 < 0.03


@pytest.mark.parametrize(
    "choice",
    ["{ 99999999999999999999: 1, 2: 1 }", "[99999999999999999999, 2]", "[-9223372036854775809]"],
)
def test_int_choice_values_beyond_64_bits_are_refused(choice: str) -> None:
    """Unquoted whole-number keys make an int column: one past int64 validated and then
    stopped generation with pyarrow's OverflowError (the list form did before too)."""
    text = f"pdl: 1\nname: t\nentities:\n  t:\n    count: 50\n    fields:\n      a: {{ choice: {choice} }}\n"
    with pytest.raises(SchemaError) as info:
        phony_pdl.load(text)
    assert [d.code for d in info.value.diagnostics] == ["invalid-value"]
    assert "64-bit" in info.value.diagnostics[0].message
