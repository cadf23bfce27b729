"""The `cakupan` command: a thin layer over the library, one function per subcommand."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Directory holding datapackage.json.",
)


@click.group()
@click.version_option(__version__)
def cli():
    """cakupan: UCJ coverage figures, each traceable to its exact quote."""


@cli.command()
@ROOT_OPTION
@click.option("--no-frictionless", is_flag=True, help="Skip the (slower) frictionless pass.")
def validate(root: Path, no_frictionless: bool):
    """Check the whole package and report every problem at once."""
    from .validate import validate as run

    report = run(root, with_frictionless=not no_frictionless)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary(), err=not report.ok)
    sys.exit(0 if report.ok else 1)


@cli.command()
@ROOT_OPTION
@click.option("--force", is_flag=True, help="Rebuild even when the inputs have not changed.")
def build(root: Path, force: bool):
    """Validate and build build/cakupan.db and build/inspect.json, atomically."""
    from .build import BuildError
    from .build import build as run

    try:
        result = run(root, force=force)
    except BuildError as e:
        for problem in e.problems:
            click.echo(str(problem))
        click.echo(f"build refused: {e}", err=True)
        sys.exit(1)
    if not result.built:
        click.echo(f"up to date: {result.path} (content {result.content_hash[:12]})")
        return
    tables = ", ".join(f"{n} {t}" for t, n in result.counts.items())
    click.echo(
        f"built {result.path} in {result.seconds:.1f}s: {tables} (content {result.content_hash[:12]})"
    )


@cli.command()
@ROOT_OPTION
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("-p", "--port", default=8001, show_default=True, help="Port to bind.")
@click.option("--dry-run", is_flag=True, help="Print the datasette command instead of running it.")
def serve(root: Path, host: str, port: int, dry_run: bool):
    """Build when the inputs changed, then serve the catalogue with Datasette (immutable)."""
    from .build import DB_NAME, BuildError
    from .build import build as run
    from .serve import datasette_args, exec_datasette

    db = root / "build" / DB_NAME
    try:
        result = run(root)
        if result.built:
            click.echo(f"built {result.path} (content {result.content_hash[:12]})", err=True)
    except BuildError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        if not db.exists():
            click.echo(
                f"cannot serve: {e}, and there is no earlier database at {db}.\n"
                "Fix the problems above, then run `cakupan validate` and `cakupan build` (or `cakupan serve` again).",
                err=True,
            )
            sys.exit(1)
        click.echo(f"warning: {e}; serving the last good database {db}", err=True)
    args = datasette_args(root, host, port)
    click.echo("datasette " + " ".join(args), err=True)
    if not dry_run:
        exec_datasette(args)
