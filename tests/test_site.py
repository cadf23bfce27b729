"""The published site through Datasette's own test client: pages, links, 404s, caching, downloads."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from helpers import copy_site

from cakupan.build import build
from cakupan.site.app import make_datasette


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("site") / "pkg")
    build(root)
    return make_datasette(root)


async def get(site, path, **headers):
    return await site.client.get(path, headers=headers)


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


async def test_gaps_page_ranks_regions_and_links_every_number(site):
    response = await get(site, "/-/gaps")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="id">' in html
    assert "<title>Kesenjangan cakupan UCJ / UCJ coverage gaps · cakupan</title>" in html
    regions = re.findall(r'<h2><a href="/-/wilayah/[^"]+">([^<]+)</a> <small>', html)
    assert regions == ["Kabupaten Sarolangun", "Bengkulu", "Jambi"]  # each at its latest figure
    cited = [link for link in links(html) if link.startswith("/-/cite/")]
    assert cited == [
        "/-/cite/f000-02", "/-/cite/f000-03", "/-/cite/f000-01",
        "/-/cite/f001-01", "/-/cite/f001-02", "/-/cite/f001-03",
        "/-/cite/f003-03", "/-/cite/f003-04", "/-/cite/f003-01", "/-/cite/f003-05", "/-/cite/f003-02",
        "/-/cite/f002-01", "/-/cite/f002-03",  # Jambi's earlier figure, in its history
    ]  # fmt: skip
    assert "22 poin" in html and "24.640" in html and "89,3 poin/tahun" in html
    assert '<rect x="0" y="3" width="43" height="10" class="actual"/>' in html
    assert "<script" not in html  # no scripts at all on this page, let alone external ones


@pytest.mark.parametrize(
    "query, regions",
    [
        ("province=17", ["Bengkulu"]),
        ("level=regency", ["Kabupaten Sarolangun"]),
        ("province=15&level=province", ["Jambi"]),
    ],
)
async def test_gaps_page_filters(site, query, regions):
    html = (await get(site, f"/-/gaps?{query}")).text
    assert re.findall(r'<h2><a href="/-/wilayah/[^"]+">([^<]+)</a> <small>', html) == regions


async def test_gaps_page_for_a_province_without_gaps_says_so(site):
    response = await get(site, "/-/gaps?province=11")
    assert response.status_code == 200
    assert "Tidak ada wilayah untuk saringan ini." in response.text


async def test_gaps_page_rejects_an_unknown_filter_value(site):
    response = await get(site, "/-/gaps?province=99")
    assert response.status_code == 400
    assert "Provinsi tidak dikenal: 99" in response.text and 'href="/-/gaps"' in response.text


async def test_awards_page_shows_ranks_with_their_quotes(site):
    response = await get(site, "/-/awards")
    assert response.status_code == 200
    ranks = re.findall(
        r'<li id="(a\d{3}-\d)"><strong>Juara (\d)</strong>: ([^\n]+?)\n', response.text
    )
    assert ranks == [
        ("a002-1", "1", "Kabupaten Bungo"),
        ("a002-2", "2", "Kabupaten Muaro Jambi"),
        ("a002-3", "3", "Kota Jambi"),
    ]
    assert (
        '<a href="/-/articles/002_ad03d7ffec287ddd#a002-1">“juara 1 diraih oleh Kabupaten Bungo”</a>'
        in response.text
    )
    # no coverage figure for any winner, and the page says so with a link to the region
    assert response.text.count("belum ada angka cakupan untuk wilayah ini") == 3


async def test_article_page_marks_every_cited_passage(site):
    response = await get(site, "/-/articles/003_5c72670d165195ed")
    assert response.status_code == 200
    html = response.text
    anchors = re.findall(r'<a class="cite-ref" id="([^"]+)" href="([^"]+)">', html)
    assert anchors == [(f"f003-0{n}", f"/-/cite/f003-0{n}") for n in (1, 2, 3, 4, 5)]
    assert "<dt>URL</dt><dd>tidak diketahui" in html
    assert "<dd>tidak disebutkan / not named</dd>" in html  # article 003 names no outlet
    assert "5aac1c88b702d686674fd1cf462e51f77b2603004f1472312b7320bb69c0f062" in html


async def test_article_index_lists_all_articles(site):
    html = (await get(site, "/-/articles")).text
    assert [link for link in links(html) if link.startswith("/-/articles/")] == [
        "/-/articles/001_0a2ebc8c94bb9855", "/-/articles/003_5c72670d165195ed",
        "/-/articles/000_0dc850caf364129e", "/-/articles/002_ad03d7ffec287ddd",
    ]  # fmt: skip


async def test_cite_page_gives_quote_arithmetic_and_citations(site):
    response = await get(site, "/-/cite/f000-02")
    assert response.status_code == 200
    html = response.text
    assert (
        "<title>Cakupan UCJ Kabupaten Sarolangun: 43 persen (kutip / cite f000-02) · cakupan</title>"
        in html
    )
    assert "<mark>yang sudah kita coverage baru 43 persen yang tercover</mark>" in html
    assert "<code>text[1014:1067]</code>" in html
    assert "target 65% − capaian 43% = <strong>22 poin</strong>" in html
    assert "<strong>sekitar 24.640 pekerja</strong>" in html
    assert [h for h in re.findall(r"<h3>([^<]+)</h3>", html)] == [
        "Gaya redaksi (Indonesia)",
        "APA",
        "Newsroom style (English)",
        "BibTeX",
        "CSL-JSON",
        "RIS (Zotero, EndNote, Mendeley)",
    ]
    assert 'href="http://localhost/-/cite/f000-02"' in html
    assert 'href="/-/articles/000_0dc850caf364129e#f000-02"' in html


async def test_cite_page_shows_consistency_checks(site):
    html = (await get(site, "/-/cite/f003-05")).text
    assert "consistent_with_qualifier" in html


@pytest.mark.parametrize(
    "path, message, back",
    [
        ("/-/cite/f999-99", "Angka &#39;f999-99&#39; tidak ada dalam katalog.", "/-/gaps"),
        ("/-/articles/nope", "Artikel &#39;nope&#39; tidak ada dalam katalog.", "/-/articles"),
    ],
)
async def test_unknown_figure_or_article_is_a_helpful_404(site, path, message, back):
    response = await get(site, path)
    assert response.status_code == 404
    assert message in response.text
    assert f'<a href="{back}">' in response.text


async def test_pages_send_etag_and_answer_304(site):
    first = await get(site, "/-/cite/f001-01")
    assert first.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=3600"
    etag = first.headers["etag"]
    again = await get(site, "/-/cite/f001-01", **{"if-none-match": etag})
    assert (again.status_code, again.text) == (304, "")
    other = await get(site, "/-/cite/f001-01", **{"if-none-match": '"something-else"'})
    assert other.status_code == 200


async def test_datasette_pages_link_figures_articles_and_checks(site):
    html = (await get(site, "/cakupan/figures")).text
    assert '<html lang="id">' in html
    assert '<a href="/-/cite/f000-01">pekerja kita kurang lebih 112.000 pekerja</a>' in html
    assert (
        '<a href="/-/articles/000_0dc850caf364129e">Kabupaten Sarolangun Naikkan UCJ BPJS Ketenagakerjaan Menjadi 65 Persen</a>'
        in html
    )
    assert '<a href="/-/wilayah/15.03">Kabupaten Sarolangun</a>' in html
    row = (await get(site, "/cakupan/coverage_gaps")).text
    # coverage_gaps is a table keyed by its coverage figure: the key opens the row, the other
    # figures open their cite pages
    assert '<a href="/cakupan/coverage_gaps/f000-02">f000-02</a>' in row
    assert '<a href="/-/cite/f000-03">f000-03</a>' in row
    checks = (await get(site, "/cakupan/consistency_checks")).text
    assert '<a href="/-/cite/f002-01">f002-01</a>, <a href="/-/cite/f002-02">f002-02</a>' in checks


async def test_gap_functions_work_in_the_sql_editor(site):
    sql = "select gap_pp(43, 65) as gap, workers_to_enrol(112000, 43, 65) as workers, pace_needed(43, 65, '2024-10-02', 2024) as pace"
    response = await site.client.get("/cakupan.json", params={"sql": sql, "_shape": "array"})
    assert response.json() == [{"gap": 22, "workers": 24640, "pace": 89.3}]


async def test_canned_query_finds_a_regions_figures(site):
    response = await site.client.get(
        "/cakupan/figures_for_region.json", params={"region": "Sarolangun", "_shape": "array"}
    )
    assert [r["figure_id"] for r in response.json()] == ["f000-02", "f000-03", "f000-01"]


async def test_csv_download_is_canonical_csv(site):
    response = await get(site, "/cakupan/coverage_gaps.csv?_size=max")
    assert response.headers["content-type"].startswith("text/plain") or response.headers[
        "content-type"
    ].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["region_name"], r["gap_pp"]) for r in table] == [
        ("Kabupaten Sarolangun", "22"),
        ("Bengkulu", "20"),
        ("Jambi", "14"),
        ("Jambi", "11"),
    ]  # integer-valued numbers download as integers
    assert not response.text.startswith("\ufeff")


async def test_the_whole_package_downloads_as_one_zip(site):
    response = await get(site, "/-/download/cakupan-datapackage.zip")
    assert response.status_code == 200
    names = sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert names == sorted(
        ["README.md", "datapackage.json", *(f"data/{t}.csv" for t in ("sources", "regions", "indicators", "people", "posts", "figures", "awards", "regulations", "corrections", "releases", "release_records", "release_changes")),
         *(f"sources/{s}.txt" for s in ("000_0dc850caf364129e", "001_0a2ebc8c94bb9855", "002_ad03d7ffec287ddd", "003_5c72670d165195ed"))]
    )  # fmt: skip


async def test_every_table_view_and_column_is_described(site):
    database = site.get_database("cakupan")
    missing = []
    for name in await database.table_names() + await database.view_names():
        if name.endswith("_fts") or "_fts_" in name:
            continue
        table = site.metadata(database="cakupan", table=name, fallback=False) or {}
        if not (table.get("description") or table.get("description_html")):
            missing.append(name)
        described = table.get("columns") or {}
        for column in await database.table_columns(name):
            if not described.get(column):
                missing.append(f"{name}.{column}")
    assert missing == []


async def test_datasette_pages_are_cached_with_etags_but_not_for_cookies(site):
    first = await get(site, "/cakupan/regions?level=province")
    again = await get(site, "/cakupan/regions?level=province")
    assert first.status_code == again.status_code == 200
    assert first.text == again.text
    # one ETag scheme: the first answer already carries the ETag the cached copy is sent with
    etag = again.headers["etag"]
    assert first.headers.get_list("etag") == [etag]
    revalidated = await get(site, "/cakupan/regions?level=province", **{"if-none-match": etag})
    assert (revalidated.status_code, revalidated.text) == (304, "")
    private = await get(site, "/cakupan/regions?level=province", cookie="ds_actor=someone")
    assert "etag" not in private.headers


async def test_errors_are_not_cached(site):
    bad = "/cakupan.json?sql=select+nope"
    assert (await get(site, bad)).status_code == 400
    assert "etag" not in (await get(site, bad)).headers


@pytest.mark.slow
async def test_user_sql_runs_one_at_a_time_and_a_long_queue_is_told_to_retry(site):
    import asyncio

    slow = {
        "sql": "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
        "_timelimit": "200",
    }
    responses = await asyncio.gather(
        *(site.client.get("/cakupan.json", params=slow) for _ in range(12))
    )
    statuses = sorted(r.status_code for r in responses)
    # one runs, eight wait their turn (each is then cut by the time limit), the rest are told to retry
    assert statuses == [400] * 9 + [429] * 3
    refused = [r for r in responses if r.status_code == 429]
    assert {r.headers["retry-after"] for r in refused} == {"5"}
    # pages and canned queries do not queue behind user SQL
    assert (await get(site, "/cakupan/latest_coverage.json")).status_code == 200
