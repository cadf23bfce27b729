"""Datasette's own pages for journalists: Indonesian numbers, region links, technical tables hidden,
and `_search` refused where there is no full-text search."""

from __future__ import annotations

import csv
import html as html_module
import importlib.util
import io
import re
import shutil
import sys
from pathlib import Path

import pytest
from helpers import ROOT, copy_site, link_site_files, serving

from cakupan.build import build
from cakupan.site.app import make_datasette


def visible_words(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("datasette_pages") / "pkg")
    build(root)
    return make_datasette(root)


@pytest.mark.parametrize("path", ["/cakupan/awards", "/cakupan/posts", "/cakupan/figure_citations"])
async def test_search_on_a_table_without_full_text_search_is_refused(site, path):
    response = await site.client.get(path + "?_search=Jambi")
    assert response.status_code == 400
    assert "/-/search?q=Jambi" in response.text


async def test_search_on_a_table_with_full_text_search_still_works(site):
    response = await site.client.get("/cakupan/figures.json?_search=pekerja&_shape=array")
    assert response.status_code == 200
    assert response.json() != []
    assert all("pekerja" in row["quote"].lower() for row in response.json())


async def test_technical_tables_are_hidden_from_the_database_page(site):
    html = (await site.client.get("/cakupan")).text
    assert 'href="/cakupan/_build"' not in html
    assert 'href="/cakupan/_build_inputs"' not in html
    assert (await site.client.get("/cakupan/_build")).status_code == 200


async def test_numbers_read_the_indonesian_way_and_regions_link_to_their_page(site):
    html = (await site.client.get("/cakupan/figures?figure_id=f000-01")).text
    cells = dict(re.findall(r'<td class="col-(\w+)[^"]*">(.*?)</td>', html, re.S))
    assert cells["value"] == '<span class="num">112.000</span>'
    assert cells["as_of"] == '<time datetime="2024-10-02">2 Oktober 2024</time>'
    assert re.fullmatch(r'<a href="/-/wilayah/15\.\d\d">[^<]+</a>', cells["region_code"])


@pytest.mark.parametrize(
    "path, first",
    [
        ("/cakupan/figures", ["value", "unit", "qualifier", "region_code", "indicator_id", "quote", "figure_id", "source_id"]),
        ("/cakupan/figures/f000-01", ["value", "unit", "qualifier", "region_code", "indicator_id", "quote", "figure_id", "source_id"]),
        ("/cakupan/awards", ["rank", "region_code", "award", "award_year", "category", "quote", "award_id", "level"]),
        ("/cakupan/regions", ["region_code", "name", "level", "parent_code", "lat", "lon", "bps_code"]),
    ],
)  # fmt: skip
async def test_tables_show_what_a_reader_wants_first_with_indonesian_headings(site, path, first):
    html = (await site.client.get(path)).text
    headings = re.findall(r'<th [^>]*data-column="(\w+)"[^>]*>(.*?)</th>', html, re.S)
    assert [name for name, _ in headings][: len(first)] == first
    cells = re.findall(r'<td class="col-(\w+) ', html.split("<tbody>")[1].split("</tr>")[0])
    assert cells == [name for name, _ in headings]  # each cell under its own heading
    text = {name: " ".join(re.sub(r"<[^>]+>|&nbsp;[▼▲]", " ", h).split()) for name, h in headings}
    heading = {
        "value": "nilai value",
        "rank": "peringkat rank",
        "region_code": "wilayah region_code",
    }
    assert text[first[0]] == heading[first[0]]
    # the phone cards are labelled in the same order (a later rule for a cell replaces an earlier one)
    labels = dict(re.findall(r'td:nth-of-type\((\d+)\):before \{ content: "([^"]*)"', html))
    assert [labels[str(n)] for n in range(1, len(headings) + 1)] == [
        " ".join(text[name].split()[:-1]) or name for name, _ in headings
    ]


