"""What search engines and data portals read: the catalogue as a schema.org Dataset, an article as
a NewsArticle, a figure as a Quotation of it, and sitemaps. No Datasette here: the site's routes
(plugins/machine_readable.py) hand in the rows and the public base URL (cakupan/site/public_url.py).

Nothing is invented: a property the package or the article does not give is left out (no URL for
an article without one, no publisher without an outlet, no datePublished without a date)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

SCHEMA_ORG = "https://schema.org"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# the current build's downloads: addresses that stay the same across releases
PACKAGE_ZIP = "/-/download/cakupan-datapackage.zip"
DATABASE_FILE = "/cakupan.db"


def present(mapping: dict) -> dict:
    """The mapping without its empty values: a property nobody gave is left out."""
    return {k: v for k, v in mapping.items() if v not in (None, "", [])}


def dataset(descriptor: dict, base: str, date_modified: str | None) -> dict:
    """The package as a schema.org Dataset, with every download as a DataDownload: the zip, the
    database, and each curated table as CSV (every row, streamed)."""
    tables = [r for r in descriptor.get("resources", []) if "schema" in r]
    distribution = [
        {"@type": "DataDownload", "name": "Paket data / Data package (Frictionless, zip)",
         "encodingFormat": "application/zip", "contentUrl": base + PACKAGE_ZIP},
        {"@type": "DataDownload", "name": "Basis data / Database (SQLite)",
         "encodingFormat": "application/vnd.sqlite3", "contentUrl": base + DATABASE_FILE},
    ] + [
        {"@type": "DataDownload", "name": f"{t['name']} (CSV)", "description": t.get("title"),
         "encodingFormat": "text/csv",
         "contentUrl": f"{base}/cakupan/{t['name']}.csv?_stream=on&_size=max"}
        for t in tables
    ]  # fmt: skip
    licence = (descriptor.get("licenses") or [{}])[0]
    return present(
        {
            "@context": SCHEMA_ORG,
            "@type": "Dataset",
            "name": descriptor.get("title") or descriptor.get("name"),
            "alternateName": descriptor.get("name"),
            "description": descriptor.get("description"),
            "url": base + "/",
            "license": licence.get("path") or licence.get("name"),
            "creator": [
                {"@type": "Organization", "name": c["title"]}
                for c in descriptor.get("contributors", [])
                if "author" in c.get("roles", []) or not c.get("roles")
            ],
            "keywords": descriptor.get("keywords"),
            "version": descriptor.get("version"),
            "dateCreated": descriptor.get("created"),
            "dateModified": date_modified,
            "inLanguage": ["id", "en"],
            "isAccessibleForFree": True,
            "distribution": [present(d) for d in distribution],
        }
    )


def news_article(source: dict, base: str) -> dict:
    """An article as schema.org NewsArticle: its page here, and its own URL when known."""
    return present(
        {
            "@type": "NewsArticle",
            "@id": f"{base}/-/articles/{source['source_id']}",
            "headline": source.get("headline"),
            "datePublished": source.get("published"),
            "publisher": {"@type": "Organization", "name": source["outlet"]}
            if source.get("outlet")
            else None,
            "author": {"@type": "Person", "name": source["byline"]}
            if source.get("byline")
            else None,
            "url": source.get("url"),
            "inLanguage": source.get("language"),
            "sameAs": source.get("url"),
        }
    )


def quotation(figure: dict, source: dict, base: str) -> dict:
    """A figure's cite page: the quote, who said it, and the article it is part of."""
    return present(
        {
            "@context": SCHEMA_ORG,
            "@type": "Quotation",
            "@id": f"{base}/-/cite/{figure['figure_id']}",
            "url": f"{base}/-/cite/{figure['figure_id']}",
            "text": figure["quote"],
            "about": present(
                {
                    "@type": "Place",
                    "name": figure.get("region_name"),
                    "identifier": figure.get("region_code"),
                }
            ),
            "spokenByCharacter": {"@type": "Person", "name": figure["speaker"]}
            if figure.get("speaker")
            else None,
            "isPartOf": news_article(source, base),
            "license": "https://creativecommons.org/licenses/by/4.0/",
        }
    )


def script(data: dict) -> str:
    """JSON for an inline <script type="application/ld+json">: `<`, `>` and `&` escaped so no
    curated string can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def url_element(loc_xml: str) -> str:
    """One sitemap <url>, its location already escaped (URL_ELEMENT_SQL builds the same in SQL)."""
    return f"  <url><loc>{loc_xml}</loc></url>"


# url_element() of `:base || path || key` in SQL, the key escaped as escape() would: a sitemap
# part is one query's string, not a Python loop over its rows
URL_ELEMENT_SQL = (
    "'  <url><loc>' || :base || :path || "
    "replace(replace(replace({key}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</loc></url>'"
)


def urlset_of(elements: str) -> str:
    """A sitemap part of url_element() lines, joined by newlines."""
    return "\n".join(
        ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">', elements,
         "</urlset>", ""]
    )  # fmt: skip


def urlset(urls: list[str]) -> str:
    return urlset_of("\n".join(url_element(escape(u)) for u in urls))


def sitemap_index(urls: list[str]) -> str:
    lines = [f"  <sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls]
    return "\n".join(
        ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">', *lines,
         "</sitemapindex>", ""]
    )  # fmt: skip


def robots(base: str) -> str:
    """Every page may be crawled but the SQL editor's results and the search (endless URLs of
    little worth); the sitemap lists the pages that matter."""
    return "\n".join(
        ["User-agent: *", "Disallow: /cakupan?sql=", "Disallow: /cakupan.json?sql=",
         "Disallow: /cakupan.csv?sql=", "Disallow: /-/search", "Allow: /",
         f"Sitemap: {base}/sitemap.xml", ""]
    )  # fmt: skip
