"""The `phony` command line (typer + rich). Exit 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__, interrupts
from .errors import PhonyError, PhonyWarning, SchemaError, UsageError

app = typer.Typer(
    name="phony",
    help="Schema-driven synthetic data: coherent, relational, deterministic, fast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(exc: PhonyError, trailer: str = "") -> None:
    if isinstance(exc, SchemaError):
        err.print(exc.render(trailer=trailer), markup=False)
    else:
        err.print(f"error: {exc}", markup=False)
    raise typer.Exit(exc.exit_code)


SchemaOption = Annotated[
    Path | None,
    typer.Option(
        "--schema", "-s", help="PDL file (the same as giving it as FILE).", show_default=False
    ),
]


def _one_schema(file: Path | None, option: Path | None, command: str) -> Path:
    """The PDL file given as an argument or with --schema (either way works everywhere)."""
    if file is not None and option is not None and file != option:
        _fail(
            UsageError(f"two PDL files given ({file} and --schema {option}); {command} takes one")
        )
    path = file if file is not None else option
    if path is None:
        _fail(UsageError(f"give the PDL file: phony {command} FILE (or --schema FILE)"))
    return path


def _check_output_file(path: Path | None, option: str, example: str) -> None:
    """Fail before any work when `path` cannot be a file: a folder, or under a file."""
    if path is None:
        return
    try:
        if path.is_dir():
            _fail(
                UsageError(
                    f"{option} '{path}' is a folder; name a file in it, e.g. {path / example}"
                )
            )
        for parent in path.parents:
            if parent.exists():
                if not parent.is_dir():
                    _fail(UsageError(f"{option} '{path}': '{parent}' is a file, not a folder"))
                break
    except OSError as exc:  # a name too long for the file system, …
        _fail(UsageError(f"{option} '{path}': {exc.strerror or exc}; choose another path"))


def _write_report(comparison: Any, report: Path) -> None:
    try:
        comparison.write_html(report)
    except OSError as exc:  # a folder that cannot be made (/proc/…), no permission, a full disk
        _fail(UsageError(f"cannot write --report {report}: {exc.strerror or exc}"))


def _version(value: bool) -> None:
    if value:
        out.print(f"phony {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Phony: write a PDL file, get believable data."""


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="PDL files (YAML or JSON) or .phony models.", show_default=False),
    ] = None,
    schema_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--schema", "-s", help="A PDL file (as for generate); may repeat.", show_default=False
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print diagnostics as JSON.")] = False,
) -> None:
    """Check PDL files; report every problem with its file:line:column."""
    import json

    from .schema import load

    files = [*(files or []), *(schema_files or [])]
    if not files:
        _fail(UsageError("give the PDL files: phony validate FILE... (or --schema FILE)"))
    failed = 0
    report = []
    for path in files:
        if path.suffix == ".phony":
            from .ngram.commands import validate as validate_model
            from .ngram.model import ModelError

            try:
                validate_model(path)
            except ModelError as exc:
                failed += 1
                if json_output:
                    report.append({"code": exc.code, "message": str(exc), "file": str(path), "line": None,
                                   "column": None, "path": "", "hint": None, "notes": []})  # fmt: skip
                else:
                    err.print(exc.render(), markup=False)
                    err.print("\n1 error.", markup=False)  # as a PDL file's report ends
                continue
            if not json_output:
                out.print(f"{path}: valid", markup=False)
            continue
        try:
            load(path)
        except SchemaError as exc:
            failed += 1
            if json_output:
                report.extend(d.to_dict() for d in exc.diagnostics)
            else:
                err.print(exc.render(), markup=False)
            continue
        if not json_output:
            out.print(f"{path}: valid", markup=False)
    if json_output:
        out.print(json.dumps(report, indent=2), markup=False)
    raise typer.Exit(1 if failed else 0)


