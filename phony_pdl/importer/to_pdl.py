"""Catalog → a readable PDL document, choosing generators from column names and types.

Every guess is marked with a comment; what cannot be mapped is listed at the end.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UsageError
from .model import Catalog, ColumnInfo, TableInfo

_INT = {
    "int",
    "integer",
    "bigint",
    "smallint",
    "tinyint",
    "mediumint",
    "int2",
    "int4",
    "int8",
    "serial",
    "bigserial",
    "smallserial",
}
_INT_MAX = {"tinyint": 127, "smallint": 32767, "int2": 32767, "smallserial": 32767}
_FLOAT = {"float", "double", "real", "double precision", "float4", "float8", "doubleprecision"}
_DECIMAL = {"decimal", "numeric", "money"}
_TEXT = {
    "varchar",
    "char",
    "text",
    "nvarchar",
    "nchar",
    "string",
    "character varying",
    "bpchar",
    "citext",
    "mediumtext",
    "longtext",
    "tinytext",
    "name",
}
_DATE = {"date"}
_DATETIME = {
    "timestamp",
    "datetime",
    "timestamptz",
    "timestampltz",
    "timestampntz",
    "timestamp_ns",
    "timestamp_ms",
    "timestamp_s",
    "datetime2",
    "smalldatetime",
    "timestamp with time zone",
    "timestamp without time zone",
}
_TIME = {"time", "timetz"}
_BOOL = {"boolean", "bool", "bit"}
_UUID = {"uuid", "uniqueidentifier"}
_JSON = {"json", "jsonb"}
# PostgreSQL's network types: an IPv4 address is also a valid `cidr` (a /32 network)
_NETWORK = {"inet": "internet.ipv4", "cidr": "internet.ipv4", "macaddr": "internet.mac"}

# Column-name heuristics: (regex on the lower-case name, PDL source, note).
_BY_NAME: list[tuple[str, dict]] = [
    (r"^(e_?mail|email_address)$", {"generator": "internet.email"}),
    (r"^(first_?name|given_?name|forename)$", {"generator": "person.first_name"}),
    (r"^(last_?name|surname|family_?name)$", {"generator": "person.last_name"}),
    (
        r"^(full_?name|person_?name|contact_?name|customer_?name|employee_?name)$",
        {"generator": "person.full_name"},
    ),
    (r"^(user_?name|login|handle)$", {"generator": "internet.username"}),
    (
        r"^(phone|phone_?number|mobile|telephone|tel|cell|fax|fax_?number)$",
        {"generator": "phone.number"},
    ),
    (r"^(company|company_?name|employer|organi[sz]ation)$", {"generator": "company.name"}),
    (r"^(city|town)$", {"generator": "address.city"}),
    (r"^(state|region|province|county)$", {"generator": "address.region"}),
    (r"^(state_?code|region_?code)$", {"generator": "address.region_code"}),
    (r"^(country_?code|country_?iso|iso_?country)$", {"generator": "address.country_code"}),
    (r"^country$", {"generator": "address.country"}),
    (r"^(postal_?code|zip|zip_?code|postcode)$", {"generator": "address.postal_code"}),
    (
        r"^(street|street_?address|address|address_?line_?1|address1)$",
        {"generator": "address.street_address"},
    ),
    (r"^(lat|latitude)$", {"generator": "address.latitude"}),
    (r"^(lon|lng|longitude)$", {"generator": "address.longitude"}),
    (r"^(timezone|time_?zone|tz)$", {"generator": "address.timezone"}),
    (r"^(job_?title)$", {"generator": "person.job_title"}),
    (r"^(ip|ip_?address|ipv4)$", {"generator": "internet.ipv4"}),
    (r"^(product_?name)$", {"generator": "commerce.product_name"}),
    (r"^(category|category_?name)$", {"generator": "commerce.category"}),
    (r"^(sku|sku_?code)$", {"generator": "commerce.sku"}),
    (r"^(url|website|web_?site|homepage)$", {"generator": "internet.url"}),
    (r"^slug$", {"generator": "internet.slug"}),
    (r"^(currency|currency_?code)$", {"generator": "commerce.currency"}),
]
# Free text (text types only, not JSON): a sentence reads better than random letters.
_PROSE = re.compile(
    r"^(notes?|comments?|description|remarks?|body|message|content|summary|bio|review_?text)$"
)
# A post's title, a ticket's subject: a few capitalised words rather than random letters
_HEADLINE = re.compile(r"^(title|subject|headline|heading)$")
# The longest value each name-guessed text generator gives (default locale, unique or not),
# with a little room; a `varchar(n)` shorter than this gets the type-based string instead.
# tests/test_import.py checks the table against generated values.
_MAX_LENGTH = {
    "internet.email": 48, "person.first_name": 14, "person.last_name": 14,
    "person.full_name": 28, "internet.username": 32, "phone.number": 16, "address.city": 20,
    "address.region": 24, "address.region_code": 3, "address.country_code": 2,
    "address.country": 24, "address.postal_code": 10, "address.street_address": 48,
    "address.timezone": 32, "person.job_title": 64, "internet.ipv4": 15,
    "commerce.product_name": 36, "commerce.category": 14, "company.name": 32,
    "commerce.sku": 9, "internet.url": 80, "internet.slug": 60, "commerce.currency": 3,
    "lorem.sentence": 140, "lorem.title": 90,
}  # fmt: skip
# a name guess too long for the column's length, and the code that fits (`country char(2)`)
_SHORTER = {"address.country": "address.country_code", "address.region": "address.region_code"}
# `billing_city`, `shipping_address`, `home_phone`: the part after the prefix is guessed.
_PLACE_PREFIX = re.compile(r"^(billing|shipping|mailing|delivery|home|work|office)_")
_MONEY = re.compile(r"(price|amount|cost|total|balance|salary|fee|revenue|subtotal)")
_QUANTITY = re.compile(r"^(quantity|qty|count|units)$")
# Words that end a word of a table's name (`end_users`, `superusers`; a word ends the name
# or meets `_`), singular or plural: `memberships` is not about members. A company word
# must also start one: `confirmations` holds "firm" but is no firm.
_WORD_END = r"{}(?:s|es)?(?![a-z])"
_WORD = r"(?<![a-z])" + _WORD_END
_PEOPLE = re.compile(
    _WORD_END.format(
        r"(customer|user|person|people|employee|member|contact|author|client|staff|player"
        r"|student|patient|doctor|physician|nurse|teacher|instructor|driver|guest|tenant"
        r"|applicant|candidate|volunteer|passenger|attendee|participant|subscriber|buyer"
        r"|borrower|reader|speaker|artist|coach|athlete|owner|manager|worker|visitor|resident)"
    )
)
_PRODUCTS = re.compile(r"(product|item|article|sku|goods)")
_COMPANIES = re.compile(
    _WORD.format(
        r"(company|companie|vendor|supplier|manufacturer|publisher|carrier|employer"
        r"|organi[sz]ation|agenc(?:y|ie)|brand|firm|merchant|partner)"
    )
)


def _uuid_text(column: ColumnInfo, kind: str) -> bool:
    """A text column exactly as wide as a UUID (`CHAR(36)`, MySQL's usual UUID key)."""
    return kind in _TEXT and bool(column.params) and column.params[0] == 36


@dataclass
class FieldGuess:
    spec: dict
    note: str | None = None


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "null"
    text = str(value)
    ambiguous = text.lower() in {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", text) and not ambiguous:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _years_from(text: str, years: int) -> str:
    """An ISO date or timestamp moved by whole years (29 February becomes the 28th)."""
    import datetime as dt

    value = dt.datetime.fromisoformat(text)
    try:
        moved = value.replace(year=value.year + years)
    except ValueError:
        moved = value.replace(year=value.year + years, day=28)
    return moved.isoformat(sep=" ")[: len(text)] if len(text) > 10 else moved.date().isoformat()


_UNSIGNED_MAX = {
    "tinyint": 255, "smallint": 65535, "mediumint": 16777215, "int": 4294967295,
    "integer": 4294967295, "bigint": 18446744073709551615,
}  # fmt: skip


def _decimal_max(p: int, s: int) -> float:
    """The largest value of decimal(p,s): 10^(p-s) - 10^-s (999.99 for decimal(5,2))."""
    return round(10 ** (p - s) - 10.0**-s, s) if s else 10**p - 1


def _type_max(column: ColumnInfo, kind: str) -> float | None:
    """The largest value a numeric column's type holds, where it is small enough to matter."""
    if kind in _DECIMAL and kind != "money":
        p, s = ((*column.params, 18, 2))[:2] if column.params else (18, 2)
        return _decimal_max(p, s)
    if kind in _INT:
        return (_UNSIGNED_MAX if column.unsigned else _INT_MAX).get(kind)
    return None


def _bounds(column: ColumnInfo, default_low: float, default_high: float) -> tuple[float, float]:
    low = column.low if column.low is not None else default_low
    high = column.high if column.high is not None else default_high
    if column.unsigned and isinstance(low, int | float) and low < 0:
        low = 0  # UNSIGNED holds no negative value
    if high < low:
        high = low
    return low, high


_LENGTH_TYPES = {
    "varchar": "VARCHAR",
    "character varying": "VARCHAR",
    "char": "CHAR",
    "bpchar": "CHAR",
    "nvarchar": "NVARCHAR",
    "nchar": "NCHAR",
}


def _declared_text_type(column: ColumnInfo) -> str | None:
    """`VARCHAR(40)` for a text column declared with a length, in the spelling every
    dialect reads (PostgreSQL's `character varying(40)` included); None otherwise."""
    base = _LENGTH_TYPES.get(column.type.lower())
    return f"{base}({column.params[0]})" if base and column.params else None


# PostgreSQL types whose PDL type makes another column (`type: datetime` is TIMESTAMP, a
# JSON `const` is TEXT): kept as `sql_type`, so --create makes the column as declared
_POSTGRES_KEPT = {"timestamptz", "jsonb", "json"}


def _declared_type(column: ColumnInfo, dialect: str) -> str | None:
    declared = _declared_text_type(column)
    if (
        declared is None
        and dialect in ("postgres", "postgresql")
        and column.type.lower() in _POSTGRES_KEPT
        and column.raw_type
    ):
        return column.raw_type
    return declared


_DIALECT_NAMES = {
    "postgres": "PostgreSQL", "postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB",
    "sqlite": "SQLite", "duckdb": "DuckDB", "tsql": "T-SQL",
}  # fmt: skip


def _keep_default(
    table: TableInfo, column: ColumnInfo, spec: dict, note: str | None, catalog: Catalog
) -> str | None:
    """The column's DEFAULT as `sql_default`, so tables Phony creates give the rows an
    application inserts later the same values; the field's note, with a word on a default
    that may be its source dialect's own SQL (`now()`)."""
    from ..validate import sql_expression_problem
    from .ddl import column_default

    found = column_default(column.default, catalog.dialect)
    if found is None:
        return note
    expression, portable = found
    if spec.get("type") == "bool" and expression in ("0", "1"):
        expression = "TRUE" if expression == "1" else "FALSE"  # MySQL's tinyint(1) DEFAULT 1
    if sql_expression_problem(expression) is not None:
        catalog.problems.append(
            f"{table.name}.{column.name}: DEFAULT {expression} is not kept (it is not one "
            "expression Phony can write into CREATE TABLE)"
        )
        return note
    spec["sql_default"] = expression
    if portable:
        return note
    dialect = _DIALECT_NAMES.get(catalog.dialect, catalog.dialect)
    said = f"DEFAULT {expression} as {dialect} writes it: rewrite it for another dialect"
    return f"{note}; {said}" if note else said


def guess(
    table: TableInfo, column: ColumnInfo, fk_parent: tuple[str, str] | None, catalog: Catalog
) -> FieldGuess:
    name = column.name.lower()
    kind = column.type.lower()
    in_pk = column.name in table.primary_key
    if fk_parent is not None:
        spec: dict = {"ref": f"{fk_parent[0]}.{fk_parent[1]}"}
        alone = _alone_unique(table, column.name)
        note = None
        if fk_parent[0] != table.name:
            if alone:
                spec["unique"] = True  # one-to-one: each parent row at most once
        elif alone and not column.nullable:
            # rows go in in row order, each pointing at an earlier row or itself: the only
            # distinct choice for every row is itself
            catalog.problems.append(
                f"{table.name}.{column.name}: a NOT NULL UNIQUE reference to its own table; "
                "each row points at itself (the only distinct values that load in row order)"
            )
            return FieldGuess({"expr": fk_parent[1]}, f"itself: {fk_parent[0]}.{fk_parent[1]}")
        elif alone:
            spec["unique"] = True
            note = "UNIQUE: each row points at the row before it (the first: NULL)"
        elif not column.nullable and not in_pk:
            spec["nullable"] = False
            note = "NOT NULL: the first row points at itself"
        if column.nullable and not in_pk:
            spec["nullable"] = True
        return FieldGuess(spec, note)
    if kind == "array":
        return _array(table, column, in_pk, catalog)
    if in_pk and len(table.primary_key) == 1:
        if kind in _INT or column.auto:
            return FieldGuess({"sequence": 1})
        if kind in _UUID or _uuid_text(column, kind):
            note = None if kind in _UUID else f"{column.raw_type or kind}: UUIDs as text"
            return FieldGuess({"generator": "id.uuid4"}, note)
        length = column.params[0] if column.params else 12
        # never wider than the column: `code char(2)` refuses a 4-character value
        width = min(length, 12) if column.params else 12
        return FieldGuess(
            {"pattern": f"[A-Z0-9]{{{width}}}", "unique": True}, "key text: random codes"
        )
    if column.enum:
        return FieldGuess({"choice": list(column.enum)})
    if column.after is not None:
        earlier = table.column(column.after)
        if kind in _DATE | _DATETIME and earlier is not None and earlier.type in _DATE | _DATETIME:
            gap = {"min": "1d" if kind in _DATE else "1s"} if column.strictly_after else {"min": 0}
            spec = {"after": column.after, "gap": {**gap, "max": "30d"}}
            if column.nullable and not in_pk:
                spec["nullable"] = True
            return FieldGuess(spec, f"CHECK: after {column.after}; the gap is a guess")
        catalog.problems.append(
            f"{table.name}: CHECK ({column.name} >= {column.after}) compares two columns that "
            "are not dates; not kept"
        )
    spec, note = _by_name(table, column, name, kind)
    generator = (spec or {}).get("generator")
    length = column.params[0] if kind in _TEXT and column.params else None
    if generator in _MAX_LENGTH and length is not None and length < _MAX_LENGTH[generator]:
        shorter = _SHORTER.get(generator)
        if shorter is not None and length >= _MAX_LENGTH[shorter]:  # `country char(2)`
            spec, note = {"generator": shorter}, f"guessed from the name; {kind}({length})"
        else:
            spec, note = None, f"{generator} is longer than {kind}({length})"  # would not fit
    if spec is None:
        spec, type_note = _by_type(table, column, kind, catalog)
        note = type_note or note
    if column.unique and "unique" not in spec and "sequence" not in spec:
        if spec.get("type") == "string":
            length = column.params[0] if column.params else 16
            spec = {"pattern": f"[a-z0-9]{{{max(6, min(length, 16))}}}"}
        spec["unique"] = True
    if column.nullable and not in_pk:
        spec["nullable"] = True
    return FieldGuess(spec, note)


def _array(table: TableInfo, column: ColumnInfo, in_pk: bool, catalog: Catalog) -> FieldGuess:
    """Phony generates no arrays: a nullable array column is left NULL, a NOT NULL one gets
    PostgreSQL's empty array `{}`; where neither loads, the import stops naming the column."""
    where = f"{table.name}.{column.name}"
    raw = column.raw_type or "ARRAY"
    if column.nullable and not in_pk:
        catalog.problems.append(
            f"{where}: array column ({raw}); arrays are not generated, left NULL"
        )
        return FieldGuess({"const": None, "sql_type": raw, "nullable": True}, "array: NULL")
    unique = in_pk or _alone_unique(table, column.name)
    if catalog.dialect in ("postgres", "postgresql") and not unique:
        catalog.problems.append(
            f"{where}: NOT NULL array column ({raw}); arrays are not generated, every row "
            "gets an empty array"
        )
        return FieldGuess({"const": "{}", "sql_type": raw}, "array: empty")
    raise UsageError(
        f"{where}: {'a key' if unique else 'a NOT NULL'} array column ({raw}); Phony does "
        "not generate arrays, so no value it could write would load. Make the column "
        "nullable or leave it out of the DDL, then import again"
    )


def _by_name(
    table: TableInfo, column: ColumnInfo, name: str, kind: str
) -> tuple[dict | None, str | None]:
    if kind in _BOOL or kind in _DATE or kind in _DATETIME or kind in _UUID:
        if name == "updated_at" and table.column("created_at") is not None and kind in _DATETIME:
            return {
                "after": "created_at",
                "gap": {"distribution": "exponential", "mean": "30d"},
            }, "after created_at"
        return None, None
    text_like = kind in _TEXT or kind in _JSON
    names = [name, _PLACE_PREFIX.sub("", name)] if _PLACE_PREFIX.match(name) else [name]
    for pattern, source in _BY_NAME:
        if any(re.match(pattern, n) for n in names) and (
            text_like
            or "latitude" in source.get("generator", "")
            or "longitude" in source.get("generator", "")
        ):
            return dict(source), "guessed from the name"
    if kind in _TEXT and _PROSE.match(name):
        return {"generator": "lorem.sentence"}, "guessed from the name"
    if name in ("title", "position") and text_like and _PEOPLE.search(table.name.lower()):
        return {"generator": "person.job_title"}, "guessed from the name"
    if _HEADLINE.match(name) and kind in _TEXT:
        return {"generator": "lorem.title"}, "guessed from the name"
    if name == "name" and text_like:
        if _PRODUCTS.search(table.name.lower()):
            return {"generator": "commerce.product_name"}, "guessed from the table name"
        if _PEOPLE.search(table.name.lower()):
            return {"generator": "person.full_name"}, "guessed from the table name"
        if _COMPANIES.search(table.name.lower()):
            return {"generator": "company.name"}, "guessed from the table name"
    if (kind in _DECIMAL or kind in _FLOAT or kind in _INT) and _MONEY.search(name):
        low, high = _bounds(column, 0.5, 1_000_000)
        top = _type_max(column, kind)
        if top is not None and high > top:  # `price numeric(4,2)` holds at most 99.99
            high = top
            low = min(low, high)
        # Centre the log-normal inside CHECK bounds (a median of 25 under `salary >= 30000` would
        # put every value at the bound); without bounds, amounts cluster around 25.
        if column.low is not None or column.high is not None or high < 100:
            median = round(math.sqrt(max(low, 0.01) * high), 2)
            note = "money: log-normal inside the " + (
                "CHECK bounds" if column.low is not None or column.high is not None else "type"
            )
        else:
            median, note = 25, "money: log-normal around 25"
        spec = {
            "distribution": "lognormal",
            "median": median,
            "sigma": 0.5,
            "min": low,
            "max": high,
        }
        if kind in _DECIMAL:
            p, s = ((*column.params, 18, 2))[:2] if column.params else (18, 2)
            spec["type"] = f"decimal({p},{s})"
        elif kind in _INT:
            spec["type"] = "int"
        return spec, note
    if kind in _INT and _QUANTITY.match(name):
        low, high = _bounds(column, 1, 10)
        return {
            "distribution": "poisson",
            "mean": 2,
            "min": low,
            "max": high,
            "type": "int",
        }, "quantity"
    return None, None


def _by_type(
    table: TableInfo, column: ColumnInfo, kind: str, catalog: Catalog
) -> tuple[dict, str | None]:
    if kind == "tinyint" and column.params == (1,):
        return {"type": "bool"}, "MySQL tinyint(1) is a boolean"
    if kind in _INT:
        top = (_UNSIGNED_MAX if column.unsigned else _INT_MAX).get(kind)
        low, high = _bounds(column, 0, top if top is not None and top <= 65535 else 1000)
        return {
            "type": "int",
            "min": int(low),
            "max": int(min(high, top if top is not None else high)),
        }, None
    if kind in _DECIMAL:
        p, s = ((*column.params, 18, 2))[:2] if column.params else (18, 2)
        # whole numbers below 10^(p-s); numeric(3,3) holds 0.999, not 0
        cap = min(10 ** (p - s) - 1 if p > s else _decimal_max(p, s), 10000)
        low, high = _bounds(column, 0, cap)
        return {"type": f"decimal({p},{s})", "min": low, "max": high}, None
    if kind in _FLOAT:
        low, high = _bounds(column, 0, 1000)
        return {"type": "float", "min": low, "max": high}, None
    if kind == "bit" and catalog.dialect in ("postgres", "postgresql"):
        # PostgreSQL's bit(n) is a bit string: COPY wants 0s and 1s, not t/f
        n = column.params[0] if column.params else 1
        return {"pattern": f"[01]{{{n}}}", "sql_type": f"BIT({n})"}, "bit string"
    if kind == "bit" and catalog.dialect == "mysql" and column.params and column.params[0] > 1:
        n = min(column.params[0], 63)
        return {"type": "int", "min": 0, "max": 2**n - 1, "sql_type": f"BIT({n})"}, "bit field"
    if kind in _BOOL:
        return {"type": "bool"}, None
    if kind in _DATE | _DATETIME:
        low = column.low if isinstance(column.low, str) else "2020-01-01"
        high = column.high if isinstance(column.high, str) else "2025-12-31"
        if high < low:  # one bound from a CHECK beyond the default range: keep a year
            if isinstance(column.low, str):
                high = _years_from(low, 1)
            else:
                low = _years_from(high, -1)
        note = "inside the CHECK bounds" if column.low or column.high else None
        return {"type": "date" if kind in _DATE else "datetime", "between": [low, high]}, note
    if kind in _TIME:
        return {"type": "time"}, None
    if kind in _UUID:
        return {"generator": "id.uuid4"}, None
    if _uuid_text(column, kind) and re.search(r"(uuid|guid|^id$|_id$)", column.name.lower()):
        return {"generator": "id.uuid4"}, f"{column.raw_type or kind}: UUIDs as text"
    if kind in _JSON:
        return {"const": "{}"}, "JSON column: an empty object"
    if kind in _NETWORK:
        return {"generator": _NETWORK[kind], "sql_type": column.raw_type or kind.upper()}, None
    if kind in _TEXT:
        length = column.params[0] if column.params else None
        if kind in ("char", "nchar", "bpchar") and length:
            return {"pattern": f"[A-Z]{{{length}}}"}, None
        high = min(length, 24) if length else 24
        return {"type": "string", "min": min(4, high), "max": high}, None
    catalog.problems.append(
        f"{table.name}.{column.name}: type {column.raw_type or column.type} has no PDL mapping; written as text"
    )
    return {
        "type": "string",
        "min": 4,
        "max": 12,
        "sql_type": column.raw_type or column.type,
    }, "unmapped type"


_TIED = {"ref", "from", "expr", "after", "sequence", "const", "unique", "hidden", "aggregate"}


def _with_stats(
    table: TableInfo,
    column: ColumnInfo,
    result: FieldGuess,
    stats,
    broken: bool,
    helper: dict | None = None,
) -> str | None:
    """Shape a guessed field from the column's statistics; the note with what they said."""
    from .stats import shape

    kind = column.type.lower()
    if kind == "tinyint" and column.params == (1,):
        kind_of = "bool"
    elif kind in _INT:
        kind_of = "int"
    elif kind in _FLOAT:
        kind_of = "float"
    elif kind in _DECIMAL and kind != "money":
        kind_of = "decimal"
    elif kind in _BOOL and kind != "bit":
        kind_of = "bool"
    elif kind in _DATE:
        kind_of = "date"
    elif kind in _DATETIME:
        kind_of = "datetime"
    elif kind in _TEXT or column.enum:
        kind_of = "text"
    else:
        kind_of = "other"
    keyed = {c for key in [table.primary_key, *table.uniques] for c in key}
    spec = result.spec
    values_free = not (
        _TIED & spec.keys() or column.name in keyed or column.unique or column.generated
    )
    may_be_null = spec.get("nullable") is True and not broken and "const" not in spec
    sources = ("choice", "distribution", "between", "min", "expr")
    before = {k: spec.get(k) for k in sources}
    note = shape(
        spec,
        column,
        stats,
        kind_of=kind_of,
        values_free=values_free,
        may_be_null=may_be_null,
        helper=helper,
    )
    if before != {k: spec.get(k) for k in sources}:  # the guess's own note no longer applies
        return note
    return "; ".join(n for n in (result.note, note) if n)


def _alone_unique(table: TableInfo, name: str) -> bool:
    """The column is by itself the primary key or a unique constraint."""
    column = table.column(name)
    return (
        table.primary_key == [name]
        or [name] in table.uniques
        or (column is not None and column.unique)
    )


def _spec_domain(spec: dict) -> int | None:
    """How many distinct values a guessed field can take, when it is known and small."""
    from ..pattern import domain_size, parse_pattern

    if "choice" in spec:
        return len({json.dumps(v) for v in spec["choice"]})
    if "pattern" in spec:
        return domain_size(parse_pattern(spec["pattern"]))
    if spec.get("type") == "bool":
        return 2
    if spec.get("type") == "int" and "distribution" not in spec:
        low, high = spec.get("min"), spec.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float):
            return max(0, math.floor(high) - math.ceil(low) + 1)
    return None


def _unique_cap(
    table: TableInfo, fk_of: dict[str, tuple[str, str]], catalog: Catalog
) -> tuple[float, list[str]]:
    """The most rows a table's unique keys without a foreign key allow (`code char(1)
    UNIQUE` holds 26 values), with the key that sets it."""
    scratch = Catalog(dialect=catalog.dialect)  # guesses made again below; notes once
    keys = [table.primary_key, *table.uniques]
    keys += [[c.name] for c in table.columns if c.unique]
    best: tuple[float, list[str]] = (math.inf, [])
    for key in keys:
        if not key or any(name in fk_of for name in key):
            continue
        space = 1
        for name in key:
            column = table.column(name)
            size = None
            if column is not None and column.generated is None:
                size = _spec_domain(guess(table, column, None, scratch).spec)
            if size is None:
                break
            space *= size
        else:
            if space < best[0]:
                best = (space, key)
    return best


def _domain(column: ColumnInfo | None) -> int | None:
    """How many distinct values a column can take, when it is small and known."""
    if column is None:
        return None
    if column.enum:
        return len(set(column.enum))
    kind = column.type.lower()
    if kind in _BOOL or (kind == "tinyint" and column.params == (1,)):
        return 2
    if (
        kind in _INT
        and isinstance(column.low, int | float)
        and isinstance(column.high, int | float)
        and not isinstance(column.low, bool)
    ):
        return max(0, math.floor(column.high) - math.ceil(column.low) + 1)
    return None


_PER_PARENT_MAX = 50  # a composite key whose other columns take at most this many values


def _count(
    table: TableInfo,
    fk_of: dict[str, tuple[str, str]],
    rows: int,
    bound: Callable[[str], float] = lambda _: math.inf,
    counted_per_this: Callable[[str], bool] = lambda _: False,
    points_back: Callable[[str], bool] = lambda _: False,
    own: int | None = None,
) -> object:
    """The entity's count: `rows`, three times as many with a parent, or per parent when a
    key says how many children one parent can have (one-to-one, or `(order_id, line_no)`
    with `line_no` between 1 and 5). `bound(entity)` is the most rows an entity can have;
    `own` is the table's row estimate from the database's statistics, used instead of
    `rows` (or three times it) where the count is a number."""
    parents = {c: p for c, (p, _) in fk_of.items() if p != table.name}
    if not parents:
        return own or rows
    sizes = {p: bound(p) for p in parents.values()}  # (counts the parents first)
    # a parent counted per this table cannot be the per-parent of this one (a circle)
    per_ok = {c: p for c, p in parents.items() if not counted_per_this(p)}
    # the per-parent expansion fills the first field that refers to the parent
    first_ref: dict[str, str] = {}
    for column in table.columns:
        if column.name in parents:
            first_ref.setdefault(parents[column.name], column.name)
    # one-to-one: per the parent with the fewest rows, so every unique reference has enough
    # (not when the parent points back at this table one-to-one too: then neither table is
    # counted per the other, both get the same count and each UNIQUE side is kept unique)
    one_to_one = [
        p
        for c, p in per_ok.items()
        if first_ref[p] == c and _alone_unique(table, c) and not points_back(p)
    ]
    if one_to_one:
        return {"per": min(one_to_one, key=sizes.__getitem__), "max": 1}
    for key in [table.primary_key, *table.uniques]:
        in_key = [c for c in key if c in parents]
        if (
            len(key) < 2
            or len(in_key) != 1
            or in_key[0] not in per_ok
            or first_ref[parents[in_key[0]]] != in_key[0]
        ):
            continue
        combinations = 1
        for name in key:
            if name != in_key[0]:
                size = _domain(table.column(name))
                combinations = combinations * size if size is not None else None
                if combinations is None:
                    break
        if combinations is not None and 0 < combinations <= _PER_PARENT_MAX:
            return {"per": parents[in_key[0]], "max": combinations}
    # a unique reference that is not the per-parent one: no more rows than its parent has
    fewest = min(
        (sizes[p] for c, p in parents.items() if _alone_unique(table, c)), default=math.inf
    )
    return int(min(own or rows * 3, fewest))


# `(order_id, line_no)`: a column that numbers the rows of one parent
_POSITION = re.compile(
    r"(^|_)(line|item|seq|sequence|position|pos|idx|index|ordinal|step|no|num|number|nr)(_|$)"
)


def _lines_per_parent(
    table: TableInfo, fk_of: dict[str, tuple[str, str]], counted: object
) -> object:
    """Lines numbered within a parent (`(order_id, line_no)`, `line_no BETWEEN 1 AND 20`):
    a few per parent, at least one, rather than 0 to 20 equally likely (ten on average,
    and one order in 21 without any)."""
    if not (isinstance(counted, dict) and set(counted) == {"per", "max"}) or counted["max"] < 3:
        return counted
    for key in [table.primary_key, *table.uniques]:
        if len(key) != 2:
            continue
        for fk, other in (key, key[::-1]):
            column = table.column(other)
            if (
                fk in fk_of
                and fk_of[fk][0] == counted["per"]
                and column is not None
                and _line_number(table, column, fk_of, counted) is not None
            ):
                per, most = counted["per"], counted["max"]
                return {"per": per, "distribution": "poisson", "mean": 3, "min": 1, "max": most}
    return counted


def _line_number(
    table: TableInfo, column: ColumnInfo, fk_of: dict[str, tuple[str, str]], count: object
) -> FieldGuess | None:
    """`line_no` in a key `(order_id, line_no)`: 1, 2, 3 … within each order, as an
    application numbers them (a random number in its range is valid but looks made up), and
    distinct by construction. Only when the numbers stay inside the column's CHECK bounds:
    with an upper bound, the table must be counted per that parent, at most as many."""
    if column.name in fk_of or column.enum or column.type.lower() not in _INT:
        return None
    if not _POSITION.search(column.name.lower()):
        return None
    for key in [table.primary_key, *table.uniques]:
        others = [c for c in key if c != column.name]
        if len(key) != 2 or column.name not in key or others[0] not in fk_of:
            continue
        parent = fk_of[others[0]][0]
        low = column.low if isinstance(column.low, int) else 1
        if column.high is not None:
            if not (isinstance(count, dict) and count["per"] == parent):
                continue
            if low + count["max"] - 1 > column.high:
                continue
        expr = f"ROW_NUMBER() OVER (PARTITION BY {others[0]})"
        if low != 1:
            expr += f" + {low - 1}" if low > 1 else f" - {1 - low}"
        return FieldGuess({"expr": expr}, f"numbers the rows of each {parent} row")
    return None


_PARENT_START = re.compile(r"^(created|registered|signed_?up|joined)(_at|_on)?$")


def _through_parent(
    table: TableInfo, column: ColumnInfo, fk_of: dict[str, tuple[str, str]], catalog: Catalog
) -> FieldGuess | None:
    """Values that follow a parent row, as the application's do: a `price` copied from the
    row a foreign key points at (`order_lines.unit_price` ← `products.price`), and the
    table's first time after its parent's creation (`orders.placed_at` after the customer's
    `created_at`). Only where the copy or the later time keeps the column's own rules."""
    keyed = {c for key in [table.primary_key, *table.uniques] for c in key}
    if column.name in fk_of or column.name in keyed or column.unique or column.enum:
        return None
    if column.after is not None or column.generated is not None:
        return None
    kind = column.type.lower()
    parents = [
        (fk, catalog.table(parent))
        for fk, (parent, _) in fk_of.items()
        if parent != table.name and catalog.table(parent) is not None
    ]
    scratch = Catalog(dialect=catalog.dialect)  # the parent's guesses, without their notes
    if _MONEY.search(column.name) and kind in _DECIMAL:
        for fk, parent in parents:
            source = parent.column(column.name) or parent.column("price")
            if (
                source is None
                or (source.type.lower(), source.params) != (kind, column.params)
                or source.generated is not None
            ):
                continue
            spec = guess(parent, source, None, scratch).spec
            low, high = spec.get("min"), spec.get("max")
            inside = (column.low is None or (low is not None and low >= column.low)) and (
                column.high is None or (high is not None and high <= column.high)
            )
            if inside and "distribution" in spec:
                copy = {"from": f"{fk}.{source.name}"}
                if column.nullable:
                    copy["nullable"] = True
                return FieldGuess(copy, f"the {source.name} of the {parent.name} row")
        return None
    if kind not in _DATETIME | _DATE or column.low is not None or column.high is not None:
        return None
    first = next(
        (c for c in table.columns if c.type.lower() in _DATETIME | _DATE and c.after is None),
        None,
    )
    if first is not column or column.name == "updated_at":
        return None  # the table's first time only: later ones have their own story
    for fk, parent in parents:
        if table.column(fk) is None or table.column(fk).nullable:
            continue  # a NULL parent would leave the time NULL
        start = next(
            (
                c
                for c in parent.columns
                if _PARENT_START.match(c.name.lower())
                and not c.nullable
                and c.generated is None
                and (c.type.lower() in _DATE) == (kind in _DATE)
                and c.type.lower() in _DATETIME | _DATE
            ),
            None,
        )
        if start is not None:
            spec = {
                "after": f"{fk}.{start.name}",
                "gap": {"distribution": "exponential", "mean": "30d", "max": "365d"},
            }
            if column.nullable:
                spec["nullable"] = True
            return FieldGuess(spec, f"after the {parent.name} row's {start.name}; gap a guess")
    return None


def _identifier_tables(catalog: Catalog) -> dict[str, str]:
    """Give each table whose name is not a PDL identifier one (`Order Details` →
    `Order_Details`), in the catalog and in its children's foreign keys, so the entity
    writes `table: "Order Details"`. Returns entity → the table's name. A name no `table`
    may take (spec/pdl.md, table), or one that folds to another table's, is left as it is
    (and skipped, with a note)."""
    from ..infer.readers import sanitize
    from ..model import usable_table

    renames: dict[str, str] = {}
    taken = {t.name.lower() for t in catalog.tables if _IDENT.fullmatch(t.name)}
    written = {t.name.casefold() for t in catalog.tables if _IDENT.fullmatch(t.name)}
    for table in catalog.tables:
        if _IDENT.fullmatch(table.name):
            continue
        if not usable_table(table.name):
            catalog.problems.append(
                f"table '{table.name}': the name is not a PDL identifier, nor one a `table` "
                "may hold (a blank at either end, a control character, or over 63 bytes); "
                "skipped"
            )
            continue
        if table.name.casefold() in written:
            catalog.problems.append(
                f"table '{table.name}': the name differs from another table's only in letter "
                "case, which MySQL, SQLite and some file systems would not tell apart; skipped"
            )
            continue
        written.add(table.name.casefold())
        renames[table.name] = sanitize(table.name, taken)
    for table in catalog.tables:
        for fk in table.foreign_keys:
            fk.parent = renames.get(fk.parent, fk.parent)
        table.name = renames.get(table.name, table.name)
    return {entity: table for table, entity in renames.items()}


def _identifier_columns(catalog: Catalog) -> dict[tuple[str, str], str]:
    """Give each column whose name is not a PDL identifier one (`Unit Price` → `Unit_Price`),
    everywhere the catalog names it (keys, foreign keys of its children, CHECKs, statistics),
    so the field writes `column: "Unit Price"`. Returns (table, field) → the column's name.
    A name no column may take (spec/pdl.md, column), or one that folds to another column's,
    is left as it is (and skipped, with a note)."""
    from ..infer.readers import sanitize
    from ..model import usable_column

    renames: dict[str, dict[str, str]] = {}
    for table in catalog.tables:
        if not _IDENT.fullmatch(table.name):
            continue  # the table is skipped
        taken = {c.name.lower() for c in table.columns if _IDENT.fullmatch(c.name)}
        written = {c.name.casefold() for c in table.columns if _IDENT.fullmatch(c.name)}
        for column in table.columns:
            if _IDENT.fullmatch(column.name) or not usable_column(column.name):
                continue
            if column.name.casefold() in written:
                catalog.problems.append(
                    f"{table.name}.{column.name}: the name differs from another column's only "
                    "in letter case, which MySQL and SQLite would not tell apart; skipped"
                )
                continue
            written.add(column.name.casefold())
            renames.setdefault(table.name, {})[column.name] = sanitize(column.name, taken)
    for table in catalog.tables:
        own = renames.get(table.name, {})
        for column in table.columns:
            column.after = own.get(column.after, column.after) if column.after else column.after
        for column in table.columns:
            column.name = own.get(column.name, column.name)
        table.primary_key = [own.get(c, c) for c in table.primary_key]
        table.uniques = [[own.get(c, c) for c in key] for key in table.uniques]
        for fk in table.foreign_keys:
            fk.columns = [own.get(c, c) for c in fk.columns]
            theirs = renames.get(fk.parent, {})
            fk.parent_columns = [theirs.get(c, c) for c in fk.parent_columns]
        if own and table.stats is not None:
            table.stats.columns = {own.get(c, c): v for c, v in table.stats.columns.items()}
    return {(t, field): column for t, names in renames.items() for column, field in names.items()}


def _skipped_columns(table: TableInfo, catalog: Catalog) -> set[str]:
    """Columns left out of the entity, each with a note: names that are not PDL identifiers,
    and generated columns (the database computes them; a value for one is refused)."""
    skipped = set()
    for column in table.columns:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column.name):
            catalog.problems.append(
                f"{table.name}.{column.name}: the name is not a PDL identifier; skipped"
            )
            skipped.add(column.name)
        elif column.generated is not None:
            catalog.problems.append(
                f"{table.name}.{column.name}: generated column (AS ({column.generated})), "
                "computed by the database; left out"
            )
            skipped.add(column.name)
    return skipped


