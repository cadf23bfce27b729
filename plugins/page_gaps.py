"""/-/gaps: regions ranked by their gap to target, with bars and links to every figure's citation.

Reads coverage_gaps, which the build computed, a page at a time along one of its indexes."""

from datasette import hookimpl

from cakupan.citations import date_id, number_id
from cakupan.site.pages import Listing, arg, message_page, one_page_of, page, rows

LEVELS = [
    ("province", "Provinsi / Province"),
    ("regency", "Kabupaten / Regency"),
    ("city", "Kota / City"),
]
BACK = "Semua kesenjangan / All gaps"
ORDER = "ORDER BY gap_pp DESC, region_code, as_of, actual_figure_id"


def where(province: str, level: str) -> tuple[str, dict]:
    """The filter, written so each combination is one index range (coverage_gaps_by_*)."""
    clauses = [c for c, v in (("province_code = :p", province), ("level = :l", level)) if v]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), {"p": province, "l": level}


async def gaps_page(datasette, request):
    async def render():
        province, level = arg(request, "province"), arg(request, "level")
        provinces = await rows(
            datasette,
            """select region_code, name from regions r where level = 'province' and exists
               (select 1 from coverage_gaps g where g.province_code = r.region_code) order by name""",
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
            datasette, request, f"coverage_gaps{condition}", ORDER, BACK, params
        )
        if not isinstance(listing, Listing):
            return listing
        gaps = listing.rows
        for g in gaps:
            g["as_of_id"] = date_id(g["as_of"])
            g["workers_id"] = (
                number_id(g["workers_total"]) if g["workers_total"] is not None else ""
            )
            g["workers_to_enrol_id"] = (
                number_id(g["workers_to_enrol"]) if g["workers_to_enrol"] is not None else ""
            )
        context = {
            "gaps": gaps,
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
