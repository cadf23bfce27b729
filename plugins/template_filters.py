"""Number, amount, percent and date filters for cakupan's templates, all from cakupan.formatting.

`{{ 24640|id_number }}` shows 24.640, `{{ 43.0|id_percent }}` 43%; the `_en` twins give English.
"""

from datasette import hookimpl

from cakupan import formatting

# the arithmetic's units: percents with the sign, percentage points in the word the pages use
_POINTS = {"id": " poin", "en": " percentage points"}


def quantity(value, unit: str, qualifier: str | None = "exact", lang: str = "id") -> str:
    """A computed or stated number with its unit and qualifier: "lebih dari 143.000 pekerja",
    "sekitar 44,6%", "11 poin" / "more than 143,000 workers", "44.6%", "11 percentage points"."""
    value = float(value)
    if unit == "workers":
        return formatting.amount(value, unit, qualifier or "exact", lang)
    prefix = formatting.QUALIFIERS[lang].get(qualifier or "exact", "")
    if unit == "percent":
        return prefix + formatting.percent(value, lang)
    if unit == "percentage_points":
        points = " percentage point" if lang == "en" and value == 1 else _POINTS[lang]
        return prefix + formatting.number(value, lang, compact=False) + points
    return prefix + formatting.number(value, lang)


def signed(
    value, unit: str | None = None, qualifier: str | None = "exact", lang: str = "id"
) -> str:
    """A difference with its sign: "+0,6 poin", "hingga +121.818 pekerja", "0" (a difference of
    two percents is in percentage points)."""
    value = float(value)
    prefix = formatting.QUALIFIERS[lang].get(qualifier or "exact", "")
    if value == 0:
        return prefix + "0"
    if unit in ("percent", "percentage_points"):
        return prefix + formatting.difference(value, lang) + _POINTS[lang]
    return prefix + formatting.difference(value, lang, unit if unit == "workers" else None)


def _or_empty(format_one):
    return lambda value, *args: "" if value is None else format_one(value, *args)


FILTERS = {
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
    "id_quantity": _or_empty(lambda v, unit, q="exact": quantity(v, unit, q, "id")),
    "en_quantity": _or_empty(lambda v, unit, q="exact": quantity(v, unit, q, "en")),
    "id_size": _or_empty(lambda v: formatting.file_size(int(v), "id")),
    "en_size": _or_empty(lambda v: formatting.file_size(int(v), "en")),
    "id_signed": _or_empty(lambda v, unit=None, q="exact": signed(v, unit, q, "id")),
    "en_signed": _or_empty(lambda v, unit=None, q="exact": signed(v, unit, q, "en")),
}


@hookimpl
def prepare_jinja2_environment(env):
    env.filters.update(FILTERS)
