"""/-/cite/<figure_id>: one figure, its quote in context, its arithmetic, its corrections, and
ready citations; `?rilis=<release_id>` shows the figure as it stood in that release (a permalink
that keeps working in every later release: releases only append)."""

from datasette import hookimpl

from cakupan.annotations import around, text_fragment
from cakupan.citation_contexts import CONTEXT_SQL
from cakupan.citations import page_citations
from cakupan.formatting import amount_en, amount_id, date_id
from cakupan.jsonld import quotation, script
from cakupan.releases import as_released, history
from cakupan.site.arithmetic import check_arithmetic, figure_qualifiers, gap_arithmetic
from cakupan.site.pages import arg, message_page, page, read, rows
from cakupan.site.public_url import base_url

ATTRIBUTION = {
    "direct_quote": ("kutipan langsung", "direct quote"),
    "reported_speech": ("parafrase", "reported speech"),
    "narration": ("narasi wartawan", "the reporter's narration"),
}
BASIS = {
    "event_date": "tanggal peristiwa / event date",
    "published": "tanggal terbit / publication date",
}


# what a reader compares between a release and now (the fields a correction must explain)
RELEASED_FIELDS = ("value", "unit", "qualifier", "region_code", "indicator_id", "as_of", "quote")


def released_fields(now: dict, released: dict) -> list[dict]:
    """Each compared field as released and now; the database's cells in the CSV's text form."""

    def text(value) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)

    return [
        {"field": k, "then": released.get(k, ""), "now": text(now.get(k)),
         "changed": released.get(k, "") != text(now.get(k))}
        for k in RELEASED_FIELDS
    ]  # fmt: skip


async def cite_page(datasette, request):
    figure_id = request.url_vars["figure_id"]

    async def render():
        found = await rows(
            datasette,
            """select fc.*, f.as_of_basis, f.note, s.sha256, s.retracted_on, s.retraction_reason,
                      s.byline, s.language, a.text as article_text
               from figure_citations fc join figures f on f.figure_id = fc.figure_id
               join sources s on s.source_id = fc.source_id join articles a on a.source_id = fc.source_id
               where fc.figure_id = :id""",  # every join by primary key
            {"id": figure_id},
        )
        if not found:
            return await message_page(
                datasette,
                request,
                404,
                f"Angka '{figure_id}' tidak ada dalam katalog.",
                f"There is no figure '{figure_id}' in the catalogue.",
                "/-/gaps",
                "Kesenjangan cakupan / Coverage gaps",
            )
        f = found[0]
        release_id = arg(request, "rilis")
        released = None
        if release_id:
            released = await read(datasette, as_released, figure_id, release_id)
            if released is None:
                return await message_page(
                    datasette,
                    request,
                    404,
                    f"Angka '{figure_id}' tidak ada dalam rilis '{release_id}'.",
                    f"Figure '{figure_id}' is not in release '{release_id}'.",
                    f"/-/cite/{figure_id}",
                    "Angka ini sekarang / This figure now",
                )
        latest = await rows(
            datasette,
            "select release_id from releases where rowid = (select max(rowid) from releases)",
        )
        in_latest = latest and await read(
            datasette, as_released, figure_id, latest[0]["release_id"]
        )
        [ctx] = await rows(datasette, CONTEXT_SQL + " WHERE f.figure_id = ?", (figure_id,))
        f["as_of_basis_label"] = BASIS.get(f["as_of_basis"], f["as_of_basis"])
        f["attribution_id"], f["attribution_en"] = ATTRIBUTION[f["attribution"]]
        before, after = around(f["article_text"], f["quote_start"], f["quote_end"])
        gaps = await rows(
            datasette,
            # one indexed lookup per column a figure can stand in (coverage_gaps_by_*)
            """select * from coverage_gaps where actual_figure_id = :id
               union select * from coverage_gaps where target_figure_id = :id
               union select * from coverage_gaps where workers_figure_id = :id
               union select * from coverage_gaps where stated_gap_figure_id = :id
               union select * from coverage_gaps where covered_figure_id = :id
               union select * from coverage_gaps where covered_target_figure_id = :id
               order by as_of, actual_figure_id limit 50""",
            {"id": figure_id},
        )
        checks = await rows(
            datasette,
            """select c.* from consistency_check_figures l
               join consistency_checks c on c.check_kind = l.check_kind and c.figure_ids = l.figure_ids
               where l.figure_id = :id order by c.check_kind, c.figure_ids limit 50""",
            {"id": figure_id},
        )
        qualifiers = await figure_qualifiers(datasette, checks)
        gaps = [gap_arithmetic(g) for g in gaps]
        checks = [check_arithmetic(c, qualifiers) for c in checks]
        shown, styles = page_citations(
            ctx, {"id": f["citation"], "apa": f["apa"], "en": f["citation_en"]}
        )
        base = base_url(datasette, request)
        permalink = f"{base}/-/cite/{figure_id}"
        cited = {**ctx, **f}  # the figure and its article's origin, for the JSON-LD
        context = {
            "f": f,
            "amount_id": amount_id(f["value"], f["unit"], f["qualifier"]),
            "amount_en": amount_en(f["value"], f["unit"], f["qualifier"]),
            "as_of_id": date_id(f["as_of"]),
            "before": before,
            "after": after,
            "gaps": gaps,
            "checks": checks,
            "shown_styles": shown,
            "styles": styles,
            "permalink": permalink,
            "version_permalink": f"{permalink}?rilis={latest[0]['release_id']}"
            if in_latest
            else "",
            "release_id": release_id,
            "released": released_fields(f, released) if released else [],
            "history": await read(datasette, history, figure_id),
            "fragment_url": text_fragment(f["url"], f["quote"], f["article_text"], f["quote_start"])
            if f["url"]
            else "",
            "jsonld": script(quotation(cited, cited, base)),
        }
        return 200, await datasette.render_template("cakupan_cite.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    # /-/cite/<id>.jsonld is the figure's Web Annotation (plugins/machine_readable.py)
    return [(r"^/-/cite/(?P<figure_id>[^/]+?)(?<!\.jsonld)$", cite_page)]
