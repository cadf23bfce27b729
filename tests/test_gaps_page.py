"""/-/gaps: one row per region at its latest figure, earlier ones under "Riwayat", bars with an
axis and a legend, and the computed gap beside the one the article states, on every row."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser

import pytest
from helpers import copy_site

from cakupan import derived
from cakupan.build import build
from cakupan.site import pages
from cakupan.site.app import make_datasette


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("gaps") / "pkg")
    build(root)
    return make_datasette(root)


class TextOf(HTMLParser):
    """The text of the element with a given id, whitespace collapsed (nested tags included)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "rect", "line", "path", "circle"}
    BLOCKS = {"li", "dt", "dd", "p", "h2", "div", "summary", "ol", "ul", "dl"}  # read apart

    def __init__(self, element_id: str, skip: str | None = None):
        super().__init__()
        self.element_id, self.skip = element_id, skip
        self.depth = 0  # inside the element when > 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if self.depth:
            self.depth += 1
            if self.skipping or tag == self.skip:
                self.skipping += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.depth:
            return
        if tag in self.BLOCKS:
            self.parts.append(" ")
        self.depth -= 1
        if self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def text_of(html: str, element_id: str, skip: str | None = None) -> str:
    parser = TextOf(element_id, skip)
    parser.feed(html)
    return parser.text()


