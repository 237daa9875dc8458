"""CSV (RFC 4180): header row, `\n` line ends, strings always quoted, NULL as an empty
unquoted field (so NULL and the empty string `""` stay distinct), timestamps as
`YYYY-MM-DD HH:MM:SS.ffffff`."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv

from .base import EntityWriter, register


@register("csv")
class CsvWriter(EntityWriter):
    extension = "csv"

    def __init__(self, path, schema: pa.Schema, dictionary: list[str] | None = None) -> None:
        super().__init__(path, schema, dictionary)
        self.header = True

    def write_batch(self, batch: pa.RecordBatch) -> None:
        buffer = io.BytesIO()
        options = pacsv.WriteOptions(include_header=self.header, quoting_style="needed")
        pacsv.write_csv(batch, buffer, options)
        self.header = False
        self.file.write(buffer.getvalue())

    def finish(self) -> None:
        if self.header:  # no rows: still write the header
            buffer = io.BytesIO()
            pacsv.write_csv(
                self.schema.empty_table(), buffer, pacsv.WriteOptions(quoting_style="needed")
            )
            self.file.write(buffer.getvalue())
