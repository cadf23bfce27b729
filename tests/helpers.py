"""Helpers the tests import: a private copy of the real package, edits as a curator makes them,
a real server process. Fixtures are in conftest.py."""

from __future__ import annotations

import csv
import io
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


PACKAGE_PARTS = ("datapackage.json", "data", "sources")


# The release history and its corrections: a copy starts before its first release.
UNRELEASED = ("releases", "release_records", "release_changes", "corrections")


def copy_package(dest: Path, released: bool = False) -> Path:
    """The real package, by default as it was before its first release, so that a test may
    edit a figure without recording a correction; tests of releases record their own.
    `released=True` keeps the repository's releases and corrections."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    if not released:
        for table in UNRELEASED:
            path = dest / "data" / f"{table}.csv"
            with open(path, encoding="utf-8", newline="") as f:
                header = f.readline()
            path.write_text(header, encoding="utf-8")
    return dest


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(root: Path, table: str, key: str, field: str, value: str) -> None:
    """Change one cell of the row whose first column is `key`."""
    path = root / "data" / f"{table}.csv"
    rows = read_rows(path)
    first = next(iter(rows[0]))
    matches = [r for r in rows if r[first] == key]
    assert len(matches) == 1, f"no single row {key} in {table}"
    matches[0][field] = value
    write_rows(path, rows)


def replace_article(root: Path, source_id: str, raw: bytes) -> None:
    """Write new bytes for an article and record its checksum and size wherever they are
    recorded (sources.csv and datapackage.json), as a curator would."""
    import hashlib
    import json

    (root / "sources" / f"{source_id}.txt").write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    set_cell(root, "sources", source_id, "sha256", digest)
    set_cell(root, "sources", source_id, "bytes", str(len(raw)))
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in descriptor["resources"]:
        if resource.get("path") == f"sources/{source_id}.txt":
            resource["hash"], resource["bytes"] = f"sha256:{digest}", len(raw)
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


# Run a build in a child process and SIGKILL it just before its step named argv[2] (a name in
# cakupan.build.FULL_STEPS or INCREMENTAL_STEPS); argv[3] is "force" for a full build. It prints
# the kind of build when it is not killed.
KILL_AT_STEP = """
import os, signal, sys
import cakupan.build as b
def on_step(name, number, total):
    if name == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)
print(b.build(sys.argv[1], force=sys.argv[3] == "force", on_step=on_step).mode)
"""


def build_in_child(root: Path, kill_before: str, force: bool) -> subprocess.CompletedProcess:
    """A build of `root` in a child process, killed just before the step named `kill_before`."""
    args = [sys.executable, "-c", KILL_AT_STEP, str(root), kill_before, "force" if force else ""]
    return subprocess.run(args, capture_output=True)


def assert_killed_before_each_step(root: Path, steps, force: bool, db: Path) -> None:
    """A build killed before each of `steps` (the last being publication) dies by SIGKILL and
    leaves `db` byte for byte as it was."""
    old = db.read_bytes()
    for step in steps:
        result = build_in_child(root, step.name, force)
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert db.read_bytes() == old, f"killed before step {step.name}"


SITE_FILES = ("plugins", "templates", "static")


def link_site_files(root: Path) -> None:
    """The site's code and templates, shared with the repository rather than copied."""
    for part in SITE_FILES:
        (root / part).symlink_to(ROOT / part, target_is_directory=True)


def copy_site(dest: Path, released: bool = False) -> Path:
    """The real package with the site's files: build it and serve it without touching the repository."""
    root = copy_package(dest, released)
    shutil.copy2(ROOT / "metadata.yml", root / "metadata.yml")
    link_site_files(root)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    """Poll until the server answers; fail with its output if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read().decode()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout}s")


@contextmanager
def serving(root: Path, build: Path | None = None):
    """A real server process, exactly as `cakupan serve` starts it (on `build`, the pinned copy
    it would make, when given); yields (base URL, process, port)."""
    from cakupan.serve import datasette_args

    port = free_port()
    command = [
        sys.executable,
        "-m",
        "cakupan.site.server",
        *datasette_args(root, port=port, build=build),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/-/versions.json", process)
        yield base, process, port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def mounted_tmpfs(mount: Path, size: str):
    """A real tmpfs of `size` at `mount` (root only); skips the test, saying why, where mounting
    is not allowed. Unmounting fails when anything still holds a file open on it."""
    mount.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a {size} tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        # not lazily: a file the code under test left open makes this fail ("target is busy")
        subprocess.run(["umount", str(mount)], check=True)
