"""/-/gaps: regions ranked by their gap to target, with bars and links to every figure's citation."""

from datasette import hookimpl

from cakupan.citations import date_id, number_id
from cakupan.web import cached_page, message_page, rows

LEVELS = [
    ("province", "Provinsi / Province"),
    ("regency", "Kabupaten / Regency"),
    ("city", "Kota / City"),
]


async def gaps_page(datasette, request):
    async def render():
        province = request.args.get("province", "")
        level = request.args.get("level", "")
        provinces = await rows(
            datasette,
            "select distinct r.region_code, r.name from coverage_gaps g join regions r on r.region_code = g.province_code order by r.name",
        )
        known = province == "" or await rows(
            datasette,
            "select 1 from regions where region_code = :p and level = 'province'",
            {"p": province},
        )
        if not known:
            return await message_page(
                datasette,
                request,
                400,
                f"Provinsi tidak dikenal: {province}",
                f"Unknown province: {province}",
                "/-/gaps",
                "Semua kesenjangan / All gaps",
            )
        if level and level not in dict(LEVELS):
            return await message_page(
                datasette,
                request,
                400,
                f"Tingkat tidak dikenal: {level}",
                f"Unknown level: {level}",
                "/-/gaps",
                "Semua kesenjangan / All gaps",
            )
        gaps = await rows(
            datasette,
            """select * from coverage_gaps
               where (:province = '' or province_code = :province) and (:level = '' or level = :level)""",
            {"province": province, "level": level},
        )
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
        }
        return 200, await datasette.render_template("cakupan_gaps.html", context, request=request)

    return await cached_page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/gaps$", gaps_page)]
