"""/-/gaps: regions ranked by their gap to target, each at its latest figure, with bars, the
computed gap beside the one the article states, and the region's earlier figures as history.

Reads coverage_gaps, which the build computed, with each region's latest row marked
(is_latest: the latest as_of, ties going to the greater actual_figure_id, the row the region and
home pages show too). The listing is a range of a partial index of the latest rows in gap order
(coverage_gaps_latest, _by_province, _by_level); each region's history on the page is one seek
along coverage_gaps_by_region, cut at HISTORY rows, so a page reads at most
CARDS_PAGE_SIZE × (HISTORY + 2) rows, and counting its pages one row per region."""

from datasette import hookimpl

from cakupan.formatting import date_id, percent
from cakupan.site import pages
from cakupan.site.arithmetic import gap_arithmetic
from cakupan.site.pages import (
    Listing,
    arg,
    message_page,
    one_page_of,
    page,
    read,
    render_part,
    rows,
)

LEVELS = [
    ("province", "Provinsi / Province"),
    ("regency", "Kabupaten / Regency"),
    ("city", "Kota / City"),
]
BACK = "Semua kesenjangan / All gaps"
HISTORY = 3  # earlier rows shown under a region; the region page has all of them
AXIS = (0, 25, 50, 75, 100)  # the bars' scale, in percent
# each tick's label, formatted once for every card, and where it is drawn: the end ones a little
# inside, so their line is not cut in half
TICKS = [(percent(t, "id"), min(max(t, 0.4), 99.6)) for t in AXIS]

LATEST = "coverage_gaps g WHERE g.is_latest = 1"
ORDER = "ORDER BY g.gap_pp DESC, g.region_code"
EARLIER = """select * from coverage_gaps where region_code = :r and actual_figure_id <> :latest
order by as_of desc, actual_figure_id desc limit :n"""


def earlier_rows(conn, gaps: list[dict]) -> list[list[dict]]:
    """Each region's rows before its latest, up to HISTORY + 1: one seek each, all in one call to
    the pages' threads rather than one call a region."""
    return [
        [dict(r) for r in conn.execute(EARLIER, {"r": g["region_code"], "latest": g["actual_figure_id"], "n": HISTORY + 1})]
        for g in gaps
    ]  # fmt: skip


def where(province: str, level: str) -> tuple[str, dict]:
    """The filter on the latest rows (province_code and level are the region's own)."""
    clauses = [c for c, v in (("g.province_code = :p", province), ("g.level = :l", level)) if v]
    return "".join(" AND " + c for c in clauses), {"p": province, "l": level}


def clamp(pct) -> float:
    return max(0.0, min(float(pct), 100.0))


def describe(g: dict) -> dict:
    """What the template shows of one coverage_gaps row, beyond its columns."""
    g["as_of_id"] = date_id(g["as_of"])
    g["bar_actual"] = f"{clamp(g['actual_pct']):g}"
    g["bar_target"] = f"{clamp(g['target_pct']):g}" if g["target_pct"] is not None else None
    stated, computed = g["stated_gap_pp"], g["gap_pp"]
    g["difference_pp"] = (
        round(stated - computed, 2) if stated is not None and computed is not None else None
    )
    return g


async def gaps_page(datasette, request):
    async def render():
        province, level = arg(request, "province"), arg(request, "level")
        provinces = await rows(
            datasette,
            # the provinces of the latest rows, along their partial index (one entry a region,
            # the province in it: no row is read); Indonesia has 38
            """select r.region_code, r.name from
               (select distinct g.province_code from coverage_gaps g where g.is_latest = 1) p
               join regions r on r.region_code = p.province_code order by r.name limit 100""",
        )
        refused = None
        known = not province or await rows(
            datasette,
            "select 1 from regions where region_code = :p and level = 'province'",
            {"p": province},
        )
        if not known:
            refused = (f"Provinsi tidak dikenal: {province}", f"Unknown province: {province}")
        elif level and level not in dict(LEVELS):
            refused = (f"Tingkat tidak dikenal: {level}", f"Unknown level: {level}")
        if refused:
            return await message_page(datasette, request, 400, *refused, "/-/gaps", BACK)
        condition, params = where(province, level)
        listing = await one_page_of(
            datasette, request, LATEST + condition, ORDER, BACK, params, columns="g.*",
            size=pages.CARDS_PAGE_SIZE,
        )  # fmt: skip
        if not isinstance(listing, Listing):
            return listing
        gaps = [describe(gap_arithmetic(g)) for g in listing.rows]
        histories = await read(datasette, earlier_rows, gaps)
        for g, earlier in zip(gaps, histories, strict=True):
            g["more_history"] = len(earlier) > HISTORY
            g["history"] = [describe(h) for h in earlier[:HISTORY]]
        cards = {"gaps": gaps, "axis": TICKS, "history_size": HISTORY}
        context = {
            "gaps": gaps,
            "cards": render_part(datasette, "_cakupan_gap_cards.html", cards),
            "provinces": provinces,
            "province": province,
            "level": level,
            "levels": LEVELS,
            "pagination": listing.pagination,
        }
        return 200, await datasette.render_template("cakupan_gaps.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/gaps$", gaps_page)]
