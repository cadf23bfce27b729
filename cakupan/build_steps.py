"""The steps of a build, in order, like a build script: FULL_STEPS and INCREMENTAL_STEPS.

Each step is a function of the build in progress (`Staged`, its staging directory and what the
steps before it made), so it can be run and tested alone. build.py runs them one after another,
calls its `on_step(name, number, total)` before each (the progress bar; the tests that kill a
build at every step), and publishes nothing unless the last step, "publish", is reached.

Two steps begin work that runs on a thread beside the next ones and a later step waits for it:
the zip (zlib and file reads release the GIL) and, in an incremental build, the copy of the
previous database (the kernel's work) with the check that it is the file its build published
(hashlib's). Everything else runs in the order listed.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import derived, release_zips
from .articles_table import article_highlights, create_articles, insert_articles
from .build_checks import check_database
from .build_record import inspect_data, record_build
from .database import (
    create_citations,
    create_search,
    insert_citations,
    load_tables,
    staging_connection,
)
from .fingerprint import FileHashes, file_sha256
from .incremental import Plan, Previous, apply, copy_previous, plan
from .package import Package
from .package_write import fsync_path
from .package_zip import ChangedWhileBuilding, reusable_members, write_package_zip
from .problems import BuildError
from .published import DB_NAME, INSPECT_NAME, ZIP_NAME
from .validate import Report, validate


@dataclass
class Job:
    """One build's inputs and where it writes."""

    root: Path
    out_dir: Path
    descriptor: dict
    hashes: FileHashes
    facts: dict[str, str]  # _build values known before writing

    @property
    def target(self) -> Path:
        return self.out_dir / DB_NAME


@dataclass
class Staged:
    """A build in its staging directory: what its steps share."""

    job: Job
    staging: Path
    pool: ThreadPoolExecutor  # for the work a step begins and a later one waits for
    previous: Previous | None = None  # the published build an incremental build starts from
    report: Report | None = None  # the validation, in a full build
    planned: Plan | None = None  # the update, in an incremental build
    conn: sqlite3.Connection | None = None  # the staged database, in a transaction
    db: object = None  # sqlite_utils.Database over conn, in a full build
    marks: dict = field(default_factory=dict)  # the cited passages of each article
    zipping: Future | None = None
    copying: Future | None = None
    verifying: Future | None = None
    zips: list[release_zips.ReleaseZip] = field(default_factory=list)  # the releases' zips
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, from inspect.json

    @property
    def package(self) -> Package:
        return self.report.package if self.report else self.planned.package

    @property
    def staged_db(self) -> Path:
        return self.staging / DB_NAME

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.previous is not None:
            self.previous.close()


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Staged], None]


def validate_package(s: Staged) -> None:
    report = validate(s.job.root, with_frictionless=False)
    refuse_invalid(report, s.job.target)
    if (
        not report.package.read_as_hashed(s.job.hashes)
        or report.package.descriptor != s.job.descriptor
    ):
        raise ChangedWhileBuilding("an input file")
    s.report = report


def refuse_invalid(report: Report, target: Path) -> None:
    if not report.ok:
        raise BuildError(
            f"the package is invalid ({len(report.problems)} problem(s)); {target} was left as it was",
            report.problems,
        )


def begin_zip(s: Staged) -> None:
    """The package zip, on a thread; an incremental build copies the members whose files are
    unchanged from the previous zip."""
    job, previous = s.job, s.previous
    reuse = (previous.zip, reusable_members(previous.hashes, job.hashes)) if previous else ()
    s.zipping = s.pool.submit(
        write_package_zip, job.root, s.staging / ZIP_NAME, job.descriptor, job.hashes, *reuse
    )


def load(s: Staged) -> None:
    """The curated tables, from their schemas, in one transaction the later steps share."""
    import sqlite_utils  # here, not at the top: the incremental path never needs it

    s.conn = staging_connection(s.staged_db)
    s.conn.execute("BEGIN")
    s.db = sqlite_utils.Database(s.conn)
    s.marks = article_highlights(s.package)  # before the load releases the cells
    for table in s.package.tables.values():  # the checks' row dictionaries: done with
        table.release_row_dicts()
    load_tables(s.db, s.package, release=True)


