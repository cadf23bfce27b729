"""/-/cite/<figure_id>: one figure, its quote in context, its arithmetic, and ready citations."""

import json
from urllib.parse import quote as urlquote

from datasette import hookimpl

from cakupan.citations import CONTEXT_SQL, amount_en, amount_id, bibtex, csl, date_id
from cakupan.site.pages import message_page, page, rows

CONTEXT_CHARS = 160
ATTRIBUTION = {
    "direct_quote": ("kutipan langsung", "direct quote"),
    "reported_speech": ("parafrase", "reported speech"),
    "narration": ("narasi wartawan", "the reporter's narration"),
}
BASIS = {
    "event_date": "tanggal peristiwa / event date",
    "published": "tanggal terbit / publication date",
}


def around(text: str, start: int, end: int) -> tuple[str, str]:
    """Some words either side of the quote, cut at spaces so no word is split."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS and " " in before:
        before = before[before.index(" ") + 1 :]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after[: after.rindex(" ")]
    return before, after


def text_fragment(url: str, quote: str) -> str:
    """A link that makes the browser scroll to the quote on the outlet's page (W3C text fragments)."""
    return f"{url}#:~:text={urlquote(quote, safe='').replace('-', '%2D')}"


async def cite_page(datasette, request):
    figure_id = request.url_vars["figure_id"]

    async def render():
        found = await rows(
            datasette,
            """select fc.*, f.as_of_basis, f.note, s.sha256, a.text as article_text
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
        # the two a journalist pastes into a story or a footnote first; the rest folded
        shown = [
            {"key": "id", "label": "Gaya redaksi (Indonesia)", "text": f["citation"]},
            {"key": "apa", "label": "APA", "text": f["apa"]},
        ]
        styles = [
            {"key": "en", "label": "Newsroom style (English)", "text": f["citation_en"]},
            {"key": "bibtex", "label": "BibTeX", "text": bibtex(ctx)},
            {
                "key": "csl",
                "label": "CSL-JSON",
                "text": json.dumps([csl(ctx)], ensure_ascii=False, indent=2),
            },
        ]
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
            "permalink": datasette.absolute_url(request, f"/-/cite/{figure_id}"),
            "fragment_url": text_fragment(f["url"], f["quote"]) if f["url"] else "",
        }
        return 200, await datasette.render_template("cakupan_cite.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    # /-/cite/<id>.jsonld is the figure's Web Annotation (plugins/machine_readable.py)
    return [(r"^/-/cite/(?P<figure_id>[^/]+?)(?<!\.jsonld)$", cite_page)]
