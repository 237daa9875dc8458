"""The parsers keep positions, load safely and reject what YAML 1.1 would misread."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import yaml

import phony_pdl
from phony_pdl.errors import SchemaError
from phony_pdl.nodes import MapNode, SeqNode, to_python
from phony_pdl.parse import _YamlBuilder, decode, parse_json, parse_text, parse_yaml

from .conftest import ROOT


def codes(exc: pytest.ExceptionInfo[SchemaError]) -> list[str]:
    return exc.value.codes


def test_yaml_nodes_keep_line_and_column() -> None:
    tree = parse_yaml("pdl: 1\nentities:\n  users:\n    count: 5\n", "f.yaml")
    assert isinstance(tree, MapNode)
    users = tree.get("entities").get("users")
    count = users.get("count")
    assert (count.span.file, count.span.line, count.span.column) == ("f.yaml", 4, 12)
    assert users.key_node("count").span.column == 5


def test_json_nodes_keep_line_and_column() -> None:
    tree = parse_json('{\n  "a": {"b": [1, 2.5, "x"]}\n}', "f.json")
    item = tree.get("a").get("b").items[2]
    assert (item.span.line, item.span.column) == (2, 23)
    assert to_python(tree) == {"a": {"b": [1, 2.5, "x"]}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1.10", 1.1),
        ("a: '1.10'", "1.10"),
        ("a: 2024-01-31", "2024-01-31"),  # dates stay text; the model parses them
        ("a: ~", None),
        ("a: true", True),
        ("a: 0x1F", 31),
        ("a: 1_000", 1000),
        ("a: .inf", float("inf")),
    ],
)
def test_yaml_12_core_resolution(text: str, expected: object) -> None:
    assert to_python(parse_yaml(text))["a"] == expected


@pytest.mark.parametrize("scalar", ["NO", "yes", "on", "Off", "012", "1:30", "0b101"])
def test_yaml_11_surprises_need_quotes(scalar: str) -> None:
    with pytest.raises(SchemaError) as exc:
        parse_yaml(f"a: {scalar}\n", "s.yaml")
    diag = exc.value.diagnostics[0]
    assert diag.code == "ambiguous-scalar"
    assert diag.hint.startswith(f'quote it: "{scalar}"')
    assert (diag.span.line, diag.span.column) == (1, 4)
    assert to_python(parse_yaml(f'a: "{scalar}"\n'))["a"] == scalar


def test_duplicate_keys_name_both_lines() -> None:
    with pytest.raises(SchemaError) as exc:
        parse_yaml("a: 1\nb: 2\na: 3\n", "d.yaml")
    diag = exc.value.diagnostics[0]
    assert diag.code == "duplicate-key"
    assert diag.span.line == 3
    assert "line 1" in diag.message


def test_python_tags_are_refused_without_running_anything(tmp_path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(SchemaError) as exc:
        parse_yaml(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert codes(exc) == ["forbidden-tag"]
    assert not marker.exists()


def test_merge_keys_and_aliases_share_values() -> None:
    tree = parse_yaml("base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3}\n")
    assert to_python(tree)["use"] == {"y": 3, "x": 1}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-document"),
        (b"# only a comment\n", "empty-document"),
        (b"a: 1\n---\nb: 2\n", "multiple-documents"),
        (b"a: [1, 2\n", "syntax"),
        (b"a: caf\xe9\n", "encoding"),
        ("a: 1\n".encode("utf-16"), "encoding"),
    ],
)
def test_bad_files_give_diagnostics_not_tracebacks(data: bytes, code: str) -> None:
    with pytest.raises(SchemaError) as exc:
        parse_text(decode(data, "x.yaml"), "x.yaml")
    assert codes(exc) == [code]


def test_utf8_bom_is_accepted() -> None:
    text = decode(b"\xef\xbb\xbfa: 1\n", "b.yaml")
    assert to_python(parse_text(text)) == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1,}', "unexpected '}'"),
        ('{"a" 1}', "unexpected '1'"),
        ("{'a': 1}", "unexpected character"),
        ('{"a": [1 2]}', "missing ','"),
        ('{"a": 1} 2', "after the top-level value"),
    ],
)
def test_json_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(SchemaError) as exc:
        parse_json(text, "j.json")
    assert codes(exc) == ["syntax"]
    assert message in exc.value.diagnostics[0].message


BOMB = textwrap.dedent(
    """
    import sys, time, resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from phony_pdl.parse import parse_text
    from phony_pdl.errors import SchemaError
    text = sys.stdin.read()
    start = time.perf_counter()
    try:
        parse_text(text, "bomb.yaml")
    except SchemaError as exc:
        print(exc.codes[0], round(time.perf_counter() - start, 3))
    """
)


def _run_isolated(text: str) -> tuple[str, float]:
    """Parse in a child process capped at 1 GiB of address space."""
    result = subprocess.run(
        [sys.executable, "-c", BOMB], input=text, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    code, seconds = result.stdout.split()
    return code, float(seconds)


def test_alias_bomb_is_rejected_in_bounded_memory() -> None:
    """Expanding the 10^9 values would exhaust the child's 1 GiB cap (a MemoryError, not
    alias-limit), so the code alone shows the guard stopped it early; no timed assertion."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    code, _ = _run_isolated("\n".join(lines) + "\n")
    assert code == "alias-limit"


