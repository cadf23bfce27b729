"""/-/conflicts: figures of one region, indicator and date that disagree across articles.

Reads figure_conflicts, which the build computed, a page at a time, widest spread first; each
figure links to its cite page so a journalist sees every article's words side by side."""

from datasette import hookimpl

from cakupan.citations import date_id
from cakupan.site.pages import (
    Pagination,
    beyond_last_page,
    message_page,
    page,
    page_number,
    rows,
)


async def conflicts_page(datasette, request):
    async def render():
        number = page_number(request)
        if number is None:
            return await message_page(
                datasette,
                request,
                400,
                "Nomor halaman tidak dikenali.",
                "The page number is not a whole number.",
                "/-/conflicts",
                "Semua perbedaan / All conflicts",
            )
        [count] = await rows(datasette, "select count(*) as n from figure_conflicts")
        pagination = Pagination(number, count["n"])
        if missing := await beyond_last_page(
            datasette, request, pagination, "Semua perbedaan / All conflicts"
        ):
            return missing
        conflicts = await rows(
            datasette,
            """select * from figure_conflicts
               order by max_value - min_value desc, region_code, indicator_id, as_of
               limit :size offset :offset""",
            {"size": pagination.size, "offset": pagination.offset},
        )
        for c in conflicts:
            c["as_of_id"] = date_id(c["as_of"])
            c["figures"] = c["figure_ids"].split(",")
        context = {"conflicts": conflicts, "pagination": pagination.context(request)}
        return 200, await datasette.render_template(
            "cakupan_conflicts.html", context, request=request
        )

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/conflicts$", conflicts_page)]
