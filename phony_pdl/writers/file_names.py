"""The file (and folder) name of a table: its name, made storable on every file system.

A `table` may hold characters Windows cannot have in a file name (`Sales:2024`), and a
schema written on Linux must give output that can be copied, zipped and checked out on
Windows too. So the name of an entity's file, or of its folder in the dataset layout, is
its table's name with these percent-encoded (`%` and two upper-case hex digits per byte
of UTF-8):

- `< > : " / \\ | ? *`, control characters, and `%` itself (so the mapping can be
  reversed and two table names never share a file: `a:b` → `a%3Ab`, `a%3Ab` → `a%253Ab`);
- a dot or space that ends the name (Windows drops them: `Inc.` → `Inc%2E`);
- a dot that starts it (Unix hides such files, and `ls`, `*.csv` and file pickers skip
  them: `.env` → `%2Eenv`);
- the last character of a Windows device name (`CON`, `PRN`, `AUX`, `NUL`, `CONIN$`,
  `CONOUT$`, `COM0`–`COM9`, `LPT0`–`LPT9`, and `COM`/`LPT` with `¹ ² ³`), in any letter
  case, when it is all of the name before the first dot, blanks that end it aside:
  `CON` → `CO%4E`, `nul.old` → `nu%6C.old`, `COM1` → `COM%31`.

Every other name is its own file name (`orders`, `Order Details`, `Größe`), as before.
`table_of_stem` reverses the mapping for `phony infer` and `phony compare`.
"""

from __future__ import annotations

import re
import unicodedata

# `%`: so that every escape in a file name is one of ours, and decoding is exact
FORBIDDEN = frozenset('<>:"/\\|?*%')

DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")]
)

_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _escape(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def _forbidden(ch: str) -> bool:
    return ch in FORBIDDEN or unicodedata.category(ch) == "Cc"


def file_stem(table: str) -> str:
    """The base name of a table's file or folder (the `Order Details` of
    `Order Details.csv`): `table` with what a file name cannot hold percent-encoded."""
    chars = [_escape(ch) if _forbidden(ch) else ch for ch in table]
    if chars and chars[-1] in (".", " "):
        chars[-1] = _escape(chars[-1])
    if chars and chars[0] == ".":
        chars[0] = _escape(".")
    device = table.split(".", 1)[0].rstrip(" ")
    if device.upper() in DEVICES:  # Windows opens the device for `CON` and `con.csv`
        chars[len(device) - 1] = _escape(device[-1])
    return "".join(chars)


def table_of_stem(stem: str) -> str:
    """The table a file or folder base name stands for: the name `file_stem` encoded to
    `stem` (`Sales%3A2024` → `Sales:2024`), else `stem` itself (a file Phony did not
    name: `100%.csv`, `a%20b.csv`)."""
    if "%" not in stem:
        return stem
    try:
        table = _ESCAPES.sub(
            lambda m: bytes.fromhex(m.group().replace("%", "")).decode("utf-8", "surrogatepass"),
            stem,
        )
    except UnicodeDecodeError:
        return stem
    return table if file_stem(table) == stem else stem


# Files a run writes beside the entities' own: an entity whose file or folder had one of
# these names would be overwritten by it (or overwrite it), with no error
RUN_FILES = ("manifest.json", "manifest.partial.json")


def check_not_run_file(entity: str, file_name: str) -> None:
    """Refuses an entity whose output file (or dataset folder) would be the run's manifest,
    in any letter case (macOS and Windows file systems fold it)."""
    from ..errors import UsageError

    if file_name.casefold() in RUN_FILES:
        raise UsageError(
            f"entity '{entity}' would be written to {file_name}, the file that lists the "
            f"run's output; give it another file name with `table:` (e.g. `table: "
            f"{entity}_rows`, which names its SQL table too), or write another format"
        )
