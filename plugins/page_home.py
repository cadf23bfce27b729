"""The home page's numbers: Indonesia and every province at its latest coverage and gap, and
the newest articles with their figures. Datasette renders the home page (templates/index.html);
this hook hands it what templates/_cakupan_home.html shows, read by key from what the build made.
"""

from datasette import hookimpl

from cakupan.citations import amount_id, date_id
from cakupan.site.charts import bar
from cakupan.site.pages import PageTooSlow, rows

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
            f"{p['name']}: {p['actual_pct']:g} % dari target {p['target_pct']:g} %",
        )
    return {"cakupan_home": {"provinces": provinces, "articles": articles}}


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return None

    async def inner():
        return await home_numbers(datasette)

    return inner
