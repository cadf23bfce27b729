"""The journalist's pages: one search, a page per region, a home page with the numbers."""

from __future__ import annotations

import re
import sqlite3

import pytest
from helpers import copy_site

from cakupan.build import build
from cakupan.search import GROUPS, fts_query, marked
from cakupan.site.app import make_datasette


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("journalist") / "pkg")
    build(root)
    return root


@pytest.fixture(scope="module")
def site(root):
    return make_datasette(root)


async def get(site, path):
    return await site.client.get(path)


def hits(html: str) -> list[tuple[str, str]]:
    """(link, title) of every hit, in page order."""
    return re.findall(r'<a class="hit-title" href="([^"]+)">(.*?)</a>', html)


def test_a_search_box_is_never_fts_syntax():
    assert fts_query('BPJS-TK "Jambi') == '"BPJS" "TK" "Jambi"*'
    assert fts_query("NEAR(a b) OR c:d") == '"NEAR" "a" "b" "OR" "c" "d"*'
    assert fts_query("  ,.;  ") == ""


def test_snippets_are_escaped_before_words_are_marked():
    assert marked("<b>\ue010Dumisake\ue011</b> & co") == (
        "&lt;b&gt;<mark>Dumisake</mark>&lt;/b&gt; &amp; co"
    )


async def test_search_finds_the_programme_in_the_article_text_with_the_word_marked(site):
    html = (await get(site, "/-/search?q=dumisake")).text
    assert hits(html) == [("/-/articles/002_ad03d7ffec287ddd", "(tanpa judul / untitled)")]
    assert "melalui program <mark>Dumisake</mark>" in html


async def test_search_ignores_diacritics_and_case(site):
    plain = hits((await get(site, "/-/search?q=Dumisake")).text)
    assert hits((await get(site, "/-/search?q=DUMISAKÉ")).text) == plain != []


async def test_search_groups_awards_regions_and_figures(site):
    html = (await get(site, "/-/search?q=Paritrana")).text
    awards = [h for h in hits(html) if "#a002-" in h[0]]
    assert sorted(awards) == [  # equally relevant: the order among them is FTS5's
        ("/-/articles/002_ad03d7ffec287ddd#a002-1", "<mark>Paritrana</mark> Award 2024 · Kabupaten Bungo"),
        ("/-/articles/002_ad03d7ffec287ddd#a002-2", "<mark>Paritrana</mark> Award 2024 · Kabupaten Muaro Jambi"),
        ("/-/articles/002_ad03d7ffec287ddd#a002-3", "<mark>Paritrana</mark> Award 2024 · Kota Jambi"),
    ]  # fmt: skip
    regions = hits((await get(site, "/-/search?q=sarolangun&jenis=wilayah")).text)
    assert regions == [("/-/wilayah/15.03", "Kabupaten <mark>Sarolangun</mark>")]


async def test_a_groups_name_is_not_a_word_its_entries_are_found_by(site, root):
    # the kind is a column of the full-text index, matched apart from what the reader typed: a
    # search for "wilayah" among regions does not list all 553 of them
    for kind in ("wilayah", "tokoh", "penghargaan"):
        assert hits((await get(site, f"/-/search?q={kind}&jenis={kind}")).text) == []
    assert len(hits((await get(site, "/-/search?q=province&jenis=wilayah")).text)) == 20
    # and each group's count is the index's alone: no row of search_entries is read to filter it
    with sqlite3.connect(root / "build" / "cakupan.db") as conn:
        for group in GROUPS[2:]:
            plan = [
                r[-1] for r in conn.execute("explain query plan " + group.count_sql, {"q": "x"})
            ]
            assert plan == [
                "CO-ROUTINE (subquery-1)",
                "SCAN search_entries_fts VIRTUAL TABLE INDEX 0:M3",
                "SCAN (subquery-1)",
            ]


@pytest.mark.parametrize(
    "path, status",
    [("/-/search?q=jambi&jenis=semua", 400), ("/-/search?q=jambi&jenis=angka&halaman=9", 404),
     ("/-/search?q=jambi&halaman=x", 400), ("/-/search", 200), ("/-/search?q=zzzqqq", 200)],
)  # fmt: skip
async def test_search_refuses_what_it_cannot_answer(site, path, status):
    assert (await get(site, path)).status_code == status


