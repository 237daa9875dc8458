"""bench/RESULTS.md is made of sections (`## …`); each benchmark script replaces its own."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(heading_prefix: str, lines: list[str]) -> None:
    """Replace the section whose heading starts with `heading_prefix` where it stands (or
    append it), so hand-written sections around it keep their order."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    body = list(lines)
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    kept: list[str] = []
    skipping = placed = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.startswith(heading_prefix)
            if skipping and not placed:
                kept += [*body, ""]
                placed = True
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    if not placed:
        kept += ["", *body]
    RESULTS.write_text("\n".join(kept) + "\n")
