"""spec/formats.md shows real output of the `teams` example: keep those blocks true.

The expected values are parsed out of the document, so a change to the code or to
examples/teams.yaml that alters the output fails here until the document is regenerated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import phony_pdl
from phony_pdl.distributed import write_dataset

from .conftest import ROOT

DOC = ROOT / "spec" / "formats.md"
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.S | re.M)


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def blocks_after(marker: str, n: int = 1) -> list[str]:
    """The contents of the first `n` fenced blocks after `marker` in spec/formats.md."""
    text = doc_text()
    start = text.find(marker)
    assert start >= 0, f"marker not found in spec/formats.md: {marker!r}"
    found = [m.group(1) for m in FENCE.finditer(text, start)][:n]
    assert len(found) == n, f"expected {n} fenced block(s) after {marker!r}"
    return found


def doc_seed() -> int:
    match = re.search(r"with the document's own seed \((\d+)\)", doc_text())
    assert match, "spec/formats.md no longer names the seed of the teams examples"
    return int(match.group(1))


def head(path: Path, n: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:n]


@pytest.fixture(scope="module")
def teams():
    return phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(seed=doc_seed())


@pytest.fixture(scope="module")
def written(teams, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("formats_doc")
    dirs = {}
    for fmt in ("csv", "jsonl", "json", "sql"):
        dirs[fmt] = out / fmt
        teams.write(dirs[fmt], format=fmt)
    return dirs


def same_versions(doc_manifest: dict, manifest: dict) -> bool:
    """File hashes are pinned only for the library versions the document names."""
    return (doc_manifest["versions"], doc_manifest["phony_version"]) == (
        manifest["versions"],
        manifest["phony_version"],
    )


def test_manifest_matches_a_real_run(teams, written):
    (block,) = blocks_after("The manifest holds no time stamps or paths")
    shown = json.loads(block)
    actual = json.loads((written["csv"] / "manifest.json").read_text())
    assert shown["schema_sha256"] == teams.plan.schema.sha256 == actual["schema_sha256"]
    assert shown["seed"] == doc_seed() == actual["seed"]
    assert list(shown) == list(actual)
    assert {
        k: v for k, v in shown.items() if k not in ("versions", "phony_version", "entities")
    } == {k: v for k, v in actual.items() if k not in ("versions", "phony_version", "entities")}
    assert list(shown["entities"]) == list(actual["entities"])
    for name, entry in shown["entities"].items():
        assert (entry["rows"], entry["file"]) == (
            actual["entities"][name]["rows"],
            actual["entities"][name]["file"],
        )
    if same_versions(shown, actual):
        assert shown == actual


def test_csv_heads(written):
    teams_block, players_block = blocks_after("`teams.csv` and `players.csv` begin:", 2)
    for block, name in ((teams_block, "teams"), (players_block, "players")):
        lines = block.splitlines()
        assert len(lines) >= 2
        assert lines == head(written["csv"] / f"{name}.csv", len(lines))


def test_jsonl_and_json_rows(written):
    (jsonl,) = blocks_after("`players.jsonl` begins:")
    lines = jsonl.splitlines()
    assert lines == head(written["jsonl"] / "players.jsonl", len(lines))

    (shown,) = blocks_after("`players.json` begins and ends:")
    first, last = shown.split("\n…\n")
    actual = (written["json"] / "players.json").read_text(encoding="utf-8").splitlines()
    assert first.splitlines() == actual[: len(first.splitlines())]
    assert last.splitlines() == actual[-len(last.splitlines()) :]


def test_parquet_rows_repr(teams):
    (session,) = blocks_after("`players.parquet`, read back with pyarrow:")
    lines = session.splitlines()
    shown = lines[lines.index(">>> f.read().slice(0, 2).to_pylist()") + 1]
    assert shown == repr(teams["players"].slice(0, 2).to_pylist())


def test_sql_excerpt(written):
    (excerpt,) = blocks_after(
        "An excerpt of `phony generate --schema examples/teams.yaml --format sql"
    )
    actual = (written["sql"] / "teams.sql").read_text(encoding="utf-8").splitlines()
    shown = excerpt.splitlines()
    # the header (schema hash, seed) and the DDL up to the first elision, verbatim
    upto = shown.index("…")
    assert shown[:upto] == actual[:upto]
    # every other shown line is a line of the script, in the same order
    position = upto
    for line in shown[upto:]:
        if line == "…":
            continue
        position = actual.index(line, position) + 1


def test_dataset_manifest(teams, tmp_path):
    (block,) = blocks_after("### The dataset layout\n")
    shown = json.loads(block)
    report = write_dataset(teams, tmp_path / "ds", format=shown["format"])
    actual = json.loads(report.manifest.read_text())
    assert list(shown) == list(actual)
    assert shown["layout"] == "dataset" and shown["complete"] is True
    assert not (tmp_path / "ds" / "manifest.partial.json").exists()
    skip = ("versions", "phony_version", "entities")
    assert {k: v for k, v in shown.items() if k not in skip} == {
        k: v for k, v in actual.items() if k not in skip
    }
    for name, entry in shown["entities"].items():
        got = actual["entities"][name]
        assert list(entry) == list(got)
        assert (entry["rows"], entry["directory"]) == (got["rows"], got["directory"])
        assert [(p["block"], p["file"], p["rows"]) for p in entry["parts"]] == [
            (p["block"], p["file"], p["rows"]) for p in got["parts"]
        ]
    if same_versions(shown, actual):
        assert shown == actual
