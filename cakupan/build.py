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

The steps of both kinds of build are listed in build_steps.py. Whether the published build is
current is asked first without the lock, by reading alone: `cite` and `serve` work on a
read-only build/ when nothing needs building.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .build_record import content_digest
from .build_steps import FULL_STEPS, INCREMENTAL_STEPS, Job, Staged, Step, refuse_invalid
from .fingerprint import (
    DESCRIPTOR,
    FileHashes,
    code_hash,
    file_hashes,
    input_hash,
    read_descriptor_quietly,
)
from .incremental import FullBuild, Previous
from .package_zip import ChangedWhileBuilding
from .problems import BuildError
from .published import DB_NAME, INSPECT_NAME, ZIP_NAME, published
from .validate import validate

__all__ = [
    "DB_NAME",
    "FULL_STEPS",
    "INCREMENTAL_STEPS",
    "INSPECT_NAME",
    "ZIP_NAME",
    "BuildError",
    "BuildResult",
    "Progress",
    "build",
]

OnStep = Callable[[str, int, int], None]  # (step name, its number from 1, steps in all)


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
    changes: list[str] = field(default_factory=list)  # what an incremental build found, by table


class Progress:
    """A progress line on a terminal, shown only once a build has run a couple of seconds: an
    `on_step` for build(). (click's progress bar has no such delay, and a quick build should
    print nothing but its result.)"""

    def __init__(self, stream=None, after: float = 2.0):
        self.stream = stream or sys.stderr
        self.after, self.start = after, time.monotonic()
        self.shown = False
        self.enabled = self.stream.isatty()

    def step(self, label: str, number: int, total: int) -> None:
        if self.enabled and time.monotonic() - self.start >= self.after:
            width = 30
            filled = width * number // total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {number}/{total} {label:<30}")
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


@dataclass
class Inputs:
    """What a build is made from, hashed: the descriptor, every input file, cakupan's code."""

    descriptor: dict
    hashes: FileHashes
    code: str
    fingerprint: str

    @classmethod
    def read(cls, root: Path, out_dir: Path) -> Inputs | None:
        """None when datapackage.json cannot be read, or changed while it was being hashed."""
        descriptor, descriptor_sha = read_descriptor_quietly(root)
        if descriptor is None:
            return None
        hashes = file_hashes(root, descriptor, out_dir)
        if hashes[DESCRIPTOR][0] != descriptor_sha:
            return None
        code = code_hash()
        return cls(descriptor, hashes, code, input_hash(hashes, code))


def build(
    root: Path, out_dir: Path | None = None, *, force: bool = False, on_step: OnStep | None = None
) -> BuildResult:
    """Build the package at `root` into `out_dir` (root/build); `on_step` is called before each
    step of build_steps.py's lists with its name, its number and the number of steps."""
    root = Path(root)
    out_dir = Path(out_dir) if out_dir else root / "build"
    started = time.monotonic()
    inputs = None
    if not force and (out_dir / DB_NAME).exists():
        inputs = Inputs.read(root, out_dir)
        if (unchanged := _unchanged(root, out_dir, inputs, started)) is not None:
            return unchanged
    try:
        with build_lock(out_dir):
            return _build_locked(root, out_dir, force, on_step, started, inputs)
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


def _unchanged(root, out_dir, inputs: Inputs | None, started: float) -> BuildResult | None:
    if inputs is None or (content := published(out_dir, inputs.fingerprint)) is None:
        return None
    return BuildResult(out_dir / DB_NAME, False, content, {}, time.monotonic() - started)


def _build_locked(root, out_dir, force, on_step, started, inputs=None) -> BuildResult:
    """The build, under the lock. `inputs` read before the lock are used as they are: whatever
    the build then reads is checked against their hashes, so a file edited since stops it."""
    remove_stale_staging(out_dir)
    target = out_dir / DB_NAME
    inputs = inputs or Inputs.read(root, out_dir)
    if inputs is None:  # the validation names what is wrong with datapackage.json
        refuse_invalid(validate(root, with_frictionless=False), target)
        raise ChangedWhileBuilding(DESCRIPTOR)  # readable now: it was being written
    if not force and (unchanged := _unchanged(root, out_dir, inputs, started)) is not None:
        return unchanged

    facts = {
        "input_hash": inputs.fingerprint,
        "code_hash": inputs.code,
        "content_hash": content_digest(inputs.hashes),
    }
    job = Job(root, out_dir, inputs.descriptor, inputs.hashes, facts)
    counts, articles, reason, changes = None, None, "asked for (--force)", []
    if not force:
        try:
            previous = Previous.read(out_dir, target, inputs.code)
            staged = _run(job, INCREMENTAL_STEPS, on_step, previous)
            counts, articles = staged.counts, staged.planned.affected
            changes = staged.planned.changes
        except FullBuild as e:
            reason = str(e)
        except sqlite3.IntegrityError:  # a key repeated in another article: validation names it
            reason = "a key of an edited row is repeated (the validation names it)"
    if counts is None:
        counts = _run(job, FULL_STEPS, on_step).counts
    mode = "full" if articles is None else "incremental"
    why = reason if articles is None else ""
    seconds = time.monotonic() - started
    return BuildResult(
        target, True, facts["content_hash"], counts, seconds, mode, articles or [], why,
        changes if articles is not None else [],
    )  # fmt: skip


def _run(job: Job, steps: tuple[Step, ...], on_step: OnStep | None, previous=None) -> Staged:
    """Run `steps` in a fresh staging directory; the last one publishes. An exception (FullBuild
    from an incremental build that must build everything, or any failure) leaves the published
    build as it was."""
    staging = job.out_dir / f".staging-{os.getpid()}"
    staging.mkdir()
    try:
        # the zip, and in an incremental build the copy and the check of the previous database:
        # each waits on zlib, the kernel or hashlib, which release the GIL
        with ThreadPoolExecutor(max_workers=3) as pool:
            staged = Staged(job, staging, pool, previous)
            try:
                for number, step in enumerate(steps, start=1):
                    if on_step:
                        on_step(step.name, number, len(steps))
                    step.run(staged)
            finally:
                staged.close()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return staged
