"""/-/conflicts: figures of one region, indicator and date that disagree across articles.

Reads figure_conflicts, which the build computed, a page at a time, widest spread first; each
figure links to its cite page so a journalist sees every article's words side by side."""

from datasette import hookimpl

from cakupan.formatting import date_id
from cakupan.site.pages import Listing, one_page_of, page


async def conflicts_page(datasette, request):
    async def render():
        listing = await one_page_of(
            datasette,
            request,
            "figure_conflicts",
            "order by max_value - min_value desc, region_code, indicator_id, as_of",
            "Semua perbedaan / All conflicts",
        )
        if not isinstance(listing, Listing):
            return listing
        conflicts = listing.rows
        for c in conflicts:
            c["as_of_id"] = date_id(c["as_of"])
            c["figures"] = c["figure_ids"].split(",")
        context = {"conflicts": conflicts, "pagination": listing.pagination}
        return 200, await datasette.render_template(
            "cakupan_conflicts.html", context, request=request
        )

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/conflicts$", conflicts_page)]