async def test_the_table_page_speaks_indonesian_first(site):
    html = (await site.client.get("/cakupan/figures?_size=5")).text
    figures = len(package_rows(Path(site.get_database("cakupan").path).parent.parent, "figures"))
    words = visible_words(html)
    for phrase in (
        f"{figures} baris {figures} rows",
        "Cari Search :",
        "Lihat dan ubah SQL View and edit SQL",
        "Data ini sebagai This data as",
        "Halaman berikutnya Next page",
        "Ekspor lanjutan Advanced export",
    ):
        assert phrase in words, phrase
    assert 'value="Terapkan / Apply"' in html


@pytest.mark.parametrize(
    "path, phrases",
    [
        ("/cakupan?sql=select+figure_id+from+figures+limit+2",
         ["Kueri SQL: 2 baris Custom SQL query returning 2 rows", "Data ini sebagai This data as"]),
        ("/cakupan?sql=select+1+where+0", ["0 hasil 0 results"]),
        ("/cakupan/regions/15",
         ["Data ini sebagai This data as", "Tautan dari tabel lain Links from other tables"]),
    ],
)  # fmt: skip
async def test_the_sql_and_row_pages_speak_indonesian_first(site, path, phrases):
    html = (await site.client.get(path)).text
    words = visible_words(html)
    assert [p for p in phrases if p not in words] == []


async def test_downloads_keep_the_package_column_order(site):
    header = (await site.client.get("/cakupan/figures.csv?_size=1")).text.splitlines()[0]
    assert header.split(",")[:5] == [
        "figure_id",
        "source_id",
        "region_code",
        "indicator_id",
        "value",
    ]


async def test_a_date_shaped_cell_that_is_no_date_is_shown_as_it_is(site):
    response = await site.client.get("/cakupan.json?sql=select+'2024-13-45'+as+as_of&_shape=array")
    assert response.json() == [{"as_of": "2024-13-45"}]
    html = (await site.client.get("/cakupan?sql=select+'2024-13-45'+as+as_of")).text
    assert '<td class="col-as_of">2024-13-45</td>' in html


def test_a_cell_number_is_indonesian_exact_and_integer_valued_numbers_have_no_decimals():
    from cakupan.formatting import number

    assert [number(v, "id", compact=False) for v in (112000.0, 89.3, 1300000, 0.5)] == [
        "112.000",
        "89,3",
        "1.300.000",
        "0,5",
    ]


@pytest.mark.parametrize("path", ["/cakupan/figures", "/cakupan/no_such_table"])
async def test_datasette_pages_and_their_errors_carry_the_site_header_and_styles(site, path):
    html = (await site.client.get(path)).text
    assert html.count('<link rel="stylesheet" href="/assets/datasette-extra.css">') == 1
    assert html.count('<div class="site">') == 1
    assert '<form action="/-/search" method="get" role="search">' in html


def csv_link(html: str) -> str:
    """The href of the table page's "CSV" link."""
    (href,) = re.findall(r'<a href="([^"]+)">CSV</a>', html)
    return html_module.unescape(href)


def package_rows(root: Path, table: str) -> list[dict[str, str]]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def downloaded_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    """A synthetic package of 1,200 figures: more than max_returned_rows (1,000)."""
    spec = importlib.util.spec_from_file_location(
        "benchmarks_synthetic", ROOT / "benchmarks" / "synthetic.py"
    )
    synthetic = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synthetic  # dataclasses look their module up while it loads
    spec.loader.exec_module(synthetic)
    root = tmp_path_factory.mktemp("datasette_pages_big") / "pkg"
    synthetic.generate(root, 120, check=False)
    shutil.copy2(ROOT / "metadata.yml", root / "metadata.yml")
    link_site_files(root)
    build(root)
    return root, make_datasette(root)