@app.command()
def generators(
    family: Annotated[str | None, typer.Option("--family", help="Only this family.")] = None,
) -> None:
    """List the registered generators."""
    from .errors import did_you_mean, one_of
    from .generators import registry

    families = {spec.family for spec in registry.all_specs()}
    if family and family not in families:
        hint = did_you_mean(family, families) or f"families: {one_of(families)}"
        _fail(UsageError(f"--family {family!r} is not a generator family; {hint}"))
    from rich.table import Column

    # names are what users copy (and grep from a pipe): never cut, other columns wrap
    widest = max(len(spec.name) for spec in registry.all_specs())
    name_column = Column("name", no_wrap=True, min_width=widest)
    table = Table(
        name_column,
        "returns",
        Column("parameters", overflow="fold"),
        Column("summary", overflow="fold"),
        box=None,
        pad_edge=False,
    )
    for spec in registry.all_specs():
        if family and spec.family != family:
            continue
        params = ", ".join(
            f"{n}={f.default!r}" if not f.is_required() else n
            for n, f in spec.params.model_fields.items()
        )
        # Text, not rich markup: summaries hold brackets such as [min_age, max_age]
        table.add_row(
            *(Text(v) for v in (spec.name, str(spec.returns), params or "-", spec.summary))
        )
    out.print(table)


@app.command()
def graph(
    file: Annotated[Path | None, typer.Argument(help="PDL file.", show_default=False)] = None,
    schema_file: SchemaOption = None,
    fmt: Annotated[str, typer.Option("--format", help="mermaid or dot.")] = "mermaid",
) -> None:
    """Print an ER diagram of the schema (entities, keys, foreign keys, aggregates)."""
    from .schema import load

    file = _one_schema(file, schema_file, "graph")
    if fmt not in ("mermaid", "dot"):
        _fail(UsageError(f"--format {fmt!r}: expected 'mermaid' or 'dot'"))
    try:
        schema = load(file)
    except SchemaError as exc:
        _fail(exc)
    sys.stdout.write(schema.mermaid() if fmt == "mermaid" else schema.dot())


FORMATS = ("csv", "jsonl", "json", "parquet", "sql")


def _load_or_exit(path: Path):
    from .schema import load

    try:
        return load(path)
    except SchemaError as exc:
        _fail(exc, trailer="Nothing was written.")


def _parse_counts(given: list[str]) -> dict[str, int]:
    """`--count users=5000 --count products=50` (or `users=5000,products=50`) → rows by entity."""
    counts: dict[str, int] = {}
    for item in (part.strip() for text in given for part in text.split(",")):
        name, eq, rows = item.partition("=")
        name, rows = name.strip(), rows.strip().replace("_", "")
        if not eq or not name or not rows.isdigit():
            _fail(
                UsageError(
                    f"--count {item!r}: expected ENTITY=ROWS with a whole number, "
                    "e.g. --count users=5000"
                )
            )
        if name in counts:
            _fail(UsageError(f"--count gives {name} twice ({counts[name]:,} and {int(rows):,})"))
        counts[name] = int(rows)
    return counts


