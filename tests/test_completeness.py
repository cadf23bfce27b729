"""Held-out completeness: every number in every article is either curated or explained.

tests/completeness.csv was written by reading the articles, apart from data/: for each number
the reader finds, whether it is recorded (inside the quote of the named row), a repeat of a
recorded fact (headline, lead, paraphrase), or not a figure (a date, 'salah satu', an unrelated
link), with the reason. A new number in an article, a dropped row, or a quote that no longer
covers its number fails here.
"""

from __future__ import annotations

import csv
from collections import defaultdict

from helpers import ROOT, read_rows

from cakupan.numbers import find_numbers

QUOTED = ("figures", "awards", "regulations")


def _heldout():
    with open(ROOT / "tests" / "completeness.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _curated_rows():
    rows = {}
    for name in QUOTED:
        for row in read_rows(ROOT / "data" / f"{name}.csv"):
            rows[next(iter(row.values()))] = row
    return rows


def test_every_number_in_every_article_is_accounted_for():
    expected = defaultdict(list)
    for row in _heldout():
        expected[row["source_id"]].append((int(row["start"]), row["text"]))
    found = {}
    for path in sorted((ROOT / "sources").glob("*.txt")):
        found[path.stem] = [(m.start, m.text) for m in find_numbers(path.read_text("utf-8"))]
    assert found == dict(expected)


def test_recorded_numbers_lie_inside_their_rows_quote():
    rows = _curated_rows()
    outside = []
    for held in _heldout():
        if held["disposition"] != "recorded":
            continue
        row = rows[held["row_id"]]
        start = int(held["start"])
        inside = int(row["quote_start"]) <= start < int(row["quote_end"])
        if row["source_id"] != held["source_id"] or not inside:
            outside.append((held["source_id"], start, held["text"], held["row_id"]))
    assert outside == []


def test_every_curated_row_is_backed_by_a_held_out_number():
    named = {h["row_id"] for h in _heldout() if h["disposition"] == "recorded"}
    assert sorted(set(_curated_rows()) - named) == []


def test_every_repeat_and_exclusion_says_why():
    unexplained = [h for h in _heldout() if h["disposition"] != "recorded" and not h["reason"]]
    assert unexplained == []
