"""Package writes: one writer at a time, all or nothing under kill -9 and a full disk.

Real processes, real signals, a real tmpfs: eight commands started together, a command killed
at every step of its write, a disk that fills at every point of one.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, copy_package, mounted_tmpfs, read_rows

from cakupan import package_write
from cakupan.cli import cli
from cakupan.package_write import JOURNAL_NAME, LOCK_NAME, WriteError, commit, package_lock
from cakupan.validate import validate

ARTICLE = "Cakupan UCJ di Kabupaten Tebo baru {n} persen, kata Kepala Cabang.\n"
FIGURE_IDS = ["f000-91", "f000-92", "f000-93", "f000-94"]

# A cakupan command in a child process; it announces each write step on stderr ("step NAME")
# and kills itself with SIGKILL inside step number argv[1] (0: never). Arguments follow.
KILL_AT_WRITE_STEP = """
import os, signal, sys
import cakupan.package_write as w
from cakupan.cli import cli
kill_at, count = int(sys.argv[1]), 0
def step(name):
    global count
    count += 1
    print("step", name, file=sys.stderr, flush=True)
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
w.step = step
cli.main(sys.argv[2:], prog_name="cakupan")
"""

# A cakupan command that waits, after its imports, for one line on stdin: eight of them start
# their writes at one moment when the parent has read "ready" from all and then writes the line.
AT_A_SIGNAL = """
import sys
from cakupan.cli import cli
print("ready", flush=True)
sys.stdin.readline()
cli.main(sys.argv[1:], prog_name="cakupan")
"""

RUN = """
import sys
from cakupan.cli import cli
cli.main(sys.argv[1:], prog_name="cakupan")
"""

# Takes the package lock, says so, and holds it until its stdin is closed.
HOLD_THE_LOCK = """
import sys
from cakupan.package_write import package_lock
with package_lock(sys.argv[1], "holder"):
    print("locked", flush=True)
    sys.stdin.read()
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the package, the lock file aside (it holds the last holder's pid)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME
    }


def leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob(".*") if p.name != LOCK_NAME and p.is_file()
    )


