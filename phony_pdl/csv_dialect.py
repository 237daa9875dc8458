"""The separator of a CSV file: `,` unless its first lines say `;`, tab or `|`.

Spreadsheets in many locales export `;`-separated files with decimal commas; reading them
as comma-separated would give one column per line.
"""

from __future__ import annotations

import csv

__all__ = ["sniff_delimiter"]

_HEAD_LINES = 50


def sniff_delimiter(head: str, *, complete: bool = True) -> str:
    """The separator of CSV text starting with `head`; `complete` False when `head` was cut
    from a longer file (its last line may be partial)."""
    lines = head.splitlines()[:_HEAD_LINES]
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # a cut line would count its separators short
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
