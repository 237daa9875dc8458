"""Compressed output: Parquet's own column codecs, or a whole-file gzip/zstd stream around
the text formats (CSV, JSON lines, JSON, SQL scripts).

Both text codecs stream: the compressed bytes depend only on the uncompressed bytes, not
on how they arrive (block size, worker count), so `users.csv.gz` is as reproducible as
`users.csv`. The gzip header is written here (no file name, time 0, OS "unknown" as
Python's gzip module writes it) so that it is the same on every platform; zlib's own
header would carry the build's OS code.
"""

from __future__ import annotations

import struct
import zlib
from typing import Protocol

import pyarrow as pa

from ..errors import UsageError

__all__ = [
    "PARQUET_CODECS",
    "TEXT_CODECS",
    "CompressedSink",
    "check_compression",
    "file_suffix",
]

# Parquet column codecs pyarrow writes; snappy is the default of Spark, DuckDB and pyarrow.
PARQUET_CODECS = ("snappy", "zstd", "gzip", "lz4", "brotli", "none")
# Whole-file codecs for text formats, with the suffix they add (what `phony infer` reads).
TEXT_CODECS = {"gzip": ".gz", "zstd": ".zst", "none": ""}

GZIP_LEVEL = 6  # gzip's and zlib's default
# zstd runs at Arrow's streaming default (level 1): its stream takes no level


def check_compression(fmt: str, compression: str | None) -> str:
    """The codec to use for `fmt` (its default when None), or a UsageError naming the choices."""
    if fmt == "parquet":
        if compression is None:
            return "snappy"
        if compression not in PARQUET_CODECS:
            raise UsageError(
                f"compression {compression!r} for parquet: expected one of "
                f"{', '.join(PARQUET_CODECS)}"
            )
        return compression
    if compression is None:
        return "none"
    if compression not in TEXT_CODECS:
        extra = (
            f" ({compression} is a Parquet codec; {fmt} files are compressed whole)"
            if compression in PARQUET_CODECS
            else ""
        )
        raise UsageError(
            f"compression {compression!r} for {fmt}: expected one of "
            f"{', '.join(TEXT_CODECS)}{extra}"
        )
    return compression


def file_suffix(fmt: str, compression: str | None) -> str:
    """What the codec adds to a file name (`.gz`); Parquet compresses inside the file."""
    return "" if fmt == "parquet" or compression is None else TEXT_CODECS[compression]


class _Target(Protocol):
    def write(self, data: bytes) -> int: ...


class _Unclosing:
    """The file as pyarrow sees it: closing the stream must not close (and so lose) the
    temp file, which is synced and renamed only on commit."""

    closed = False
    dropping = False  # after an abort: what the stream still flushes goes nowhere

    def __init__(self, target: _Target) -> None:
        self.target = target

    def write(self, data: bytes) -> int:
        if self.dropping:
            return len(data)
        return self.target.write(bytes(data))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class CompressedSink:
    """write() takes uncompressed bytes and passes compressed ones to `target`."""

    def __init__(self, target: _Target, codec: str) -> None:
        self.codec = codec
        self.target = target
        if codec == "gzip":
            # flags 0, mtime 0, extra flags 0, OS 255 (unknown): the same bytes everywhere
            target.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
            self._deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            self._crc = 0
            self._size = 0
        elif codec == "zstd":
            self._raw = _Unclosing(target)
            self._stream = pa.CompressedOutputStream(pa.PythonFile(self._raw, mode="w"), "zstd")
        else:
            raise ValueError(f"no whole-file codec {codec!r}")

    def write(self, data: bytes) -> int:
        if self.codec == "gzip":
            self._crc = zlib.crc32(data, self._crc)
            self._size += len(data)
            out = self._deflate.compress(data)
            if out:
                self.target.write(out)
        else:
            self._stream.write(data)
        return len(data)

    def finish(self) -> None:
        """Write what the compressor still holds and the trailer (before the file commits)."""
        if self.codec == "gzip":
            self.target.write(self._deflate.flush())
            self.target.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))
        else:
            self._stream.close()

    def abort(self) -> None:
        """Drop the stream without writing to the file (which is being removed)."""
        if self.codec == "zstd" and not self._stream.closed:
            self._raw.dropping = True
            self._stream.close()
