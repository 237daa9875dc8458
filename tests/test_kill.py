"""A generation killed with SIGKILL at any moment leaves no partial file under a final name."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from phony_pdl.writers.base import TEMP_SUFFIX

from .conftest import ROOT

SHOP = ROOT / "examples" / "shop.yaml"


def command(out: Path) -> list[str]:
    return [sys.executable, "-m", "phony_pdl.cli", "generate", "--schema", str(SHOP), "--scale", "8",
            "--format", "jsonl", "--out", str(out), "--quiet"]  # fmt: skip


def test_sigkill_never_leaves_partial_final_files(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    subprocess.run(command(reference), check=True, timeout=600)
    manifest = json.loads((reference / "manifest.json").read_text())
    complete = {e["file"]: e["sha256"] for e in manifest["entities"].values()}
    target = tmp_path / "killed"
    for delay in (0.3, 0.8, 1.3, 1.8, 2.5, 3.2):
        proc = subprocess.Popen(command(target))
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        for path in target.iterdir() if target.exists() else []:
            if path.name.endswith(TEMP_SUFFIX):
                continue  # temp names are allowed to be partial; they are never read
            if path.name == "manifest.json":
                json.loads(path.read_text())
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert digest == complete[path.name], f"{path.name} is partial after a kill at {delay}s"
    subprocess.run(command(target), check=True, timeout=600)
    assert not list(target.glob(f"*{TEMP_SUFFIX}")), "the rerun removes stale temp files"
    rerun = json.loads((target / "manifest.json").read_text())
    assert rerun["entities"] == manifest["entities"]
