"""In Datasette's own table and row pages, figure, article and region references link to cakupan's pages,
numbers read the Indonesian way (112.000; 89,3), integer-valued ones without a trailing ".0", and
dates too (2 Oktober 2024, the ISO date kept in the <time> element).

Datasette 0.65 hands a foreign-key cell to render_cell as {"value", "label"}; the label is kept.
Downloads (CSV, JSON) never pass through render_cell, so they keep the stored values."""

import re

from datasette import hookimpl
from markupsafe import Markup, escape

from cakupan.formatting import date_id, number

FIGURE_COLUMNS = {
    "figure_id",
    "actual_figure_id",
    "target_figure_id",
    "workers_figure_id",
    "stated_gap_figure_id",
    "coverage_figure_id",
}
ARTICLE_COLUMNS = {"source_id", "actual_source_id", "target_source_id"}
REGION_COLUMNS = {"region_code", "province_code", "organising_region_code"}
QUOTE_OF_FIGURE = {"figures", "figure_citations"}


# Codes, years and keys are numbers SQLite stores but nobody reads as quantities: no grouping dots.
PLAIN_NUMBER_COLUMNS = {"rank", "award_year", "target_year", "year", "bytes", "rowid", "level"}


DATE_COLUMNS = {
    "as_of",
    "published",
    "event_date",
    "ceremony_date",
    "corrected_on",
    "released_on",
    "retracted_on",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def date_cell(iso: str) -> Markup | None:
    try:  # a column of that name in an SQL editor query may hold anything date-shaped
        shown = date_id(iso)
    except ValueError:
        return None
    return Markup(f'<time datetime="{iso}">{escape(shown)}</time>')


@hookimpl
def render_cell(row, value, column, table, database):
    if database != "cakupan":
        return None
    raw, label = (
        (value.get("value"), value.get("label") or value.get("value"))
        if isinstance(value, dict)
        else (value, value)
    )
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if column in PLAIN_NUMBER_COLUMNS or column.endswith(("_id", "_year", "_start", "_end")):
            return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else None
        return Markup(f'<span class="num">{escape(number(raw, "id", compact=False))}</span>')
    if not isinstance(raw, str) or not raw:
        return None
    if column in DATE_COLUMNS and ISO_DATE.fullmatch(raw):
        return date_cell(raw)
    if column in FIGURE_COLUMNS and table != "citations":
        return link(f"/-/cite/{raw}", label)
    if column in ARTICLE_COLUMNS and "," not in raw:
        return link(f"/-/articles/{raw}", label)
    if column == "figure_ids":
        return Markup(", ".join(link(f"/-/cite/{v}", v) for v in raw.split(",")))
    if column in REGION_COLUMNS:
        return link(f"/-/wilayah/{raw}", label)
    if column == "quote" and table in QUOTE_OF_FIGURE:
        return link(f"/-/cite/{row['figure_id']}", raw)
    return None