@app.command()
def generate(
    file: Annotated[
        Path | None,
        typer.Argument(help="PDL file (the same as --schema).", show_default=False),
    ] = None,
    schema_file: Annotated[
        Path | None,
        typer.Option("--schema", "-s", help="PDL file to generate.", show_default=False),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: out/<schema name>).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="csv (default), jsonl, json, parquet or sql."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (default: the schema's).")
    ] = None,
    scale: Annotated[float, typer.Option("--scale", help="Multiply every fixed count.")] = 1.0,
    count: Annotated[
        list[str] | None,
        typer.Option(
            "--count",
            "-n",
            help="ENTITY=ROWS: rows of an entity with a fixed count, instead of count × scale "
            "(repeat for more; children per parent follow).",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated entities to write.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Processes making blocks.")] = 1,
    block_rows: Annotated[int | None, typer.Option("--block-rows", help="Rows per block.")] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Load into a database instead: sqlite:///f.db, postgresql://…, mysql://…, duckdb:///f.duckdb.",
        ),
    ] = None,
    create: Annotated[
        bool,
        typer.Option(
            "--create/--no-create",
            help="Create the tables (or load into existing ones; with --format sql: a "
            "script of rows only).",
        ),
    ] = True,
    truncate: Annotated[
        bool, typer.Option("--truncate", help="With --no-create: empty the tables first.")
    ] = False,
    batch_rows: Annotated[
        int | None, typer.Option("--batch-rows", help="Rows per INSERT/COPY when loading.")
    ] = None,
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            help="SQL dialect for --format sql: postgres, mysql (also mariadb), sqlite, duckdb "
            "or tsql.",
        ),
    ] = "postgres",
    copy: Annotated[
        bool, typer.Option("--copy", help="--format sql: COPY blocks (PostgreSQL).")
    ] = False,
    checks: Annotated[
        bool,
        typer.Option(
            "--checks/--no-checks", help="CHECK constraints from PDL bounds (--format sql, --to)."
        ),
    ] = True,
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="files: one file per entity; dataset: a directory of parts per entity (one per block).",
        ),
    ] = "files",
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Make parts as Dask tasks: local[:N] or tcp://host:port (implies --layout dataset).",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="--layout dataset: keep parts an earlier run already wrote (SHA-256 checked).",
        ),
    ] = False,
    compression: Annotated[
        str | None,
        typer.Option(
            "--compression",
            help="parquet: column codec, snappy (default), zstd, gzip, lz4, brotli or none; "
            "csv/jsonl/json/sql: gzip or zstd around the whole file (users.csv.gz).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Generate every entity of a schema into files (one per entity + manifest.json) or a database."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .errors import GenerationError

    if to and (out_dir is not None or fmt is not None):
        given = "--out" if out_dir is not None else "--format"
        _fail(
            UsageError(
                f"--to loads into a database, {given} is for files: give one or the other "
                "(--format sql --dialect … writes a script to load yourself)"
            )
        )
    if not to:
        if not create and fmt != "sql":
            _fail(
                UsageError(
                    "--no-create is about loading a database or an SQL script: use it with "
                    "--to, or with --format sql for a script of rows only"
                )
            )
        for flag, given in (
            ("--truncate", truncate),
            ("--batch-rows", batch_rows is not None),
        ):
            if given:
                _fail(UsageError(f"{flag} is about loading a database: use it with --to"))
    fmt = fmt or "csv"
    if fmt not in FORMATS:
        _fail(UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}"))
    if workers < 1:
        _fail(UsageError("--workers must be at least 1"))
    if block_rows is not None and block_rows < 1:
        _fail(UsageError("--block-rows must be at least 1"))
    if not scale > 0 or scale == float("inf"):  # also NaN
        _fail(UsageError(f"--scale {scale}: must be a positive number"))
    if copy and (fmt != "sql" or to):
        _fail(UsageError("--copy writes COPY blocks into an SQL script: use it with --format sql"))
    if dialect != "postgres" and fmt != "sql":
        _fail(
            UsageError(
                f"--dialect {dialect} is the dialect of an SQL script: use it with --format sql"
                + ("; --to loads in the database's own dialect (drop --dialect)" if to else "")
            )
        )
    if layout not in ("files", "dataset"):
        _fail(UsageError(f"--layout {layout!r}: expected 'files' or 'dataset'"))
    if dask is not None:
        layout = "dataset"
    if layout == "dataset" and (to or fmt == "sql"):
        _fail(
            UsageError("--layout dataset (and --dask) write files: not with --to or --format sql")
        )
    if resume and layout != "dataset":
        _fail(UsageError("--resume needs --layout dataset (or --dask)"))
    if compression is not None:
        if to:
            _fail(UsageError("--compression is about output files: not with --to"))
        from .writers.compression import check_compression

        try:
            check_compression(fmt, compression)
        except UsageError as exc:
            _fail(UsageError(f"--{exc}"))
    counts = _parse_counts(count or [])
    schema_file = _one_schema(file, schema_file, "generate")
    schema = _load_or_exit(schema_file)
    from .writers.file_names import file_stem

    # the document's name, storable on every file system (as an entity's file is)
    directory = out_dir or Path("out") / file_stem(schema.name)
    started = time.perf_counter()
    try:
        dataset = schema.generate(
            seed=seed,
            scale=scale,
            counts=counts,
            only=[e.strip() for e in only.split(",") if e.strip()] if only else None,
            block_rows=block_rows,
        )
        with Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=quiet,
            transient=True,
        ) as progress:
            tasks: dict[str, int] = {}
            # whole-table reductions (per-parent counts, aggregates, windows) come first
            planning = [progress.add_task("planning", total=None)]

            def on_progress(entity: str, done: int, total: int) -> None:
                if planning:
                    progress.remove_task(planning.pop())
                if entity not in tasks:
                    tasks[entity] = progress.add_task(entity, total=total)
                progress.update(tasks[entity], completed=done)

            if to:
                from .loaders import load, redact

                loaded = load(
                    dataset, to, create=create, truncate=truncate, checks=checks,
                    batch_rows=batch_rows, workers=workers, progress=on_progress,
                )  # fmt: skip
            elif layout == "dataset":
                from .distributed import write_dataset

                report = write_dataset(
                    dataset, directory, format=fmt, workers=workers, client=dask,
                    resume=resume, progress=on_progress, compression=compression,
                )  # fmt: skip
            else:
                sql = (
                    {"dialect": dialect, "copy": copy, "checks": checks, "create": create}
                    if fmt == "sql"
                    else None
                )
                report = dataset.write(
                    directory,
                    format=fmt,
                    workers=workers,
                    progress=on_progress,
                    sql=sql,
                    compression=compression,
                )
    except (GenerationError, UsageError) as exc:
        _fail(exc)
    except OSError as exc:  # the output folder: missing, not a folder, a file in the way …
        target = exc.filename2 or exc.filename or directory
        _fail(UsageError(f"cannot write {target}: {exc.strerror or exc}; choose another --out"))
    if to:
        if not quiet:
            total = sum(loaded.rows.values())
            for name, rows in loaded.rows.items():
                err.print(f"{name:<20} {rows:>12,} {'row' if rows == 1 else 'rows'}", markup=False)
            rate = total / loaded.seconds if loaded.seconds else 0
            err.print(
                f"{total:,} rows loaded into {redact(to)} in {loaded.seconds:.2f}s "
                f"({rate:,.0f} rows/s)",
                markup=False,
            )
        return
    elapsed = time.perf_counter() - started
    if quiet:
        return
    # One SQL script is made in one pass, so no entity has a time of its own (the first one
    # showed the whole script's, the others 0.00 s and 0 rows/s).
    timed = fmt != "sql"
    columns = ("entity", "rows", "file", "seconds", "rows/s")[: 5 if timed else 3]
    table = Table(*columns, box=None, pad_edge=False)
    for name, entry in report.entities.items():
        cells = [name, f"{entry.rows:,}", entry.file]
        if timed:
            rate = entry.rows / entry.seconds if entry.seconds > 0 else 0
            cells += [f"{entry.seconds:.2f}", f"{rate:,.0f}"]
        table.add_row(*cells)
    err.print(table)
    err.print(
        f"{report.rows:,} rows in {elapsed:.2f}s → {directory}/ (seed {dataset.plan.seed}, {fmt})",
        markup=False,
    )
    if layout == "dataset" and resume:
        err.print(f"resume: {report.reused} parts kept, {report.written} written", markup=False)
        if report.resume_note:
            err.print(f"resume: previous manifest not used ({report.resume_note})", markup=False)


@app.command()
def preview(
    file: Annotated[Path | None, typer.Argument(help="PDL file.", show_default=False)] = None,
    schema_file: SchemaOption = None,
    rows: Annotated[int, typer.Option("--rows", "-n", help="Rows per entity.")] = 5,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
) -> None:
    """Print the first rows of every entity as tables; writes nothing."""
    import numpy as np
    from rich.table import Column

    from .engine.columns import Columns
    from .errors import GenerationError

    file = _one_schema(file, schema_file, "preview")
    if rows < 0:
        _fail(UsageError(f"--rows {rows}: expected 0 or more"))
    schema = _load_or_exit(file)
    try:
        dataset = schema.generate(seed=seed)
        columns = Columns(dataset.plan)
        for name in dataset:
            n = min(rows, dataset.count(name))
            batch = columns.table(name, np.arange(n, dtype=np.int64))
            cells = [
                ["NULL" if v is None else str(v) for v in row.values()] for row in batch.to_pylist()
            ]
            count = dataset.count(name)
            title = f"{name} ({count:,} {'row' if count == 1 else 'rows'})"
            widths = [
                max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(batch.schema.names)
            ]
            if sum(w + 3 for w in widths) + 1 <= out.width:
                # Text: a `column` name is shown as written, never read as markup
                headers = (Column(header=Text(c)) for c in batch.schema.names)
                table = Table(*headers, title=title, title_justify="left")
                for row in cells:
                    table.add_row(*(Text(v) for v in row))
            else:  # too wide for the terminal: one line per field, rows side by side
                table = Table("field", *(f"row {i + 1}" for i in range(n)), title=title,
                              title_justify="left")  # fmt: skip
                for i, field_name in enumerate(batch.schema.names):
                    table.add_row(Text(field_name), *(Text(r[i]) for r in cells))
            out.print(table)
    except GenerationError as exc:
        _fail(exc)


@app.command()
def train(
    input_file: Annotated[
        Path,
        typer.Argument(
            help="Training lines: .txt (one per line), .csv (--column) or .json/.jsonl (--field).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Model file to write (.phony).", show_default=False),
    ],
    column: Annotated[str | None, typer.Option("--column", help="CSV column to learn.")] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="Dotted path of the JSON values to learn.")
    ] = None,
    order: Annotated[
        int, typer.Option("--order", help="n: contexts of up to n-1 tokens (1-8).")
    ] = 3,
    mode: Annotated[str, typer.Option("--mode", help="char or word tokens.")] = "char",
    min_count: Annotated[
        int, typer.Option("--min-count", help="Drop n-grams seen fewer times.")
    ] = 1,
    lowercase: Annotated[bool, typer.Option("--lowercase", help="Lowercase lines first.")] = False,
    locale: Annotated[
        str | None,
        typer.Option("--locale", help="Locale of the data (tr_TR: Turkish lowercasing)."),
    ] = None,
    smoothing: Annotated[
        str,
        typer.Option(
            "--smoothing",
            help="interpolated (rare contexts borrow their suffixes' continuations: more "
            "distinct values) or backoff (raw counts: closer to the training lines).",
        ),
    ] = "interpolated",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Train a .phony n-gram model from text lines, a CSV column or JSON values."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from .ngram.commands import train as train_model
    from .ngram.model import ModelError

    if not 1 <= order <= 8:
        _fail(UsageError(f"--order {order}: expected 1 to 8"))
    if mode not in ("char", "word"):
        _fail(UsageError(f"--mode {mode!r}: expected 'char' or 'word'"))
    if smoothing not in ("interpolated", "backoff"):
        _fail(UsageError(f"--smoothing {smoothing!r}: expected 'interpolated' or 'backoff'"))
    if min_count < 1:
        _fail(UsageError(f"--min-count {min_count}: expected 1 or more"))
    options = dict(column=column, field=field, order=order, mode=mode, min_count=min_count,
                   lowercase=lowercase, locale=locale, smoothing=smoothing)  # fmt: skip
    try:
        if quiet:
            summary = train_model(input_file, output, **options)
        else:
            with Progress(
                TextColumn("reading"), BarColumn(), DownloadColumn(), console=err, transient=True
            ) as bar:
                task = bar.add_task("read", total=None)
                summary = train_model(
                    input_file,
                    output,
                    progress=lambda done, total: bar.update(
                        task, completed=done, total=total or None
                    ),
                    **options,
                )
    except ModelError as exc:
        _fail(exc)
    if not quiet:
        out.print(
            f"{summary['output']}: {summary['lines']:,} lines ({summary['distinct_lines']:,} distinct), "
            f"order {summary['order']} {summary['mode']}, "
            f"{summary['tokens'] - summary['lines']:,} tokens ({summary['vocabulary']:,} distinct), "
            f"{summary['contexts']:,} contexts, {summary['transitions']:,} transitions, {summary['bytes']:,} bytes",
            markup=False,
        )


