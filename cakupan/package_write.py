"""Writing the package: one writer at a time, and every change all or nothing.

Every command that changes the package (add-source, accept, and any later one) does its whole
read-check-write inside `package_lock` and hands every file it changes to one `commit`:

1. each new content is written to a temporary beside its file (`.<name>.cakupan-tmp`) and
   fsynced, and so are the directories holding them;
2. a journal, `.cakupan-journal`, naming every file with its temporary and SHA-256, is written
   to its own temporary, fsynced and renamed into place: this rename is the commit point;
3. each temporary is renamed over its file, the directories are fsynced, the journal removed.

A command killed before step 2 has changed nothing but left temporaries; one killed after it
has committed, but some files may still be old. The next command that takes the lock (and any
`load_package`, as SQLite's readers do with a hot journal) recovers: with a journal it rolls
the commit *forward* (the temporaries are complete and fsynced, their checksums are checked),
without one it rolls *back*, which means only deleting the temporaries. So after any failure
(full disk, exception, kill -9) the package is either exactly as before or exactly as the
command meant to leave it, never a mix, once the next command has run.

The lock is `flock` on `.cakupan-lock` in the package root: released by the kernel when its
holder dies, so a killed command never leaves a stale lock. A second writer waits for it, up
to CAKUPAN_LOCK_WAIT seconds (default 60), then gives up with a message naming the holder.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".cakupan-lock"
JOURNAL_NAME = ".cakupan-journal"
TEMP_SUFFIX = ".cakupan-tmp"
DEFAULT_WAIT = 60.0
# a temporary of ours, or of the atomic replace that cakupan used before this module existed
_TEMPORARY = re.compile(rf"^\..+(\{TEMP_SUFFIX}|\.tmp-\d+)$")
_CSV_QUOTED = re.compile(r'[,"\r\n]')


class WriteError(Exception):
    """The package could not be written; the message says what is on disk now."""


def step(name: str) -> None:
    """Called at each step of a write; tests replace it to kill the process at a named step."""


# roots whose lock this process holds: a nested load_package must not wait for itself
_held: set[str] = set()


def _key(root: Path) -> str:
    return os.path.realpath(root)


def lock_wait() -> float:
    try:
        return float(os.environ.get("CAKUPAN_LOCK_WAIT", DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


@contextmanager
def package_lock(
    root: Path,
    command: str,
    *,
    wait: float | None = None,
    report: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the package's write lock; recover an interrupted write first.

    `report` receives a line when the lock is busy and for anything recovery did.
    """
    root = Path(root)
    key = _key(root)
    if key in _held:
        yield
        return
    path = root / LOCK_NAME
    wait = lock_wait() if wait is None else wait
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise WriteError(f"cannot open the package lock {path}: {e.strerror}") from e
    try:
        _acquire(fd, path, wait, report)
        try:  # who holds it, for the message a waiting command prints; best effort (disk full)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}: cakupan {command}".encode(), 0)
        except OSError:
            pass
        _held.add(key)
        try:
            step("locked")
            for line in recover(root):
                if report:
                    report(line)
            yield
        finally:
            _held.discard(key)
    finally:
        os.close(fd)  # closing releases the flock


