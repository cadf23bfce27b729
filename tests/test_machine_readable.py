"""For machines: robots.txt, the sitemap, Web Annotations, the home page's schema.org Dataset,
canonical links and meta descriptions, all written with the one public base URL."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from xml.etree import ElementTree

import hostile
import pytest
from click.testing import CliRunner
from helpers import copy_site, read_rows, set_cell

from cakupan.build import build
from cakupan.cli import cli
from cakupan.serve import PUBLIC_URL_ENV
from cakupan.site.app import make_datasette

PUBLIC = "https://cakupan.example.org"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# the seed article of 18 March 2025 as schema.org describes it, on the page and in a quotation
JAMBI_ARTICLE = {
    "@type": "NewsArticle",
    "@id": f"{PUBLIC}/-/articles/003_5c72670d165195ed",
    "headline": "BPJS Ketenagakerjaan Jambi Targetkan 55 Persen Pekerja Terlindungi Jaminan Sosial"
    " pada 2025",
    "datePublished": "2025-03-18",
    "inLanguage": "id",
}


@pytest.fixture
def site(root, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, PUBLIC)
    return make_datasette(root)


def query(root, sql: str) -> list:
    with closing(sqlite3.connect(root / "build" / "cakupan.db")) as conn:
        return [r[0] if len(r) == 1 else r for r in conn.execute(sql)]


def locations(xml: bytes, element: str) -> list[str]:
    return [
        e.findtext(f"{SITEMAP}loc")
        for e in ElementTree.fromstring(xml).findall(f"{SITEMAP}{element}")
    ]


async def test_robots_txt_points_to_the_sitemap(site):
    response = await site.client.get("/robots.txt")
    assert response.status_code == 200
    assert response.text.splitlines() == [
        "User-agent: *",
        "Disallow: /cakupan?sql=",
        "Disallow: /cakupan.json?sql=",
        "Disallow: /cakupan.csv?sql=",
        "Disallow: /-/search",
        "Allow: /",
        f"Sitemap: {PUBLIC}/sitemap.xml",
    ]


@pytest.mark.parametrize("part_size", [1000, 7])
async def test_the_sitemap_lists_every_cite_article_and_region_page(
    site, root, monkeypatch, part_size
):
    from datasette.plugins import pm

    monkeypatch.setattr(pm.get_plugin("machine_readable.py"), "SITEMAP_PART", part_size)
    index = await site.client.get("/sitemap.xml")
    assert index.headers["content-type"] == "application/xml; charset=utf-8"
    parts = locations(index.content, "sitemap")
    counts = {
        kind: -(-query(root, f"select max(rowid) from {table}")[0] // part_size)
        for kind, table in [("angka", "figures"), ("artikel", "sources"), ("wilayah", "regions")]
    }
    assert parts == [f"{PUBLIC}/sitemap-halaman-1.xml"] + [
        f"{PUBLIC}/sitemap-{kind}-{n}.xml" for kind, count in counts.items()
        for n in range(1, count + 1)
    ]  # fmt: skip
    assert (part_size == 7) == (len(parts) > 4)
    listed = []
    for part in parts:
        response = await site.client.get(part.removeprefix(PUBLIC))
        assert response.status_code == 200
        listed += locations(response.content, "url")
    expected = [
        f"{PUBLIC}{p}"
        for p in ["/", "/-/gaps", "/-/awards", "/-/articles", "/-/conflicts", "/-/releases"]
    ]
    expected += [
        f"{PUBLIC}/-/cite/{f}" for f in query(root, "select figure_id from figures order by rowid")
    ]
    expected += [
        f"{PUBLIC}/-/articles/{s}"
        for s in query(root, "select source_id from sources order by rowid")
    ]
    expected += [
        f"{PUBLIC}/-/wilayah/{r}"
        for r in query(root, "select region_code from regions order by rowid")
    ]
    assert listed == expected
    after_the_last = f"/sitemap-angka-{counts['angka'] + 1}.xml"
    assert (await site.client.get(after_the_last)).status_code == 404


async def test_a_figure_is_a_web_annotation_with_both_selectors(site, root):
    response = await site.client.get("/-/cite/f000-01.jsonld")
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    [(source_id, start, end, text)] = query(
        root,
        "select f.source_id, quote_start, quote_end, a.text from figures f"
        " join articles a using (source_id) where figure_id = 'f000-01'",
    )
    assert response.json() == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{PUBLIC}/-/cite/f000-01.jsonld",
        "type": "Annotation",
        "motivation": "identifying",
        "body": {"type": "SpecificResource", "source": f"{PUBLIC}/-/cite/f000-01"},
        "target": {
            # the package knows no URL for this article: its page here, never an invented one
            "source": f"{PUBLIC}/-/articles/{source_id}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "prefix": text[start - 32 : start],
                    "exact": "pekerja kita kurang lebih 112.000 pekerja",
                    "suffix": text[end : end + 32],
                },
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }
    assert text[start:end] == "pekerja kita kurang lebih 112.000 pekerja"


async def test_an_article_with_a_url_is_the_annotations_source(tmp_path, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, PUBLIC)
    root = copy_site(tmp_path / "pkg")
    [source_id] = query_package(root)
    set_cell(root, "sources", source_id, "url", "https://berita.example.org/ucj-jambi")
    build(root)
    [figure_id] = query(
        root, f"select figure_id from figures where source_id = '{source_id}' limit 1"
    )
    target = (await make_datasette(root).client.get(f"/-/cite/{figure_id}.jsonld")).json()["target"]
    assert (target["source"], target["scope"]) == (
        "https://berita.example.org/ucj-jambi",
        f"{PUBLIC}/-/articles/{source_id}",
    )


def query_package(root) -> list[str]:
    """The first article of the package (a test copy: its URL is made up for the test)."""
    return [read_rows(root / "data" / "sources.csv")[0]["source_id"]]


async def test_all_annotations_are_one_collection_of_the_same_annotations(site, root):
    response = await site.client.get("/-/annotations.jsonld")
    collection = response.json()
    figures = query(root, "select figure_id from figures order by rowid")
    assert {k: v for k, v in collection.items() if k != "first"} == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{PUBLIC}/-/annotations.jsonld",
        "type": "AnnotationCollection",
        "label": "cakupan: every figure's quote in its article",
        "total": len(figures),
    }
    one_by_one = [(await site.client.get(f"/-/cite/{f}.jsonld")).json() for f in figures]
    assert collection["first"] == {"type": "AnnotationPage", "items": one_by_one}
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="cakupan-annotations.jsonld"'
    )


async def test_an_unknown_figure_has_no_annotation(site):
    response = await site.client.get("/-/cite/nope.jsonld")
    assert (response.status_code, response.json()) == (
        404,
        {"error": "There is no figure 'nope' in the catalogue."},
    )


async def test_the_home_page_describes_the_catalogue_as_a_schema_org_dataset(site, root):
    html = (await site.client.get("/")).text
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    found = json.loads(data)
    tables = [
        r["name"]
        for r in json.loads((root / "datapackage.json").read_text())["resources"]
        if "schema" in r
    ]
    [built_at] = query(root, "select value from _build where key = 'built_at'")
    assert {
        k: found[k] for k in ("@context", "@type", "url", "license", "creator", "dateModified")
    } == {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "url": f"{PUBLIC}/",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "creator": [{"@type": "Organization", "name": "cakupan curators"}],
        "dateModified": built_at,
    }
    assert len(found["description"]) >= 50
    assert [(d["encodingFormat"], d["contentUrl"]) for d in found["distribution"]] == [
        ("application/zip", f"{PUBLIC}/-/download/cakupan-datapackage.zip"),
        ("application/vnd.sqlite3", f"{PUBLIC}/cakupan.db"),
    ] + [("text/csv", f"{PUBLIC}/cakupan/{t}.csv?_stream=on&_size=max") for t in tables]


@pytest.mark.parametrize(
    "path, canonical",
    [
        ("/", "/"),
        ("/-/gaps?province=15&utm_source=newsletter", "/-/gaps?province=15"),
        ("/-/cite/f000-01", "/-/cite/f000-01"),
        ("/-/wilayah/15", "/-/wilayah/15"),
        ("/cakupan/figures", "/cakupan/figures"),
        ("/cakupan", "/cakupan"),
    ],
)
async def test_every_page_has_a_canonical_link_and_a_meta_description(site, path, canonical):
    html = (await site.client.get(path)).text
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [PUBLIC + canonical]
    [description] = re.findall(r'<meta name="description" content="([^"]+)">', html)
    assert len(description) >= 50


async def test_the_change_feed_links_at_the_public_address(site):
    feed = await site.client.get("/-/changes.atom")
    links = [
        e.get("href")
        for e in ElementTree.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}link")
    ]
    assert links[:2] == [f"{PUBLIC}/-/changes.atom", f"{PUBLIC}/-/releases"]


async def test_without_a_public_url_links_use_the_address_asked(root, monkeypatch):
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    site = make_datasette(root)
    response = await site.client.get("/robots.txt")
    assert response.text.splitlines()[-1] == "Sitemap: http://localhost/sitemap.xml"


def test_serve_refuses_a_public_url_that_is_not_an_address(root):
    result = CliRunner().invoke(
        cli, ["serve", "--root", str(root), "--public-url", "cakupan.example.org", "--dry-run"]
    )
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --public-url: public URL 'cakupan.example.org': expected an "
        "http(s) address such as https://cakupan.example.org"
    )


def json_ld(html: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


async def test_an_article_page_describes_the_article_as_a_news_article(site):
    # what the article gives, and nothing it does not: article 000 prints its outlet but no date,
    # article 003 a date but no outlet; neither has a URL
    found = [
        json_ld((await site.client.get(f"/-/articles/{source_id}")).text)
        for source_id in ("000_0dc850caf364129e", "003_5c72670d165195ed")
    ]
    assert found == [
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "@id": f"{PUBLIC}/-/articles/000_0dc850caf364129e",
            "headline": "Kabupaten Sarolangun Naikkan UCJ BPJS Ketenagakerjaan Menjadi 65 Persen",
            "publisher": {"@type": "Organization", "name": "JAMBI-INDEPENDENT.CO.ID"},
            "inLanguage": "id",
        },
        {"@context": "https://schema.org", **JAMBI_ARTICLE},
    ]


async def test_curated_text_cannot_close_the_json_ld_script(tmp_path, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, PUBLIC)
    root = hostile.build(tmp_path / "pkg")
    build(root)
    html = (await make_datasette(root).client.get(f"/-/articles/{hostile.SOURCE_ID}")).text
    assert json_ld(html)["headline"] == hostile.HEADLINE
    assert "<script>alert(1)" not in html


def test_a_text_fragment_names_the_quote_and_which_occurrence_when_it_repeats():
    from cakupan.annotations import text_fragment

    url = "https://berita.example.org/ucj#top"
    text = "Target 55 persen. Cakupan baru 44 persen, naik. Tahun lalu 41 persen, kata Ahmad-Yani."
    assert text_fragment(url, "44 persen") == "https://berita.example.org/ucj#:~:text=44%20persen"
    start = text.index("41 persen")
    assert text_fragment(url, "persen", text, text.index("persen", start)) == (
        "https://berita.example.org/ucj#:~:text=Tahun%20lalu%2041-,persen,-%2C%20kata%20Ahmad%2DYani."
    )


async def test_a_cite_page_describes_its_quote_and_the_article_it_is_part_of(site):
    found = json_ld((await site.client.get("/-/cite/f003-03")).text)
    assert found == {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": f"{PUBLIC}/-/cite/f003-03",
        "url": f"{PUBLIC}/-/cite/f003-03",
        "text": "580 ribu pekerja atau 44 persen yang telah terdaftar sebagai peserta jaminan sosial "
        "ketenagakerjaan",
        "about": {"@type": "Place", "name": "Jambi", "identifier": "15"},
        "isPartOf": JAMBI_ARTICLE,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "spokenByCharacter": {"@type": "Person", "name": "Hendra Elvian"},
    }
