"""The home page: Indonesia and every province at its latest coverage and gap, and the newest
articles with their figures, read by key from what the build made (templates/index.html, with
templates/_cakupan_home.html).

`/` is cakupan's route, not Datasette's index view: that view lists every table of every database
with its columns and counts (over 100 ms a request at 100,000 figures) for a page that shows none
of it. Datasette's `/.json` and its database page `/cakupan` stay as they are."""

from datasette import hookimpl

from cakupan.formatting import amount_id, date_id, percent
from cakupan.site.charts import bar
from cakupan.site.pages import PageTooSlow, page, rows

LATEST_ARTICLES = 5

# the latest coverage_gaps row of each province and of Indonesia, one index seek each
PROVINCES_SQL = """
select r.region_code, r.name, r.level, g.as_of, g.actual_pct, g.target_pct, g.target_year,
       g.gap_pp, g.actual_figure_id
from regions r join coverage_gaps g on g.actual_figure_id = (
    select x.actual_figure_id from coverage_gaps x where x.region_code = r.region_code
    order by x.as_of desc, x.actual_figure_id desc limit 1)
where r.level in ('country', 'province')
order by r.level = 'country' desc, g.gap_pp desc, r.name
"""
ARTICLES_SQL = """
select s.source_id, s.headline, s.outlet, coalesce(s.published, s.event_date) as date
from sources s order by coalesce(s.published, s.event_date) desc, s.source_id limit :n
"""
FIGURES_SQL = """
select f.figure_id, f.source_id, f.value, f.unit, f.qualifier, f.quote, r.name as region_name,
       f.region_code, i.name_id as indicator_name_id
from figures f join regions r on r.region_code = f.region_code
join indicators i on i.indicator_id = f.indicator_id
where f.source_id = :id order by f.quote_start limit 3
"""


async def home_numbers(datasette) -> dict:
    try:
        provinces = await rows(datasette, PROVINCES_SQL)
        articles = await rows(datasette, ARTICLES_SQL, {"n": LATEST_ARTICLES})
        for a in articles:
            a["date_id"] = date_id(a["date"]) if a["date"] else ""
            a["figures"] = await rows(datasette, FIGURES_SQL, {"id": a["source_id"]})
            for f in a["figures"]:
                f["amount"] = amount_id(f["value"], f["unit"], f["qualifier"])
    except PageTooSlow:
        return {"cakupan_home": None}
    for p in provinces:
        p["as_of_id"] = date_id(p["as_of"])
        p["bar"] = bar(
            p["actual_pct"],
            p["target_pct"],
            f"{p['name']}: {percent(p['actual_pct'])} dari target {percent(p['target_pct'])}",
        )
    return {"cakupan_home": {"provinces": provinces, "articles": articles}}


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return None

    async def inner():
        return await home_numbers(datasette)

    return inner


async def home_page(datasette, request):
    async def render():
        context = {"metadata": datasette.metadata()}
        return 200, await datasette.render_template("index.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/$", home_page)]
