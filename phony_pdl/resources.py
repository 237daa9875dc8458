"""The one loader for bundled data: works from a wheel (`phony_pdl/_data/`) and a checkout."""

from __future__ import annotations

import difflib
import functools
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

_PACKAGE_DATA = "_data"


@functools.cache
def data_root(kind: str) -> Path:
    """Folder of a data kind: 'generators' or 'schemas'."""
    packaged = Path(str(resources.files("phony_pdl"))) / _PACKAGE_DATA / kind
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"Phony's bundled data folder '{kind}' is missing; reinstall phony-pdl")


def locales_dir() -> Path:
    return data_root("generators") / "locales"


@functools.cache
def known_locales() -> tuple[str, ...]:
    root = locales_dir()
    return tuple(
        sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
    )


def locale_hint(given: str) -> str | None:
    """`did you mean …?` for a locale that is not bundled: the closest spelling (de_AT →
    de_DE, de-DE → de_DE) or, for a bare language (`de`, `en`), its bundled locales, which
    difflib does not find (`de` is too short to be close to `de_DE`)."""
    locales = known_locales()
    close = difflib.get_close_matches(given, locales, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    language = given.replace("-", "_").split("_")[0].lower()
    same = [f"'{loc}'" for loc in locales if loc.split("_")[0] == language]
    if not same:
        return None
    return f"did you mean {' or '.join(same)}?"


def locale_fallbacks(locale: str) -> list[str]:
    """xx_YY → xx → en_US, keeping only locales that exist."""
    chain = [locale]
    if "_" in locale:
        chain.append(locale.split("_")[0])
    chain.append("en_US")
    available = set(known_locales())
    return [c for c in dict.fromkeys(chain) if c in available]


@functools.cache
def load_json(kind: str, relative: str) -> Any:
    path = data_root(kind) / relative
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def schema_path() -> Path:
    return data_root("schemas") / "pdl-1.schema.json"


def schema_ref(folder: Path) -> str:
    """The installed JSON Schema of PDL as a yaml-language-server modeline names it from a
    file in `folder`: a relative path (a project's own virtualenv gives the same path on
    every checkout), or a file URI where none exists (another drive on Windows)."""
    target = schema_path().resolve()
    try:
        return Path(os.path.relpath(target, Path(folder).resolve())).as_posix()
    except ValueError:
        return target.as_uri()