def _break_cycles(catalog: Catalog, names: set[str]) -> set[tuple[str, str]]:
    """NOT NULL foreign keys in a circle (`dept.head_id` → emp, `emp.dept_id` → dept) leave no
    insert order (`fk-cycle`): one key of each circle, a DEFERRABLE one first, is declared
    `nullable: true`, so the loader fills it once both tables exist. Returns (table, column)."""
    identifier = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    edges: list[tuple[str, str, str, bool]] = []  # (child, column, parent, deferrable)
    for table in catalog.tables:
        if not identifier.fullmatch(table.name):
            continue
        for fk in table.foreign_keys:
            column = table.column(fk.columns[0]) if len(fk.columns) == 1 else None
            if (
                column is None
                or column.nullable
                or column.generated is not None
                or fk.parent == table.name
                or fk.parent not in names
                or not identifier.fullmatch(fk.parent)
                or not identifier.fullmatch(column.name)
            ):
                continue
            edges.append((table.name, column.name, fk.parent, fk.deferrable))
    broken: set[tuple[str, str]] = set()
    while True:
        cycle = _find_cycle([e for e in edges if (e[0], e[1]) not in broken])
        if not cycle:
            return broken
        edge = next((e for e in cycle if e[3]), cycle[-1])
        broken.add((edge[0], edge[1]))
        path = ", ".join(f"{c}.{col} → {p}" for c, col, p, _ in cycle)
        catalog.problems.append(
            f"{edge[0]}.{edge[1]}: NOT NULL foreign keys form a circle ({path}); it is written "
            "nullable: true, so the tables can be loaded in order and the loader fills it after "
            "both (into the original tables only once its NOT NULL is dropped)"
        )


