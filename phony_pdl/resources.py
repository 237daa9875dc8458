"""The one loader for bundled data: works from a wheel (`phony_pdl/_data/`) and a checkout."""

from __future__ import annotations

import functools
import json
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
