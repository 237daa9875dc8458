"""manifest.json of the dataset layout, the partial manifest a killed run leaves, and resume.

`manifest.json` is written last, atomically, when every part is in place. While
parts are being written, `manifest.partial.json` (also replaced atomically) records
the parts finished so far, so a run killed at any moment can be resumed: a part is
kept only if its file exists and hashes to what a manifest of the same run
identity recorded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..writers.base import AtomicFile

MANIFEST = "manifest.json"
PARTIAL = "manifest.partial.json"


def write_json(path: Path, data: dict[str, Any]) -> None:
    target = AtomicFile(path)
    try:
        target.write((json.dumps(data, indent=2) + "\n").encode())
        target.commit()
    except BaseException:
        target.abort()
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def previous_parts(
    root: Path, identity: dict[str, Any], schemas: dict[str, str]
) -> tuple[dict[tuple[str, int], str], str | None]:
    """SHA-256 of the parts earlier runs of the same identity recorded, by (entity, block).

    Returns the parts and, when manifests were found but could not be used, why.
    """
    found: dict[tuple[str, int], str] = {}
    reasons = []
    for name in (MANIFEST, PARTIAL):  # the partial one is newer when both exist
        data = read_json(root / name)
        if data is None:
            continue
        mismatch = [k for k, v in identity.items() if data.get(k) != v]
        if mismatch:
            reasons.append(f"{name} differs in {', '.join(mismatch)}")
            continue
        for entity, entry in (data.get("entities") or {}).items():
            if entity not in schemas or entry.get("arrow_schema_sha256") != schemas[entity]:
                continue
            for part in entry.get("parts") or []:
                try:
                    found[(entity, int(part["block"]))] = str(part["sha256"])
                except (KeyError, TypeError, ValueError):
                    continue
    return found, ("; ".join(reasons) if reasons and not found else None)


class ManifestWriter:
    """Collects part results; flushes the partial manifest at most every `interval` seconds."""

    def __init__(
        self,
        root: Path,
        identity: dict[str, Any],
        entities: dict[str, dict[str, Any]],
        *,
        interval: float = 1.0,
    ) -> None:
        self.root = root
        self.identity = identity
        self.entities = entities  # name -> {"rows", "directory", "arrow_schema_sha256", "parts"}
        self.parts: dict[tuple[str, int], dict[str, Any]] = {}
        self.interval = interval
        self.flushed = 0.0
        self.dirty = False

    def add(self, entity: str, block: int, file: str, rows: int, sha256: str) -> None:
        self.parts[(entity, block)] = {"block": block, "file": file, "rows": rows, "sha256": sha256}
        self.dirty = True
        if time.monotonic() - self.flushed >= self.interval:
            self.flush()

    def document(self, *, complete: bool) -> dict[str, Any]:
        entities = {}
        for name, info in self.entities.items():
            parts = sorted(
                (p for (e, _), p in self.parts.items() if e == name), key=lambda p: p["block"]
            )
            entities[name] = {**info, "parts": parts}
        return {**self.identity, "complete": complete, "entities": entities}

    def flush(self) -> None:
        if self.dirty:
            write_json(self.root / PARTIAL, self.document(complete=False))
            self.dirty = False
        self.flushed = time.monotonic()

    def finish(self) -> Path:
        path = self.root / MANIFEST
        write_json(path, self.document(complete=True))
        (self.root / PARTIAL).unlink(missing_ok=True)
        return path