async def test_the_csv_link_downloads_every_row_streamed(big_site):
    root, site = big_site
    href = csv_link((await site.client.get("/cakupan/figures")).text)
    assert "_stream=on" in href and "_dl=1" in href
    response = await site.client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="figures.csv"'
    got = [row["figure_id"] for row in downloaded_rows(response.text)]
    want = sorted(row["figure_id"] for row in package_rows(root, "figures"))
    assert len(want) == 1200
    assert got == want  # the table page sorts by figure_id


CURATED = (
    "sources",
    "regions",
    "indicators",
    "people",
    "posts",
    "figures",
    "awards",
    "regulations",
)


@pytest.mark.parametrize("table", CURATED)
async def test_the_csv_download_equals_the_package_cell_for_cell(site, table):
    root = Path(site.get_database("cakupan").path).parent.parent
    html = (await site.client.get(f"/cakupan/{table}")).text
    got = downloaded_rows((await site.client.get(csv_link(html))).text)
    key = next(iter(package_rows(root, table)[0]))
    want = sorted(package_rows(root, table), key=lambda row: row[key])
    assert sorted(got, key=lambda row: row[key]) == want


SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("datasette_pages_browser") / "pkg")
    build(root)
    with serving(root) as (base, _, _):
        yield base


def open_at(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1)
    return context, context.new_page()


@pytest.mark.browser
def test_a_figure_card_on_a_phone_shows_no_empty_fields(server, browser):
    context, page = open_at(browser, 390)
    page.goto(server + "/cakupan/figures")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "figures-390.png"), full_page=True)
    shown_empty = page.evaluate(
        """[...document.querySelectorAll('.rows-and-columns td')]
             .filter(td => td.offsetParent !== null && td.textContent.trim() === '').length"""
    )
    assert shown_empty == 0
    context.close()


DATASETTE_PAGES = {
    "home": "/",
    "database": "/cakupan",
    "figures": "/cakupan/figures",
    "awards": "/cakupan/awards",
    "row": "/cakupan/figures/f000-01",
    "query": "/cakupan?sql=select+1",
}


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", DATASETTE_PAGES)
def test_datasette_pages_have_no_critical_or_serious_axe_findings(
    server, browser, axe_violations, name, width
):
    context, page = open_at(browser, width)
    page.goto(server + DATASETTE_PAGES[name])
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    found = axe_violations(page)
    context.close()
    assert found == []


@pytest.mark.browser
def test_a_table_page_has_the_site_header_and_shows_offsets_only_when_asked(server, browser):
    context, page = open_at(browser, 1280)
    page.goto(server + "/cakupan/figures")
    header_links = page.locator("div.site nav a").all_inner_texts()
    assert header_links == [
        "Kesenjangan Gaps",
        "Paritrana",
        "Artikel Articles",
        "Perbedaan Conflicts",
        "Data & SQL",
    ]
    offsets = page.locator("th.col-quote_start")
    assert (offsets.is_visible(), page.locator("th.col-quote").is_visible()) == (False, True)
    assert page.locator("details.column-notes dl").is_visible() is False
    page.get_by_label("Tampilkan posisi kutipan", exact=False).check()
    assert offsets.is_visible() is True
    page.locator("div.site input[name=q]").fill("dumisake")
    page.locator("div.site button[type=submit]").click()
    page.wait_for_url("**/-/search?q=dumisake")
    assert page.locator("h1").inner_text().startswith("Cari")
    context.close()


@pytest.mark.browser
def test_the_sql_editor_buttons_are_readable(server, browser):
    """Datasette reveals "Format SQL" by script once the editor loads, after axe may have run:
    its text must not be drawn in its own background colour."""
    from playwright.sync_api import expect

    context, page = open_at(browser, 390)
    page.goto(server + "/cakupan?sql=select+1")
    button = page.locator("#sql-format")
    expect(button).to_be_visible()
    assert button.inner_text() == "Rapikan SQL / Format SQL"
    colours = button.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours == ["rgb(0, 86, 179)", "rgb(255, 255, 255)"]
    assert page.get_by_role("button", name="Jalankan SQL / Run SQL").is_visible()
    context.close()
