"""/-/wilayah/<code>: one region, its latest coverage against target, its history, every figure,
award and article about it, and the regions above and below it.

Every query is a lookup by the region's key along an index the build made (time_series_in_order,
coverage_gaps_by_region, award_rankings_by_region, idx_regions_parent_code), each bounded.
"""

from datasette import hookimpl

from cakupan.formatting import amount_id, date_id
from cakupan.site.arithmetic import gap_arithmetic
from cakupan.site.charts import Point, coverage_over_time
from cakupan.site.pages import (
    Pagination,
    message_page,
    page,
    paginated,
    read,
    render_part,
    rows,
)

CHART_POINTS = 200  # of coverage and of targets each; beyond them the table has every figure
LISTED = 50
LEVELS = {"country": "Negara", "province": "Provinsi", "regency": "Kabupaten", "city": "Kota"}


SERIES = """select t.*, f.quote, f.attribution, f.qualifier_text from time_series t
join figures f on f.figure_id = t.figure_id"""
LATEST = """select * from coverage_gaps where region_code = :c
order by as_of desc, actual_figure_id desc limit 1"""
LISTING = f"""{SERIES} where t.region_code = :c
order by t.indicator_id, t.as_of, t.figure_id limit :n offset :o"""
CHARTED = f"""{SERIES} where t.region_code = :c and t.indicator_id = :i
order by t.as_of, t.figure_id limit :n"""
CHILDREN = """select c.region_code, c.name, c.level,
       (select t.value from time_series t where t.region_code = c.region_code
          and t.indicator_id = 'coverage_rate' order by t.as_of desc limit 1) as coverage
from regions c where c.parent_code = :c order by c.name limit 100"""
AWARDS = """select * from award_rankings where region_code = :c
order by award_year desc, award, rank limit :n"""
ARTICLES = """select s.source_id, s.headline, s.outlet, coalesce(s.published, s.event_date) as date
from sources s where s.source_id in
  (select distinct t.source_id from time_series t where t.region_code = :c)
order by date desc, s.source_id limit :n"""


def region_rows(conn, code: str, size: int, offset: int) -> list[list[dict]]:
    """What the page shows of a region beyond its name: its latest gap, a page of its figures,
    the chart's coverage and target figures, its child regions, awards and articles."""
    one = {"c": code, "n": LISTED}
    return [
        [dict(r) for r in conn.execute(sql, params)]
        for sql, params in [
            (LATEST, one),
            (LISTING, {"c": code, "n": size, "o": offset}),
            # the chart: every coverage and target figure, whichever page of figures this is
            (CHARTED, {"c": code, "i": "coverage_rate", "n": CHART_POINTS}),
            (CHARTED, {"c": code, "i": "coverage_target_rate", "n": CHART_POINTS}),
            (CHILDREN, one),
            (AWARDS, one),
            (ARTICLES, one),
        ]
    ]


def region_href(code: str) -> str:
    return f"/-/wilayah/{code}"


async def region_page(datasette, request):
    code = request.url_vars["code"]

    async def render():
        found = await rows(
            datasette,
            """select r.*, p.name as parent_name from regions r
               left join regions p on p.region_code = r.parent_code where r.region_code = :c""",
            {"c": code},
        )
        if not found:
            return await message_page(
                datasette, request, 404, f"Wilayah '{code}' tidak ada dalam daftar kode wilayah.",
                f"There is no region '{code}' in the list of region codes.", "/-/gaps",
                "Kesenjangan cakupan / Coverage gaps",
            )  # fmt: skip
        region = found[0]
        region["level_id"] = LEVELS.get(region["level"], region["level"])
        pagination = await paginated(
            datasette, request, "select count(*) as n from time_series where region_code = :c",
            {"c": code}, region["name"],
        )  # fmt: skip
        if not isinstance(pagination, Pagination):
            return pagination
        # the rest depend only on the region and the page: read in one call to the pages'
        # threads, on one connection, rather than a wait for a thread each
        latest, series, coverage, targets, children, awards, articles = await read(
            datasette, region_rows, code, pagination.size, pagination.offset
        )
        # the qualifiers the computed numbers carry ("lebih dari 143.000 pekerja")
        latest = [gap_arithmetic(g) for g in latest]
        for g in latest:
            g["as_of_id"] = date_id(g["as_of"])
        for s in [*series, *coverage, *targets]:
            s["amount"] = amount_id(s["value"], s["unit"], s["qualifier"])
            s["as_of_id"] = date_id(s["as_of"])
        for a in articles:
            a["date_id"] = date_id(a["date"]) if a["date"] else ""
        chart = coverage_over_time(
            [
                Point(s["as_of"], s["value"], f"{s['amount']} per {s['as_of_id']}", f"/-/cite/{s['figure_id']}")
                for s in coverage
            ],
            [
                Point(f"{s['target_year']}-12-31", s["value"], f"target {s['amount']} untuk {s['target_year']} (per {s['as_of_id']})", f"/-/cite/{s['figure_id']}")
                for s in targets if s["target_year"]
            ],
            f"Cakupan {region['name']} dari waktu ke waktu, dengan target / coverage over time, with targets",
        )  # fmt: skip
        context = {
            "region": region,
            "latest": latest[0] if latest else None,
            "series": series,
            "figures_table": render_part(
                datasette, "_cakupan_region_figures.html", {"series": series}
            ),
            "pagination": pagination.context(request),
            "children": children,
            "awards": awards,
            "articles": articles,
            "chart": chart,
        }
        return 200, await datasette.render_template("cakupan_region.html", context, request=request)

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/wilayah/(?P<code>[^/]+)$", region_page)]
