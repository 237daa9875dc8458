"""A neutral description of existing tables, filled from DDL text or a live database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ColumnInfo:
    name: str
    type: str  # normalised lower-case base type: int, bigint, varchar, numeric, timestamp, …
    params: tuple[int, ...] = ()  # varchar(80) → (80,), numeric(10,2) → (10, 2)
    nullable: bool = True
    auto: bool = False  # serial / identity / auto-increment
    unique: bool = False
    enum: list[str] | None = None  # ENUM type or CHECK (x IN (…))
    low: float | None = None  # CHECK bounds
    high: float | None = None
    after: str | None = None  # CHECK (this >= other): a column of the same table
    strictly_after: bool = False  # CHECK (this > other)
    default: str | None = None
    raw_type: str = ""  # as the source dialect writes it, for notes and sql_type
    generated: str | None = None  # GENERATED ALWAYS AS (expression): computed by the database
    unsigned: bool = False  # MySQL's UNSIGNED: no value below 0


@dataclass
class ForeignKeyInfo:
    columns: list[str]
    parent: str
    parent_columns: list[str]
    parent_schema: str | None = None  # `REFERENCES sales.customers`
    deferrable: bool = False  # DEFERRABLE: checked at commit


@dataclass
class TableInfo:
    name: str
    schema: str | None = None
    columns: list[ColumnInfo] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    uniques: list[list[str]] = field(default_factory=list)
    foreign_keys: list[ForeignKeyInfo] = field(default_factory=list)
    stats: object | None = None  # importer.stats.TableStats, from a live database's statistics

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class Catalog:
    tables: list[TableInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be mapped, reported at once
    dialect: str = ""  # the SQL dialect the tables were read in

    def table(self, name: str) -> TableInfo | None:
        return next((t for t in self.tables if t.name == name), None)
