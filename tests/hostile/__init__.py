"""A hostile package: the real one plus an article, rows and metadata written to attack the site.

Only the differences live here (article.txt, and the rows below); build() copies the real
package beside them, registers the article exactly as the curation tools would (sources.csv row
with its SHA-256 and size, a file resource in datapackage.json) and places every quote by its
code-point offsets, so the package validates and builds like a curated one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from helpers import ROOT, copy_package, copy_site, link_site_files, read_rows, write_rows  # noqa: F401 (copy_site is re-exported)

HERE = Path(__file__).resolve().parent
SOURCE_ID = "900_hostile"
# 50,000 characters on one line, markup included, so escaping is exercised at length too
LONG_LINE = ("<b>panjang</b> " * 3334)[:50_000]
ARTICLE = (HERE / "article.txt").read_text("utf-8") + "\n" + LONG_LINE + "\n"

HEADLINE = "<script>alert(1)</script> Cakupan UCJ di Sarolangun"
OUTLET = "<img src=x onerror=alert(1)>"
URL = 'https://evil.example/"><script>alert(1)</script>'  # javascript: is refused by validation
FIGURE_QUOTE = "cakupan\u200b baru <b>43 persen</b> pekerja"
FORMULA_QUOTE = '=HYPERLINK("http://evil.example","43 persen")'
FORMULA_NOTE = '=HYPERLINK("javascript:alert(1)","<script>alert(1)</script>")'
NAME = '<script>alert("name")</script>'
POST = '"><svg onload=alert(1)>'
POST_QUOTE = "Kepala Dinas <i onmouseover=alert(1)>Hostile</i>"
AWARD_QUOTE = "juara 1 diraih <svg onload=alert(1)>"
CATEGORY = "<img src=x onerror=alert(1)> \u202ekota"
METADATA_TEXT = "<script>alert('metadata')</script> “kutipan” – 43 × 2"


def placed(quote: str) -> dict[str, str]:
    start = ARTICLE.index(quote)
    assert ARTICLE.count(quote) == 1, quote
    return {"quote": quote, "quote_start": str(start), "quote_end": str(start + len(quote))}


def append(root: Path, table: str, row: dict[str, str]) -> None:
    path = root / "data" / f"{table}.csv"
    rows = read_rows(path)
    write_rows(path, rows + [{name: row.get(name, "") for name in rows[0]}], list(rows[0]))


def build(dest: Path) -> Path:
    """The hostile package at dest, with the site's metadata, plugins, templates and static."""
    root = copy_package(dest)
    raw = ARTICLE.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    (root / "sources" / f"{SOURCE_ID}.txt").write_bytes(raw)
    append(
        root,
        "sources",
        {
            "source_id": SOURCE_ID,
            "path": f"sources/{SOURCE_ID}.txt",
            "sha256": digest,
            "bytes": str(len(raw)),
            "headline": HEADLINE,
            "outlet": OUTLET,
            "dateline": "SAROLANGUN",
            "event_date": "2025-01-15",
            "event_date_as_printed": "Rabu 15 Januari 2025",
            "language": "id",
            "url": URL,
            "date_accessed": "2026-11-21",
            "rights": f"Text © {OUTLET}; kept only so that quotations can be verified.",
            "note": "<svg onload=alert(1)>",
        },
    )
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"].append(
        {
            "name": f"article-{SOURCE_ID}",
            "title": HEADLINE,
            "description": "Article text exactly as received.",
            "path": f"sources/{SOURCE_ID}.txt",
            "format": "txt",
            "mediatype": "text/plain",
            "encoding": "utf-8",
            "hash": f"sha256:{digest}",
            "bytes": len(raw),
        }
    )
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    append(root, "people", {"person_id": "hostile", "name": NAME, "name_as_printed": POST_QUOTE})
    append(
        root,
        "posts",
        {
            "person_id": "hostile",
            "source_id": SOURCE_ID,
            "post": POST,
            "organisation": OUTLET,
            "region_code": "15.03",
            **placed(POST_QUOTE),
        },
    )
    figure = {
        "source_id": SOURCE_ID,
        "region_code": "15.03",
        "indicator_id": "coverage_rate",
        "value": "43",
        "unit": "percent",
        "qualifier": "exact",
        "as_of": "2025-01-15",
        "as_of_basis": "event_date",
        "attribution": "reported_speech",
    }
    append(
        root,
        "figures",
        {
            **figure,
            "figure_id": "f900-01",
            "speaker_id": "hostile",
            **placed(FIGURE_QUOTE),
            "note": "<img src=x onerror=alert(1)> “catatan” – 43 × 2",
        },
    )
    append(
        root,
        "figures",
        {**figure, "figure_id": "f900-02", **placed(FORMULA_QUOTE), "note": FORMULA_NOTE},
    )
    append(
        root,
        "awards",
        {
            "award_id": "a900-1",
            "award": "Paritrana Award",
            "award_year": "2025",
            "level": "provincial",
            "organising_region_code": "15",
            "category": CATEGORY,
            "rank": "1",
            "region_code": "15.03",
            "source_id": SOURCE_ID,
            **placed(AWARD_QUOTE),
        },
    )
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text("utf-8"))
    metadata["source"] = METADATA_TEXT
    metadata["databases"]["cakupan"]["tables"]["figures"]["title"] = METADATA_TEXT
    metadata["databases"]["cakupan"]["queries"]["figures_for_region"]["description"] = METADATA_TEXT
    (root / "metadata.yml").write_text(yaml.safe_dump(metadata, allow_unicode=True), "utf-8")
    link_site_files(root)
    return root
