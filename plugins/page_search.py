"""/-/search?q=…: one search over articles, quotes, regions, people and awards, grouped.

Without ?jenis= the page shows the first hits of every group and how many there are; with
?jenis=<group> one group a page at a time. The queries and the marking of matched words are the
library's (cakupan/search.py); this file only turns them into a page.
"""

import asyncio

from datasette import hookimpl

from cakupan.formatting import amount_id, date_id
from cakupan.search import COUNTED_UP_TO, GROUP_BY_KIND, GROUPS, fts_query, group_hits, marked
from cakupan.site.pages import (
    Pagination,
    arg,
    beyond_last_page,
    message_page,
    not_a_page_number,
    page,
    page_number,
    read,
)

PREVIEW = 5  # hits of each group on the overview
PAGE = 20  # hits a page within one group
BACK = "Cari / Search"


def links(kind: str, hit: dict) -> str:
    """Where a hit leads: a figure's cite page, an article, a region's page, an award's passage."""
    return {
        "artikel": f"/-/articles/{hit['key']}",
        "angka": f"/-/cite/{hit['key']}",
        "wilayah": f"/-/wilayah/{hit['key']}",
        "tokoh": f"/cakupan/people/{hit['key']}",
        # the award's passage, marked in its article
        "penghargaan": f"/-/articles/{hit.get('source_id')}#{hit['key']}",
    }[kind]


def shown(kind: str, hit: dict) -> dict:
    hit["href"] = links(kind, hit)
    hit["snippet_html"] = marked(hit.get("snippet") or "")
    if "title_marked" in hit:
        hit["title_html"] = marked(hit["title_marked"])
    hit["date_text"] = date_id(hit["date"]) if hit.get("date") else ""
    if kind == "angka":
        hit["amount"] = amount_id(hit["value"], hit["unit"], hit["qualifier"])
    return hit


async def hits(datasette, kind: str, query: str, limit: int, offset: int) -> tuple[int, list]:
    count, found = await read(datasette, group_hits, GROUP_BY_KIND[kind], query, limit, offset)
    return count, [shown(kind, h) for h in found]


async def search_page(datasette, request):
    async def render():
        text, kind = arg(request, "q").strip(), arg(request, "jenis")
        if kind and kind not in GROUP_BY_KIND:
            return await message_page(
                datasette, request, 400, f"Jenis hasil tidak dikenal: {kind}",
                f"Unknown kind of result: {kind}", "/-/search", BACK,
            )  # fmt: skip
        number = page_number(request)
        if number is None:
            return await not_a_page_number(datasette, request, BACK)
        query = fts_query(text)
        context = {"search_query": text, "kind": kind, "groups": [], "pagination": None}
        context["counted_up_to"] = COUNTED_UP_TO
        if query and kind:
            group = GROUP_BY_KIND[kind]
            count, found = await hits(datasette, kind, query, PAGE, (number - 1) * PAGE)
            pagination = Pagination(number, min(count, COUNTED_UP_TO), size=PAGE)
            if missing := await beyond_last_page(datasette, request, pagination, BACK):
                return missing
            context["pagination"] = pagination.context(request)
            context["groups"] = [{"group": group, "count": count, "hits": found}]
        elif query:  # the groups side by side, on both of the pages' threads
            found = await asyncio.gather(
                *(hits(datasette, group.kind, query, PREVIEW, 0) for group in GROUPS)
            )
            context["groups"] = [
                {"group": group, "count": count, "hits": group_found}
                for group, (count, group_found) in zip(GROUPS, found, strict=True)
            ]
        context["total"] = sum(min(g["count"], COUNTED_UP_TO) for g in context["groups"])
        context["more"] = any(g["count"] > COUNTED_UP_TO for g in context["groups"])
        return 200, await datasette.render_template("cakupan_search.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
