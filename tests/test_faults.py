"""Faults: a full disk, builds killed at random moments, a database replaced under a running server."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import urllib.request

import pytest
from helpers import copy_package, copy_site, mounted_tmpfs, serving, set_cell

from cakupan.build import BuildError, build

pytestmark = pytest.mark.slow  # servers, subprocesses and kills: run with --runslow

SMALL_DISK_KB = 1024


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB filesystem: room for one database and its zip, not for a second beside it."""
    with mounted_tmpfs(tmp_path / "disk", f"{SMALL_DISK_KB}k") as mount:
        yield mount


def test_a_full_disk_is_a_clear_error_and_keeps_the_old_database(package, small_disk):
    first = build(package, small_disk)
    old = first.path.read_bytes()
    set_cell(package, "figures", "f000-02", "note", "x" * 2000)
    filler = small_disk / "filler"
    filler.write_bytes(
        b"\0" * (SMALL_DISK_KB * 1024 - len(old) - 60 * 1024)
    )  # leave too little for a second copy
    with pytest.raises(BuildError) as refused:
        build(package, small_disk)
    message = str(refused.value)
    assert message.startswith(f"cannot write the build in {small_disk} (")
    assert ("database or disk is full" in message) or ("No space left on device" in message)
    assert message.endswith("the previous database was left as it was")
    assert first.path.read_bytes() == old
    assert not list(small_disk.glob(".staging-*"))


KILLER = """
import sys, threading, os, signal
import cakupan.build as b

threading.Timer(float(sys.argv[2]), lambda: os.kill(os.getpid(), signal.SIGKILL)).start()
b.build(sys.argv[1], force=True)
os.kill(os.getpid(), signal.SIGKILL)  # finished before the timer: still die the same way
"""


def test_builds_killed_at_random_moments_never_change_the_published_file(package):
    first = build(package)
    old = first.path.read_bytes()
    set_cell(package, "figures", "f000-02", "note", "edited")
    rng = random.Random(20261121)  # reproducible moments, spread over a whole build
    outcomes = set()
    for _ in range(12):
        moment = rng.uniform(0.0, 1.5)
        subprocess.run(
            [sys.executable, "-c", KILLER, str(package), f"{moment:.3f}"],
            capture_output=True,
            check=False,
        )
        now = first.path.read_bytes()
        if now == old:
            outcomes.add("old")
        else:  # the kill came after the rename: then it must be the complete new database
            fresh = json.loads((package / "build" / "inspect.json").read_text())
            assert fresh["cakupan"]["tables"]["figures"]["count"] == 18
            outcomes.add("new")
            first.path.write_bytes(old)
    assert "old" in outcomes


def _content_hash(base: str) -> str:
    with urllib.request.urlopen(
        base + "/cakupan/_build.json?key=content_hash&_shape=array"
    ) as response:
        return json.loads(response.read())[0]["value"]


def test_a_replaced_database_is_picked_up_on_restart_only(tmp_path):
    package = copy_site(tmp_path / "pkg")
    before = build(package).content_hash
    with serving(package) as (base, _, _):
        assert _content_hash(base) == before
        page_before = urllib.request.urlopen(base + "/-/cite/f000-02").read()
        set_cell(package, "figures", "f000-02", "note", "rebuilt while serving")
        after = build(package).content_hash
        assert after != before
        # the running server keeps reading the file it opened: whole and consistent, never half of each
        assert _content_hash(base) == before
        assert urllib.request.urlopen(base + "/-/cite/f000-02").read() == page_before
    with serving(package) as (base, _, _):
        assert _content_hash(base) == after
        assert b"rebuilt while serving" in urllib.request.urlopen(base + "/-/cite/f000-02").read()


def test_copy_package_leaves_the_repository_alone(tmp_path):
    # the fault tests break copies; make sure the copy is complete enough to build on its own
    root = copy_package(tmp_path / "pkg")
    assert sorted(p.name for p in root.iterdir()) == ["data", "datapackage.json", "sources"]
    shutil.rmtree(root)
