"""Where the package becomes build/cakupan.db: validated, written, checked, renamed.

Never publish half a database: everything is written into a staging directory beside the
target and moved over the old file with one rename, after integrity and foreign-key checks and
an fsync. A failure or a kill at any moment leaves the previous database byte for byte; the
next build removes any staging directory a killed build left behind.

Three outcomes:
- unchanged: every input file hashes as recorded in the database, nothing is written;
- incremental: a few articles changed, so a copy of the previous database is updated in their
  rows only (incremental.py explains when that is safe, and falls back otherwise);
- full: everything validated and written afresh (always with `force`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import derived, release_zips
from .database import (
    article_highlights,
    check_database,
    content_digest,
    create_articles,
    create_citations,
    create_search,
    insert_articles,
    insert_citations,
    inspect_data,
    load_tables,
    record_build,
    staging_connection,
)
from .fingerprint import (
    DB_NAME,
    DESCRIPTOR,
    INSPECT_NAME,
    ZIP_NAME,
    FileHashes,
    code_hash,
    file_hashes,
    file_sha256,
    input_hash,
    published,
    read_descriptor_quietly,
)
from .incremental import FullBuild, Previous, apply, copy_previous, plan
from .package import Package
from .package_write import fsync_path
from .package_zip import ChangedWhileBuilding, reusable_members, write_package_zip
from .problems import BuildError
from .validate import validate

__all__ = ["DB_NAME", "INSPECT_NAME", "ZIP_NAME", "BuildError", "BuildResult", "Progress", "build"]


@dataclass
class BuildResult:
    path: Path
    built: bool  # False when the inputs had not changed since the last build
    content_hash: str
    counts: dict[str, int]
    seconds: float
    mode: str = "unchanged"  # "full", "incremental" or "unchanged"
    articles: list[str] = field(default_factory=list)  # rebuilt by an incremental build
    full_reason: str = ""  # why a full build was not an incremental one


class Progress:
    """A progress line on a terminal, shown only once a build has run a couple of seconds."""

    def __init__(self, total: int, stream=None, after: float = 2.0):
        self.stream = stream or sys.stderr
        self.total, self.done, self.after, self.start = total, 0, after, time.monotonic()
        self.shown = False
        self.enabled = self.stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled and time.monotonic() - self.start >= self.after:
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label:<30}")
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")


@contextmanager
def build_lock(out_dir: Path):
    """One build at a time per build directory, so staging leftovers are always stale."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def remove_stale_staging(out_dir: Path) -> None:
    for stale in out_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def build(
    root: Path, out_dir: Path | None = None, *, force: bool = False, progress_stream=None
) -> BuildResult:
    root = Path(root)
    out_dir = Path(out_dir) if out_dir else root / "build"
    started = time.monotonic()
    try:
        with build_lock(out_dir):
            return _build_locked(root, out_dir, force, progress_stream, started)
    except ChangedWhileBuilding as e:
        raise BuildError(
            f"{e} changed while the build was reading it; the previous database was left as it was. Run the build again."
        ) from e
    except OSError as e:
        where = f"{e.strerror}: {e.filename}" if e.filename else str(e.strerror or e)
        raise BuildError(
            f"cannot write the build in {out_dir} ({where}); the previous database was left as it was"
        ) from e
    except sqlite3.Error as e:  # a full disk surfaces here as "database or disk is full"
        raise BuildError(
            f"cannot write the build in {out_dir} ({e}); the previous database was left as it was"
        ) from e


@dataclass
class Job:
    """One build's inputs and where it writes."""

    root: Path
    out_dir: Path
    descriptor: dict
    hashes: FileHashes
    facts: dict[str, str]  # _build values known before writing
    progress: Progress
    zips: list[release_zips.ReleaseZip] = field(default_factory=list)  # the releases' zips

    @property
    def target(self) -> Path:
        return self.out_dir / DB_NAME


def _build_locked(root, out_dir, force, progress_stream, started) -> BuildResult:
    remove_stale_staging(out_dir)
    target = out_dir / DB_NAME
    descriptor, descriptor_sha = read_descriptor_quietly(root)
    if descriptor is None:  # validation names what is wrong with it
        _refuse(validate(root, with_frictionless=False), target)
    hashes = file_hashes(root, descriptor, out_dir)
    if hashes[DESCRIPTOR][0] != descriptor_sha:
        raise ChangedWhileBuilding(DESCRIPTOR)
    code = code_hash()
    fingerprint = input_hash(hashes, code)
    if not force and (content := published(out_dir, fingerprint)) is not None:
        return BuildResult(target, False, content, {}, time.monotonic() - started)

    facts = {"input_hash": fingerprint, "code_hash": code, "content_hash": content_digest(hashes)}
    done, reason = None, "asked for (--force)"
    try:
        if not force:
            previous = Previous.read(out_dir, target, code)
            # the copy, the update, checks, inspect and publication
            job = Job(root, out_dir, descriptor, hashes, facts, Progress(5, progress_stream))
            done = _staged(job, lambda staging: _write_incremental(job, previous, staging))
    except FullBuild as e:
        reason = str(e)
    except sqlite3.IntegrityError:  # a key repeated in another article: validation names it
        reason = "a key of an edited row is repeated (the validation names it)"
    if done is None:
        report = validate(root, with_frictionless=False)
        _refuse(report, target)
        # one step per table, then citations, views, checks, inspect and publication
        progress = Progress(len(report.package.tables) + 5, progress_stream)
        job = Job(root, out_dir, descriptor, hashes, facts, progress)
        done = _staged(job, lambda staging: _write_full(job, report, staging))
    counts, articles = done
    mode = "full" if articles is None else "incremental"
    seconds = time.monotonic() - started
    why = reason if articles is None else ""
    return BuildResult(
        target, True, facts["content_hash"], counts, seconds, mode, articles or [], why
    )


