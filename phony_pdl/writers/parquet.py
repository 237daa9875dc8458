"""Parquet through pyarrow: typed columns (int64, decimal128, timestamp[us], date32,
string), snappy compression, dictionary encoding only for low-cardinality columns, no
write timestamps. Row groups hold exactly ROW_GROUP_ROWS rows (the last one fewer)
whatever the block size, so the bytes do not depend on --block-rows."""

from __future__ import annotations

import contextlib

import pyarrow as pa
import pyarrow.parquet as pq

from .base import EntityWriter, register

ROW_GROUP_ROWS = 65_536
WRITE_BUFFER = 1 << 20


@register("parquet")
class ParquetWriter(EntityWriter):
    extension = "parquet"
    whole_file_codec = False  # `compression` is the column codec

    def __init__(
        self,
        path,
        schema: pa.Schema,
        dictionary: list[str] | None = None,
        compression: str | None = None,
    ) -> None:
        super().__init__(path, schema, dictionary, compression)
        # pyarrow writes each page header and page separately (about a thousand writes of
        # ~70 bytes per million users rows); a native buffer turns them into 1 MiB writes, so
        # the writer thread rarely needs the GIL the generating thread holds
        self.sink = pa.BufferedOutputStream(pa.PythonFile(self.file, mode="w"), WRITE_BUFFER)
        self.writer = pq.ParquetWriter(
            self.sink,  # the file hashes what pyarrow writes
            schema,
            compression=self.compression or "snappy",
            use_dictionary=self.dictionary or False,
        )

        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        while self.pending_rows >= ROW_GROUP_ROWS:
            table = pa.Table.from_batches(self.pending, schema=self.schema)
            self._write_group(table.slice(0, ROW_GROUP_ROWS))
            rest = table.slice(ROW_GROUP_ROWS)
            self.pending = rest.to_batches()
            self.pending_rows = rest.num_rows

    def _write_group(self, table: pa.Table) -> None:
        # One chunk per column: pyarrow cuts pages where chunks end, so a row group made of
        # several blocks would have other page bytes than one made of one (large text)
        self.writer.write_table(table.combine_chunks(), row_group_size=ROW_GROUP_ROWS)

    def finish(self) -> None:
        if self.pending_rows:
            self._write_group(pa.Table.from_batches(self.pending, schema=self.schema))
        self.writer.close()
        self.sink.detach()  # flushes; closing would close the file before its commit

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            with contextlib.suppress(Exception):
                self.sink.detach()  # else its destructor would close the file
            super().abort()
