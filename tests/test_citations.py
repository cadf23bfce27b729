"""Every citation style parses in the tools journalists' reference managers are built on."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cakupan import citations

JS = Path(__file__).parent / "js"

BASE = {
    "figure_id": "f003-01", "source_id": "003_5c72670d165195ed", "value": 1_300_000.0,
    "unit": "workers", "qualifier": "more_than", "as_of": "2025-03-18", "target_year": None,
    "quote": "lebih dari 1,3 juta orang", "quote_start": 627, "quote_end": 652,
    "attribution": "direct", "region_name": "Jambi", "region_level": "province",
    "indicator_name_id": "Jumlah pekerja", "indicator_name_en": "Number of workers",
    "speaker": None, "speaker_post": None, "outlet": None, "byline": None,
    "headline": "BPJS Ketenagakerjaan Jambi Targetkan 55 Persen", "published": "2025-03-18",
    "url": None, "date_accessed": "2026-11-21",
}  # fmt: skip
NO_OUTLET = BASE
UNTITLED = {**BASE, "figure_id": "f002-01", "source_id": "002_ad03d7ffec287ddd",
            "headline": None, "outlet": "DRADIO.ID", "byline": "Mh", "published": None}  # fmt: skip
ONLINE = {**BASE, "outlet": "Antara", "url": "https://example.org/berita?id=1&x=2"}
CASES = [NO_OUTLET, UNTITLED, ONLINE]


def test_bibtex_entry_types_month_day_and_protected_title():
    assert citations.bibtex(NO_OUTLET) == (
        "@article{cakupan-f003-01,\n"
        "  title = {{BPJS Ketenagakerjaan Jambi Targetkan 55 Persen}},\n"
        "  journal = {cakupan archive, article 003\\_5c72670d165195ed (outlet not named in the text)},\n"
        "  entrysubtype = {newspaper},\n"
        "  date = {2025-03-18},\n  year = {2025},\n  day = {18},\n"
        "  note = {cakupan figure f003-01: \u201clebih dari 1,3 juta orang\u201d (characters 627\u2013652)},\n"
        "  langid = {indonesian},\n  month = mar\n}"
    )
    assert citations.bibtex(ONLINE).startswith("@online{cakupan-f003-01,")
    assert "  urldate = {2026-11-21}," in citations.bibtex(ONLINE).splitlines()


@pytest.mark.parametrize("ctx", CASES, ids=["no-outlet", "untitled", "online"])
def test_pybtex_reads_bibtex(ctx):
    from pybtex.database import parse_string

    entry = parse_string(citations.bibtex(ctx), "bibtex").entries["cakupan-" + ctx["figure_id"]]
    assert entry.type == ("online" if ctx["url"] else "article")
    assert entry.fields["title"] == "{" + citations.title(ctx) + "}"
    if ctx["published"]:
        assert (entry.fields["month"], entry.fields["day"]) == ("March", "18")


@pytest.mark.parametrize("ctx", CASES, ids=["no-outlet", "untitled", "online"])
def test_citeproc_renders_csl(ctx):
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    item = json.loads(citations.cite(ctx, "csl"))
    assert item[0]["citation-key"] == "cakupan-" + ctx["figure_id"]
    assert item[0]["accessed"] == {"date-parts": [[2026, 11, 21]]}
    source = CiteProcJSON(item)
    bib = CitationStylesBibliography(
        CitationStylesStyle("harvard-cite-them-right", validate=False), source, formatter.plain
    )
    bib.register(Citation([CitationItem(item[0]["id"])]))
    text = str(bib.bibliography()[0])
    assert citations.title(ctx) in text and citations.container(ctx) in text


def test_every_article_has_a_container_and_untitled_is_said():
    assert citations.container(NO_OUTLET) == (
        "cakupan archive, article 003_5c72670d165195ed (outlet not named in the text)"
    )
    assert citations.apa(UNTITLED) == "Mh. (n.d.). [Untitled article]. DRADIO.ID."
    assert citations.apa(NO_OUTLET).endswith("(outlet not named in the text).")


def test_ris():
    assert citations.cite(ONLINE, "ris") == (
        "TY  - NEWS\nID  - cakupan-f003-01\nTI  - BPJS Ketenagakerjaan Jambi Targetkan 55 Persen\n"
        "T2  - Antara\nPY  - 2025\nDA  - 2025/03/18\nUR  - https://example.org/berita?id=1&x=2\n"
        "Y2  - 2026/11/21\nLA  - id\n"
        "N1  - cakupan figure f003-01: \u201clebih dari 1,3 juta orang\u201d (characters 627\u2013652)\n"
        "ER  - \n"
    )
    assert "ris" in citations.STYLES


@pytest.fixture
def citation_js():
    """citation-js from tests/js (npm install there); skipped locally without it, failed in CI."""
    if shutil.which("node") and (JS / "node_modules" / "@citation-js").is_dir():
        return JS / "parse.js"
    if os.environ.get("CAKUPAN_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail("citation-js is required in CI: npm ci --prefix tests/js")
    pytest.skip("citation-js not installed (npm install --prefix tests/js)")


@pytest.mark.parametrize("ctx", CASES, ids=["no-outlet", "untitled", "online"])
def test_citation_js_reads_every_style(citation_js, ctx):
    styles = {s: citations.cite(ctx, s) for s in ("csl", "bibtex", "ris")}
    run = subprocess.run(
        ["node", str(citation_js)],
        input=json.dumps(styles),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stderr == ""
    parsed = json.loads(run.stdout)
    for style, items in parsed.items():
        (item,) = items
        # citation-js reads RIS's PY (the year) as the date and leaves DA (the full date) aside
        day = [[2025]] if style == "ris" else [[2025, 3, 18]]
        issued = {"date-parts": day} if ctx["published"] else None
        assert (style, item["id"], item["title"], item.get("issued")) == (
            style, "cakupan-" + ctx["figure_id"], citations.title(ctx), issued,
        )  # fmt: skip
        # BibTeX's urldate belongs to a URL, so an entry without one has no access date
        accessed = (
            None if style == "bibtex" and not ctx["url"] else {"date-parts": [[2026, 11, 21]]}
        )
        assert item.get("accessed") == accessed
        assert item.get("container-title", item.get("publisher")) == citations.container(ctx)
        # citation-js types every biblatex @article as a journal article, keeping the subtype as genre
        kind = {"csl": "article-newspaper", "ris": "article-newspaper"}.get(style)
        if style == "bibtex":
            kind = "webpage" if ctx["url"] else "article-journal"
            assert item.get("genre") == (None if ctx["url"] else "newspaper")
        assert item["type"] == kind
