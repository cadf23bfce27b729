"""How well `cakupan extract` proposes the figures curators recorded in the four seed articles.

    python benchmarks/extract.py

For each curated figure, its number's span is where the reader finds its value inside the
curated quote. A candidate
  - finds the value when its number lies inside the curated quote and has the same value;
  - finds the offsets when its number span is exactly the curated number's span;
  - then its region and indicator guesses are compared with the curated ones.
Precision is reported twice: against curated figures only (headline repeats count as misses)
and against the held-out list tests/completeness.csv, where a repeat of a recorded fact is a
correct proposal and only 'not-a-figure' numbers count against it.
"""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cakupan.extract import FIGURE_KINDS, candidates  # noqa: E402
from cakupan.numbers import find_numbers  # noqa: E402


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def number_span(figure: dict) -> tuple[int, int]:
    start = int(figure["quote_start"])
    for m in find_numbers(figure["quote"]):
        if m.value is not None and m.value == Decimal(figure["value"]):
            return start + m.start, start + m.end
    raise ValueError(f"{figure['figure_id']}: value not in quote")


def main() -> int:
    figures = read(ROOT / "data" / "figures.csv")
    heldout = {
        (h["source_id"], int(h["start"])): h["disposition"]
        for h in read(ROOT / "tests" / "completeness.csv")
    }
    proposed = []
    for source in read(ROOT / "data" / "sources.csv"):
        proposed += [
            c for c in candidates(ROOT, source["source_id"]) if c["candidate_kind"] in FIGURE_KINDS
        ]
    by_span = {(c["source_id"], int(c["number_start"]), int(c["number_end"])): c for c in proposed}

    found_value = found_offsets = region_ok = indicator_ok = 0
    misses = []
    for f in figures:
        span = number_span(f)
        inside = [
            c
            for c in proposed
            if c["source_id"] == f["source_id"]
            and int(f["quote_start"]) <= int(c["number_start"]) < int(f["quote_end"])
            and Decimal(c["value"]) == Decimal(f["value"])
        ]
        found_value += bool(inside)
        c = by_span.get((f["source_id"], *span))
        if c is None:
            misses.append(f"{f['figure_id']}: no candidate at {span}")
            continue
        found_offsets += 1
        if c["region_code"] == f["region_code"]:
            region_ok += 1
        else:
            misses.append(
                f"{f['figure_id']}: region guessed {c['region_code']!r}, curated {f['region_code']!r} (quote: {c['quote'][:60]!r})"
            )
        if c["indicator_id"] == f["indicator_id"]:
            indicator_ok += 1
        else:
            misses.append(
                f"{f['figure_id']}: indicator guessed {c['indicator_id']!r}, curated {f['indicator_id']!r}"
            )

    curated_spans = {(f["source_id"], *number_span(f)) for f in figures}
    hits = sum(
        (c["source_id"], int(c["number_start"]), int(c["number_end"])) in curated_spans
        for c in proposed
    )
    worth_reviewing = sum(
        heldout.get((c["source_id"], int(c["number_start"]))) in ("recorded", "repeat")
        for c in proposed
    )
    n, p = len(figures), len(proposed)
    print(f"curated figures: {n}; candidates (percent and number): {p}")
    print(f"recall, value at the right place: {found_value}/{n} = {found_value / n:.0%}")
    print(f"recall, exact number offsets:     {found_offsets}/{n} = {found_offsets / n:.0%}")
    print(
        f"region right (of offsets found):    {region_ok}/{found_offsets} = {region_ok / found_offsets:.0%}"
    )
    print(
        f"indicator right (of offsets found): {indicator_ok}/{found_offsets} = {indicator_ok / found_offsets:.0%}"
    )
    print(f"precision vs curated figures:       {hits}/{p} = {hits / p:.0%}")
    print(
        f"precision vs held-out list (recorded or repeat): {worth_reviewing}/{p} = {worth_reviewing / p:.0%}"
    )
    if misses:
        print("\nwhere the guesses fail:")
        for miss in misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
