"""The README's Python examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

BLOCKS = re.findall(
    r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.MULTILINE | re.DOTALL
)


def test_readme_has_the_api_examples() -> None:
    assert any("Phony(" in b for b in BLOCKS)
    assert any("def test_" in b and "phony_dataset" in b for b in BLOCKS)


def test_readme_python_snippets_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    for block in BLOCKS:
        if "def test_" in block:
            continue
        code = block.replace('dataset.write("out/shop"', f'dataset.write("{tmp_path}/shop"')
        exec(compile(code, "README.md", "exec"), {})


def test_readme_pytest_fixtures_run(tmp_path: Path) -> None:
    tests = "\n\n".join(b for b in BLOCKS if "def test_" in b)
    (tmp_path / "test_from_readme.py").write_text(tests)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "phony_pdl.pytest_plugin", "-p", "no:cacheprovider",
         str(tmp_path / "test_from_readme.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_readme_validate_output_is_what_validate_prints(tmp_path: Path, monkeypatch) -> None:
    """The error shown under "A first schema" is the one `phony validate` prints for that
    schema with the typo the text names."""
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A first schema", 1)[1].split("\n## ", 1)[0]
    schema = re.search(r"^```yaml pdl\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    shown = re.search(r"^```\n(error\[.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert schema and shown
    assert "person.first_name }" in schema.group(1)
    (tmp_path / "schema.yaml").write_text(
        schema.group(1).replace("person.first_name }", "person.firstname }")
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "schema.yaml"])
    assert result.exit_code == 1
    assert result.output.strip() == shown.group(1).strip()
