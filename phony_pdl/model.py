"""pydantic models of PDL v1: the validated syntax tree.

The models describe shape and local types only; cross-references, graph rules
and numeric sanity live in validate.py, where every problem gets a position.
Keys that a source takes as parameters (`mean`, `sd` for a distribution,
`gender` for a generator) are written flat in PDL; the reader gathers them into
``params`` and validates them against the source's own parameter model.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None


class PdlModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, validate_default=False
    )

    def to_pdl(self) -> dict[str, Any]:
        """The PDL form (aliases, defaults left out), so reprs read like the file."""
        data = self.model_dump(by_alias=True, exclude_unset=True, exclude={"params"})
        data.update(getattr(self, "params", {}) or {})
        return data

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_pdl()!r})"


class ZipfPick(PdlModel):
    zipf: float = Field(description="Zipf exponent: rank r is picked with weight 1/r^s.")


class DistSpec(PdlModel):
    """A distribution written inline: `{distribution: exponential, mean: 30d}`."""

    distribution: str | None = Field(None, description="Distribution family.")
    min: float | int | str | None = Field(None, description="Lower bound (truncates).")
    max: float | int | str | None = Field(None, description="Upper bound (truncates).")
    clip: bool = Field(False, description="Clip to min/max instead of truncating.")
    params: dict[str, Any] = Field(default_factory=dict, exclude=True)


class PerCount(PdlModel):
    """`count: {per: customers, distribution: poisson, mean: 3, max: 30}` or
    `count: {per: orders, choice: {2: 260, 3: 87, 4: 2738}}`."""

    per: str = Field(description="Parent entity: rows are made for each parent row.")
    const: int | None = Field(None, description="Exactly this many children per parent.")
    min: int | None = Field(None, description="Fewest children per parent.")
    max: int | None = Field(None, description="Most children per parent.")
    distribution: str | None = Field(
        None, description="Discrete distribution of children per parent."
    )
    choice: dict[str, float] | None = Field(
        None,
        description="A table of children per parent: whole numbers >= 0 with their weights "
        "(`{2: 260, 3: 87, 4: 2738}`).",
    )
    params: dict[str, Any] = Field(default_factory=dict, exclude=True)


SOURCE_KEYS: tuple[str, ...] = (
    "sequence",
    "generator",
    "choice",
    "distribution",
    "const",
    "pattern",
    "template",
    "ref",
    "from",
    "after",
    "before",
    "expr",
    "aggregate",
    "timeline",
    "series",
)

# Keys that belong to one source only (key → sources that accept it).
SOURCE_OPTIONS: dict[str, tuple[str, ...]] = {
    "step": ("sequence",),
    "pick": ("ref",),
    "gap": ("after", "before"),
    "via": ("aggregate",),
    "clip": ("distribution",),
}


class FieldSpec(PdlModel):
    """One column. Exactly one source key; any number of modifiers."""

    # sources
    sequence: int | None = Field(None, description="Consecutive integers from this start.")
    step: int | None = Field(None, description="Increment of a `sequence` (default 1).")
    generator: str | None = Field(
        None, description="A registered generator, e.g. person.first_name."
    )
    choice: list[Scalar] | dict[str, float] | None = Field(
        None, description="Values picked uniformly (list) or by weight (mapping value: weight)."
    )
    distribution: str | None = Field(
        None, description="A distribution family; parameters are flat keys."
    )
    clip: bool = Field(
        False, description="Clip a distribution to min/max instead of truncating it."
    )
    const: Scalar = Field(None, description="The same value on every row.")
    pattern: str | None = Field(None, description="Strings matching a regular expression subset.")
    template: str | None = Field(
        None, description="Text with {field} placeholders from the same row."
    )
    ref: str | None = Field(None, description="Foreign key: `entity.key_field`.")
    pick: Literal["uniform", "sequential"] | ZipfPick | None = Field(
        None, description="How parents are chosen for a `ref`."
    )
    from_: str | None = Field(
        None,
        alias="from",
        description="A parent's value through a foreign key: `fk_field.parent_field`.",
    )
    after: str | None = Field(
        None, description="A time after another time field (or `fk.parent_field`)."
    )
    before: str | None = Field(None, description="A time before another time field.")
    gap: DistSpec | str | float | None = Field(
        None, description="Duration between `after`/`before` and this value."
    )
    expr: str | None = Field(None, description="SQL expression over this row's fields.")
    aggregate: str | None = Field(
        None, description="SQL aggregate over child rows, e.g. `sum(order_items.amount)`."
    )
    via: str | None = Field(
        None, description="The child's foreign key, when it has several to this entity."
    )
    timeline: Literal["state", "time", "step"] | None = Field(
        None, description="Column of a timeline entity."
    )
    series: Literal["time", "step", "value"] | None = Field(
        None,
        description="Column of a series entity; `value` takes a model (ar1, random_walk, constant).",
    )
    # modifiers
    type: str | None = Field(
        None, description="Value type: int, float, decimal(p,s), bool, string, …"
    )
    null_rate: float | None = Field(None, description="Share of rows that are NULL, in [0, 1].")
    nullable: bool | None = Field(None, description="Column accepts NULL (default: null_rate > 0).")
    unique: bool = Field(False, description="No two rows share a value.")
    min: int | float | str | None = Field(None, description="Lower bound (value, length or date).")
    max: int | float | str | None = Field(None, description="Upper bound (value, length or date).")
    between: Annotated[list[int | float | str], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[min, max] in one key."
    )
    round: int | None = Field(None, description="Decimal places to round to.")
    format: str | None = Field(
        None,
        description="Writes the value as text: a strftime format for dates and times "
        "('%d/%m/%Y'), a '{…}' format for numbers ('${:,.2f}', '{:.1f}%', 'INV-{:05d}').",
    )
    locale: str | None = Field(
        None, description="Locale of a semantic generator (overrides the document)."
    )
    link: str | None = Field(
        None, description="Coherence group: fields sharing a link share one record."
    )
    hidden: bool = Field(False, description="Computed for other fields but not written.")
    sql_type: str | None = Field(
        None, description="Column type in SQL output, overriding the mapping."
    )
    sql_default: str | None = Field(
        None,
        description="SQL expression written verbatim after DEFAULT in CREATE TABLE, for rows "
        "an application inserts later; generated values are unchanged.",
    )
    column: str | None = Field(
        None,
        description="Name of the field's column in every output (CSV header, JSON keys, "
        "Parquet, SQL), when it is not the field's identifier: `Customer ID`.",
    )
    description: str | None = Field(None, description="Free text for documentation.")
    params: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def source(self) -> str:
        present = self.present  # a new set per call: built once here, not once per key
        for key in SOURCE_KEYS:
            if key in present:
                return key
        return "type"

    @property
    def present(self) -> set[str]:
        fields = type(self).model_fields
        return {fields[n].alias or n for n in self.model_fields_set}


class Correlate(PdlModel):
    fields: list[str] = Field(description="Fields in the copula block, in matrix order.")
    rho: float | None = Field(None, description="Pearson correlation of a pair of fields.")
    matrix: list[list[float]] | None = Field(None, description="Full Pearson correlation matrix.")
    spearman: float | list[list[float]] | None = Field(
        None, description="Spearman rank correlation (pair value or matrix)."
    )
    repair: Literal["nearest"] | None = Field(
        None, description="Replace a non-PSD matrix by the nearest correlation matrix."
    )


TIMELINE_END = "end"  # the `next` target that ends a timeline without another event


class TimelineState(PdlModel):
    next: dict[str, float | str] | None = Field(
        None,
        description="Next state → probability (a number or a SQL expression); the target "
        "`end` ends the timeline without another event.",
    )
    after: DistSpec | str | float | None = Field(
        None,
        description="Time spent before entering this state: a duration, a distribution, or "
        "calendar months (`1 month`, `P1Y`: same day of month, clamped to the month's end).",
    )
    delay: DistSpec | str | float | None = Field(
        None,
        description="With calendar months in `after`: a random time after the scheduled day "
        "(it does not move later steps).",
    )


class Calendar(PdlModel):
    weekdays: bool = Field(
        False, description="Move events that fall on Saturday or Sunday to Monday."
    )
    hours: Annotated[list[int], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[first, last) hour of the day events may happen in, e.g. [9, 17]."
    )
    gaps: Literal["clock", "business"] = Field(
        "clock",
        description="How `after` gaps are counted: `clock` time (each event then moved on its "
        "own) or `business` time (only open hours count, as SLA clocks do).",
    )


class Timeline(PdlModel):
    for_: str = Field(alias="for", description="Parent entity: one timeline per parent row.")
    start: str = Field(description="Parent time field the timeline starts at.")
    end: str | None = Field(
        None,
        description="Parent time field (`parent.field`) or literal date/time: events after "
        "it are not generated (an as-of cutoff).",
    )
    initial: str = Field(description="State of the first event.")
    states: dict[str, TimelineState] = Field(description="The state machine.")
    max_steps: int = Field(100, description="Most events in one timeline.")
    calendar: Calendar | None = Field(None, description="Shift event times into allowed windows.")


class Series(PdlModel):
    """Regular or random events per parent row: readings, renewals, heartbeats."""

    for_: str = Field(alias="for", description="Parent entity: one series per parent row.")
    start: str = Field(description="Parent time field (`parent.field`) or a literal date/time.")
    end: str | None = Field(
        None, description="Parent time field or literal where the series stops."
    )
    every: str | float | None = Field(
        None,
        description="Fixed interval between events, e.g. `1h` (a number: seconds), or "
        "calendar months (`1 month`, `P1Y`: same day of month, clamped to the month's end).",
    )
    poisson: str | float | None = Field(
        None, description="Mean gap of a Poisson process, e.g. `2h` (a number: seconds)."
    )
    jitter: str | float | None = Field(
        None, description="Uniform ± shift of each fixed-interval event (a number: seconds)."
    )
    churn: float | None = Field(None, description="Chance that the series stops after each event.")
    max_events: int = Field(10_000, description="Most events in one series.")


class Entity(PdlModel):
    count: int | PerCount | None = Field(None, description="Rows: a number, or `{per: parent, …}`.")
    primary_key: str | list[str] | None = Field(None, description="Key field(s); default `id`.")
    unique: list[list[str] | str] = Field(
        default_factory=list, description="Composite unique constraints."
    )
    fields: dict[str, FieldSpec] = Field(description="Columns, in output order.")
    correlate: list[Correlate] = Field(default_factory=list, description="Gaussian copula blocks.")
    series: Series | None = Field(None, description="Events per parent row over time.")
    timeline: Timeline | None = Field(
        None, description="State machine producing one row per event."
    )
    table: str | None = Field(
        None,
        description="Name of the entity's table in SQL and of its output file(s), when it is "
        "not the entity's identifier: `Order Details`.",
    )
    description: str | None = Field(None, description="Free text for documentation.")


class Document(PdlModel):
    schema_: str | None = Field(
        None, alias="$schema", description="JSON Schema of the file, for editors; ignored by Phony."
    )
    pdl: int = Field(description="PDL language version; this Phony reads 1.")
    name: str = Field(description="Schema name; default output folder out/<name>/.")
    seed: int = Field(0, description="Default random seed; --seed overrides.")
    locale: str = Field("en_US", description="Default locale of semantic generators.")
    description: str | None = Field(None, description="Free text for documentation.")
    entities: dict[str, Entity] = Field(description="Tables, by name.")


MAX_COLUMN_BYTES = 63  # PostgreSQL's limit for identifiers; it cuts longer names short


def usable_column(name: str) -> bool:
    """Whether a field's `column` may be this name (validate.py says why not): not blank,
    no control characters, at most 63 bytes of UTF-8."""
    return (
        bool(name.strip())
        and len(name.encode("utf-8", "surrogatepass")) <= MAX_COLUMN_BYTES
        and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name)
    )


def usable_table(name: str) -> bool:
    """Whether an entity's `table` may be this name (validate.py says why not): a `column`
    name without blanks at either end. (Its files are named by writers/file_names.py,
    which encodes what a file name cannot hold: `Sales:2024` → `Sales%3A2024.csv`.)"""
    return usable_column(name) and name == name.strip()


def column_name(field: FieldSpec, name: str) -> str:
    """The name field `name`'s column has in output: its `column`, else the field's name."""
    return field.column if field.column is not None else name


def table_name(doc: Document, entity: str) -> str:
    """The name an entity's table and files have in output: its `table`, else its identifier."""
    table = doc.entities[entity].table
    return table if table is not None else entity


# Models whose flat unknown keys are source parameters rather than errors.
PARAM_HOLDERS: tuple[type[PdlModel], ...] = (FieldSpec, DistSpec, PerCount)
