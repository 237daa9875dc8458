"""Loading benchmark: Phony's loaders vs pandas.DataFrame.to_sql (SQLAlchemy) on the same rows.

python bench/load.py [--rows 1000000]   (needs: pip install -e '.[bench]'; PostgreSQL and
MariaDB on 127.0.0.1 as in .ci/run). Appends a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import phony_pdl
from phony_pdl.loaders import load

HERE = Path(__file__).resolve().parent


def fresh_database(kind: str, tmp: Path) -> tuple[str, str, callable]:
    """(phony URL, SQLAlchemy URL, drop()) for an empty database."""
    name = f"phony_bench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        path = tmp / f"{name}.db"
        return f"sqlite:///{path}", f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    if kind == "duckdb":
        path = tmp / f"{name}.duckdb"
        return f"duckdb:///{path}", f"duckdb:///{path}", lambda: path.unlink(missing_ok=True)
    if kind == "postgres":
        import psycopg

        admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        return (
            url,
            url.replace("postgresql://", "postgresql+psycopg://"),
            lambda: admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)'),
        )
    import pymysql

    admin = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
    admin.cursor().execute(f"CREATE DATABASE `{name}`")
    url = f"mysql://root@127.0.0.1:3306/{name}"
    return (
        url,
        url.replace("mysql://", "mysql+pymysql://"),
        lambda: admin.cursor().execute(f"DROP DATABASE `{name}`"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres,mysql,duckdb")
    args = parser.parse_args()
    import sqlalchemy

    schema = phony_pdl.load(HERE / "core.yaml")
    dataset = schema.generate(scale=args.rows / 1_000_000)
    dataset.prepare()
    frame = dataset["events"].to_pandas()
    for column in (
        "price",
        "total",
    ):  # SQLite's driver cannot bind Decimal; floats for every target
        frame[column] = frame[column].astype(float)
    lines = [
        "",
        f"## Loading {args.rows:,} rows of the core table (8 columns)",
        "",
        "| database | Phony rows/s | Phony, no CHECKs | pandas.to_sql rows/s | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            rates = []
            for checks in (True, False):
                url, _, drop = fresh_database(kind, Path(tmp))
                started = time.perf_counter()
                load(dataset, url, checks=checks)
                rates.append(args.rows / (time.perf_counter() - started))
                drop()
            url, sa_url, drop = fresh_database(kind, Path(tmp))
            engine = sqlalchemy.create_engine(sa_url)
            started = time.perf_counter()
            try:
                frame.to_sql(
                    "events",
                    engine,
                    index=False,
                    chunksize=5_000,
                    method="multi" if kind != "sqlite" else None,
                )
                pandas_rate = args.rows / (time.perf_counter() - started)
                pandas_text, ratio = f"{pandas_rate:,.0f}", f"{rates[0] / pandas_rate:.1f}×"
            except Exception as exc:  # e.g. duckdb-engine cannot create a column named `at`
                pandas_text, ratio = f"failed ({type(exc).__name__})", "–"
            engine.dispose()
            drop()
            line = f"| {kind} | {rates[0]:,.0f} | {rates[1]:,.0f} | {pandas_text} | {ratio} |"
            print(line, flush=True)
            lines.append(line)
    lines.append("")
    lines.append(
        "Phony creates the table with keys, NOT NULL and CHECK constraints and verifies row counts "
        "and foreign keys before committing; to_sql creates an unconstrained table."
    )
    from results import replace_section

    replace_section("## Loading", lines)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
