"""/-/cite-award/<award_id>: one Paritrana result, its quote in context, the region's coverage
beside it, and ready citations in the styles a figure's cite page offers (cakupan/citations.py
formats both).

Every award row has a page, a retracted article's too (it says so): the page reads `awards` by
key and joins its regions, article and ranking by key, so it costs a few index seeks.
"""

from datasette import hookimpl

from cakupan.annotations import around, text_fragment
from cakupan.citations import award_newsroom, page_citations
from cakupan.site.pages import message_page, page, rows
from cakupan.site.public_url import base_url

LEVEL_ID = {"provincial": "provinsi", "national": "nasional"}
BACK = ("/-/awards", "Semua penghargaan / All awards")


AWARD_SQL = """
select a.*, r.name as region_name, r.level as region_level, o.name as organising_region,
       s.outlet, s.headline, s.byline, s.published, s.url, s.date_accessed, s.sha256,
       s.retracted_on, t.text as article_text,
       ar.coverage_pct, ar.coverage_as_of, ar.coverage_figure_id
from awards a
join regions r on r.region_code = a.region_code
join regions o on o.region_code = a.organising_region_code
join sources s on s.source_id = a.source_id
join articles t on t.source_id = a.source_id
left join award_rankings ar on ar.award_id = a.award_id
where a.award_id = :id
"""  # every join by primary key


async def award_cite_page(datasette, request):
    award_id = request.url_vars["award_id"]

    async def render():
        found = await rows(datasette, AWARD_SQL, {"id": award_id})
        if not found:
            return await message_page(
                datasette,
                request,
                404,
                f"Penghargaan '{award_id}' tidak ada dalam katalog.",
                f"There is no award result '{award_id}' in the catalogue.",
                *BACK,
            )
        a = found[0]
        a["level_id"] = LEVEL_ID.get(a["level"], a["level"])
        text = a.pop("article_text")
        before, after = around(text, a["quote_start"], a["quote_end"])
        shown, styles = page_citations(
            a, {"id": award_newsroom(a, "id"), "en": award_newsroom(a, "en")}
        )
        context = {
            "a": a,
            "before": before,
            "after": after,
            "shown_styles": shown,
            "styles": styles,
            "permalink": f"{base_url(datasette, request)}/-/cite-award/{award_id}",
            "fragment_url": (
                text_fragment(a["url"], a["quote"], text, a["quote_start"]) if a["url"] else ""
            ),
        }
        return 200, await datasette.render_template(
            "cakupan_award_cite.html", context, request=request
        )

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/cite-award/(?P<award_id>[^/]+)$", award_cite_page)]
