"""Number, amount, percent and date filters for cakupan's templates, all from cakupan.formatting.

`{{ 24640|id_number }}` shows 24.640, `{{ 43.0|pct }}` 43; the `_en` twins give English.
"""

from datasette import hookimpl

from cakupan import formatting


def pct(value) -> str:
    """A percent value as a bare number (the template writes the sign or "persen")."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _or_empty(format_one):
    return lambda value, *args: "" if value is None else format_one(value, *args)


FILTERS = {
    "pct": pct,
    "id_number": _or_empty(lambda v: formatting.number(float(v), "id")),
    "en_number": _or_empty(lambda v: formatting.number(float(v), "en")),
    "id_percent": _or_empty(lambda v: formatting.percent(float(v), "id")),
    "en_percent": _or_empty(lambda v: formatting.percent(float(v), "en")),
    "id_amount": _or_empty(lambda v, unit, q="exact": formatting.amount(float(v), unit, q, "id")),
    "en_amount": _or_empty(lambda v, unit, q="exact": formatting.amount(float(v), unit, q, "en")),
    "id_date": _or_empty(formatting.date_id),
    "en_date": _or_empty(formatting.date_en),
    "id_difference": _or_empty(lambda v, unit=None: formatting.difference(float(v), "id", unit)),
    "en_difference": _or_empty(lambda v, unit=None: formatting.difference(float(v), "en", unit)),
}


@hookimpl
def prepare_jinja2_environment(env):
    env.filters.update(FILTERS)
