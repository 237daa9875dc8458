"""CSV (RFC 4180): header row, `\n` line ends, strings always quoted, NULL as an empty
unquoted field (so NULL and the empty string `""` stay distinct), timestamps as
`YYYY-MM-DD HH:MM:SS.ffffff`."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..decimal_text import decimal_text, exponent_prone
from .base import EntityWriter, register
from .json import joined_bytes


@register("csv")
class CsvWriter(EntityWriter):
    extension = "csv"

    def __init__(
        self,
        path,
        schema: pa.Schema,
        dictionary: list[str] | None = None,
        compression: str | None = None,
    ) -> None:
        super().__init__(path, schema, dictionary, compression)
        self.header = True

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if any(exponent_prone(t) for t in batch.schema.types):
            if self.header:
                self._write_header()
            self.header = False
            self.out.write(csv_lines(batch))
            return
        buffer = io.BytesIO()
        options = pacsv.WriteOptions(include_header=self.header, quoting_style="needed")
        pacsv.write_csv(batch, buffer, options)
        self.header = False
        self.out.write(buffer.getvalue())

    def _write_header(self) -> None:
        buffer = io.BytesIO()
        pacsv.write_csv(
            self.schema.empty_table(), buffer, pacsv.WriteOptions(quoting_style="needed")
        )
        self.out.write(buffer.getvalue())

    def finish(self) -> None:
        if self.header:  # no rows: still write the header
            self._write_header()


def csv_lines(batch: pa.RecordBatch) -> bytes:
    """The rows as pyarrow's writer puts them (quoting "needed": strings always quoted, a
    quote doubled; other values as their text cast; NULL empty), but decimals exact: the
    writer's cast would write `0E-8` for a decimal(20,8) zero."""
    if not batch.num_rows:
        return b""
    parts: list = []
    for i, column in enumerate(batch.columns):
        t = column.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            text = pc.binary_join_element_wise(
                '"', pc.replace_substring(column, '"', '""'), '"', ""
            )
        elif pa.types.is_decimal(t):
            text = decimal_text(column)
        else:
            text = pc.cast(column, pa.string())
        parts.extend([",", pc.fill_null(text, "")] if i else [pc.fill_null(text, "")])
    parts.append("\n")
    return joined_bytes(pc.binary_join_element_wise(*parts, ""))
