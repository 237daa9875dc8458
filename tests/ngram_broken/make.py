"""Writes the broken .phony files of this folder and expected.json: python tests/ngram_broken/make.py

Each file breaks one rule of spec/phony-format.md; expected.json gives the error
code and a fragment of the message that validate() and the loader must give.
Files whose payload is edited get a recomputed checksum, so the reader gets past
the checksum to the rule being tested. Re-run after a deliberate format change.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from phony_pdl.ngram import fileformat  # noqa: E402
from phony_pdl.ngram.model import train_lines  # noqa: E402

LINES = ["Anna", "Anne", "Annika", "Berta", "Bert", "Carla", "Carl", "Dora", "Doris", "Emma"]


def base_doc() -> dict:
    return fileformat.to_document(train_lines(LINES, order=3, locale="en_US"))


def sealed(doc: dict) -> bytes:
    doc = {k: v for k, v in doc.items() if k != "checksum"}
    doc["checksum"] = fileformat.checksum(doc)
    return fileformat.gzip_bytes(fileformat.canonical_json(doc))


def edited(change) -> bytes:
    doc = copy.deepcopy(base_doc())
    change(doc)
    return sealed(doc)


def main() -> None:
    good = sealed(base_doc())
    cases: dict[str, tuple[bytes, str, str]] = {}

    def case(name: str, data: bytes, code: str, fragment: str) -> None:
        cases[name] = (data, code, fragment)

    case("empty", b"", "empty-file", "is empty (0 bytes)")
    case("plain-json", fileformat.canonical_json(base_doc()), "not-gzip", "looks like plain JSON")
    case("truncated", good[: len(good) // 2], "truncated", "is truncated")
    crc = bytearray(good)
    crc[-8] ^= 0xFF  # the CRC-32 in the gzip trailer
    case("bad-crc", bytes(crc), "corrupt-gzip", "damaged gzip stream")
    case("trailing-bytes", good + b"junk", "corrupt-gzip", "unexpected bytes after the end")
    case("not-utf8", fileformat.gzip_bytes(b'{"format": "\xff"}'), "not-utf8", "UTF-8")
    case("bad-json", fileformat.gzip_bytes(b'{"format": "phony",'), "bad-json", "valid JSON")
    case("not-a-model", fileformat.gzip_bytes(b'{"format": "other"}'), "not-a-model", "got 'other'")
    case("version-2", edited(lambda d: d.update(version=2)), "unsupported-version", "version-2")
    case(
        "version-text",
        edited(lambda d: d.update(version="1")),
        "unsupported-version",
        "has version '1'",
    )

    def tamper(d: dict) -> None:
        d["levels"][2]["counts"][0] += 1

    doc = copy.deepcopy(base_doc())
    tamper(doc)  # checksum left as it was
    case(
        "bad-checksum",
        fileformat.gzip_bytes(fileformat.canonical_json(doc)),
        "bad-checksum",
        "failed its checksum",
    )
    doc = copy.deepcopy(base_doc())
    del doc["checksum"]
    case(
        "no-checksum",
        fileformat.gzip_bytes(fileformat.canonical_json(doc)),
        "bad-checksum",
        "no valid checksum",
    )
    case(
        "order-text",
        edited(lambda d: d["metadata"].update(order="three")),
        "bad-structure",
        "metadata.order must be an integer",
    )
    case(
        "smoothing",
        edited(lambda d: d["metadata"].update(smoothing="katz")),
        "bad-structure",
        "metadata.smoothing must be 'interpolated' or 'backoff', got 'katz'",
    )
    case("unknown-key", edited(lambda d: d.update(extra=1)), "bad-structure", "unknown key 'extra'")
    case(
        "vocabulary-unsorted",
        edited(lambda d: d["vocabulary"].reverse()),
        "bad-structure",
        "boundary marker",
    )
    case(
        "offsets",
        edited(lambda d: d["levels"][1]["offsets"].__setitem__(-1, 999)),
        "inconsistent-counts",
        "offsets run from 0 to 999",
    )
    case(
        "token-id",
        edited(lambda d: d["levels"][1]["next"].__setitem__(0, 99)),
        "inconsistent-counts",
        "is not a token id",
    )
    case("backoff", edited(tamper), "inconsistent-counts", "exceeds its backoff count")
    case(
        "levels", edited(lambda d: d["levels"].pop()), "inconsistent-counts", "levels has 2 entries"
    )

    def unsort(d: dict) -> None:
        raw = bytearray(base64.b64decode(d["training_set"]["hashes"]))
        raw[:8], raw[8:16] = raw[8:16], raw[:8]
        d["training_set"]["hashes"] = base64.b64encode(bytes(raw)).decode()

    case("hashes-unsorted", edited(unsort), "inconsistent-counts", "not sorted and distinct")
    case(
        "lines",
        edited(lambda d: d["metadata"].update(lines=11)),
        "inconsistent-counts",
        "string ends but metadata.lines",
    )

    for old in HERE.glob("*.phony"):
        old.unlink()
    expected = {}
    for name, (data, code, fragment) in sorted(cases.items()):
        (HERE / f"{name}.phony").write_bytes(data)
        expected[f"{name}.phony"] = {"code": code, "message": fragment}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
