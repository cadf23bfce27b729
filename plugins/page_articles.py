"""/-/articles and /-/articles/<source_id>: each article's origin and its text with cited passages marked.

The article HTML was rendered and escaped once at build time (cakupan/render.py)."""

from datasette import hookimpl

from cakupan.formatting import amount_id
from cakupan.jsonld import SCHEMA_ORG, news_article, script
from cakupan.site.pages import Listing, message_page, one_page_of, page, rows
from cakupan.site.public_url import base_url


async def articles_index(datasette, request):
    async def render():
        # newest first along the sources_by_date index; figures counted by source_id, per row shown
        listing = await one_page_of(
            datasette,
            request,
            "sources s",
            "order by coalesce(s.published, s.event_date) desc, s.source_id",
            "Semua artikel / All articles",
            columns="""s.source_id, s.headline, s.outlet, s.published, s.event_date,
                (select count(*) from figures f where f.source_id = s.source_id) as figures""",
        )
        if not isinstance(listing, Listing):
            return listing
        context = {"articles": listing.rows, "pagination": listing.pagination}
        return 200, await datasette.render_template(
            "cakupan_articles.html", context, request=request
        )

    return await page(datasette, request, render)


async def article_page(datasette, request):
    source_id = request.url_vars["source_id"]

    async def render():
        found = await rows(
            datasette,
            "select s.*, a.html from sources s join articles a on a.source_id = s.source_id where s.source_id = :id",
            {"id": source_id},
        )
        if not found:
            return await message_page(
                datasette,
                request,
                404,
                f"Artikel '{source_id}' tidak ada dalam katalog.",
                f"There is no article '{source_id}' in the catalogue.",
                "/-/articles",
                "Semua artikel / All articles",
            )
        figures = await rows(
            datasette,
            """select f.figure_id, f.value, f.unit, f.qualifier, r.name as region_name, i.name_id as indicator_name_id
               from figures f join regions r on r.region_code = f.region_code
               join indicators i on i.indicator_id = f.indicator_id
               where f.source_id = :id order by f.quote_start""",
            {"id": source_id},
        )
        for f in figures:
            f["amount"] = amount_id(f["value"], f["unit"], f["qualifier"])
        source = found[0]
        jsonld = {"@context": SCHEMA_ORG, **news_article(source, base_url(datasette, request))}
        context = {
            "source": source,
            "html": source["html"],
            "figures": figures,
            "jsonld": script(jsonld),
        }
        return 200, await datasette.render_template(
            "cakupan_article.html", context, request=request
        )

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [
        (r"^/-/articles$", articles_index),
        (r"^/-/articles/(?P<source_id>[^/]+)$", article_page),
    ]
