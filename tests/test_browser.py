"""A journalist's path in headless Chromium: home, gaps, a figure's cite page, the article, the CSV.

Uses Debian's /usr/bin/chromium through Playwright (its own browser download cannot work here).
Screenshots go to tests/screenshots/ for a person to look at. Locally a missing browser skips
these tests; in CI (CAKUPAN_REQUIRE_BROWSER=1) it fails them.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import ROOT, copy_site, serving

from cakupan.build import build

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
pytestmark = pytest.mark.browser


def _require_browser():
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CAKUPAN_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(
            f"Chromium is required in CI but {CHROMIUM} is missing (apt-get install chromium)"
        )
    pytest.skip("Chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("browser") / "pkg")
    build(root)
    with serving(root) as (base, _, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-quic",
        ]
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_journalist_goes_from_home_to_the_highlighted_passage(server, phone):
    page = phone
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    shot(page, "1-home")

    page.get_by_role("link", name="Kesenjangan cakupan per wilayah").click()
    page.wait_for_url("**/-/gaps")
    assert page.title() == "Kesenjangan cakupan UCJ / UCJ coverage gaps · cakupan"
    assert page.locator("li.card h2").first.inner_text().startswith("Kabupaten Sarolangun")
    # nothing sticks out sideways on a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "2-gaps")

    page.locator("#f000-02").get_by_role("link", name="43 %").click()
    page.wait_for_url("**/-/cite/f000-02")
    assert (
        page.locator("blockquote.context mark").inner_text()
        == "yang sudah kita coverage baru 43 persen yang tercover"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "3-cite")

    page.get_by_role(
        "link", name="Kabupaten Sarolangun Naikkan UCJ BPJS Ketenagakerjaan Menjadi 65 Persen"
    ).click()
    page.wait_for_url("**/-/articles/000_0dc850caf364129e#f000-02")
    anchor = page.locator("#f000-02")
    assert anchor.inner_text() == "f000-02"
    in_view = anchor.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    assert in_view, "the cited passage was not scrolled into view"
    marked = page.locator("#f000-02 + mark").inner_text()
    assert marked == "yang sudah kita coverage baru 43 persen yang tercover"
    assert (
        page.locator("#f000-02 + mark").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(255, 241, 168)"
    )
    shot(page, "4-article", full_page=False)


def test_csv_link_on_the_gaps_page_returns_csv(server, phone):
    phone.goto(server + "/-/gaps")
    href = phone.get_by_role("link", name="CSV").get_attribute("href")
    response = phone.request.get(server + href)
    assert response.status == 200
    assert (
        response.text()
        .splitlines()[0]
        .startswith("region_code,region_name,level,province_code,as_of,actual_pct")
    )


def test_copy_button_copies_the_citation(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(server + "/-/cite/f003-01")
    page.locator("button[data-copy='cite-apa']").click()
    page.wait_for_function(
        "document.querySelector(\"button[data-copy='cite-apa']\").textContent.startsWith('Tersalin')"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert (
        copied
        == "BPJS Ketenagakerjaan Jambi Targetkan 55 Persen Pekerja Terlindungi Jaminan Sosial pada 2025. (2025, March 18)."
    )
    context.close()


def test_unknown_figure_page_in_the_browser(server, phone):
    response = phone.goto(server + "/-/cite/f404-00")
    assert response.status == 404
    assert phone.get_by_role("heading", level=1).inner_text() == "Tidak ditemukan Not found"
    phone.get_by_role("link", name="Kesenjangan cakupan / Coverage gaps").click()
    phone.wait_for_url("**/-/gaps")
    shot(phone, "5-not-found-back")
