"""A journalist's path in headless Chromium: home, gaps, a figure's cite page, the article, the CSV.

Uses Debian's /usr/bin/chromium through Playwright (its own browser download cannot work here).
Screenshots go to tests/screenshots/ for a person to look at. Locally a missing browser skips
these tests; in CI (CAKUPAN_REQUIRE_BROWSER=1) it fails them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, copy_site, link_site_files, serving

from cakupan.build import build
from cakupan.site import pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("browser") / "pkg", released=True)
    build(root)
    with serving(root) as (base, _, _):
        yield base


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def test_journalist_goes_from_home_to_the_highlighted_passage(server, phone, screenshot):
    page = phone
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    screenshot(page, "1-home")

    page.get_by_role("link", name="Kesenjangan Gaps").click()
    page.wait_for_url("**/-/gaps")
    assert page.title() == "Kesenjangan cakupan UCJ / UCJ coverage gaps · cakupan"
    assert page.locator("li.card h2").first.inner_text().startswith("Kabupaten Sarolangun")
    # nothing sticks out sideways on a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "2-gaps")

    page.locator("#f000-02").get_by_role("link", name="43%").click()
    page.wait_for_url("**/-/cite/f000-02")
    assert (
        page.locator("blockquote.context mark").inner_text()
        == "yang sudah kita coverage baru 43 persen yang tercover"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "3-cite")

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
    screenshot(page, "4-article", full_page=False)


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
        == "BPJS Ketenagakerjaan Jambi Targetkan 55 Persen Pekerja Terlindungi Jaminan Sosial pada 2025. (2025, March 18). cakupan archive, article 003_5c72670d165195ed (outlet not named in the text)."
    )
    context.close()


def test_unknown_figure_page_in_the_browser(server, phone, screenshot):
    response = phone.goto(server + "/-/cite/f404-00")
    assert response.status == 404
    assert phone.get_by_role("heading", level=1).inner_text() == "Tidak ditemukan Not found"
    phone.get_by_role("link", name="Kesenjangan cakupan / Coverage gaps").click()
    phone.wait_for_url("**/-/gaps")
    screenshot(phone, "5-not-found-back")


@pytest.fixture(scope="module")
def large_server(tmp_path_factory):
    """A synthetic catalogue of 1,000 articles (10,000 figures): lists that need pages."""
    root = tmp_path_factory.mktemp("browser-large") / "pkg"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--articles", "1000",
         "--out", str(root), "--no-check"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.copy2(ROOT / "metadata.yml", root / "metadata.yml")
    link_site_files(root)
    build(root)
    with serving(root) as (base, _, _):
        yield base


@pytest.mark.parametrize("width", [390, 1280])
def test_long_lists_page_through_and_conflicts_link_to_each_quote(
    large_server, browser, width, screenshot, axe_violations
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(large_server + "/-/gaps")
    assert page.locator("li.card").count() == pages.CARDS_PAGE_SIZE
    assert "Halaman 1 dari" in page.locator("nav.pagination").first.inner_text()
    assert axe_violations(page) == []
    page.locator("nav.pagination").first.get_by_role("link", name="Berikutnya Next →").click()
    page.wait_for_url("**/-/gaps?halaman=2")
    assert page.get_by_role("link", name="← Sebelumnya Previous").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"6-gaps-page-2-{width}", full_page=False)

    page.get_by_role("link", name="Perbedaan Conflicts").click()
    page.wait_for_url("**/-/conflicts")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Angka yang berbeda antar-artikel Figures that disagree across articles"
    )
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"7-conflicts-{width}", full_page=False)
    first = page.locator("li.card a[href^='/-/cite/']").first
    figure_id = first.inner_text()
    first.click()
    page.wait_for_url(f"**/-/cite/{figure_id}")
    assert page.locator("blockquote.context mark").count() == 1
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_from_home_to_jambis_latest_coverage_and_the_sentence_behind_it(
    server, browser, width, screenshot, axe_violations
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(server + "/")
    assert axe_violations(page) == []
    page.locator(".province-bars").get_by_role("link", name="Jambi", exact=True).click()
    page.wait_for_url("**/-/wilayah/15")
    latest = page.locator("section.latest")
    assert latest.locator("dd").all_inner_texts()[:3] == [
        "44%",
        "55%",
        "11 poin pts (target − capaian)",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    screenshot(page, f"7-region-jambi-{width}")
    latest.get_by_role("link", name="44%").click()
    page.wait_for_url("**/-/cite/f003-03")
    assert page.locator("blockquote.context mark").inner_text() == (
        "580 ribu pekerja atau 44 persen yang telah terdaftar sebagai peserta jaminan sosial ketenagakerjaan"
    )
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_header_search_finds_dumisake_and_leads_to_the_article(
    server, browser, width, screenshot, axe_violations
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(server + "/-/gaps")
    page.get_by_role("searchbox", name="Cari artikel, angka, tokoh, penghargaan / Search").fill(
        "dumisake"
    )
    page.get_by_role("searchbox", name="Cari artikel, angka, tokoh, penghargaan / Search").press(
        "Enter"
    )
    page.wait_for_url("**/-/search?q=dumisake")
    assert page.locator(".hit-snippet mark").all_inner_texts() == ["Dumisake"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    screenshot(page, f"8-search-dumisake-{width}")
    page.locator(".hit-title").first.click()
    page.wait_for_url("**/-/articles/002_ad03d7ffec287ddd")
    assert "Dumisake" in page.locator("article.text").inner_text()
    context.close()
