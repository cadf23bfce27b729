"""The arithmetic a cite page shows under a figure: each coverage gap and consistency check it
takes part in, with the qualifier ("lebih dari", "sekitar") of every number computed from it
(cakupan/derived_qualifiers.py) and the labels of each side. Reads by primary key only."""

import json
from datetime import date

from cakupan import derived_qualifiers as dq
from cakupan.site.pages import rows

# what each consistency check computes from its figure_ids (positions in that list): the figure
# it holds against (None: a constant) and the figures of the computed side, each with the sign of
# its effect on the result (see cakupan/derived_qualifiers.py and the checks in derived.sql)
CHECK_TERMS = {
    "share_of_workers": (2, ((0, 1), (1, -1))),  # 100 × covered ÷ total vs the stated rate
    "implied_total": (2, ((0, 1), (1, -1))),  # target count × 100 ÷ target rate vs the total
    "complement": (None, ((0, 1), (1, 1))),  # covered + uncovered vs 100
    "stated_gap": (0, ((1, 1), (2, -1))),  # target − actual vs the stated gap
    "stated_gap_is_uncovered_share": (0, ((1, -1),)),  # 100 − actual vs the stated gap
    "same_target_across_articles": (0, ((1, 1),)),  # one article's target vs the earlier one's
}
SIDES = {
    "complement": (("seharusnya", "should be"), ("dihitung", "computed")),
    "same_target_across_articles": (
        ("artikel sebelumnya", "earlier article"),
        ("artikel berikutnya", "later article"),
    ),
}
STATED_COMPUTED = (("menurut artikel", "stated"), ("dihitung", "computed"))
VERDICTS = {
    "consistent": ("konsisten", "consistent"),
    "consistent_with_qualifier": (
        "konsisten dengan kualifikasinya",
        "consistent given its qualifier",
    ),
    "inconsistent": ("tidak konsisten", "inconsistent"),
    "flagged": ("ditandai", "flagged"),
}


def days_left(as_of: str | None, target_year: int | None) -> int | None:
    """Days from the as-of date to the end of the target year, as derived.sql counts them."""
    try:
        return (date(int(target_year), 12, 31) - date.fromisoformat(as_of or "")).days
    except (TypeError, ValueError):
        return None


def gap_arithmetic(gap: dict) -> dict:
    """A coverage_gaps row with the qualifier of each number computed from it (the row holds
    the qualifier of each figure it rests on; none, for a figure it does not have)."""

    def q(figure):
        return gap.get(f"{figure}_qualifier") or dq.EXACT

    g = dict(gap)
    g["actual_q"], g["target_q"] = q("actual"), q("target")
    g["gap_q"] = dq.difference(g["target_q"], g["actual_q"])
    g["workers_q"] = q("workers")
    g["enrol_q"] = dq.product(
        g["workers_q"], g["gap_q"], dq.sign(g["workers_total"]), dq.sign(g["gap_pp"])
    )
    g["pace_q"] = g["gap_q"]  # divided by a count of days, which is exact
    g["days_left"] = days_left(g["as_of"], g["target_year"])
    g["year_end"] = f"{g['target_year']}-12-31" if g["target_year"] else None
    if g["counted_to_enrol"] is not None:  # the article's own counts: target − covered
        g["covered_q"] = q("covered")
        g["covered_target_q"] = q("covered_target")
        g["counted_q"] = dq.difference(g["covered_target_q"], g["covered_q"])
        if g["workers_to_enrol"] is not None:
            g["counted_difference"] = g["workers_to_enrol"] - g["counted_to_enrol"]
            g["counted_difference_q"] = dq.difference(g["enrol_q"], g["counted_q"])
        else:
            g["counted_difference"] = None
    if g["stated_gap_pp"] is not None and g["gap_pp"] is not None:
        g["stated_gap_q"] = q("stated_gap")
        g["stated_gap_difference"] = round(g["gap_pp"] - g["stated_gap_pp"], 2)
        g["stated_gap_difference_q"] = dq.difference(g["gap_q"], g["stated_gap_q"])
    return g


def check_arithmetic(check: dict, qualifiers: dict[str, str]) -> dict:
    """A consistency_checks row with the qualifiers of its stated and computed sides and labels."""
    c = dict(check)
    ids = c["figure_ids"].split(",")

    def q(i):  # a figure_ids list shorter than its kind expects says nothing for sure
        return qualifiers.get(ids[i], dq.EXACT) if i < len(ids) else dq.ABOUT

    if c["check_kind"] in CHECK_TERMS:
        stated_at, terms = CHECK_TERMS[c["check_kind"]]
        c["stated_q"] = dq.EXACT if stated_at is None else q(stated_at)
        computed = [(q(i), effect) for i, effect in terms]
    else:  # a check this page does not know: any qualified figure leaves only "about"
        c["stated_q"] = dq.EXACT
        computed = [(dq.ABOUT if q(i) != dq.EXACT else dq.EXACT, 1) for i in range(len(ids))]
    c["computed_q"] = dq.propagate(computed)
    c["difference_q"] = dq.propagate([*computed, (c["stated_q"], -1)])
    (c["stated_id"], c["stated_en"]), (c["computed_id"], c["computed_en"]) = SIDES.get(
        c["check_kind"], STATED_COMPUTED
    )
    c["verdict_id"], c["verdict_en"] = VERDICTS.get(c["verdict"], (c["verdict"], c["verdict"]))
    c["points_unit"] = "percentage_points" if c["unit"] == "percent" else c["unit"]
    return c


async def figure_qualifiers(datasette, checks: list[dict]) -> dict[str, str]:
    """The qualifier of every figure the page's consistency checks rest on, by figure_id."""
    ids = {i for c in checks for i in c["figure_ids"].split(",")}
    if not ids:
        return {}
    found = await rows(
        datasette,
        # by primary key, one seek a figure
        "select figure_id, qualifier from figures"
        " where figure_id in (select value from json_each(:ids))",
        {"ids": json.dumps(sorted(ids))},
    )
    return {r["figure_id"]: r["qualifier"] for r in found}