def test_a_hundred_thousand_key_choice_loads_and_generates() -> None:
    """200,032 values written out (a `choice` with 100,000 categories, as `phony infer`
    writes for a large categorical) were refused as an alias bomb; only what aliases add
    is counted now."""
    import phony_pdl

    lines = ["pdl: 1", "name: big", "entities:", "  t:", "    count: 500", "    fields:"]
    lines += ["      id: { sequence: 1 }", "      cat:", "        choice:"]
    lines += [f"          c{i:06d}: {1 + i % 7}" for i in range(100_000)]
    schema = phony_pdl.load("\n".join(lines) + "\n")
    assert len(schema.document.entities["t"].fields["cat"].choice) == 100_000
    cats = schema.generate(seed=1)["t"]["cat"].to_pylist()
    assert len(cats) == 500 and len(set(cats)) > 450
    assert all(c.startswith("c") and len(c) == 7 for c in cats)


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without libyaml")
@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("examples/*.yaml")) + sorted(ROOT.glob("tests/errors/*/schema.yaml"))
)
def test_libyaml_and_pyyaml_read_the_same_tree(path) -> None:
    """The fast reader (libyaml) must give the tree and the places PyYAML's parser gives;
    a file one of them refuses goes to PyYAML's parser for the message."""
    text = path.read_text(encoding="utf-8", errors="replace")

    def tree(loader: type):
        try:
            root = _YamlBuilder("f.yaml").build(text, loader)
        except Exception as exc:
            return type(exc).__name__
        return walk(root)

    def walk(node):
        span = (node.span.line, node.span.column, node.span.end_line, node.span.end_column)
        if isinstance(node, MapNode):
            return (
                span,
                [(k.value, k.plain, walk(v)) for k, v in zip(node.keys, node.values, strict=True)],
            )
        if isinstance(node, SeqNode):
            return (span, [walk(i) for i in node.items])
        return (span, node.value, node.text, node.plain)

    fast = tree(yaml.CSafeLoader)
    if not isinstance(fast, str):
        assert fast == tree(yaml.SafeLoader)