def articles(s: Staged) -> None:
    create_articles(s.db)
    insert_articles(s.conn, s.package, s.report.texts, s.marks)
    # the texts and passages are in the database now: letting them go here, before the derived
    # tables' sorts allocate, keeps the build's peak memory that much lower at 100,000 figures
    s.report.texts.clear()
    s.marks = {}


def citations(s: Staged) -> None:
    create_citations(s.db)
    insert_citations(s.conn)


def search(s: Staged) -> None:
    create_search(s.conn)


def derived_tables(s: Staged) -> None:
    derived.create(s.conn)
    derived.refresh(s.conn)


def begin_copy(s: Staged) -> None:
    s.copying = s.pool.submit(copy_previous, s.previous, s.staged_db)
    s.verifying = s.pool.submit(s.previous.check_as_built)


def plan_update(s: Staged) -> None:
    """What the edit changes, checked (FullBuild when only a full build will do)."""
    job = s.job
    s.planned = plan(job.root, job.descriptor, job.hashes, s.previous)


def copy(s: Staged) -> None:
    s.copying.result()
    s.verifying.result()  # FullBuild when the published database was edited after its build
    s.conn = staging_connection(s.staged_db)
    s.conn.execute("BEGIN")


def update(s: Staged) -> None:
    apply(s.conn, s.planned)


def finish_zip(s: Staged) -> None:
    s.zipping.result()


def release_zip_files(s: Staged) -> None:
    """Each release's zip: kept from the published build, or made in staging."""
    job = s.job
    s.zips = release_zips.write_release_zips(
        job.root, job.descriptor, job.hashes, job.out_dir, s.staging
    )


def record(s: Staged) -> None:
    """_build and _build_inputs, the releases' zips in _release_zips; commit."""
    job = s.job
    facts = {**job.facts, "package_zip_sha256": file_sha256(s.staging / ZIP_NAME)}
    record_build(s.conn, s.package, facts, job.hashes)
    release_zips.record(s.conn, s.zips)
    s.conn.execute("COMMIT")


def checks(s: Staged) -> None:
    """The checks, and inspect.json: the file's SHA-256 and row counts are read beside the
    checks (all of them mostly wait on SQLite or hashlib, which release the GIL)."""
    job = s.job
    written = s.planned.written if s.planned else None
    affected = s.planned.affected if s.planned else ()
    inspected = s.pool.submit(inspect_data, s.staged_db, job.target)
    check_database(s.conn, written, affected)
    inspect = inspected.result()
    (s.staging / INSPECT_NAME).write_text(json.dumps(inspect, indent=2), encoding="utf-8")
    found = inspect[job.target.stem]["tables"]
    s.counts = {name: found[name]["count"] for name in s.package.tables}


def publish(s: Staged) -> None:
    """The zips and inspect.json first, the database last: its rename is the moment of
    publication, and a build killed before it leaves the old database, which no longer matches
    the inputs, so the next build rebuilds rather than trusting the new files beside it."""
    s.close()
    staging, out_dir = s.staging, s.job.out_dir
    for name in (DB_NAME, INSPECT_NAME):
        fsync_path(staging / name)
    release_zips.publish(staging, out_dir)
    os.replace(staging / ZIP_NAME, out_dir / ZIP_NAME)
    os.replace(staging / INSPECT_NAME, out_dir / INSPECT_NAME)
    os.replace(staging / DB_NAME, out_dir / DB_NAME)  # atomic on POSIX
    fsync_path(out_dir)
    release_zips.remove_unlisted(out_dir, s.zips)


# The zip begins after the articles: by then the parsed tables and the texts have been let go,
# so its reads and deflate buffers do not add to the build's peak memory.
FULL_STEPS = (
    Step("validate", validate_package),
    Step("load tables", load),
    Step("articles", articles),
    Step("begin zip", begin_zip),
    Step("citations", citations),
    Step("search", search),
    Step("derived tables", derived_tables),
    Step("zip", finish_zip),
    Step("release zips", release_zip_files),
    Step("record", record),
    Step("checks", checks),
    Step("publish", publish),
)

INCREMENTAL_STEPS = (
    Step("begin copy", begin_copy),
    Step("begin zip", begin_zip),
    Step("plan", plan_update),
    Step("copy", copy),
    Step("update", update),
    Step("zip", finish_zip),
    Step("release zips", release_zip_files),
    Step("record", record),
    Step("checks", checks),
    Step("publish", publish),
)
