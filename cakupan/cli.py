"""The `cakupan` command: a thin layer over the library, one function per subcommand."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .citations import STYLES

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Directory holding datapackage.json.",
)


class CommandError(click.ClickException):
    """What a command could not do: click prints it to stderr and exits 1. The message keeps
    cakupan's own words ("error: ...", "build refused: ...", "cannot serve: ..."), with every
    control character escaped like everything else the command prints."""

    def show(self, file=None) -> None:
        _say(self.message, err=True)


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
    if not report.ok:
        click.get_current_context().exit(1)


@cli.command()
@ROOT_OPTION
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild everything from nothing, even when the inputs have not changed.",
)
def build(root: Path, force: bool):
    """Validate and build build/cakupan.db, inspect.json and the package zip, atomically.

    After an edit to a few articles, only those articles are rebuilt."""
    from .build import BuildError

    try:
        result = _build(root, force)
    except BuildError as e:
        for problem in e.problems:
            click.echo(str(problem))
        raise CommandError(f"build refused: {e}") from None
    if not result.built:
        click.echo(f"up to date: {result.path} (content {result.content_hash[:12]})")
        return
    tables = ", ".join(f"{n} {t}" for t, n in result.counts.items())
    how = ""
    if result.mode == "incremental":
        count = len(result.articles)
        found = "".join(f"; {change}" for change in result.changes)
        how = f" (incremental: {count} article{'' if count == 1 else 's'} rebuilt{found})"
    click.echo(
        f"built {result.path} in {result.seconds:.1f}s{how}: {tables} (content {result.content_hash[:12]})"
    )
    if result.full_reason:  # a curator learns why the build was not incremental
        click.echo(f"full build: {result.full_reason}")


@cli.command()
@ROOT_OPTION
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("-p", "--port", default=8001, show_default=True, help="Port to bind.")
@click.option(
    "--public-url",
    metavar="URL",
    help="The address readers use (https://cakupan.example.org): every permalink, canonical "
    "link, sitemap and citation is written with it. Default: the address each request came to.",
)
@click.option("--dry-run", is_flag=True, help="Print the datasette command instead of running it.")
def serve(root: Path, host: str, port: int, public_url: str | None, dry_run: bool):
    """Build when the inputs changed, then serve the catalogue with Datasette (immutable)."""
    from .build import DB_NAME, BuildError
    from .serve import (
        PUBLIC_URL_ENV,
        ServeError,
        check_public_url,
        datasette_args,
        exec_server,
        pin_build,
    )

    if public_url is not None:
        try:
            os.environ[PUBLIC_URL_ENV] = check_public_url(public_url)
        except ServeError as e:
            raise click.BadParameter(str(e), param_hint="--public-url") from None

    db = root / "build" / DB_NAME
    try:
        result = _build(root)
        if result.built:
            click.echo(f"built {result.path} (content {result.content_hash[:12]})", err=True)
    except BuildError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        if not db.exists():
            raise CommandError(
                f"cannot serve: {e}, and there is no earlier database at {db}.\n"
                "Fix the problems above, then run `cakupan validate` and `cakupan build` (or `cakupan serve` again)."
            ) from None
        click.echo(f"warning: {e}; serving the last good database {db}", err=True)
    args = datasette_args(root, host, port)
    click.echo("datasette " + " ".join(args), err=True)
    if dry_run:
        return
    try:
        pinned = pin_build(root / "build")
    except ServeError as e:
        raise CommandError(f"cannot serve: {e}") from None
    # the same command, reading the pinned copy of this build (cakupan/serve.py says why)
    exec_server(datasette_args(root, host, port, build=pinned))


@cli.command("add-source")
@ROOT_OPTION
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", default="", help="Address of the article, only when known.")
@click.option("--outlet", default="", help="Outlet name exactly as printed in the article.")
@click.option("--title", default="", help="Headline exactly as printed in the article.")
@click.option("--published", default="", help="Publication date, YYYY-MM-DD.")
@click.option(
    "--accessed", default="", help="Date the text was obtained, YYYY-MM-DD (default: today)."
)
def add_source_command(root: Path, file: Path, url, outlet, title, published, accessed):
    """Copy an article into sources/ and record its origin, in one locked, all-or-nothing write.

    The article is stored as UTF-8 without a byte-order mark and with LF line endings."""
    from .package_write import WriteError
    from .sources import Origin, SourceError, add_source

    try:
        source_id = add_source(
            root, file, Origin(url, outlet, title, published, accessed), report=_note
        )
    except (SourceError, WriteError) as e:
        raise CommandError(f"error: {e}") from None
    _say(
        f"added {source_id}: sources/{source_id}.txt; next: cakupan extract {source_id} --out review.csv"
    )


def _build(root: Path, force: bool = False):
    """The library's build, with a progress bar on stderr when it is a terminal and the build
    takes more than a couple of seconds."""
    from .build import Progress, build

    progress = Progress()
    try:
        return build(root, force=force, on_step=progress.step)
    finally:
        progress.close()


def _say(text: str, err: bool = False) -> None:
    """Print with every control character escaped: what reaches a terminal is never raw."""
    from .problems import printable

    click.echo(printable(text), err=err)


def _note(text: str) -> None:
    _say(f"note: {text}", err=True)


@cli.command()
@ROOT_OPTION
@click.argument("source_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the candidates to this review file (never inside data/ or sources/) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
def extract(root: Path, source_id: str, out: Path | None, force: bool):
    """Propose candidate figures from an article for review (never writes into data/)."""
    from .curation import ReviewFileError, review_csv, write_review_file
    from .extract import candidates
    from .package import load_package

    try:
        rows = candidates(root, source_id)
    except KeyError as e:
        raise CommandError(f"error: {e.args[0]}") from None
    tables = load_package(root).tables
    text = review_csv(rows, tables["figures"].field_names, tables["awards"].field_names)
    if out:
        try:
            write_review_file(root, out, text, force=force)
        except ReviewFileError as e:
            raise CommandError(f"error: {e}") from None
        _say(
            f"{len(rows)} candidates written to {out}; review them, delete what is not a figure, then: cakupan accept {out}"
        )
    elif sys.stdout.isatty():
        _say(text.removesuffix("\n"))
    else:  # a pipe or a file gets the review file's exact text; click would strip ANSI sequences
        click.echo(text, nl=False, color=True)


@cli.command()
@ROOT_OPTION
@click.argument("review_file", type=click.Path(dir_okay=False, path_type=Path))
def accept(root: Path, review_file: Path):
    """Add reviewed figures to data/figures.csv and awards to data/awards.csv, in one locked,
    all-or-nothing write, only if the whole package still validates."""
    from .curation import AcceptError
    from .curation import accept as run
    from .package_write import WriteError

    try:
        done = run(root, review_file, report=_note)
    except AcceptError as e:
        for problem in e.problems:
            _say(str(problem))
        raise CommandError(f"error: {e}") from None
    except WriteError as e:
        raise CommandError(f"error: {e}") from None
    for warning in done.warnings:
        _say(f"warning: {warning}", err=True)
    _say(done.summary())


@cli.command()
@ROOT_OPTION
@click.argument("figure_id")
@click.option(
    "--style",
    type=click.Choice(list(STYLES)),
    default="id",
    show_default=True,
)
def cite(root: Path, figure_id: str, style: str):
    """Print the citation of a figure, as the site shows it."""
    import sqlite3
    from contextlib import closing

    from .build import BuildError
    from .citation_contexts import contexts
    from .citations import cite as format_citation

    try:
        db = _build(root).path
    except BuildError as e:
        raise CommandError(f"error: {e}") from None
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        found = contexts(conn, figure_id)
    if not found:
        raise CommandError(f"error: no figure {figure_id!r} in {db}")
    _say(format_citation(found[0], style))


@cli.command()
@ROOT_OPTION
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the release (YYYY-MM-DD); today (UTC) when not given.",
)
def release(root: Path, on):
    """Record a release: its id (date and short content hash), the rows it holds and its
    changelog against the previous one, appended to data/releases.csv,
    data/release_records.csv and data/release_changes.csv in one locked write."""
    from .package_write import WriteError
    from .releases import ReleaseError, released_state
    from .releases import release as run

    try:
        release_id = run(root, on.date() if on else None, report=_note)
    except (ReleaseError, WriteError) as e:
        raise CommandError(f"error: {e}") from None
    if release_id is None:
        from .package import load_package

        last, _, _ = released_state(load_package(root))
        _say(f"nothing changed since release {last}; nothing was recorded")
        return
    _say(f"released {release_id}")