@app.command()
def info(
    model: Annotated[
        str,
        typer.Argument(
            help="A .phony file or a bundled model (en_US/first_names).", show_default=False
        ),
    ],
) -> None:
    """What a .phony model is and where it came from."""
    from .ngram.commands import info as model_info
    from .ngram.model import ModelError

    try:
        rows = model_info(model)
    except ModelError as exc:
        _fail(exc)
    table = Table(box=None, show_header=False, pad_edge=False)
    for key, value in rows:
        table.add_row(key, str(value))
    out.print(table)


@app.command()
def stats(
    model: Annotated[
        str,
        typer.Argument(
            help="A .phony file or a bundled model (en_US/first_names).", show_default=False
        ),
    ],
    samples: Annotated[
        int, typer.Option("--samples", help="Values to draw for the sample figures.")
    ] = 10_000,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the statistics as JSON.")
    ] = False,
) -> None:
    """Contexts, branching, top transitions, lengths, entropy and a sample of a model."""
    import json

    from .ngram.commands import stats as model_stats
    from .ngram.model import ModelError

    if samples < 1:
        _fail(UsageError(f"--samples {samples}: draw at least 1 value"))
    try:
        result = model_stats(model, samples=samples)
    except ModelError as exc:
        _fail(exc)
    if json_output:
        out.print(json.dumps(result, indent=2, ensure_ascii=False), markup=False)
        return
    b, ln, s = result["branching_factor"], result["length"], result["sample"]
    contexts = ", ".join(f"{k}: {v:,}" for k, v in result["contexts"].items())
    out.print(
        "\n".join(
            [
                f"order {result['order']} {result['mode']}; contexts {contexts}; {result['transitions']:,} transitions",
                f"branching: mean {b['mean']}, visit-weighted {b['weighted']}, max {b['max']}",
                f"entropy: {result['entropy_bits_per_token']} bits per token (perplexity {result['perplexity']})",
                f"lengths ({ln['unit']}): {ln['min']}–{ln['max']}, mean {ln['mean']}, median {ln['p50']}, 90% ≤ {ln['p90']}",
                f"sample of {s['n']:,}: {s['distinct_share']:.1%} distinct, {s['novel_share']:.1%} not in training; "
                "e.g. " + ", ".join(s["examples"][:6]),
            ]
        ),
        markup=False,
    )
    table = Table("context", "next", "count", "probability", box=None, pad_edge=False)
    for t in result["top_transitions"]:
        table.add_row(t["context"], t["next"], f"{t['count']:,}", f"{t['probability']:.4f}")
    out.print(table)


