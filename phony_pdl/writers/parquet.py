"""Parquet through pyarrow: typed columns (int64, decimal128, timestamp[us], date32,
string), one row group per block, snappy compression, dictionary encoding only for
low-cardinality columns, no write timestamps."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from .base import EntityWriter, register


@register("parquet")
class ParquetWriter(EntityWriter):
    extension = "parquet"
    native = True

    def __init__(self, path, schema: pa.Schema, dictionary: list[str] | None = None) -> None:
        super().__init__(path, schema, dictionary)
        self.writer = pq.ParquetWriter(
            str(self.file.temp),
            schema,
            compression="snappy",
            use_dictionary=self.dictionary or False,
        )

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self.writer.write_batch(batch)

    def finish(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            super().abort()