Edge = tuple[str, str, str, bool]


def _find_cycle(edges: list[Edge]) -> list[Edge] | None:
    """One circle of edges (child → parent), in order, or None."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge[0], []).append(edge)
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[Edge] = []

    def visit(node: str) -> list[Edge] | None:
        state[node] = 1
        for edge in out.get(node, []):
            target = edge[2]
            if state.get(target) == 1:
                start = next(i for i, e in enumerate([*path, edge]) if e[0] == target)
                return [*path, edge][start:]
            if target not in state:
                path.append(edge)
                found = visit(target)
                if found:
                    return found
                path.pop()
        state[node] = 2
        return None

    for node in list(out):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@dataclass
class Composite:
    """A composite foreign key written as a hidden `ref` to one key of the parent plus a
    `from` copy of each of the parent's key columns (see spec/pdl.md, Composite foreign keys)."""

    child: str
    columns: list[str]
    parent: str
    parent_columns: list[str]
    via: str = ""  # the hidden ref's name
    one_to_one: bool = False  # the columns are by themselves the child's key


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _composite(
    table: TableInfo, fk, names: set[str], catalog: Catalog, out: list[Composite]
) -> None:
    """Keep a composite foreign key that PDL can write, or say why not and what to do."""
    where = f"{table.name}: composite foreign key ({', '.join(fk.columns)}) → {fk.parent}"
    parent = catalog.table(fk.parent)
    key = list(fk.parent_columns) or (parent.primary_key if parent is not None else [])
    why = None
    if fk.parent not in names or parent is None:
        why = "the parent table is not in the input"
    elif fk.parent == table.name:
        why = "a composite reference to the table itself is not supported"
    elif len(key) != len(fk.columns) or sorted(key) not in [
        sorted(k) for k in [parent.primary_key, *parent.uniques]
    ]:
        why = f"({', '.join(key)}) is not the primary key or a unique constraint of {fk.parent}"
    elif any(table.column(c) is None for c in fk.columns):
        why = "a column is missing"
    if why is not None:
        catalog.problems.append(
            f"{where} is not kept: {why}; its columns are generated independently (write a "
            f"hidden ref to {fk.parent} and a `from` per column, see spec/pdl.md, Composite "
            "foreign keys)"
        )
        return
    if any((c.child, col) == (table.name, x) for c in out for col in c.columns for x in fk.columns):
        catalog.problems.append(
            f"{where} is not kept: a column is already copied through another composite "
            "foreign key; its values follow that one"
        )
        return
    taken = {c.name for c in table.columns} | {c.via for c in out if c.child == table.name}
    via = _free_name(f"_{fk.parent}", taken)
    one_to_one = sorted(fk.columns) in [sorted(k) for k in [table.primary_key, *table.uniques]]
    out.append(Composite(table.name, list(fk.columns), fk.parent, key, via, one_to_one))


