"""File writers: one file per entity, streamed block by block, renamed into place when complete."""

from __future__ import annotations

from .base import FORMATS, EntityWriter, open_writer

__all__ = ["FORMATS", "EntityWriter", "open_writer"]