def regions(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/-/wilayah/[^"]+">([^<]+)</a> <small>', html)


async def test_each_region_appears_once_at_its_latest_figure(site):
    response = await site.client.get("/-/gaps")
    assert response.status_code == 200
    html = response.text
    assert regions(html) == ["Kabupaten Sarolangun", "Bengkulu", "Jambi"]
    assert html.count('<li class="card"') == 3
    # Jambi's 2025 figure (44 %) is its row; the 2024 one (41 %) is not a row of its own
    assert '<li class="card" id="f003-03">' in html and '<li class="card" id="f002-01">' not in html
    assert text_of(html, "f003-03", skip="details") == (
        "Jambi per 18 Maret 2025 · terbaru latest "
        "0% 25% 50% 75% 100% "
        "Capaian Coverage 44% "
        "Target 2025 55% "
        "Kesenjangan, dihitung Gap, computed 11 poin pts = 55% − 44% (target − capaian coverage) "
        "Kesenjangan menurut artikel Gap stated by the article "
        "tidak disebut artikel; dihitung dari target − capaian "
        "not stated by the article; computed from target − coverage "
        "Pekerja yang perlu didaftarkan Workers still to enrol "
        "lebih dari 143.000 pekerja (dihitung dari lebih dari 1,3 juta pekerja computed) "
        "Pekerja yang perlu didaftarkan, menurut angka artikel "
        "Workers still to enrol, by the article's own counts "
        "sekitar 202.000 pekerja = 782.000 pekerja − sekitar 580.000 pekerja "
        "(target − terdaftar enrolled) "
        "Laju yang diperlukan Pace needed 14 poin/tahun pts/year"
    )
    assert '<a href="/-/wilayah/15">Jambi</a>' in html


async def test_the_earlier_figure_is_in_the_regions_history(site):
    html = (await site.client.get("/-/gaps")).text
    card = html[html.index('<li class="card" id="f003-03">') :]
    card = card[: card.index('<li class="card"', 1) if '<li class="card"' in card[1:] else None]
    history = card[card.index('<details class="history">') : card.index("</details>")]
    assert '<summary>Riwayat <span lang="en">History</span>: 1 angka sebelumnya' in history
    assert text_of(html, "f002-01") == (
        "per 10 Juni 2024: capaian 41% · target 2025 55% · "
        "kesenjangan dihitung computed gap 14 poin · menurut artikel stated by the article: "
        "tidak disebut not stated"
    )
    assert 'href="/-/cite/f002-01"' in history and 'href="/-/cite/f002-03"' in history
    # regions with a single figure have no history to open
    sarolangun = html[html.index('id="f000-02"') : html.index('id="f001-01"')]
    assert "<details" not in sarolangun


async def test_bars_have_an_axis_a_legend_and_their_numbers_in_text(site):
    html = (await site.client.get("/-/gaps")).text
    assert '<p class="legend">' in html
    legend = re.search(r'<p class="legend">(.*?)</p>', html, re.S).group(1)
    legend_text = " ".join(re.sub(r"<[^>]+>", "", legend).split())
    assert legend_text == (
        "■ batang: capaian bar: coverage · | garis merah: target red tick: target · "
        "skala 0–100 %, tanda tiap 25 % scale 0–100 %, a tick every 25 % · "
        "angkanya tertulis di bawah batang the numbers are written under each bar"
    )
    axis = '<ol class="gap-axis"><li>0%</li><li>25%</li><li>50%</li><li>75%</li><li>100%</li></ol>'
    assert html.count(axis) == 3
    # the bar is decoration: hidden from screen readers, its numbers written out beside it
    assert html.count('<div class="gap-chart" aria-hidden="true">') == 3
    assert '<rect x="0" y="3" width="43" height="10" class="actual"/>' in html
    assert 'x1="65" x2="65" y1="0" y2="16" class="target-line"' in html
    assert (
        '<a href="/-/cite/f000-02">43%</a>' in html and '<a href="/-/cite/f000-03">65%</a>' in html
    )


async def test_the_stylesheet_makes_bars_thick_and_the_axis_readable(site):
    css = (await site.client.get("/assets/cakupan.css")).text
    block = css[css.index("/* gaps page */") :]
    height = float(re.search(r"\.gaps-list \.bar \{ height: (\d+)px", block).group(1))
    assert height * 10 / 16 >= 16  # the bar is 10 of the svg's 16 units tall
    assert ".gap-axis li:nth-child(5) { left: 100%" in block


async def test_computed_and_stated_gaps_are_explicit_on_every_row(site):
    html = (await site.client.get("/-/gaps")).text
    assert html.count('Kesenjangan, dihitung <span lang="en">Gap, computed</span>') == 3
    assert html.count("Kesenjangan menurut artikel") == 3
    # Bengkulu's article states its gap: both numbers and their difference
    assert text_of(html, "f001-01").endswith(
        "Kesenjangan, dihitung Gap, computed 20 poin pts = 48% − 28% (target − capaian coverage) "
        "Kesenjangan menurut artikel Gap stated by the article "
        "20 poin · selisih dengan hitungan difference from the computed gap 0 poin "
        "✓ sesuai matches (±0,5 poin) "
        "Laju yang diperlukan Pace needed 40,8 poin/tahun pts/year"
    )
    assert '<a href="/-/cite/f001-03">20 poin</a>' in html
    # Sarolangun's does not: the page says the gap is computed
    assert "tidak disebut artikel; dihitung dari target − capaian" in text_of(html, "f000-02")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("province=15", ["Kabupaten Sarolangun", "Jambi"]),
        ("province=15&level=province", ["Jambi"]),
        ("level=regency", ["Kabupaten Sarolangun"]),
        ("province=17", ["Bengkulu"]),
    ],
)
async def test_filters_keep_one_row_per_region(site, query, expected):
    html = (await site.client.get(f"/-/gaps?{query}")).text
    assert regions(html) == expected


