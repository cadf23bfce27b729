"""Checks that need the meaning of a figure, not just its type: units, ranges, targets, quotes."""

from __future__ import annotations

from functools import partial

from .numbers import list_rank, value_in_text
from .package import Package
from .problems import Problem, shorten
from .schema import cast

BOUNDED_UNITS = {"percent": 100, "percentage_points": 100}
NEEDS_TARGET_YEAR = {"target", "gap"}
# Cells a spreadsheet would run as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_figures(package: Package) -> list[Problem]:
    figures = package.tables.get("figures")
    indicators = package.tables.get("indicators")
    if figures is None or indicators is None:
        return []
    by_id = {r.get("indicator_id"): r for r in indicators.rows}
    posts = {(r.get("person_id"), r.get("source_id")) for r in _rows(package, "posts")}
    sources = {r.get("source_id") for r in _rows(package, "sources")}
    problems = []
    for number, row in figures.numbered():
        at = partial(Problem, figures.path, number)  # a Problem on this row

        indicator = by_id.get(row.get("indicator_id"))
        unit, value, quote = row.get("unit", ""), row.get("value", ""), row.get("quote", "")
        if indicator and unit and unit != indicator.get("unit"):
            problems.append(
                at(
                    "unit",
                    repr(unit),
                    f"{indicator['unit']!r}, the unit of indicator {row['indicator_id']}",
                    "unit",
                )
            )
        amount = _number(value)  # None when the schema check has already reported the cell
        limit = BOUNDED_UNITS.get(unit)
        if limit is not None and amount is not None and amount > limit:
            problems.append(at("value", value, f"at most {limit} for a value in {unit}", "range"))
        if quote and amount is not None and not value_in_text(value, quote):
            problems.append(
                at(
                    "value",
                    value,
                    f"a value the quote states; the quote reads {shorten(quote)}",
                    "value-in-quote",
                )
            )
        if indicator and indicator.get("kind") in NEEDS_TARGET_YEAR and not row.get("target_year"):
            problems.append(
                at(
                    "target_year",
                    "an empty cell",
                    f"the year the target is for (indicator {row['indicator_id']} is a {indicator['kind']})",
                    "target-year",
                )
            )
        qualifier_text = row.get("qualifier_text", "")
        if qualifier_text and qualifier_text not in quote:
            problems.append(
                at(
                    "qualifier_text",
                    shorten(qualifier_text),
                    "words that appear in the quote",
                    "qualifier-text",
                )
            )
        speaker = row.get("speaker_id", "")
        if (
            speaker
            and row.get("source_id") in sources
            and (speaker, row.get("source_id")) not in posts
        ):
            problems.append(
                at(
                    "speaker_id",
                    repr(speaker),
                    f"a person with a post in posts.csv for article {row.get('source_id')}",
                    "speaker-post",
                )
            )
    return problems


def check_awards(package: Package) -> list[Problem]:
    awards = package.tables.get("awards")
    if awards is None:
        return []
    problems = []
    for number, row in awards.numbered():
        rank, quote = row.get("rank", ""), row.get("quote", "")
        # "disusul Kabupaten X" states rank 2 only after "urutan pertama diraih …": list_rank
        # reads the rank from the list the quote starts with.
        if (
            rank.isdigit()
            and quote
            and not value_in_text(rank, quote)
            and list_rank(quote) != int(rank)
        ):
            problems.append(
                Problem(
                    awards.path,
                    number,
                    "rank",
                    rank,
                    f"the rank stated in the quote {shorten(quote)}",
                    "value-in-quote",
                )
            )
    return problems


def formula_cells(package: Package) -> list[Problem]:
    """Warnings, not errors: such text may be legitimate, but must never reach Excel unescaped."""
    warnings = []
    for table in package.tables.values():
        text_fields = [f["name"] for f in table.schema["fields"] if f["type"] == "string"]
        for number, row in table.numbered():
            for name in text_fields:
                cell = row.get(name, "")
                if cell.startswith(FORMULA_STARTS):
                    found = shorten(cell)
                    expected = "text that does not start with = + - @ tab or CR (a spreadsheet would run it)"
                    warnings.append(
                        Problem(table.path, number, name, found, expected, "formula-like")
                    )
    return warnings


def _number(raw: str):
    """The cell as a non-negative Decimal, or None when it is not one."""
    try:
        value = cast("number", raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def _rows(package: Package, name: str) -> list[dict[str, str]]:
    table = package.tables.get(name)
    return table.rows if table else []