@app.command("import")
def import_(
    source: Annotated[
        str, typer.Argument(help="A .sql DDL file or a database URL.", show_default=False)
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the PDL here (default: stdout).")
    ] = None,
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            help="Dialect of a DDL file: postgres, mysql (also mariadb), sqlite, duckdb, tsql "
            "or another that sqlglot reads.",
        ),
    ] = "postgres",
    rows: Annotated[
        int | None,
        typer.Option(
            "--rows",
            help="Rows per table (x3 for tables with a parent) [default: 100; from a "
            "database, each analyzed table's row estimate].",
            show_default=False,
        ),
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats/--no-stats",
            help="From a PostgreSQL or MariaDB URL: shape columns from the database's "
            "statistics (pg_stats, mysql.column_stats: NULL share, common values, "
            "histograms, row estimates), never its rows.",
        ),
    ] = True,
) -> None:
    """Turn existing DDL (file or live database) into a PDL schema, guessing generators."""
    from .importer import import_ddl, import_url
    from .resources import schema_ref
    from .schema import load

    # the editor modeline names the installed JSON Schema from where the PDL will live
    ref = schema_ref(output.parent if output else Path.cwd())
    try:
        if "://" in source:
            text, problems = import_url(source, rows=rows, stats=stats, schema_ref=ref)
        else:
            text, problems = import_ddl(
                source, dialect, rows=100 if rows is None else rows, schema_ref=ref
            )
    except UsageError as exc:
        _fail(exc)
    try:
        load(text, name=str(output or "<import>"))
    except SchemaError as exc:  # a bug in the importer, not in the user's DDL: say so plainly
        err.print(exc.render(), markup=False)
        err.print(
            "the imported schema does not validate; please report this with the DDL", markup=False
        )
        raise typer.Exit(1) from None
    if output:
        from .writers.base import AtomicFile

        output.parent.mkdir(parents=True, exist_ok=True)  # as `phony infer -o` does
        out_file = AtomicFile(output)
        out_file.write(text.encode("utf-8"))
        out_file.commit()
        err.print(f"wrote {output}", markup=False)
    else:
        sys.stdout.write(text)
    if problems:
        err.print(
            f"{len(problems)} item(s) could not be mapped (listed at the end of the schema):",
            markup=False,
        )
        for problem in problems:
            err.print(f"  - {problem}", markup=False)