# a catalogue far larger than the real one: every region with many figures
@pytest.fixture(scope="module")
def large(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("gaps-large") / "pkg")
    build(root)
    conn = sqlite3.connect(root / "build" / "cakupan.db")
    codes = [
        (code, name, level, parent)
        for code, name, level, parent in conn.execute(
            "select region_code, name, level, coalesce(parent_code, region_code) from regions"
        )
    ]
    rows = []
    for i in range(100_000):
        code, name, level, parent = codes[i % len(codes)]
        n = i // len(codes)
        actual = 20 + (i * 7919) % 60
        stated = actual + 5 if i % 3 == 0 else None
        rows.append(
            (code, name, level, parent, f"{2000 + n // 12:04d}-{n % 12 + 1:02d}-01", actual,
             80.0, 2030, 80.0 - actual, stated, None if stated is None else 1, f"x{i:06d}",
             f"x{i:06d}t", None if stated is None else f"x{i:06d}g")
        )  # fmt: skip
    # two figures of Aceh (11) on one date: the greater figure id is the latest
    for figure_id, actual in (("x999998", 70.0), ("x999999", 71.0)):
        rows.append(
            ("11", "Aceh", "province", "11", "2999-01-01", actual, 80.0, 2030, 80.0 - actual,
             None, None, figure_id, "t", None)
        )  # fmt: skip
    conn.executemany(
        """insert into coverage_gaps (region_code, region_name, level, province_code, as_of,
           actual_pct, target_pct, target_year, gap_pp, stated_gap_pp, stated_gap_disagrees,
           actual_figure_id, target_figure_id, stated_gap_figure_id, is_latest)
           values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)""",
        rows,
    )
    # the build's own step marks each region's latest row again, over every region
    conn.execute("create temp table derived_scope (region_code text primary key)")
    conn.execute("insert into temp.derived_scope select region_code from regions")
    conn.execute(dict(derived.steps())["fill coverage_gaps latest"])
    conn.commit()
    regions_with_gaps = conn.execute(
        "select count(distinct region_code) from coverage_gaps"
    ).fetchone()[0]
    conn.close()
    return make_datasette(root), root, regions_with_gaps


async def test_at_100000_figures_a_page_is_bounded(large, page_queries):
    site, root, regions_with_gaps = large
    seen = page_queries
    response = await site.client.get("/-/gaps")
    assert response.status_code == 200
    html = response.text
    assert len(response.content) < 1024 * 1024
    assert html.count('<li class="card"') == pages.CARDS_PAGE_SIZE
    names = regions(html)
    assert len(set(names)) == pages.CARDS_PAGE_SIZE
    assert f"dari {regions_with_gaps} " in html  # one row per region in all pages
    # each region's history is cut at three figures, with the region page for the rest
    assert html.count("<details") == pages.CARDS_PAGE_SIZE
    assert all(c.count("<li id=") <= 3 for c in html.split('<li class="card"')[1:])
    assert html.count("Riwayat lengkap di halaman") == pages.CARDS_PAGE_SIZE
    assert '<strong class="warn">berbeda / differs</strong>' in html
    # every query reads along an index, and a page makes a bounded number of them; the listing
    # walks the partial index of the latest rows, which has one entry per region, and so do
    # the count and the province filter's list of provinces (along whichever such index)
    conn = sqlite3.connect(root / "build" / "cakupan.db")
    scans = {
        detail
        for sql, params in seen
        for *_, detail in conn.execute("explain query plan " + sql, params)
        if detail.startswith("SCAN g") or "coverage_gaps" in detail and detail.startswith("SCAN")
    }
    latest_indexes = {
        f"SCAN g USING INDEX coverage_gaps_latest{by}" for by in ("", "_by_province", "_by_level")
    }
    assert "SCAN g USING INDEX coverage_gaps_latest" in scans and scans <= latest_indexes
    assert conn.execute("select count(*) from coverage_gaps where is_latest = 1").fetchone() == (
        regions_with_gaps,
    )
    assert len(seen) <= 5 + pages.CARDS_PAGE_SIZE


async def test_ties_on_the_latest_date_go_to_the_greater_figure_id(large):
    site, _, _ = large
    html = (await site.client.get("/-/gaps?province=11&level=province")).text
    assert regions(html) == ["Aceh"]
    assert '<li class="card" id="x999999">' in html and '<li id="x999998">' in html