async def test_region_page_shows_latest_coverage_target_and_gap_with_links(site):
    html = (await get(site, "/-/wilayah/15")).text
    latest = html[html.index('<section class="latest"') : html.index("</section>")]
    shown = " ".join(re.sub(r"<[^>]+>", " ", latest).split())
    assert shown == (
        "Angka terbaru Latest per 18 Maret 2025 Capaian Coverage 44% Target 2025 55% "
        "Kesenjangan, dihitung Gap, computed 11 poin pts (target − capaian) "
        # the article gives "lebih dari 1,3 juta" workers, so the computed count is a bound too
        "Pekerja yang perlu didaftarkan Workers still to enrol lebih dari 143.000 pekerja "
        "(dihitung computed ) "
        # and by the article's own counts, "sebanyak 782 ribu" − "sekitar 580 ribu"
        "Pekerja yang perlu didaftarkan, menurut angka artikel "
        "Workers still to enrol, by the article's own counts "
        "sekitar 202.000 pekerja = 782.000 pekerja − sekitar 580.000 pekerja "
        "(target − terdaftar enrolled )"
    )
    assert 'href="/-/cite/f003-03"' in latest
    assert (
        '<svg class="chart"' in html
        and 'href="/-/wilayah/15.03">Kabupaten Sarolangun</a>: 43%' in html
    )


async def test_a_region_lists_its_figures_a_page_at_a_time_and_charts_them_all(
    site, root, monkeypatch
):
    from cakupan.site import pages

    with sqlite3.connect(root / "build" / "cakupan.db") as conn:
        in_order = [
            figure_id
            for (figure_id,) in conn.execute(
                "select figure_id from time_series where region_code = '15'"
                " order by indicator_id, as_of, figure_id"
            )
        ]
        charted = conn.execute(
            "select count(*) from time_series where region_code = '15'"
            " and indicator_id in ('coverage_rate', 'coverage_target_rate')"
        ).fetchone()[0]
    assert len(in_order) > 4 and charted >= 2
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)

    def figures_and_chart(html):
        table = html[html.index('<table class="figures">') : html.index("</table>")]
        chart = html[html.index('<svg class="chart"') : html.index("</svg>")]
        return re.findall(r'href="/-/cite/([^"]+)"', table), len(re.findall("/-/cite/", chart))

    first = (await get(site, "/-/wilayah/15?halaman=1")).text  # a URL not cached before
    second = (await get(site, "/-/wilayah/15?halaman=2")).text
    assert figures_and_chart(first) == (in_order[:2], charted)
    assert figures_and_chart(second) == (in_order[2:4], charted)
    assert 'href="/-/wilayah/15?halaman=2"' in first and f"dari {len(in_order)}" in first
    last = -(-len(in_order) // 2)
    assert (await get(site, f"/-/wilayah/15?halaman={last + 1}")).status_code == 404
    assert (await get(site, "/-/wilayah/15?halaman=dua")).status_code == 400


@pytest.mark.parametrize("code, status", [("15.03", 200), ("ID", 200), ("99", 404), ("<x>", 404)])
async def test_every_region_code_has_a_page_and_an_unknown_one_is_a_404(site, code, status):
    response = await get(site, f"/-/wilayah/{code}")
    assert response.status_code == status and "<x>" not in response.text


async def test_home_shows_each_province_at_its_latest_coverage(site):
    html = (await get(site, "/")).text
    provinces = re.findall(r'<li><a href="/-/wilayah/(\w+)">([^<]+)</a>', html)
    assert provinces == [("17", "Bengkulu"), ("15", "Jambi")]  # larger gap first
    assert "_build" not in html and html.count("<h1>") == 1


async def test_a_word_in_nearly_every_row_is_counted_up_to_a_bound_and_listed_unranked(
    site, root, monkeypatch
):
    """Ranking 100,000 quotes that all hold "pekerja" by relevance takes longer than a page may;
    past COUNTED_UP_TO hits a group says "more than", lists the first ones in catalogue order,
    and the page says why."""
    from datasette.plugins import pm

    import cakupan.search

    page_search = pm.get_plugin("page_search.py")  # the plugin module Datasette loaded
    with sqlite3.connect(root / "build" / "cakupan.db") as conn:
        in_catalogue_order = [
            f"/-/cite/{key}"
            for (key,) in conn.execute(
                "select f.figure_id from figures_fts join figures f on f.rowid = figures_fts.rowid"
                " where figures_fts match '\"pekerja\"*' order by figures_fts.rowid"
            )
        ]
    assert len(in_catalogue_order) > 3
    monkeypatch.setattr(page_search, "COUNTED_UP_TO", 3)
    monkeypatch.setattr(cakupan.search, "COUNTED_UP_TO", 3)
    html = (await get(site, "/-/search?q=pekerja&jenis=angka&halaman=1")).text  # not cached
    assert [link for link, _ in hits(html)] == in_catalogue_order[:3]
    assert "<small>(lebih dari 3)</small>" in html
    assert "Lebih dari 3 hasil untuk “pekerja”" in html
    assert "Lebih dari 3 hasil: ditampilkan menurut urutan katalog, bukan relevansi" in html
    assert (await get(site, "/-/search?q=pekerja&jenis=angka&halaman=2")).status_code == 404
    for group in GROUPS:
        assert ".rank" not in group.unranked_sql and ".rowid limit :limit" in group.unranked_sql