def _print_comparison(report, console: Console) -> None:
    for table in report.rich_tables():
        console.print(table)
    for line in report.lines():
        console.print(line, markup=False)


@app.command()
def infer(
    source: Annotated[
        str,
        typer.Argument(
            help="A CSV, Parquet, JSON-lines or JSON (array) file, a folder of them, or a database URL.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the PDL here (default: stdout).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Schema name (default: the file or folder name).")
    ] = None,
    max_categories: Annotated[
        int,
        typer.Option(
            "--max-categories", help="Columns with at most this many values become a choice."
        ),
    ] = 50,
    correlate: Annotated[
        bool, typer.Option("--correlate/--no-correlate", help="Learn a correlate block per table.")
    ] = True,
    relations: Annotated[
        bool,
        typer.Option(
            "--relations/--no-relations",
            help="Learn formulas (expr), time orderings (after), copies (from).",
        ),
    ] = True,
    models: Annotated[
        bool,
        typer.Option(
            "--models/--no-models",
            help="Free-text columns: train n-gram models, saved in models/ beside the PDL "
            "(beside the working directory when the PDL goes to stdout).",
        ),
    ] = True,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also generate from the schema and write an HTML fidelity report here."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed of the --report generation.")
    ] = None,
) -> None:
    """Learn a PDL schema from sample data: distributions, correlations, keys and relations."""
    from .errors import GenerationError
    from .infer import infer as infer_schema

    if max_categories < 1:
        _fail(UsageError("--max-categories must be at least 1"))
    _check_output_file(output, "--output", "schema.yaml")
    _check_output_file(report, "--report", "report.html")
    try:
        result = infer_schema(
            source,
            name=name,
            max_categories=max_categories,
            correlate=correlate,
            relations=relations,
            models=models,
        )
    except (UsageError, GenerationError) as exc:
        _fail(exc)
    if output:
        for path in result.write(output):
            err.print(f"wrote {path}", markup=False)
    else:
        for path in result.write_models(Path.cwd()):
            err.print(f"wrote {path}", markup=False)
        sys.stdout.write(result.text)
    if report:
        from .compare import compare as compare_data

        try:
            dataset = result.schema().generate(seed=seed)
            comparison = compare_data(result.source, dict(dataset))
            _write_report(comparison, report)
        except (UsageError, GenerationError) as exc:
            _fail(exc)
        _print_comparison(comparison, err)
        err.print(f"wrote {report}", markup=False)