def _refuse(report, target: Path) -> None:
    if not report.ok:
        raise BuildError(
            f"the package is invalid ({len(report.problems)} problem(s)); {target} was left as it was",
            report.problems,
        )


Written = tuple[dict[str, int], list[str] | None]  # row counts, and the articles rebuilt


def _staged(job: Job, write) -> Written:
    """Run `write` in a fresh staging directory, then publish what it wrote; an exception
    (FullBuild from an incremental build that must build everything, or any failure) leaves
    the published build as it was."""
    staging = job.out_dir / f".staging-{os.getpid()}"
    staging.mkdir()
    try:
        done = write(staging)
        publish(staging, job.out_dir)
        release_zips.remove_unlisted(job.out_dir, job.zips)
        job.progress.step("published")
    finally:
        job.progress.close()
        shutil.rmtree(staging, ignore_errors=True)
    return done


def _write_full(job: Job, report, staging: Path) -> Written:
    package: Package = report.package
    if not package.read_as_hashed(job.hashes) or package.descriptor != job.descriptor:
        raise ChangedWhileBuilding("an input file")
    progress = job.progress
    # the zip is zlib and file reads, which release the GIL: it is written beside the load
    with ThreadPoolExecutor(max_workers=1) as pool:
        zipped = pool.submit(
            write_package_zip, job.root, staging / ZIP_NAME, job.descriptor, job.hashes
        )
        conn = staging_connection(staging / DB_NAME)
        try:
            conn.execute("BEGIN")
            import sqlite_utils  # here, not at the top: the incremental path never needs it

            db = sqlite_utils.Database(conn)
            marks = article_highlights(package)  # before the load releases the cells
            for table in package.tables.values():  # the checks' row dictionaries: done with
                table.release_row_dicts()
            load_tables(db, package, progress, release=True)
            create_articles(db)
            insert_articles(conn, package, report.texts, marks)
            create_citations(db)
            insert_citations(conn)
            progress.step("citations")
            create_search(conn)
            derived.create(conn)
            derived.refresh(conn)
            progress.step("derived tables and search")
            zipped.result()
            _record(conn, job, package, staging)
            conn.execute("COMMIT")
            counts = _check_and_inspect(conn, job, staging)
        finally:
            conn.close()
    return {name: counts[name] for name in package.tables}, None


def _write_incremental(job: Job, previous: Previous, staging: Path) -> Written:
    """Plan, and meanwhile copy the previous database and write the zip from the previous one;
    the three run at once (the copy and the zip mostly wait on the kernel and zlib). FullBuild
    from the plan leaves the staging directory unpublished."""
    staged = staging / DB_NAME
    reusable = reusable_members(previous.hashes, job.hashes)
    with ThreadPoolExecutor(max_workers=2) as pool:
        zipped = pool.submit(
            write_package_zip,
            job.root,
            staging / ZIP_NAME,
            job.descriptor,
            job.hashes,
            previous.zip,
            reusable,
        )
        copied = pool.submit(copy_previous, previous, staged)
        planned = plan(job.root, job.descriptor, job.hashes, previous)
        copied.result()
        job.progress.step("copy")
        conn = staging_connection(staged)
        try:
            conn.execute("BEGIN")
            apply(conn, planned)
            job.progress.step("update")
            zipped.result()
            _record(conn, job, planned.package, staging)
            conn.execute("COMMIT")
            counts = _check_and_inspect(conn, job, staging, planned.written, planned.affected)
        finally:
            conn.close()
    return {name: counts[name] for name in planned.package.tables}, planned.affected


def _record(conn: sqlite3.Connection, job: Job, package: Package, staging: Path) -> None:
    """_build and _build_inputs, and the release zips (made or kept) in _release_zips."""
    facts = {**job.facts, "package_zip_sha256": file_sha256(staging / ZIP_NAME)}
    record_build(conn, package, facts, job.hashes)
    job.zips = release_zips.write_release_zips(
        job.root, job.descriptor, job.hashes, job.out_dir, staging
    )
    release_zips.record(conn, job.zips)


def _check_and_inspect(
    conn: sqlite3.Connection,
    job: Job,
    staging: Path,
    written: dict[str, str] | None = None,
    affected: list[str] = (),
) -> dict[str, int]:
    """The checks, and inspect.json; the file's SHA-256 and row counts are read beside the
    checks (all of them mostly wait on SQLite or hashlib, which release the GIL)."""
    staged = staging / DB_NAME
    with ThreadPoolExecutor(max_workers=1) as pool:
        inspected = pool.submit(inspect_data, staged, job.target)
        check_database(conn, written, affected)
        job.progress.step("checks")
        inspect = inspected.result()
    (staging / INSPECT_NAME).write_text(json.dumps(inspect, indent=2), encoding="utf-8")
    job.progress.step("inspect")
    return {name: t["count"] for name, t in inspect[job.target.stem]["tables"].items()}


def publish(staging: Path, out_dir: Path) -> None:
    """The zips and inspect.json first, the database last: its rename is the moment of
    publication, and a build killed before it leaves the old database, which no longer matches
    the inputs, so the next build rebuilds rather than trusting the new files beside it."""
    for name in (DB_NAME, INSPECT_NAME):
        fsync_path(staging / name)
    release_zips.publish(staging, out_dir)
    os.replace(staging / ZIP_NAME, out_dir / ZIP_NAME)
    os.replace(staging / INSPECT_NAME, out_dir / INSPECT_NAME)
    os.replace(staging / DB_NAME, out_dir / DB_NAME)  # atomic on POSIX
    fsync_path(out_dir)
