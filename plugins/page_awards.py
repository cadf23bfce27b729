"""/-/awards: Paritrana rankings by year, level and category, with coverage and the quote behind each rank."""

import json
from itertools import groupby

from datasette import hookimpl

from cakupan.site.pages import Listing, arg, message_page, one_page_of, page, rows

LEVEL_ID = {"provincial": "provinsi", "national": "nasional"}
GROUP_KEY = ("award", "award_year", "level", "organising_region", "category")


BACK = "Semua penghargaan / All awards"
ORDER = "ORDER BY award, award_year DESC, level, organising_region_code, category, rank, award_id"
BY_YEAR = "ORDER BY award_year DESC, award, level, organising_region_code, category, rank, award_id"


async def awards_page(datasette, request):
    async def render():
        year = arg(request, "tahun")
        years = [
            r["award_year"]
            for r in await rows(
                datasette,
                # the years newest first, one index seek each (a DISTINCT would walk every row)
                """with recursive y(award_year) as (
                     select max(award_year) from award_rankings
                     union all
                     select (select max(award_year) from award_rankings a where a.award_year < y.award_year)
                     from y where y.award_year is not null)
                   select award_year from y where award_year is not null""",
            )
        ]
        if year and not (year.isdecimal() and int(year) in years):
            return await message_page(
                datasette,
                request,
                400,
                f"Tahun tidak dikenali: {year}",
                f"Unknown year: {year}",
                "/-/awards",
                BACK,
            )
        condition = " where award_year = :year" if year else ""
        params = {"year": int(year) if year else None}
        listing = await one_page_of(
            datasette,
            request,
            f"award_rankings{condition}",
            BY_YEAR if year else ORDER,
            BACK,
            params,
        )
        if not isinstance(listing, Listing):
            return listing
        ranked = listing.rows
        # the outlet of each result's article, by the sources key (a join would make the count
        # walk the whole table for source_id, which no index of award_rankings holds)
        outlets = {
            r["source_id"]: r["outlet"]
            for r in await rows(
                datasette,
                "select source_id, outlet from sources where source_id in (select value from json_each(:ids))",
                {"ids": json.dumps(sorted({r["source_id"] for r in ranked}))},
            )
        }
        for r in ranked:
            r["outlet"] = outlets.get(r["source_id"])
        groups = []
        for key, members in groupby(ranked, key=lambda r: tuple(r[k] for k in GROUP_KEY)):
            group = dict(zip(GROUP_KEY, key, strict=True))
            group["level_id"] = LEVEL_ID.get(group["level"], group["level"])
            group["ranks"] = list(members)
            groups.append(group)
        context = {
            "groups": groups,
            "years": years,
            "year": year,
            "pagination": listing.pagination,
        }
        return 200, await datasette.render_template("cakupan_awards.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/awards$", awards_page)]