def _composite_fits(c: Composite, catalog: Catalog, prepared: dict) -> bool:
    """Columns and tables that became PDL identifiers (others are skipped, with a note)."""
    if c.child not in prepared or c.parent not in prepared:
        return False
    skipped = prepared[c.child][1] | prepared[c.parent][1]
    if set(c.columns) & skipped or set(c.parent_columns) & skipped:
        catalog.problems.append(
            f"{c.child}: composite foreign key ({', '.join(c.columns)}) → {c.parent} is not "
            "kept: one of its columns is skipped; its columns are generated independently"
        )
        return False
    return True


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _row_keys(composites: list[Composite], catalog: Catalog, prepared: dict) -> dict[str, str]:
    """The single key each parent of a composite foreign key is referenced by: its own
    integer primary key (a `sequence`), or else a new hidden `_row` sequence."""
    out: dict[str, str] = {}
    for c in composites:
        if c.parent in out:
            continue
        table = catalog.table(c.parent)
        pk = table.primary_key
        column = table.column(pk[0]) if len(pk) == 1 else None
        if (
            column is not None
            and pk[0] not in prepared[c.parent][0]
            and (column.type.lower() in _INT or column.auto)
        ):
            out[c.parent] = pk[0]  # imported as `sequence: 1`, a key a ref may point at
        else:
            out[c.parent] = _free_name("_row", {col.name for col in table.columns})
    return out


