"""For machines: /robots.txt, /sitemap.xml (an index of parts, each at most SITEMAP_PART pages),
each figure as a W3C Web Annotation at /-/cite/<id>.jsonld and all of them at
/-/annotations.jsonld; and for every page a canonical link and the public base URL, and for the
home page the catalogue as schema.org Dataset JSON-LD (cakupan/jsonld.py builds them all).

Every absolute URL comes from cakupan/site/public_url.py. Sitemap parts and the annotation
collection walk the tables by rowid range: each query is an index search of bounded size, however
large the catalogue."""

import json
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from datasette import hookimpl
from datasette.utils.asgi import Response

from cakupan.annotations import SELECTOR_CONTEXT_CHARS, annotation
from cakupan.jsonld import (
    URL_ELEMENT_SQL,
    dataset,
    robots,
    script,
    sitemap_index,
    urlset,
    urlset_of,
)
from cakupan.site.pages import CACHE_CONTROL, PageTooSlow, rows
from cakupan.site.public_url import base_url
from cakupan.site.response_cache import normalised_query

DESCRIPTOR = Path(__file__).resolve().parent.parent / "datapackage.json"
# pages per sitemap file: the protocol allows 50,000; a part of 1,000 (about 60 KB) costs a
# request what the seeds' one small part does, however large the catalogue
SITEMAP_PART = 1_000
ANNOTATION_CHUNK = 1_000
LIST_PAGES = ["/", "/-/gaps", "/-/awards", "/-/articles", "/-/conflicts", "/-/releases"]
# sitemap part kind -> (table, key column, the path of a key's page without the key)
KINDS = {
    "angka": ("figures", "figure_id", "/-/cite/"),
    "artikel": ("sources", "source_id", "/-/articles/"),
    "wilayah": ("regions", "region_code", "/-/wilayah/"),
}
XML = "application/xml; charset=utf-8"
JSONLD = "application/ld+json; charset=utf-8"

# the figure, its article's URL and the article's text either side of the quote (SQLite's substr
# counts code points, as the offsets do)
ANNOTATION_SQL = f"""
select f.figure_id, f.source_id, f.quote, f.quote_start, f.quote_end, f.quote_prefix,
       f.quote_suffix, s.url,
       substr(a.text, max(f.quote_start - {SELECTOR_CONTEXT_CHARS - 1}, 1),
              min(f.quote_start, {SELECTOR_CONTEXT_CHARS})) as before_text,
       substr(a.text, f.quote_end + 1, {SELECTOR_CONTEXT_CHARS}) as after_text
from figures f join sources s on s.source_id = f.source_id
join articles a on a.source_id = f.source_id
"""


@cache
def descriptor() -> dict:
    return json.loads(DESCRIPTOR.read_text("utf-8")) if DESCRIPTOR.exists() else {}


def served(body: str, content_type: str, status: int = 200) -> Response:
    headers = {"Cache-Control": CACHE_CONTROL if status == 200 else "no-store"}
    return Response(body, status=status, headers=headers, content_type=content_type)


async def robots_txt(datasette, request):
    return served(robots(base_url(datasette, request)), "text/plain; charset=utf-8")


async def highest_rowid(datasette, table: str) -> int:
    [row] = await rows(datasette, f"select coalesce(max(rowid), 0) as n from {table}")
    return row["n"]