def child(script: str, *args, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def review_file(path: Path, package: Path, figure_id: str) -> Path:
    """A review file holding one figure of article 000 again under a new id: valid to accept."""
    row = next(
        r for r in read_rows(package / "data" / "figures.csv") if r["figure_id"] == "f000-01"
    )
    row = {**row, "figure_id": figure_id, "candidate_kind": "number"}
    out = io.StringIO()
    writer = csv.DictWriter(out, list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def article(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"artikel-{n}.txt"
    path.write_text(ARTICLE.format(n=n), encoding="utf-8")
    return path


# --- the library ------------------------------------------------------------------------


def test_commit_writes_every_file_and_leaves_nothing_else(package):
    with package_lock(package, "test"):
        commit(package, {"data/new.csv": b"a\n1\n", "datapackage.json": b"{}\n"})
    assert (package / "data" / "new.csv").read_bytes() == b"a\n1\n"
    assert (package / "datapackage.json").read_bytes() == b"{}\n"
    assert leftovers(package) == []


def test_commit_outside_the_lock_is_a_programming_error(package):
    with pytest.raises(RuntimeError, match="commit outside package_lock"):
        commit(package, {"data/new.csv": b""})


def test_a_failed_write_removes_its_temporaries_and_changes_nothing(package, monkeypatch):
    before = snapshot(package)
    real = package_write._write_synced

    def fail_on_the_descriptor(path, data):
        if path.name == ".datapackage.json.cakupan-tmp":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(package_write, "_write_synced", fail_on_the_descriptor)
    with package_lock(package, "test"), pytest.raises(WriteError) as failure:
        commit(package, {"data/sources.csv": b"x\n", "datapackage.json": b"{}\n"})
    assert str(failure.value) == (
        "cannot write datapackage.json: No space left on device; nothing was written, the package is as it was"
    )
    assert snapshot(package) == before and leftovers(package) == []


def test_recovery_rolls_a_committed_journal_forward(package):
    """The state a kill right after the commit point leaves: journal and temporaries on disk."""
    (package / "data" / ".sources.csv.cakupan-tmp").write_bytes(b"new sources\n")
    entry = {"path": "data/sources.csv", "temporary": "data/.sources.csv.cakupan-tmp",
             "sha256": __import__("hashlib").sha256(b"new sources\n").hexdigest()}  # fmt: skip
    (package / JOURNAL_NAME).write_text(
        __import__("json").dumps({"version": 1, "files": [entry]}), encoding="utf-8"
    )
    notes = []
    with package_lock(package, "test", report=notes.append):
        pass
    assert notes == [
        "finished a write that was interrupted after it was committed: data/sources.csv"
    ]
    assert (package / "data" / "sources.csv").read_bytes() == b"new sources\n"
    assert leftovers(package) == []


def test_recovery_refuses_a_temporary_that_does_not_match_its_journal(package):
    before = snapshot(package)
    (package / "data" / ".sources.csv.cakupan-tmp").write_bytes(b"torn")
    entry = {
        "path": "data/sources.csv",
        "temporary": "data/.sources.csv.cakupan-tmp",
        "sha256": "0" * 64,
    }
    (package / JOURNAL_NAME).write_text(
        __import__("json").dumps({"version": 1, "files": [entry]}), encoding="utf-8"
    )
    with pytest.raises(WriteError) as failure, package_lock(package, "test"):
        pass
    assert str(failure.value) == (
        f"{package / 'data' / '.sources.csv.cakupan-tmp'}: found content that does not match its journal entry; "
        f"expected SHA-256 {'0' * 64}: nothing was changed, the journal .cakupan-journal is kept"
    )
    assert (package / "data" / "sources.csv").read_bytes() == before["data/sources.csv"]


def test_recovery_removes_uncommitted_temporaries_including_the_old_tool_s(package):
    (package / "data" / ".figures.csv.cakupan-tmp").write_bytes(b"half")
    (package / ".datapackage.json.tmp-4242").write_bytes(b"")  # what add-source left before
    notes = []
    with package_lock(package, "test", report=notes.append):
        pass
    assert notes == [
        "removed what an interrupted write left before it was committed (nothing had changed): "
        ".datapackage.json.tmp-4242, data/.figures.csv.cakupan-tmp"
    ]
    assert leftovers(package) == []


def test_csv_line_quotes_cr_and_lf_and_appended_ends_the_last_row():
    assert package_write.csv_line(["Judul Satu\rBaris Dua", "a\nb", 'x"y', "plain", ""]) == (
        '"Judul Satu\rBaris Dua","a\nb","x""y",plain,\n'
    )
    assert list(csv.reader(io.StringIO(package_write.csv_line(["a\rb", "c"]), newline=""))) == [
        ["a\rb", "c"]
    ]
    assert package_write.appended(b"h\n1", [["2"]]) == b"h\n1\n2\n"
    assert package_write.appended(b"h\n1\n", [["2"]]) == b"h\n1\n2\n"


# --- one writer at a time -----------------------------------------------------------------


@pytest.mark.slow
def test_eight_writers_at_once_all_land(package, tmp_path):
    """Four add-source and four accept runs released at one moment: every row lands, once."""
    old_sources = read_rows(package / "data" / "sources.csv")
    commands = [["add-source", "--root", package, article(tmp_path, n)] for n in range(4)]
    commands += [
        ["accept", "--root", package, review_file(tmp_path / f"review-{i}.csv", package, figure_id)]
        for i, figure_id in enumerate(FIGURE_IDS)
    ]
    children = [child(AT_A_SIGNAL, *c, stdin=subprocess.PIPE) for c in commands]
    for process in children:
        assert process.stdout.readline() == "ready\n"
    for process in children:
        process.stdin.write("go\n")
        process.stdin.close()
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in children]
    for code, _out, err in results:
        assert code == 0, err
        assert (
            "\n".join(line for line in err.splitlines() if not line.startswith("note: waiting for"))
            == ""
        )
    sources = read_rows(package / "data" / "sources.csv")
    new_ids = sorted(r["source_id"][:3] for r in sources[len(old_sources) :])
    assert new_ids == ["004", "005", "006", "007"]
    assert sorted(out.split()[1].rstrip(":") for _, out, _ in results[:4]) == sorted(
        r["source_id"] for r in sources[len(old_sources) :]
    )
    figures = [r["figure_id"] for r in read_rows(package / "data" / "figures.csv")]
    assert sorted(figures[-4:]) == FIGURE_IDS and len(figures) == len(set(figures))
    assert sorted(out for _, out, _ in results[4:]) == [
        f"accepted 1 figure(s): {i}\n" for i in FIGURE_IDS
    ]
    assert validate(package, with_frictionless=False).problems == []
    assert leftovers(package) == []


def test_a_second_writer_waits_for_the_lock_then_writes(package, tmp_path):
    holder = child(HOLD_THE_LOCK, package, stdin=subprocess.PIPE)
    assert holder.stdout.readline() == "locked\n"
    waiting = child(KILL_AT_WRITE_STEP, 0, "add-source", "--root", package, article(tmp_path, 1))
    assert waiting.stderr.readline() == (
        f"note: waiting for another command (pid {holder.pid}: cakupan holder) to finish writing "
        f"the package (lock {package / LOCK_NAME})\n"
    )
    holder.stdin.close()  # only now can the second writer go on
    assert holder.wait(timeout=30) == 0
    assert waiting.wait(timeout=60) == 0
    assert waiting.stdout.read().startswith("added 004_")
    assert validate(package, with_frictionless=False).problems == []


@pytest.mark.slow
def test_a_writer_gives_up_after_a_bounded_wait_with_a_clear_message(package, tmp_path):
    holder = child(HOLD_THE_LOCK, package, stdin=subprocess.PIPE)
    assert holder.stdout.readline() == "locked\n"
    before = snapshot(package)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CAKUPAN_LOCK_WAIT": "0.3"}
        command = ["add-source", "--root", package, article(tmp_path, 1)]
        result = subprocess.run(
            [sys.executable, "-c", RUN, *map(str, command)],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    holder_text = f"another command (pid {holder.pid}: cakupan holder)"
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        f"note: waiting for {holder_text} to finish writing the package (lock {package / LOCK_NAME})\n"
        f"error: {package / LOCK_NAME}: found the package locked by {holder_text} for 0.3 s; "
        "expected it to finish: nothing was written, run the command again when it has\n",
    )
    assert snapshot(package) == before


# --- kill -9 at every step ------------------------------------------------------------------


def _steps_of(command: list, root: Path) -> list[str]:
    process = child(KILL_AT_WRITE_STEP, 0, *command)
    assert process.wait(timeout=60) == 0, process.stderr.read()
    return [line[5:] for line in process.stderr.read().splitlines() if line.startswith("step ")]


def _write_commands(tmp_path: Path, root: Path) -> dict[str, list]:
    return {
        "add-source": [
            "add-source",
            "--root",
            root,
            article(tmp_path, 7),
            "--published",
            "2026-01-05",
        ],
        "accept": ["accept", "--root", root, review_file(tmp_path / "review.csv", root, "f000-91")],
    }


@pytest.mark.parametrize("name", ["add-source", "accept"])
@pytest.mark.slow
def test_a_kill_at_every_step_leaves_the_package_before_or_after_never_between(tmp_path, name):
    reference = copy_package(tmp_path / "reference")
    old = snapshot(reference)
    steps = _steps_of(_write_commands(tmp_path, reference)[name], reference)
    new = snapshot(reference)
    assert new != old
    committed_at = steps.index("committed the journal")
    expected_steps = {
        "add-source": [
            "locked", "wrote sources/.004_{}.txt.cakupan-tmp", "wrote data/.sources.csv.cakupan-tmp",
            "wrote .datapackage.json.cakupan-tmp", "wrote the journal's temporary", "committed the journal",
            "renamed sources/004_{}.txt", "renamed data/sources.csv", "renamed datapackage.json", "removed the journal",
        ],
        "accept": [
            "locked", "wrote data/.figures.csv.cakupan-tmp", "wrote the journal's temporary",
            "committed the journal", "renamed data/figures.csv", "removed the journal",
        ],
    }[name]  # fmt: skip
    source_id = next((s.split("/")[1][:20] for s in steps if s.startswith("renamed sources/")), "")
    assert steps == [s.replace("004_{}", source_id) for s in expected_steps]
    for kill_at in range(1, len(steps) + 1):
        root = copy_package(tmp_path / f"killed-{kill_at}")
        process = child(KILL_AT_WRITE_STEP, kill_at, *_write_commands(tmp_path, root)[name])
        assert process.wait(timeout=60) == -9
        if (
            kill_at - 1 < committed_at
        ):  # killed before the commit point: the next command rolls back
            assert {
                k: v for k, v in snapshot(root).items() if not k.split("/")[-1].startswith(".")
            } == old
            result = run(*_write_commands(tmp_path, root)[name])  # the same command, run again
            assert result.exit_code == 0, result.output
            if kill_at > 1:
                assert result.stderr.startswith(
                    "note: removed what an interrupted write left before it was committed (nothing had changed): "
                ), (kill_at, result.stderr)
        else:  # killed after it: the next command, even a read-only one, rolls forward
            result = run("validate", "--root", root, "--no-frictionless")
            assert result.exit_code == 0, result.output
        assert snapshot(root) == new, f"killed at step {kill_at} ({steps[kill_at - 1]})"
        assert leftovers(root) == []


@pytest.mark.slow
def test_a_kill_during_recovery_is_recovered_by_the_next_command(tmp_path):
    root = copy_package(tmp_path / "pkg")
    command = _write_commands(tmp_path, root)["add-source"]
    assert child(KILL_AT_WRITE_STEP, 7, *command).wait(timeout=60) == -9  # after the commit point
    assert (root / JOURNAL_NAME).exists()
    # the next writer is killed too, at its second step: the first rename of its recovery
    retry = child(KILL_AT_WRITE_STEP, 2, *command)
    assert retry.wait(timeout=60) == -9
    assert retry.stderr.read().splitlines()[-1] == "step renamed data/sources.csv"
    result = run("validate", "--root", root, "--no-frictionless")
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(read_rows(root / "data" / "sources.csv")) == 5 and leftovers(root) == []


# --- a real full disk -----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs to hold a copy of the package."""
    with mounted_tmpfs(tmp_path / "disk", "1m") as mount:
        yield mount


def _fill_to(mount: Path, free: int) -> None:
    """Fill the disk until only `free` bytes (rounded down to pages) are left."""
    filler = mount / "filler"
    filler.unlink(missing_ok=True)
    stats = os.statvfs(mount)
    size = stats.f_bavail * stats.f_frsize - free
    with open(filler, "wb") as f:
        f.write(b"\0" * max(size, 0))


@pytest.mark.parametrize("name", ["add-source", "accept"])
@pytest.mark.slow
def test_a_full_disk_at_any_point_leaves_the_package_as_it_was(small_disk, tmp_path, name):
    failed_on = set()
    succeeded = 0
    for free in range(0, 192 * 1024, 4096):
        root = small_disk / "pkg"
        shutil.rmtree(root, ignore_errors=True)
        (small_disk / "filler").unlink(missing_ok=True)
        copy_package(root)
        command = _write_commands(tmp_path, root)[name]
        _fill_to(small_disk, free)
        before = snapshot(root)
        result = run(*command)
        if result.exit_code == 0:
            succeeded += 1
            (small_disk / "filler").unlink()  # room for validation's own needs (none, but fair)
            assert validate(root, with_frictionless=False).problems == []
        else:
            assert result.stdout == ""
            message = result.stderr.strip()
            assert message.startswith("error: cannot write ") and message.endswith(
                ": No space left on device; nothing was written, the package is as it was"
            ), message
            failed_on.add(message.split()[3].rstrip(":"))
            assert snapshot(root) == before
        assert leftovers(root) == []
    assert succeeded > 0
    # the disk filled up at each file of the write in turn, the journal too; each time rolled back
    expected = {
        "add-source": {".cakupan-journal", "data/sources.csv", "datapackage.json", "sources/"},
        "accept": {".cakupan-journal", "data/figures.csv"},
    }[name]
    assert {("sources/" if f.startswith("sources/") else f) for f in failed_on} == expected
