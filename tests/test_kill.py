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

import pytest

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


def big_run(out: Path) -> list[str]:
    """A run long enough (tens of seconds) to be signalled while it writes."""
    return [sys.executable, "-m", "phony_pdl.cli", "generate", "--schema", str(SHOP), "--scale", "400",
            "--format", "csv", "--out", str(out), "--quiet"]  # fmt: skip


def _wait_for_temp(folder: Path, proc: subprocess.Popen, limit: float = 60.0) -> None:
    """Until the run is writing (a temp file exists), so the signal lands mid-run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.exists() and list(folder.glob(f".*{TEMP_SUFFIX}")):
            return
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


def test_sigterm_cleans_up_like_ctrl_c(tmp_path: Path) -> None:
    """`timeout`, `kill` and a cancelled CI job send SIGTERM: the run must remove its temp
    files and say so (exit 143), not die leaving them."""
    out = tmp_path / "out"
    proc = subprocess.Popen(big_run(out), stderr=subprocess.PIPE, text=True)
    _wait_for_temp(out, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.startswith("terminated: files being written were removed")
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_the_process_group_with_workers_does_not_hang(
    tmp_path: Path, stop: int, code: int
) -> None:
    """`timeout` (SIGTERM) and a terminal's Ctrl-C (SIGINT) signal the whole process group:
    workers may die holding a lock of the pool's queues; the parent must still clean up
    and exit (it used to wait on that lock forever), and no worker prints a traceback."""
    out = tmp_path / "out"
    for _ in range(3):
        proc = subprocess.Popen(
            [*big_run(out), "--workers", "2"],
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        _wait_for_temp(out, proc)
        os.killpg(proc.pid, stop)
        _, err = proc.communicate(timeout=60)  # a hang fails here
        assert proc.returncode == code, err
        assert "Traceback" not in err
        assert not out.exists() or list(out.iterdir()) == []


def test_a_worker_killed_on_its_own_ends_the_run_with_an_error(tmp_path: Path) -> None:
    """A worker killed by the out-of-memory killer or `kill -9` used to leave the run
    waiting for its block forever; the run must stop, say so, and leave no files."""
    out = tmp_path / "out"
    proc = subprocess.Popen([*big_run(out), "--workers", "2"], stderr=subprocess.PIPE, text=True)
    _wait_for_temp(out, proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # pools come and go between entities: retry
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        try:
            os.kill(int(children[0]), signal.SIGKILL)
            break
        except (IndexError, ProcessLookupError):
            time.sleep(0.02)
    _, err = proc.communicate(timeout=60)  # a hang fails here
    assert proc.returncode == 1, err
    assert err.startswith("error: a worker process ended unexpectedly (exit code -9)"), err
    assert not out.exists() or list(out.iterdir()) == []
