"""Parquet through pyarrow: typed columns (int64, decimal128, timestamp[us], date32,
string), snappy compression, dictionary encoding only for low-cardinality columns, no
write timestamps. Row groups hold exactly ROW_GROUP_ROWS rows (the last one fewer)
whatever the block size, so the bytes do not depend on --block-rows.

Fields drawn from a small list (names, cities, string choices) arrive as codes into the
list (dictionary arrays): the column's dictionary page is then the values the row group
uses, in list order, and no string is hashed. Such a file stores no Arrow schema (it would
name the codes' type): readers take the types from Parquet's own, which give them what the
Arrow schema would; where they would not (a duration), the codes are decoded first."""

from __future__ import annotations

import contextlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .base import EntityWriter, register

ROW_GROUP_ROWS = 65_536
WRITE_BUFFER = 1 << 20
# Rows per column write when codes are stored: pyarrow finds the values a dictionary
# column's statistics cover once per write (a hash of the codes), 64 times per row
# group at its default of 1,024 rows
CODES_WRITE_BATCH = 8_192


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with every dictionary column declared as its values' type."""
    return pa.schema(
        [f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema],
        metadata=schema.metadata,
    )


def _read_back(schema: pa.Schema, *, store_schema: bool) -> pa.Schema:
    sink = pa.BufferOutputStream()
    pq.write_table(schema.empty_table(), sink, store_schema=store_schema)
    return pq.read_schema(pa.BufferReader(sink.getvalue()))


def _arrow_schema_not_needed(schema: pa.Schema) -> bool:
    """Whether readers get the same types from a file of `schema` without its Arrow schema
    (a duration would come back as int64: Parquet has no such type)."""
    return _read_back(schema, store_schema=False).equals(_read_back(schema, store_schema=True))


def compact_codes(codes: pa.DictionaryArray) -> pa.DictionaryArray:
    """The same values with a dictionary of only those a row group uses, each once, in
    list order (a list may repeat a value: a name in both the female and male lists)."""
    if codes.null_count:
        return pc.dictionary_encode(codes.dictionary.take(codes.indices))
    index = codes.indices.to_numpy(zero_copy_only=False)
    size = len(codes.dictionary)
    used = np.flatnonzero(np.bincount(index, minlength=size))
    distinct = pc.dictionary_encode(codes.dictionary.take(pa.array(used)))
    remap = np.zeros(size, dtype=np.int32)
    remap[used] = distinct.indices.to_numpy(zero_copy_only=False)
    return pa.DictionaryArray.from_arrays(pa.array(remap[index]), distinct.dictionary)


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
        codes = any(pa.types.is_dictionary(f.type) for f in schema)
        if codes and not _arrow_schema_not_needed(plain_schema(schema)):
            schema = plain_schema(schema)  # decode: the values would come back in another type
        super().__init__(path, schema, dictionary, compression)
        self.coded = [f.name for f in schema if pa.types.is_dictionary(f.type)]
        # pyarrow would store the Arrow schema of the codes, so readers would get
        # dictionaries back; without it they read Parquet's types, which here give them the
        # same types as that schema would (checked above)
        options = (
            {"store_schema": False, "write_batch_size": CODES_WRITE_BATCH} if self.coded else {}
        )
        use_dictionary = sorted(set(self.dictionary) | set(self.coded))
        # pyarrow writes each page header and page separately (about a thousand writes of
        # ~70 bytes per million users rows); a native buffer turns them into 1 MiB writes, so
        # the writer thread rarely needs the GIL the generating thread holds
        self.sink = pa.BufferedOutputStream(pa.PythonFile(self.file, mode="w"), WRITE_BUFFER)
        self.writer = pq.ParquetWriter(
            self.sink,  # the file hashes what pyarrow writes
            schema,
            compression=self.compression or "snappy",
            use_dictionary=use_dictionary or False,
            **options,
        )

        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0
        self.lists: dict[str, pa.Array] = {}  # the last list each coded column came with

    def stage(self, batch: pa.RecordBatch) -> list[pa.Table]:
        # Cutting row groups and compacting codes run on the generating thread: the
        # writer thread's encoding is the longer of the two for most tables
        self.rows += batch.num_rows
        return self._groups(batch)

    def write_staged(self, part: pa.Table) -> None:
        self.writer.write_table(part, row_group_size=ROW_GROUP_ROWS)

    def write_batch(self, batch: pa.RecordBatch) -> None:
        for group in self._groups(batch):
            self.write_staged(group)

    def _groups(self, batch: pa.RecordBatch) -> list[pa.Table]:
        """The row groups `batch` completes, ready to encode."""
        if batch.schema != self.schema:
            batch = self._conform(batch)
        if self.coded:
            batch = self._share_lists(batch)
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        groups = []
        while self.pending_rows >= ROW_GROUP_ROWS:
            table = pa.Table.from_batches(self.pending, schema=self.schema)
            groups.append(self._group(table.slice(0, ROW_GROUP_ROWS)))
            rest = table.slice(ROW_GROUP_ROWS)
            self.pending = rest.to_batches()
            self.pending_rows = rest.num_rows
        return groups

    def _share_lists(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """`batch` with each coded column pointing at the list the previous batch brought
        when it is the same: blocks (and batches from worker processes) bring a copy each,
        and a row group of small blocks would otherwise hold the list once per block."""
        arrays = batch.columns
        for name in self.coded:
            i = self.schema.get_field_index(name)
            column = arrays[i]
            shared = self.lists.get(name)
            if shared is not None and shared.equals(column.dictionary):
                arrays[i] = pa.DictionaryArray.from_arrays(column.indices, shared)
                continue
            self.lists[name] = column.dictionary
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _conform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """A batch whose columns come coded where the file's are plain, or the reverse
        (a field that decodes its values in some blocks only)."""
        arrays = []
        for field, column in zip(self.schema, batch.columns, strict=True):
            if column.type != field.type:
                if pa.types.is_dictionary(column.type):
                    column = column.dictionary.take(column.indices)
                if pa.types.is_dictionary(field.type):
                    column = pc.dictionary_encode(column)
            arrays.append(column.cast(field.type))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _group(self, table: pa.Table) -> pa.Table:
        # One chunk per column: pyarrow cuts pages where chunks end, so a row group made of
        # several blocks would have other page bytes than one made of one (large text)
        # (combining also unifies a coded column's lists where blocks brought different ones)
        table = table.combine_chunks()
        for name in self.coded:
            i = table.schema.get_field_index(name)
            table = table.set_column(i, table.field(i), compact_codes(table.column(i).chunk(0)))
        return table

    def finish(self) -> None:
        if self.pending_rows:
            self.write_staged(self._group(pa.Table.from_batches(self.pending, schema=self.schema)))
        self.writer.close()
        self.sink.detach()  # flushes; closing would close the file before its commit

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            with contextlib.suppress(Exception):
                self.sink.detach()  # else its destructor would close the file
            super().abort()
