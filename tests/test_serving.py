"""A real server, started as `cakupan serve` starts it: pinned to one build, and stopping on
SIGTERM even when busy (issue 10, items 11 and 12)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from helpers import ROOT, copy_site, free_port, replace_article, serving, wait_until_serving

from cakupan.build import build
from cakupan.serve import ServeError, datasette_args, pin_build
from cakupan.site.server import GRACE_SECONDS

pytestmark = pytest.mark.slow  # servers, subprocesses and kills: run with --runslow

SAROLANGUN = "000_0dc850caf364129e"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_pin_links_the_three_files_and_refuses_ones_that_do_not_belong(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    pinned = pin_build(root / "build")
    for name in ("cakupan.db", "inspect.json", "cakupan-datapackage.zip"):
        assert os.path.samefile(pinned / name, root / "build" / name)
    (root / "build" / "cakupan-datapackage.zip").write_bytes(b"not the zip")
    with pytest.raises(ServeError, match="was not built with"):
        pin_build(root / "build")
    assert [p.name for p in (root / "build" / "serving").iterdir()] == [pinned.name]


def test_a_read_only_build_is_served_in_place_once_checked(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    out = root / "build"
    out.chmod(0o555)
    try:
        if os.access(out, os.W_OK):
            # root writes anyway; take the same path by pinning a directory that cannot hold one
            (out / "serving").write_text("a file, not a directory")
        assert pin_build(out) == out
    finally:
        out.chmod(0o755)


def test_a_rebuild_while_serving_changes_neither_pages_nor_downloads(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    pinned = pin_build(root / "build")
    with serving(root, build=pinned) as (base, _, _):
        page = fetch(base + "/-/cite/f000-02")
        zipped = fetch(base + "/-/download/cakupan-datapackage.zip")
        text = (root / "sources" / f"{SAROLANGUN}.txt").read_bytes()
        replace_article(root, SAROLANGUN, text + b"\nTambahan.\n")
        assert build(root).built
        assert fetch(base + "/-/download/cakupan-datapackage.zip") == zipped
        assert fetch(base + "/-/cite/f000-02") == page
        served = fetch(base + "/cakupan.db")
    recorded = json.loads((pinned / "inspect.json").read_text())["cakupan"]["hash"]
    assert hashlib.sha256(served).hexdigest() == recorded
    assert (root / "build" / "cakupan-datapackage.zip").read_bytes() != zipped


SLOW_PLUGIN = """
import asyncio
from datasette import hookimpl
from datasette.utils.asgi import Response


async def slow(request):
    open(STARTED, "w").close()
    await asyncio.sleep(600)
    return Response.text("late")

@hookimpl
def register_routes():
    return [(r"^/-/slow$", slow)]
"""


def test_sigterm_stops_a_server_busy_with_a_slow_page(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    plugins = root / "plugins"
    plugins.unlink()
    plugins.mkdir()
    for plugin in (ROOT / "plugins").glob("*.py"):
        (plugins / plugin.name).symlink_to(plugin)
    started_marker = tmp_path / "slow-request-started"
    (plugins / "slow_for_test.py").write_text(f"STARTED = {str(started_marker)!r}\n" + SLOW_PLUGIN)
    port = free_port()
    command = [sys.executable, "-m", "cakupan.site.server", *datasette_args(root, port=port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/-/versions.json", process)
        threading.Thread(
            target=lambda: _ignore(lambda: fetch(f"http://127.0.0.1:{port}/-/slow")), daemon=True
        ).start()
        deadline = time.monotonic() + 30
        while not started_marker.exists():  # the slow request is in flight
            assert time.monotonic() < deadline, "the slow request never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=GRACE_SECONDS + 10)  # before the fix: never, the request runs 600 s
        assert time.monotonic() - started < GRACE_SECONDS + 5
    finally:
        process.kill()
        process.wait()


def _ignore(call):
    with contextlib.suppress(OSError):  # the server closes the slow request's connection
        call()
