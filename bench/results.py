"""bench/RESULTS.md is made of sections (`## …`); each benchmark script replaces its own."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(heading_prefix: str, lines: list[str]) -> None:
    """Replace the section whose heading starts with `heading_prefix` (or append it)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.startswith(heading_prefix)
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    body = [line for line in lines]
    while body and not body[0].strip():
        body.pop(0)
    RESULTS.write_text("\n".join(kept) + "\n\n" + "\n".join(body).rstrip() + "\n")
