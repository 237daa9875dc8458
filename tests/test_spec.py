"""The spec is executable: every PDL block runs, and error codes match their sections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import phony_pdl
from phony_pdl.errors import CODES, SchemaError

from .conftest import ROOT

SPEC = ROOT / "spec"
BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(info string, body, heading it sits under) for every fenced block."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in BLOCK.finditer(text):
        before = text[: m.start()]
        headings = re.findall(r"^## (.+)$", before, re.MULTILINE)
        out.append(
            (m.group("info").strip(), m.group("body"), headings[-1].strip() if headings else "")
        )
    return out


def spec_blocks(kind: str) -> list[tuple[str, str, str]]:
    found = []
    for path in [*sorted(SPEC.glob("*.md")), ROOT / "README.md"]:
        for info, body, heading in blocks(path):
            if info == kind:
                found.append((f"{path.name}:{heading}", body, heading))
    return found


VALID = spec_blocks("yaml pdl") + spec_blocks("json pdl")
FAILING = spec_blocks("yaml pdl-error")


def test_error_sections_match_codes() -> None:
    text = (SPEC / "errors.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## ([a-z0-9-]+)\s*$", text, re.MULTILINE)
    assert sections == list(CODES), (
        "spec/errors.md needs exactly one section per code, in CODES order"
    )


@pytest.mark.parametrize(("where", "body", "heading"), VALID, ids=[v[0] for v in VALID])
def test_pdl_blocks_validate(where: str, body: str, heading: str) -> None:
    phony_pdl.load(body)


@pytest.mark.parametrize(("where", "body", "heading"), FAILING, ids=[f[0] for f in FAILING])
def test_error_examples_fail_with_their_code(where: str, body: str, heading: str) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(body)
    assert heading in exc.value.codes


def test_spec_has_runnable_examples() -> None:
    assert len(VALID) >= 30
    assert len(FAILING) >= 40


def test_errors_md_opening_example_is_what_validate_prints(tmp_path: Path, monkeypatch) -> None:
    """The file and the output at the top of spec/errors.md are a real run of validate."""
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    text = (SPEC / "errors.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    schema = re.search(r"^```yaml\n(.*?)^```", opening, re.MULTILINE | re.DOTALL)
    shown = re.search(r"^```text\n(.*?)^```", opening, re.MULTILINE | re.DOTALL)
    assert schema and shown
    (tmp_path / "schema.yaml").write_text(schema.group(1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "schema.yaml"])
    assert result.exit_code == 1
    assert result.output.strip() == shown.group(1).strip()


def shown_outputs() -> list[tuple[str, str, str]]:
    """(code, failing example, the output shown after it) for each section of errors.md."""
    found = []
    for section in (SPEC / "errors.md").read_text(encoding="utf-8").split("\n## ")[1:]:
        code = section.split("\n", 1)[0].strip()
        m = re.search(
            r"^```yaml pdl-error\n(.*?)^```\n\n```text\n(.*?)^```",
            section,
            re.MULTILINE | re.DOTALL,
        )
        if m:
            found.append((code, m.group(1), m.group(2)))
    return found


SHOWN = shown_outputs()


@pytest.mark.parametrize(("code", "body", "shown"), SHOWN, ids=[s[0] for s in SHOWN])
def test_errors_md_shows_the_output_of_each_failing_example(
    code: str, body: str, shown: str, tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    (tmp_path / "schema.yaml").write_text(body)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "schema.yaml"])
    assert result.exit_code == 1
    assert f"error[{code}]" in result.output
    assert result.output.strip() == shown.strip()


def test_errors_md_shows_output_for_every_failing_example() -> None:
    assert len(SHOWN) == len(FAILING) >= 40


@pytest.mark.parametrize(
    ("heading", "definition"),
    [
        ("## Document", None),
        ("## Entities", "Entity"),
        ("## Correlations", "Correlate"),
        ("## Timelines", "Timeline"),
        ("### Calendar", "Calendar"),
        ("## Series", "Series"),
    ],
)
def test_key_tables_list_the_keys_the_json_schema_accepts(heading: str, definition) -> None:
    """The first key table under each heading of spec/pdl.md names exactly the keys of its
    object in schemas/pdl-1.schema.json (which is generated from the validator's models)."""
    import json

    schema = json.loads((ROOT / "schemas" / "pdl-1.schema.json").read_text(encoding="utf-8"))
    target = schema if definition is None else schema["$defs"][definition]
    text = (SPEC / "pdl.md").read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    table = re.search(r"^\| Key \|.*?\n((?:\|.*\n)+)", section, re.MULTILINE)
    assert table, f"no key table under {heading}"
    listed = set(re.findall(r"^\| `([^`]+)`", table.group(1), re.MULTILINE))
    assert listed == set(target["properties"])


def test_modifier_table_lists_the_field_keys_that_are_not_sources() -> None:
    """The key table under "## Modifiers" names every key of a field in the JSON schema
    that is neither a source nor a source's own option."""
    import json

    from phony_pdl.model import SOURCE_KEYS, SOURCE_OPTIONS

    schema = json.loads((ROOT / "schemas" / "pdl-1.schema.json").read_text(encoding="utf-8"))
    keys = set(schema["$defs"]["FieldSpec"]["properties"]) - set(SOURCE_KEYS) - set(SOURCE_OPTIONS)
    text = (SPEC / "pdl.md").read_text(encoding="utf-8")
    section = text.split("\n## Modifiers\n", 1)[1].split("\n## ", 1)[0]
    table = re.search(r"^\| Key \|.*?\n((?:\|.*\n)+)", section, re.MULTILINE)
    assert table, "no key table under ## Modifiers"
    listed = {k for row in re.findall(r"^\| (.+?) \|", table.group(1), re.MULTILINE)
              for k in re.findall(r"`([^`]+)`", row)}  # fmt: skip
    assert listed == keys