def to_pdl(
    catalog: Catalog,
    *,
    name: str,
    source: str,
    rows: int = 100,
    row_estimates: bool = False,
    schema_ref: str | None = None,
) -> str:
    """`schema_ref`: where the PDL JSON Schema is from the file's folder, for an editor's
    modeline (none without it: the schema's `$id` is a name, not an address to fetch)."""
    lines = [
        f"# Imported by Phony from {source}.",
        "# Guesses are marked; review them, then run: phony generate --schema THIS_FILE",
        *([f"# yaml-language-server: $schema={schema_ref}"] if schema_ref else []),
        "pdl: 1",
        f"name: {_scalar(re.sub(r'[^A-Za-z0-9_]', '_', name) or 'imported')}",
        "seed: 1",
        "entities:",
    ]
    tables_written = _identifier_tables(catalog)  # entity → its table's own name
    original = _identifier_columns(catalog)  # (table, field) → its column's own name
    # only tables that become entities: a foreign key to a skipped one is a note, not a `ref`
    names = {t.name for t in catalog.tables if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", t.name)}
    cycle_breaks = _break_cycles(catalog, names)
    composites: list[Composite] = []
    prepared: dict[str, tuple[dict[str, tuple[str, str]], set[str]]] = {}
    for table in catalog.tables:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table.name):
            continue  # _identifier_tables said why
        fk_of: dict[str, tuple[str, str]] = {}
        for fk in table.foreign_keys:
            if len(fk.columns) != 1:
                _composite(table, fk, names, catalog, composites)
                continue
            if fk.parent not in names:
                skipped_table = catalog.table(fk.parent) is not None
                catalog.problems.append(
                    f"{table.name}.{fk.columns[0]}: references {fk.parent}, which is "
                    + ("skipped" if skipped_table else "not in the input")
                )
                continue
            key = fk.parent_columns[0] if fk.parent_columns else "id"
            parent = catalog.table(fk.parent)
            target = parent.column(key) if parent is not None else None
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or (
                target is not None and target.generated is not None
            ):
                catalog.problems.append(
                    f"{table.name}.{fk.columns[0]}: references {fk.parent}.{key}, which is "
                    "skipped; generated without the reference"
                )
                continue
            fk_of[fk.columns[0]] = (fk.parent, key)
        skipped = _skipped_columns(table, catalog)
        if any(c in skipped for key in table.uniques for c in key):
            table.uniques = [key for key in table.uniques if not set(key) & skipped]
        if set(table.primary_key) & skipped:
            table.primary_key = []
        fk_of = {c: parent for c, parent in fk_of.items() if c not in skipped}
        prepared[table.name] = (fk_of, skipped)
    composites = [c for c in composites if _composite_fits(c, catalog, prepared)]
    copied = {(c.child, col): c for c in composites for col in c.columns}
    for c in composites:  # a column copied through the composite key is not also a `ref`
        fk_of = prepared[c.child][0]
        for col in c.columns:
            if col in fk_of:
                parent, key = fk_of.pop(col)
                catalog.problems.append(
                    f"{c.child}.{col}: also a foreign key to {parent}.{key}; it is copied "
                    f"through the composite foreign key to {c.parent} (whose rows hold only "
                    f"valid values), so --create declares only the composite one"
                )
    row_keys = _row_keys(composites, catalog, prepared)
    counts: dict[str, object] = {}

    def estimate(name: str) -> int | None:
        """The table's row estimate from the database's statistics (not with --rows)."""
        stats = catalog.table(name).stats
        return stats.rows if row_estimates and stats is not None and stats.rows > 0 else None

    def count(name: str, seen: tuple[str, ...] = ()) -> object:
        if name not in counts:
            if name in seen:  # one-to-one tables in a circle: no bound from here
                return rows * 3
            table = catalog.table(name)
            fk_of = prepared[name][0]
            counts[name] = _count(
                table,
                fk_of,
                rows,
                lambda p: bound(p, (*seen, name)),
                lambda p: counted_per(p, name),
                lambda p: points_back(p, name),
                estimate(name),
            )
            counts[name] = _lines_per_parent(table, fk_of, counts[name])
            mine = [c for c in composites if c.child == name]
            if mine and counts[name] == rows and estimate(name) is None:
                # a child through its composite key only
                counts[name] = rows * 3
            for c in mine:  # one row per parent row at most, as for a UNIQUE `ref`
                if c.one_to_one and not isinstance(counts[name], dict):
                    counts[name] = {"per": c.parent, "max": 1}
            cap, key = _unique_cap(table, fk_of, catalog)
            if isinstance(counts[name], int) and counts[name] > cap:
                counts[name] = int(cap)
                catalog.problems.append(
                    f"{name}: the unique key ({', '.join(key)}) holds only {int(cap):,} "
                    f"distinct values; the table gets {int(cap):,} rows"
                )
        return counts[name]

    def points_back(name: str, other: str) -> bool:
        """`name` has a UNIQUE foreign key to `other` (with one from `other` to `name`, a
        one-to-one pair in both directions)."""
        table = catalog.table(name)
        return name in prepared and any(
            parent == other and _alone_unique(table, column)
            for column, (parent, _) in prepared[name][0].items()
        )

    def counted_per(name: str, other: str) -> bool:
        """`name`'s count is per `other`, directly or through a chain of per-parent counts."""
        seen = {name}
        while isinstance(counts.get(name), dict):
            name = counts[name]["per"]
            if name == other:
                return True
            if name in seen:
                return False
            seen.add(name)
        return False

    def bound(name: str, seen: tuple[str, ...] = ()) -> float:
        if name in seen:
            return math.inf
        value = count(name, seen)
        if isinstance(value, dict):
            return bound(value["per"], (*seen, name)) * value["max"]
        return value

    for table in catalog.tables:
        if table.name not in prepared:
            continue
        fk_of, skipped = prepared[table.name]
        lines.append(f"  {table.name}:")
        if table.name in tables_written:
            lines.append(f"    table: {_scalar(tables_written[table.name])}")
        counted = count(table.name)
        note = (
            f"  # lines per {counted['per']} row: a guess"
            if isinstance(counted, dict) and "distribution" in counted
            else ""
        )
        if isinstance(counted, int) and estimate(table.name) is not None:
            note = f"  # {table.stats.source}: {estimate(table.name):,} rows"
            if counted != estimate(table.name):
                note += ", capped by a unique key or a unique reference"
        lines.append(f"    count: {_flow(counted)}{note}")
        if table.primary_key and table.primary_key != ["id"]:
            pk = table.primary_key[0] if len(table.primary_key) == 1 else table.primary_key
            lines.append(f"    primary_key: {_flow(pk)}")
        if table.uniques:
            lines.append(f"    unique: {_flow(table.uniques)}")
        lines.append("    fields:")
        extra = [row_keys.get(table.name, "")] + [
            c.via for c in composites if c.child == table.name
        ]
        width = max((len(n) for n in [*(c.name for c in table.columns), *extra]), default=0) + 1
        if table.name in row_keys and table.column(row_keys[table.name]) is None:
            spec = {"sequence": 1, "hidden": True}
            line = f"      {(row_keys[table.name] + ':').ljust(width)} {_flow(spec)}"
            lines.append(line + "  # a single key for the composite foreign keys that point here")
        for column in table.columns:
            if column.name in skipped:
                continue
            composite = copied.get((table.name, column.name))
            if composite is not None:
                if column.name == composite.columns[0]:
                    spec = {
                        "ref": f"{composite.parent}.{row_keys[composite.parent]}",
                        "hidden": True,
                    }
                    if composite.one_to_one:
                        spec["unique"] = True
                    lines.append(
                        f"      {(composite.via + ':').ljust(width)} {_flow(spec)}  # picks the "
                        f"{composite.parent} row of the composite foreign key"
                    )
                spec = {
                    "from": f"{composite.via}.{composite.parent_columns[composite.columns.index(column.name)]}"
                }
                if column.nullable:
                    spec["nullable"] = True
                if (table.name, column.name) in original:
                    spec["column"] = original[(table.name, column.name)]
                note = f"({', '.join(composite.columns)}) → {composite.parent}"
                note = _keep_default(table, column, spec, note, catalog)
                lines.append(f"      {(column.name + ':').ljust(width)} {_flow(spec)}  # {note}")
                continue
            result = (
                _line_number(table, column, fk_of, count(table.name))
                or _through_parent(table, column, fk_of, catalog)
                or guess(table, column, fk_of.get(column.name), catalog)
            )
            declared = _declared_type(column, catalog.dialect)
            if declared and not {"ref", "sql_type"} & result.spec.keys():
                # --create and SQL scripts make the column as declared, not TEXT (a
                # reference takes its key's sql_type by itself)
                result.spec["sql_type"] = declared
            parent = fk_of.get(column.name, (None,))[0]
            if result.spec.get("unique") and parent and counted_per(parent, table.name):
                del result.spec["unique"]  # the parent has at most one row per row of this
                catalog.problems.append(
                    f"{table.name}.{column.name}: UNIQUE reference to {parent}, whose rows are "
                    f"counted per {table.name} (a one-to-one circle); not kept unique"
                )
            if (table.name, column.name) in cycle_breaks:
                result.spec["nullable"] = True
            if (
                result.spec.get("unique")
                and parent not in (None, table.name)
                and points_back(parent, table.name)
            ):
                back = next(c for c, (p, _) in prepared[parent][0].items() if p == table.name)
                result.note = (
                    f"one-to-one both ways with {parent}.{back}: each side a permutation of "
                    "the other table's rows (not each other's inverse)"
                )
            column_stats = table.stats.columns.get(column.name) if table.stats else None
            if column_stats is not None:
                taken = {c.name for c in table.columns} | set(extra)
                unit = "days" if column.type.lower() in _DATE else "seconds"
                helper = {"name": _free_name(f"_{column.name}_{unit}", taken)}
                result.note = _with_stats(
                    table,
                    column,
                    result,
                    column_stats,
                    (table.name, column.name) in cycle_breaks,
                    helper,
                )
                if "spec" in helper:  # the empirical days or seconds of a date column
                    lines.append(
                        f"      {(helper['name'] + ':').ljust(width)} {_flow(helper['spec'])}"
                    )
            result.note = _keep_default(table, column, result.spec, result.note, catalog)
            if (table.name, column.name) in original:
                result.spec["column"] = original[(table.name, column.name)]
            line = f"      {(column.name + ':').ljust(width)} {_flow(result.spec)}"
            if result.note:
                line += f"  # {result.note}"
            lines.append(line)
    if catalog.problems:
        lines.append("")
        lines.append("# Not mapped (review these):")
        # one comment line per note, whatever it holds (a statement's text may span lines)
        catalog.problems[:] = [" ".join(str(p).split()) for p in catalog.problems]
        lines.extend(f"#  - {p}" for p in catalog.problems)
    return "\n".join(lines) + "\n"
