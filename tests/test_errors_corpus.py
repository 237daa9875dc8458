"""Golden corpus of malformed schemas: each is rejected with its code, place and message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from phony_pdl.cli import app
from phony_pdl.errors import CODES

CORPUS = Path(__file__).parent / "errors"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


def code_of(case: Path) -> str:
    """Directory names are `<code>-<slug>`; the longest matching code wins."""
    matches = [c for c in CODES if case.name == c or case.name.startswith(c + "-")]
    assert matches, f"{case.name} does not start with a known code"
    return max(matches, key=len)


def test_corpus_is_large_and_covers_parse_categories() -> None:
    assert len(CASES) >= 40
    codes = {code_of(c) for c in CASES}
    parse_codes = {
        "syntax",
        "duplicate-key",
        "alias-limit",
        "too-deep",
        "ambiguous-scalar",
        "forbidden-tag",
        "multiple-documents",
        "empty-document",
        "encoding",
    }
    assert parse_codes <= codes


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rejected_with_code_location_and_message(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = next(p.name for p in case.iterdir() if p.name.startswith("schema."))
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    monkeypatch.chdir(case)
    result = CliRunner().invoke(app, ["validate", schema])
    assert result.exit_code == 1, result.output
    output = result.stderr if hasattr(result, "stderr") else result.output
    assert "Traceback" not in output
    assert f"error[{code_of(case)}]" in output
    assert f"--> {schema}:" in output  # file:line:column of the problem
    assert output == expected