@app.command()
def compare(
    real: Annotated[
        str,
        typer.Argument(help="Real data: a file, a folder or a database URL.", show_default=False),
    ],
    synthetic: Annotated[
        str, typer.Argument(help="Synthetic data, laid out like the real data.", show_default=False)
    ],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write an HTML report (histograms, correlation heatmaps) here."
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Score synthetic data against real data: KS / TVD per column, correlations, copies, DCR."""
    import json

    from .compare import compare as compare_data

    _check_output_file(report, "--report", "report.html")
    try:
        comparison = compare_data(real, synthetic, keep_values=report is not None)
        if report:
            _write_report(comparison, report)
    except UsageError as exc:
        _fail(exc)
    if json_output:
        out.print(json.dumps(comparison.summary(), indent=2), markup=False)
    else:
        _print_comparison(comparison, out)
    if report:
        err.print(f"wrote {report}", markup=False)


INTERRUPTED = "interrupted: files being written were removed, a database load was rolled back"


TERMINATED = "terminated: files being written were removed, a database load was rolled back"
_terminated = False


_main_pid = 0


def _on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM (`timeout`, `kill`, a CI job cancelled) cleans up as Ctrl-C does: temp files
    removed, a load rolled back and its new tables dropped."""
    global _terminated
    if os.getpid() != _main_pid:  # a worker forked a moment ago: die as workers do
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    _terminated = True
    interrupts.requested = True
    raise KeyboardInterrupt


def _on_sigint(signum: int, frame: object) -> None:
    interrupts.requested = True
    signal.default_int_handler(signum, frame)


_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Phony's own warnings as `warning: …` lines on stderr, like its errors; others as
    Python shows them."""
    if issubclass(category, PhonyWarning):
        err.print(f"warning: {message}", markup=False)
        return
    _python_showwarning(message, category, filename, lineno, file, line)


class _PandasHidden:
    """An import finder that reports pandas missing (see `_pyarrow_without_pandas`)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("hidden from pyarrow's pandas check", name=name)


def _pyarrow_without_pandas() -> None:
    """pyarrow imports pandas the first time it builds an array, to recognise pandas inputs
    (0.5 s of a 1.2 s `phony generate` of 1,000 rows here); the command line never hands it
    any, so pyarrow makes that check once while pandas is hidden. pandas stays importable
    afterwards, and pyarrow's to_pandas/from_pandas still work."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    finder = _PandasHidden()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


def main() -> None:
    global _main_pid, _terminated
    _pyarrow_without_pandas()
    warnings.showwarning = _show_warning
    _main_pid = os.getpid()
    _terminated = interrupts.requested = False  # a fresh run (main may be called again)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except PhonyError as exc:  # errors raised outside a command's own handling
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _exit_interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C into a silent exit 130: say what happened
            _exit_interrupted()
        raise


def _exit_interrupted() -> None:
    if _terminated:
        err.print(TERMINATED, markup=False)
        sys.exit(128 + signal.SIGTERM)
    err.print(INTERRUPTED, markup=False)
    sys.exit(130)


if __name__ == "__main__":
    main()
