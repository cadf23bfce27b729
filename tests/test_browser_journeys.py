"""A journalist's journeys, by clicks only from the home page, in headless Chromium at phone and
desktop widths, and axe-core on every kind of cakupan page (0 critical, 0 serious findings).

Each journey asserts what the journalist must see; screenshots go to tests/screenshots/."""

from __future__ import annotations

import csv
import json
import re
import zipfile

import pytest
from helpers import copy_site, read_rows, serving
from playwright.sync_api import expect

from cakupan.build import build

pytestmark = pytest.mark.browser
WIDTHS = [390, 1280]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("journeys") / "pkg", released=True)
    build(root)
    with serving(root) as (base, _, _):
        yield root, base


def open_page(browser, width: int, **options):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    return context, context.new_page()


PAGE_KINDS = {
    "home": "/",
    "search": "/-/search?q=jambi",
    "region": "/-/wilayah/15",
    "gaps": "/-/gaps",
    "awards": "/-/awards",
    "articles": "/-/articles",
    "article": "/-/articles/000_0dc850caf364129e",
    "cite": "/-/cite/f003-03",
    "award cite": "/-/cite-award/a002-1",
    "conflicts": "/-/conflicts",
    "releases": "/-/releases",
    "not found": "/-/cite/f404-00",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_every_kind_of_page_passes_axe_and_fits_the_screen(
    site, browser, axe_violations, screenshot, kind, width
):
    _, base = site
    context, page = open_page(browser, width)
    page.goto(base + PAGE_KINDS[kind])
    screenshot(page, f"kind-{kind.replace(' ', '-')}-{width}")
    found = axe_violations(page)
    wide = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert found == []
    assert wide <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_paritrana_2024_jambi_winners_with_their_coverage(site, browser, screenshot, width):
    _, base = site
    context, page = open_page(browser, width)
    page.goto(base + "/")
    page.locator("header.site").get_by_role("link", name="Paritrana").click()
    page.wait_for_url("**/-/awards")
    page.get_by_label("Tahun penghargaan").select_option("2024")
    page.get_by_role("button", name="Saring").click()
    page.wait_for_url("**/-/awards?tahun=2024")
    card = page.locator("section.card").filter(has_text="tingkat provinsi Jambi")
    winners = [t.split("\n")[0] for t in card.locator("ol.ranks > li").all_inner_texts()]
    assert [w.split(" · ")[0] for w in winners] == [
        "Juara 1: Kabupaten Bungo",
        "Juara 2: Kabupaten Muaro Jambi",
        "Juara 3: Kota Jambi",
    ]
    # no winner has a coverage figure yet; each says so and leads to its region's page
    reasons = card.get_by_role("link", name="belum ada angka cakupan untuk wilayah ini")
    assert reasons.count() == 3
    screenshot(page, f"journey-paritrana-2024-{width}")
    card.get_by_role("link", name="Kutip hasil ini").first.click()
    page.wait_for_url("**/-/cite-award/a002-1")
    assert (
        page.locator("blockquote.context mark").inner_text()
        == "juara 1 diraih oleh Kabupaten Bungo"
    )
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_sarolangun_citation_copied_in_indonesian_and_apa(site, browser, screenshot, width):
    _, base = site
    context, page = open_page(browser, width)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + "/")
    page.locator(".province-bars").get_by_role("link", name="Jambi", exact=True).click()
    page.wait_for_url("**/-/wilayah/15")
    page.get_by_role("link", name="Kabupaten Sarolangun").first.click()
    page.wait_for_url("**/-/wilayah/15.03")
    page.locator("section.latest").get_by_role("link", name="65%").click()
    page.wait_for_url("**/-/cite/*")
    copied = {}
    for key in ("id", "apa"):
        page.locator(f"button[data-copy='cite-{key}']").click()
        # a locator, not a JavaScript string: the site's CSP forbids eval, rightly
        expect(page.locator(f"button[data-copy='cite-{key}']")).to_have_text(
            re.compile("^Tersalin")
        )
        copied[key] = page.evaluate("navigator.clipboard.readText()")
        assert copied[key] == page.locator(f"#cite-{key}").inner_text()
    screenshot(page, f"journey-sarolangun-cite-{width}")
    context.close()
    assert copied["apa"] == (
        "Kabupaten Sarolangun Naikkan UCJ BPJS Ketenagakerjaan Menjadi 65 Persen. (n.d.). "
        "JAMBI-INDEPENDENT.CO.ID."
    )
    assert copied["id"].startswith(
        "Target cakupan UCJ Kabupaten Sarolangun 65 persen untuk 2024 per 2 Oktober 2024, kata Pj "
        "Bupati Sarolangun Bahri, dikutip dari JAMBI-INDEPENDENT.CO.ID"
    )


def test_figures_as_csv_excel_and_the_zip(site, browser):
    root, base = site
    context, page = open_page(browser, 1280, accept_downloads=True)
    page.goto(base + "/")
    page.locator("header.site").get_by_role("link", name="Data & SQL").click()
    page.wait_for_url("**/cakupan")
    page.get_by_role("link", name="figures", exact=True).first.click()
    page.wait_for_url("**/cakupan/figures")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV", exact=True).click()
    with open(csv_download.value.path(), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["figure_id"] for r in rows] == sorted(
        r["figure_id"] for r in read_rows(root / "data" / "figures.csv")
    )
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="xlsx", exact=True).click()
    with zipfile.ZipFile(xlsx_download.value.path()) as workbook:
        assert "xl/worksheets/sheet1.xml" in workbook.namelist()
    page.locator("div.site .brand").click()  # cakupan's header on Datasette's page, back home
    page.wait_for_url(base + "/")
    with page.expect_download() as zip_download:
        page.locator("footer.site").get_by_role("link", name="Unduh paket data").click()
    with zipfile.ZipFile(zip_download.value.path()) as package:
        names = package.namelist()
        descriptor = json.loads(package.read("datapackage.json"))
    assert "data/figures.csv" in names and descriptor["name"] == "cakupan"
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_saved_query_for_one_region(site, browser, screenshot, width):
    _, base = site
    context, page = open_page(browser, width)
    page.goto(base + "/")
    page.locator("header.site").get_by_role("link", name="Data & SQL").click()
    page.wait_for_url("**/cakupan")
    page.get_by_role(
        "link", name="Semua angka untuk satu wilayah / All figures for a region"
    ).click()
    page.wait_for_url("**/cakupan/figures_for_region")
    page.locator("input[name=region]").fill("Sarolangun")
    page.get_by_role("button", name="Run SQL").click()
    page.wait_for_url("**/cakupan/figures_for_region?region=Sarolangun")
    regions = page.locator("table.rows-and-columns td.col-region").all_inner_texts()
    screenshot(page, f"journey-saved-query-{width}")
    context.close()
    assert regions and set(regions) == {"Kabupaten Sarolangun"}