async def sitemap(datasette, request):
    base = base_url(datasette, request)
    parts = [f"{base}/sitemap-halaman-1.xml"]
    for kind, (table, _, _) in KINDS.items():
        count = -(-await highest_rowid(datasette, table) // SITEMAP_PART)
        parts += [f"{base}/sitemap-{kind}-{n}.xml" for n in range(1, count + 1)]
    return served(sitemap_index(parts), XML)


async def sitemap_part(datasette, request):
    base = base_url(datasette, request)
    kind, n = request.url_vars["kind"], int(request.url_vars["n"])
    if kind == "halaman" and n == 1:
        return served(urlset([base + p for p in LIST_PAGES]), XML)
    if kind != "halaman":
        table, key, page_path = KINDS[kind]
        [found] = await rows(
            datasette,
            f"""select count(*) as n, group_concat({URL_ELEMENT_SQL.format(key=key)}, char(10)) as xml
                from (select {key} from {table} where rowid > :lo and rowid <= :hi order by rowid)""",
            {"lo": (n - 1) * SITEMAP_PART, "hi": n * SITEMAP_PART, "base": escape(base),
             "path": page_path},
        )  # fmt: skip
        if found["n"]:
            return served(urlset_of(found["xml"]), XML)
    return served("No such sitemap part.\n", "text/plain; charset=utf-8", status=404)


def as_annotation(row: dict, base: str) -> dict:
    return annotation(row, base, row.pop("before_text") or "", row.pop("after_text") or "")


async def figure_annotation(datasette, request):
    figure_id = request.url_vars["figure_id"]
    found = await rows(datasette, ANNOTATION_SQL + " where f.figure_id = :id", {"id": figure_id})
    if not found:
        body = json.dumps({"error": f"There is no figure {figure_id!r} in the catalogue."})
        return served(body, JSONLD, status=404)
    body = json.dumps(as_annotation(found[0], base_url(datasette, request)), ensure_ascii=False)
    return served(body, JSONLD)


async def all_annotations(datasette, request, send):
    """Every figure's annotation as one W3C AnnotationCollection, streamed a chunk of figures
    at a time (a download like the CSVs: it reads the whole table, in bounded queries)."""
    base = base_url(datasette, request)
    last = await highest_rowid(datasette, "figures")
    [total] = await rows(datasette, "select count(*) as n from figures")
    headers = [
        (b"content-type", JSONLD.encode()),
        (b"cache-control", CACHE_CONTROL.encode()),
        (b"content-disposition", b'attachment; filename="cakupan-annotations.jsonld"'),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    head = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{base}/-/annotations.jsonld",
        "type": "AnnotationCollection",
        "label": "cakupan: every figure's quote in its article",
        "total": total["n"],
    }
    opening = (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "first": {"type": "AnnotationPage", "items": ['
    )
    await send({"type": "http.response.body", "body": opening.encode(), "more_body": True})
    first = True
    for lo in range(0, last, ANNOTATION_CHUNK):
        try:
            chunk = await rows(
                datasette,
                ANNOTATION_SQL + " where f.rowid > :lo and f.rowid <= :hi order by f.rowid",
                {"lo": lo, "hi": lo + ANNOTATION_CHUNK},
            )
        except PageTooSlow:
            break  # what was sent stays valid JSON once closed below; the count says it is short
        items = [json.dumps(as_annotation(r, base), ensure_ascii=False) for r in chunk]
        if items:
            text = ("" if first else ",") + ",".join(items)
            first = False
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})
    await send({"type": "http.response.body", "body": b"]}}"})


def canonical(datasette, request) -> str:
    """The page's address at the public base URL, with only the parameters the page reads."""
    query = normalised_query(request.path, request.query_string.encode("latin-1"))
    return base_url(datasette, request) + request.path + (f"?{query}" if query else "")


async def home_dataset(datasette, base: str) -> str:
    try:
        found = await rows(datasette, "select value from _build where key = 'built_at'")
    except PageTooSlow:
        found = []
    return script(dataset(descriptor(), base, found[0]["value"] if found else None))


@hookimpl
def extra_template_vars(template, datasette, request):
    if request is None:
        return {}

    async def inner():
        base = base_url(datasette, request)
        found = {"cakupan_canonical": canonical(datasette, request), "cakupan_base_url": base}
        if template == "index.html":
            found["cakupan_dataset_jsonld"] = await home_dataset(datasette, base)
        return found

    return inner


@hookimpl
def register_routes():
    return [
        (r"^/robots\.txt$", robots_txt),
        (r"^/sitemap\.xml$", sitemap),
        (
            r"^/sitemap-(?P<kind>halaman|angka|artikel|wilayah)-(?P<n>[1-9][0-9]{0,6})\.xml$",
            sitemap_part,
        ),
        (r"^/-/cite/(?P<figure_id>[^/]+)\.jsonld$", figure_annotation),
        (r"^/-/annotations\.jsonld$", all_annotations),
    ]
