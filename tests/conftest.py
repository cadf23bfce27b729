"""Shared fixtures: a private copy of the real package for each test to break, a built site, an
unwritable directory, the browser. The helpers tests import are in helpers.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, copy_package, copy_site


@pytest.fixture
def package(tmp_path) -> Path:
    return copy_package(tmp_path / "pkg")


@pytest.fixture
def page_queries(monkeypatch) -> list[tuple[str, dict]]:
    """Every (sql, params) cakupan's pages run from now on, in order, as they run them (through
    rows() or a reader given to read()): for the tests that check each query's plan."""
    from cakupan.site import pages

    seen = []
    connection = pages._connection

    class Recording:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, params=()):
            seen.append((sql, params))
            return self.conn.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self.conn, name)

    monkeypatch.setattr(pages, "_connection", lambda path: Recording(connection(path)))
    return seen


@pytest.fixture
def unwritable():
    """Make a directory unwritable (with `recursive`, every file in it too) until the test ends.
    chmod does not stop root, so as root the immutable attribute is used instead."""
    made = []

    def make(path: Path, recursive: bool = True) -> None:
        flags = ["-R"] if recursive else []
        if os.geteuid() == 0:
            subprocess.run(["chattr", *flags, "+i", str(path)], check=True)
        else:
            subprocess.run(["chmod", *flags, "a-w", str(path)], check=True)
        made.append((path, flags))

    yield make
    for path, flags in reversed(made):
        if os.geteuid() == 0:
            subprocess.run(["chattr", *flags, "-i", str(path)], check=True)
        else:
            subprocess.run(["chmod", *flags, "u+w", str(path)], check=True)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """The real package with the site's files, built once for the test module that asks for it
    (a module may define its own `root` instead)."""
    from cakupan.build import build

    root = copy_site(tmp_path_factory.mktemp("site") / "pkg")
    build(root)
    return root


# the browser: Debian's Chromium through Playwright, one per test module (Playwright's sync API
# holds an event loop while it runs, which pytest-asyncio's tests in later modules could not
# share). Locally a missing
# browser skips the tests that ask for it; in CI (CAKUPAN_REQUIRE_BROWSER=1) it fails them.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-quic",
]  # fmt: skip
SHOTS = ROOT / "tests" / "screenshots"


def require_browser() -> None:
    import os

    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CAKUPAN_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(
            f"Chromium is required in CI but {CHROMIUM} is missing (apt-get install chromium)"
        )
    pytest.skip("Chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): a PNG in tests/screenshots/ for a person to look at."""

    def take(page, name: str, full_page: bool = True) -> None:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

    return take


@pytest.fixture
def axe_violations():
    """axe_violations(page): axe-core's critical and serious findings on the page, as text."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page) -> list[str]:
        found = axe.run(page).response["violations"]
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found
            if v["impact"] in ("critical", "serious")
        ]

    return run


def pytest_addoption(parser):
    parser.addoption(
        "--runslow",
        action="store_true",
        help="also run the tests marked slow (servers, subprocesses, kills, real time): CI does",
    )


def pytest_collection_modifyitems(config, items):
    """Every test that drives the browser is marked `browser`; tests marked `slow` are skipped
    unless --runslow is given (pytest's documented pattern), so a plain `pytest` is quick."""
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow (README's test command does)")
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
