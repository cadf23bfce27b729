"""An award result's cite page (/-/cite-award/<id>) and the awards page's links to it."""

from __future__ import annotations

import html as htmllib
import json
import re
import sqlite3

import pytest
from helpers import copy_site, set_cell

from cakupan.build import build
from cakupan.site.app import make_datasette

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def site(root):
    return make_datasette(root)


async def get(site, path):
    return await site.client.get(path)


def text_of(fragment: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities read, spaces collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def between(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def citation(html: str, key: str) -> str:
    [found] = re.findall(
        rf'<(?:p class="citation-text"|pre) id="cite-{key}">(.*?)</(?:p|pre)>', html, re.S
    )
    return htmllib.unescape(found)


async def test_award_cite_page_gives_the_facts_quote_and_citations(site, root):
    response = await get(site, "/-/cite-award/a002-1")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=3600"
    html = response.text
    assert (
        "<title>Juara 1 Paritrana Award 2024: Kabupaten Bungo (kutip / cite a002-1) · cakupan</title>"
        in html
    )
    facts = between(html, '<dl class="facts">', "</dl>")
    assert text_of(facts) == (
        "Penghargaan Award Paritrana Award 2024 "
        "Tingkat Round provinsi Jambi (provincial) "
        "Kategori Category pemerintah kabupaten/kota "
        "Peringkat Rank juara 1 "
        "Wilayah Region Kabupaten Bungo "
        "Cakupan UCJ Coverage belum ada angka cakupan untuk wilayah ini no coverage figure for this region yet "
        "Tanggal penyerahan Ceremony date 10 Juni 2024 (10 June 2024) "
        "Media Outlet DRADIO.ID "
        "Artikel Article (tanpa judul / untitled)"
    )
    assert '<a href="/-/wilayah/15.08">Kabupaten Bungo</a>' in facts
    assert '<a href="/-/wilayah/15">Jambi</a>' in facts
    assert '<a href="/-/articles/002_ad03d7ffec287ddd#a002-1">' in facts

    assert (
        "Paritrana Award 2024 ini, diantaranya <mark>juara 1 diraih oleh Kabupaten Bungo</mark>, juara 2"
        in html
    )
    assert "<code>text[2673:2708]</code>" in html
    conn = sqlite3.connect(root / "build" / "cakupan.db")
    [(text, sha256)] = conn.execute(
        "select a.text, s.sha256 from articles a join sources s using (source_id) where source_id = ?",
        ("002_ad03d7ffec287ddd",),
    )
    assert text[2673:2708] == "juara 1 diraih oleh Kabupaten Bungo"
    assert f'<code class="hash">{sha256}</code>' in html

    assert citation(html, "id") == (
        "Kabupaten Bungo meraih juara 1 Paritrana Award 2024 tingkat provinsi Jambi, kategori "
        "pemerintah kabupaten/kota, diserahkan 10 Juni 2024, dikutip dari DRADIO.ID (artikel tanpa "
        "judul). Kutipan: \u201cjuara 1 diraih oleh Kabupaten Bungo\u201d"
    )
    assert citation(html, "apa") == "Mh. (n.d.). [Untitled article]. DRADIO.ID."
    assert citation(html, "en") == (
        "Kabupaten Bungo: rank 1, Paritrana Award 2024 (provincial round, Jambi), category "
        "\u201cpemerintah kabupaten/kota\u201d, presented on 10 June 2024, reported by DRADIO.ID "
        "(untitled article). Quote: \u201cjuara 1 diraih oleh Kabupaten Bungo\u201d"
    )
    # shown first, the rest folded, every one with the figure cite page's copy button
    assert re.findall(r"<h3>([^<]+)</h3>", html) == [
        "Gaya redaksi (Indonesia)", "APA", "Newsroom style (English)", "BibTeX", "CSL-JSON",
        "RIS (Zotero, EndNote, Mendeley)",
    ]  # fmt: skip
    assert (
        html.index('id="cite-apa"')
        < html.index('<details class="more-styles">')
        < html.index('id="cite-en"')
    )
    for key in ("id", "apa", "en", "bibtex", "csl", "ris"):
        assert f'<button type="button" class="copy" data-copy="cite-{key}">' in html
    assert '<script src="/assets/copy.js" defer></script>' in html
    assert 'href="http://localhost/-/cite-award/a002-1"' in html


async def test_award_bibtex_and_csl_parse(site):
    from pybtex.database import parse_string

    html = (await get(site, "/-/cite-award/a002-2")).text
    entry = parse_string(citation(html, "bibtex"), "bibtex").entries["cakupan-award-a002-2"]
    assert entry.fields["journal"] == "DRADIO.ID"
    assert "juara 2 diraih oleh Kabupaten Muaro Jambi" in entry.fields["note"]
    [item] = json.loads(citation(html, "csl"))
    assert item["id"] == "cakupan-award-a002-2" and item["type"] == "article-newspaper"
    assert citation(html, "ris").splitlines()[:3] == [
        "TY  - NEWS",
        "ID  - cakupan-award-a002-2",
        "TI  - [Untitled article]",
    ]
    assert (
        item["note"]
        == "cakupan award a002-2: \u201cjuara 2 diraih oleh Kabupaten Muaro Jambi\u201d"
    )


async def test_unknown_award_is_a_helpful_404(site):
    response = await get(site, "/-/cite-award/a999-9")
    assert response.status_code == 404
    assert "Penghargaan &#39;a999-9&#39; tidak ada dalam katalog." in response.text
    assert '<a href="/-/awards">' in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_awards_page_links_each_result_and_says_why_coverage_is_missing(site):
    html = (await get(site, "/-/awards")).text
    cited = re.findall(r'href="(/-/cite-award/[^"]+)"', html)
    assert cited == ["/-/cite-award/a002-1", "/-/cite-award/a002-2", "/-/cite-award/a002-3"]
    bungo = between(html, '<li id="a002-1">', "</li>")
    assert (
        '<a href="/-/wilayah/15.08">belum ada angka cakupan untuk wilayah ini '
        '<span lang="en">no coverage figure for this region yet</span></a>'
    ) in bungo
    assert "tidak diketahui" not in html
    assert 'Penyerahan <span lang="en">Ceremony</span>: 10 Juni 2024' in bungo
    assert 'media <span lang="en">outlet</span>: DRADIO.ID' in bungo
    for path in cited:  # every link opens a page
        assert (await get(site, path)).status_code == 200


async def test_curated_text_is_escaped(tmp_path):
    root = copy_site(tmp_path / "pkg")
    set_cell(root, "awards", "a002-1", "category", HOSTILE)
    build(root)
    site = make_datasette(root)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in ("/-/cite-award/a002-1", "/-/awards"):
        html = (await get(site, path)).text
        assert HOSTILE not in html and escaped in html, path
    html = (await get(site, "/-/cite-award/a002-1")).text
    assert citation(html, "id").count(HOSTILE) == 1  # the words, as text, not markup
