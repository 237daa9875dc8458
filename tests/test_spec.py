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