def test_aliases_are_counted_as_their_expansion() -> None:
    """The limit is on the values aliases add: 21 aliases of a 10,000-value list pass 200,000
    at the 21st, whatever the file holds besides."""
    anchor = "a: &a [" + ", ".join(["x"] * 9_999) + "]"
    text = anchor + "\n" + "\n".join(f"k{i}: *a" for i in range(21)) + "\n"
    with pytest.raises(SchemaError) as exc:
        parse_text(text, "wide.yaml")
    [d] = exc.value.diagnostics
    assert d.code == "alias-limit"
    assert d.message == (
        "aliases expand the document by more than 200,000 values (this one, '*a', adds 10,000)"
    )
    assert (d.span.line, d.span.column) == (22, 6)  # the 21st alias
    ok = anchor + "\n" + "\n".join(f"k{i}: *a" for i in range(20)) + "\n"
    assert len(to_python(parse_text(ok))["k19"]) == 9_999


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_ten_thousand_deep_nesting_is_rejected(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    code, _ = _run_isolated("x: " + opener * 10_000 + "1" + closer * 10_000 + "\n")
    assert code == "too-deep"


def test_ten_thousand_deep_json_is_rejected() -> None:
    code, _ = _run_isolated('{"x": ' + "[" * 10_000 + "]" * 10_000 + "}")
    assert code == "too-deep"


def test_an_unclosed_bracket_is_named_where_it_opened() -> None:
    """YAML reports an unclosed `{` on the next line, where the reader sees the damage;
    the hint points back at the bracket."""
    import phony_pdl
    from phony_pdl import SchemaError

    text = (
        "pdl: 1\nname: t\nentities:\n  a:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1\n      b: { const: 1 }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    [d] = exc.value.diagnostics
    assert d.code == "syntax" and d.span.line == 8
    assert (
        d.hint == "the `{` opened at line 7, column 11 is not closed: end it with `}` on its line"
    )


def test_every_ambiguous_scalar_is_reported_at_once() -> None:
    """Only the first unquoted `08:00` was reported, so a file with `[08:00, 18:00]` and
    `[yes, no]` took four runs of `phony validate` to fix."""
    text = (
        "pdl: 1\nname: t\nentities:\n  e:\n    count: 3\n    fields:\n"
        "      a: { type: time, between: [08:00, 18:00] }\n"
        "      b: { choice: [yes, no] }\n"
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    diags = exc.value.diagnostics
    assert [d.code for d in diags] == ["ambiguous-scalar"] * 4
    assert [(d.span.line, d.span.column) for d in diags] == [(7, 34), (7, 41), (8, 21), (8, 26)]
    assert diags[1].message == (
        "unquoted '18:00' means 1080 (base 60) in YAML 1.1 but the string '18:00' in YAML 1.2"
    )
    assert diags[3].hint == 'quote it: "no" (or write true/false for a boolean)'


def test_an_ambiguous_scalar_is_reported_with_a_later_duplicate_key() -> None:
    text = "pdl: 1\nname: t\nentities:\n  e:\n    x: [on]\n    count: 3\n    count: 4\n"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(text)
    assert exc.value.codes == ["ambiguous-scalar", "duplicate-key"]


def test_python_data_becomes_nodes_with_the_text_each_value_is_written_as() -> None:
    """Plain numbers, strings, booleans and None take a fast path by exact type; numpy
    scalars, dates and int subclasses keep theirs. Too deep a nesting is refused."""
    import datetime

    import numpy as np

    from phony_pdl.nodes import ScalarNode, from_python

    class Level(int):
        pass

    root = from_python(
        {
            "n": [1, 2.5, True, None, "x y", np.float64(1.5), np.int64(3)],
            "d": datetime.date(2024, 1, 2),
            "k": Level(4),
        },
        "f.yaml",
    )
    leaves = root.values[0].items + root.values[1:]
    assert all(isinstance(leaf, ScalarNode) and not leaf.plain for leaf in leaves)
    assert [(leaf.value, leaf.text) for leaf in leaves] == [
        (1, "1"),
        (2.5, "2.5"),
        (True, "True"),
        (None, "None"),
        ("x y", "x y"),
        (1.5, "1.5"),
        (3, "3"),
        ("2024-01-02", "2024-01-02"),
        (4, "4"),
    ]
    assert type(leaves[5].value) is float and str(root.span) == "f.yaml:0:0"
    assert to_python(root)["n"][:5] == [1, 2.5, True, None, "x y"]
    deep: object = 1
    for _ in range(202):
        deep = [deep]
    with pytest.raises(ValueError, match="nesting too deep"):
        from_python(deep)