def _acquire(fd: int, path: Path, wait: float, report) -> None:
    deadline = time.monotonic() + wait
    delay = 0.01
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(fd)
        if not told and report:
            report(f"waiting for {holder} to finish writing the package (lock {path})")
            told = True
        if time.monotonic() >= deadline:
            raise WriteError(
                f"{path}: found the package locked by {holder} for {wait:g} s; expected it to "
                "finish: nothing was written, run the command again when it has"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return f"another command ({text})" if text else "another command"


def holds_lock(root: Path) -> bool:
    return _key(Path(root)) in _held


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the package root
    temporary: str
    sha256: str


def temporary_for(path: str) -> str:
    head, _, name = path.rpartition("/")
    return f"{head}/.{name}{TEMP_SUFFIX}" if head else f".{name}{TEMP_SUFFIX}"


def commit(root: Path, files: dict[str, bytes]) -> None:
    """Replace or create every file in `files` (paths relative to root), all or nothing.

    Must run inside package_lock. On an error before the commit point nothing has changed and
    the temporaries are gone; after it, the write is finished now or by the next command.
    """
    root = Path(root)
    if not holds_lock(root):
        raise RuntimeError("commit outside package_lock")
    entries: list[Entry] = []
    written: list[Path] = []
    current = ""
    committed = False
    journal, journal_temporary = root / JOURNAL_NAME, root / (JOURNAL_NAME + TEMP_SUFFIX)
    try:
        for current, data in files.items():
            entry = Entry(current, temporary_for(current), hashlib.sha256(data).hexdigest())
            written.append(root / entry.temporary)
            _write_synced(root / entry.temporary, data)
            entries.append(entry)
            step(f"wrote {entry.temporary}")
        for directory in _directories(root, entries):
            fsync_path(directory)
        current = JOURNAL_NAME
        written.append(journal_temporary)
        record = {"version": 1, "files": [e.__dict__ for e in entries]}
        _write_synced(journal_temporary, json.dumps(record, indent=1).encode("utf-8"))
        step("wrote the journal's temporary")
        os.replace(journal_temporary, journal)
        committed = True
        fsync_path(root)
        step("committed the journal")
    except BaseException as e:
        if not committed:
            for path in written:
                _remove_quietly(path)
            if isinstance(e, OSError):
                raise WriteError(
                    f"cannot write {current}: {e.strerror or e}; nothing was written, the package is as it was"
                ) from e
            raise
        if not isinstance(e, OSError):
            raise
    try:
        _roll_forward(root, entries, verify=False)
    except OSError as e:
        raise WriteError(
            f"the write was committed but not finished ({e.strerror or e}); the next cakupan command finishes it"
        ) from e


def recover(root: Path) -> list[str]:
    """Finish a committed write or remove an uncommitted one's temporaries; say what was done."""
    root = Path(root)
    done = []
    journal = root / JOURNAL_NAME
    if journal.exists():
        entries = _read_journal(journal)
        _roll_forward(root, entries, verify=True)
        done.append(
            "finished a write that was interrupted after it was committed: "
            + ", ".join(e.path for e in entries)
        )
    left = _temporaries(root)
    for path in left:
        _remove_quietly(path)
    if left:
        names = ", ".join(str(p.relative_to(root)) for p in left)
        done.append(
            f"removed what an interrupted write left before it was committed (nothing had changed): {names}"
        )
    return done


def _read_journal(journal: Path) -> list[Entry]:
    try:
        record = json.loads(journal.read_bytes())
        return [Entry(**e) for e in record["files"]]
    except (ValueError, KeyError, TypeError) as e:
        raise WriteError(
            f"{journal}: found a journal that cannot be read ({e}); expected the JSON cakupan writes: "
            "nothing was changed, restore the package from git and remove the journal"
        ) from e


def _roll_forward(root: Path, entries: list[Entry], *, verify: bool) -> None:
    for entry in entries:
        temporary, target = root / entry.temporary, root / entry.path
        if temporary.exists():
            if verify and _sha256(temporary) != entry.sha256:
                raise WriteError(
                    f"{temporary}: found content that does not match its journal entry; expected "
                    f"SHA-256 {entry.sha256}: nothing was changed, the journal {JOURNAL_NAME} is kept"
                )
            os.replace(temporary, target)
            step(f"renamed {entry.path}")
        elif not (target.exists() and _sha256(target) == entry.sha256):
            raise WriteError(
                f"{target}: found neither its temporary nor the content the journal records "
                f"(SHA-256 {entry.sha256}); the journal {JOURNAL_NAME} is kept for inspection"
            )
    for directory in _directories(root, entries):
        fsync_path(directory)
    os.unlink(root / JOURNAL_NAME)
    fsync_path(root)
    step("removed the journal")


def _directories(root: Path, entries: list[Entry]) -> list[Path]:
    return sorted({(root / e.path).parent for e in entries})


def _temporaries(root: Path) -> list[Path]:
    """Temporaries in the root, data/, sources/ and every directory a resource lives in."""
    directories = {root, root / "data", root / "sources"}
    try:
        descriptor = json.loads((root / "datapackage.json").read_bytes())
        for resource in descriptor.get("resources", []):
            path = resource.get("path") if isinstance(resource, dict) else None
            if isinstance(path, str) and "/" in path and not path.startswith(("/", "..")):
                directories.add(root / path.rpartition("/")[0])
    except (OSError, ValueError, AttributeError):
        pass
    found = []
    for directory in sorted(directories):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        found += [directory / n for n in sorted(names) if _TEMPORARY.match(n)]
    return found


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_path(path: Path | str) -> None:
    """Flush a file, or a directory's entries, to disk (the one fsync helper of package and
    build writes); a filesystem that cannot sync a directory is not an error."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP) or not os.path.isdir(path):
            raise
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_line(cells: list[str]) -> str:
    """One CSV record as the package writes it: LF-terminated, a cell quoted when it holds a
    comma, a quote, a CR or a LF. Python's csv writer with lineterminator="\\n" leaves a bare
    CR unquoted, which every reader then takes for a line break."""
    line = ",".join(
        '"' + cell.replace('"', '""') + '"' if _CSV_QUOTED.search(cell) else cell for cell in cells
    )
    return (line if line or len(cells) != 1 else '""') + "\n"


def appended(old: bytes, rows: list[list[str]]) -> bytes:
    """A table file's bytes with rows added at the end; a last row without its newline gets one."""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    return old + "".join(csv_line(r) for r in rows).encode("utf-8")
