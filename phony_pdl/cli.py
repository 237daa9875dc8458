"""The `phony` command line (typer + rich). Exit 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import PhonyError, SchemaError, UsageError

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
        list[Path], typer.Argument(help="PDL files (YAML or JSON).", show_default=False)
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print diagnostics as JSON.")] = False,
) -> None:
    """Check PDL files; report every problem with its file:line:column."""
    import json

    from .schema import load

    failed = 0
    report = []
    for path in files:
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
    from .generators import registry

    table = Table("name", "returns", "parameters", "summary", box=None, pad_edge=False)
    for spec in registry.all_specs():
        if family and spec.family != family:
            continue
        params = ", ".join(
            f"{n}={f.default!r}" if not f.is_required() else n
            for n, f in spec.params.model_fields.items()
        )
        table.add_row(spec.name, str(spec.returns), params or "-", spec.summary)
    out.print(table)


@app.command()
def graph(
    file: Annotated[Path, typer.Argument(help="PDL file.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="mermaid or dot.")] = "mermaid",
) -> None:
    """Print an ER diagram of the schema (entities, keys, foreign keys, aggregates)."""
    from .schema import load

    if fmt not in ("mermaid", "dot"):
        _fail(UsageError(f"--format {fmt!r}: expected 'mermaid' or 'dot'"))
    try:
        schema = load(file)
    except SchemaError as exc:
        _fail(exc)
    sys.stdout.write(schema.mermaid() if fmt == "mermaid" else schema.dot())


def main() -> None:
    try:
        app()
    except PhonyError as exc:  # errors raised outside a command's own handling
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written", markup=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
