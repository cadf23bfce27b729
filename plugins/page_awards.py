"""/-/awards: Paritrana rankings by year, level and category, with coverage and the quote behind each rank."""

from itertools import groupby

from datasette import hookimpl

from cakupan.web import cached_page, rows

LEVEL_ID = {"provincial": "provinsi", "national": "nasional"}
GROUP_KEY = ("award", "award_year", "level", "organising_region", "category")


async def awards_page(datasette, request):
    async def render():
        ranked = await rows(datasette, "select * from award_rankings")
        groups = []
        for key, members in groupby(ranked, key=lambda r: tuple(r[k] for k in GROUP_KEY)):
            group = dict(zip(GROUP_KEY, key, strict=True))
            group["level_id"] = LEVEL_ID.get(group["level"], group["level"])
            group["ranks"] = list(members)
            groups.append(group)
        return 200, await datasette.render_template(
            "cakupan_awards.html", {"groups": groups}, request=request
        )

    return await cached_page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/awards$", awards_page)]
