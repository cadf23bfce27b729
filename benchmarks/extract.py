"""How well `cakupan extract` proposes what curators record, on the seed articles and on articles
it has never seen.

    python benchmarks/extract.py

Two corpora:
  - seeds: the four articles in sources/, against data/figures.csv and data/awards.csv (and the
    held-out list tests/completeness.csv, where a repeat of a recorded fact is a fair proposal);
  - eval: ../shared/eval (relative to the repository root), six synthetic articles in real regional
    news phrasing with truth.csv, nonfigures.csv and meta.csv. They are read from there and never
    copied into sources/ or data/.

A curated figure is found when a proposed figure (candidate_kind percent or number) of the same
article has its value at the curated number (the same offsets on the seeds, the same printed text
on eval, else the same value). Then its region, indicator, as-of date, target year and qualifier are
compared. An award rank is found when an award candidate has the same rank and region; its other
awards.csv fields are compared too. Precision is the share of proposed figures that are curated
figures: headline repeats and non-figures must be marked (repeat, not-a-figure), not proposed.
"""

from __future__ import annotations

import csv
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / ".." / "shared" / "eval"
sys.path.insert(0, str(ROOT))

from cakupan.extract import FIGURE_KINDS, Catalogue, candidates, propose  # noqa: E402
from cakupan.numbers import find_numbers  # noqa: E402
from cakupan.package import load_package  # noqa: E402

TARGETS = {  # on eval, from issue 13
    "value + region + indicator": 0.90,
    "as_of": 0.85,
    "target year": 0.85,
    "award ranks (rank + region)": 0.85,
    "precision (proposed figures curated)": 0.80,
}


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Score:
    def __init__(self):
        self.counts: dict[str, list[int]] = {}
        self.misses: list[str] = []

    def add(self, metric: str, ok: bool, miss: str = "") -> None:
        hit_total = self.counts.setdefault(metric, [0, 0])
        hit_total[0] += ok
        hit_total[1] += 1
        if not ok and miss:
            self.misses.append(f"{metric}: {miss}")

    def cell(self, metric: str) -> str:
        if metric not in self.counts:
            return "—"
        hit, total = self.counts[metric]
        return f"{hit}/{total} = {hit / total:.0%}" if total else "0/0"

    def ratio(self, metric: str) -> float:
        hit, total = self.counts.get(metric, (0, 0))
        return hit / total if total else 0.0


def score_figures(score: Score, truth: list[dict], proposed: list[dict]) -> set[int]:
    """Compare each curated figure with the proposal matched to it; the ids of matched proposals."""
    used: set[int] = set()
    for t in truth:
        pool = [
            c
            for c in proposed
            if c["source_id"] == t["article"]
            and id(c) not in used
            and Decimal(c["value"]) == Decimal(t["value"])
        ]
        exact = [c for c in pool if t.get("span") == (int(c["number_start"]), int(c["number_end"]))]
        printed = [c for c in pool if c["candidate_text"].lower() == t["number_text"].lower()]
        matches = exact or ([] if t.get("span") else printed) or pool
        label = f"{t['article']} {t['number_text']!r} ({t['indicator']}, {t['region_code']})"
        score.add("value found", bool(matches), f"{label}: no proposed figure with this value")
        if not matches:
            for m in ("value + region", "value + region + indicator", "as_of"):
                score.add(m, False)
            if t["target_year"]:
                score.add("target year", False)
            continue
        c = matches[0]
        used.add(id(c))
        why = f" — why: {c['why']}"
        region_ok = c["region_code"] == t["region_code"]
        indicator_ok = c["indicator_id"] == t["indicator"]
        wrong = [
            f"{what} guessed {got!r}, curated {want!r}"
            for what, got, want in (
                ("region", c["region_code"], t["region_code"]),
                ("indicator", c["indicator_id"], t["indicator"]),
            )
            if got != want
        ]
        score.add("value + region", region_ok)
        score.add(
            "value + region + indicator",
            region_ok and indicator_ok,
            f"{label}: {'; '.join(wrong)}{why}",
        )
        score.add(
            "as_of",
            c["as_of"] == t["as_of"],
            f"{label}: as_of {c['as_of']}, curated {t['as_of']}{why}",
        )
        if t["target_year"]:
            score.add(
                "target year",
                c["target_year"] == t["target_year"],
                f"{label}: target year {c['target_year']!r}, curated {t['target_year']}{why}",
            )
        score.add(
            "qualifier",
            c["qualifier"] == t["qualifier"],
            f"{label}: qualifier {c['qualifier']}, curated {t['qualifier']}",
        )
    return used


def score_awards(score: Score, truth: list[dict], proposed: list[dict]) -> None:
    """truth rows: article, rank, region_code, ceremony_date, and `fields`, a check of the rest."""
    for t in truth:
        label = f"{t['article']} rank {t['rank']} {t['region_code']}"
        match = [
            c
            for c in proposed
            if c["source_id"] == t["article"]
            and c["rank"] == t["rank"]
            and c["region_code"] == t["region_code"]
        ]
        score.add("award ranks (rank + region)", bool(match), f"{label}: no award candidate")
        if match:
            c = match[0]
            wrong = [f for f, ok in t["fields"](c).items() if not ok]
            score.add(
                "award rows, every field",
                not wrong,
                f"{label}: {', '.join(f'{f} {c[f]!r}' for f in wrong)} — why: {c['why']}",
            )


def precision(score: Score, proposed: list[dict], used: set[int], nonfigures: dict) -> None:
    for c in proposed:
        ok = id(c) in used
        reason = nonfigures.get((c["source_id"], c["candidate_text"].lower()))
        what = f"a non-figure ({reason})" if reason else "not a curated figure"
        score.add(
            "precision (proposed figures curated)",
            ok,
            f"{c['source_id']} {c['candidate_text']!r} proposed as {c['indicator_id']} at {c['region_code']}: {what} — why: {c['why']}",
        )


def seeds() -> Score:
    score = Score()
    package = load_package(ROOT)
    rows = []
    for source in package.tables["sources"].rows:
        rows += candidates(ROOT, source["source_id"])
    proposed = [c for c in rows if c["candidate_kind"] in FIGURE_KINDS]
    truth = []
    for f in package.tables["figures"].rows:
        start = int(f["quote_start"])
        span = next(
            (start + m.start, start + m.end)
            for m in find_numbers(f["quote"])
            if m.value is not None and m.value == Decimal(f["value"])
        )
        truth.append(
            {
                "article": f["source_id"], "value": f["value"], "indicator": f["indicator_id"],
                "region_code": f["region_code"], "as_of": f["as_of"], "target_year": f["target_year"],
                "qualifier": f["qualifier"], "number_text": f["quote"], "span": span,
            }
        )  # fmt: skip
    used = score_figures(score, truth, proposed)
    fields = ("award", "award_year", "level", "organising_region_code", "category", "ceremony_date")
    score_awards(
        score,
        [
            {
                **a,
                "article": a["source_id"],
                "fields": lambda c, a=a: {f: c[f] == a[f] for f in fields},
            }
            for a in package.tables["awards"].rows
        ],  # fmt: skip
        [c for c in rows if c["candidate_kind"] == "award"],
    )
    precision(score, proposed, used, {})
    heldout = {
        (h["source_id"], int(h["start"])): h["disposition"]
        for h in read(ROOT / "tests" / "completeness.csv")
    }
    for c in proposed:
        score.add(
            "precision vs held-out list (recorded or repeat)",
            heldout.get((c["source_id"], int(c["number_start"]))) in ("recorded", "repeat"),
        )
    return score


def evaluation() -> Score:
    if not EVAL.is_dir():
        sys.exit(
            f"error: {EVAL.resolve()} is missing; the eval corpus must sit at ../shared/eval "
            "relative to the repository root (aNN.txt, truth.csv, nonfigures.csv, meta.csv)"
        )
    score = Score()
    catalogue = Catalogue.from_package(load_package(ROOT))
    catalogue.taken = {}
    rows = []
    for meta in read(EVAL / "meta.csv"):
        origin = {
            "source_id": meta["article"], "headline": meta["headline"], "dateline": meta["dateline"],
            "published": meta["published"], "event_date": "",
        }  # fmt: skip
        text = (EVAL / f"{meta['article']}.txt").read_bytes().decode("utf-8")
        rows += propose(text, origin, catalogue)
    proposed = [c for c in rows if c["candidate_kind"] in FIGURE_KINDS]
    truth = read(EVAL / "truth.csv")
    used = score_figures(score, [t for t in truth if t["indicator"] != "award_rank"], proposed)
    awards = []
    for t in truth:
        if t["indicator"] == "award_rank":
            note = t["note"]
            year = re.search(r"Paritrana Award (\d{4})", note)

            def fields(c, note=note, year=year, t=t):
                return {
                    "award_year": bool(year) and c["award_year"] == year.group(1),
                    "level": c["level"] in note,
                    "organising_region_code": bool(
                        re.search(rf"[(,]\s*{re.escape(c['organising_region_code'])}\)", note)
                    ),
                    "category": bool(c["category"]) and c["category"] in note,
                    "ceremony_date": c["ceremony_date"] == t["as_of"],
                }

            awards.append({**t, "rank": t["value"], "fields": fields})
    score_awards(score, awards, [c for c in rows if c["candidate_kind"] == "award"])
    nonfigures = {
        (n["article"], n["number_text"].lower()): n["why"] for n in read(EVAL / "nonfigures.csv")
    }
    precision(score, proposed, used, nonfigures)
    for n in read(EVAL / "nonfigures.csv"):
        marked_non_figures(score, n, [c for c in rows if c["source_id"] == n["article"]])
    return score


def marked_non_figures(score: Score, nonfigure: dict, rows: list[dict]) -> None:
    """A number nonfigures.csv lists is in the review file, marked, not proposed (texts such as
    '38 provinsi' hold the candidate's number '38'; a list of village names holds none)."""
    printed = nonfigure["number_text"].lower()
    inside = [
        c for c in rows if c["candidate_kind"] != "award" and c["candidate_text"].lower() in printed
    ]
    if not inside:
        return
    proposed = [c for c in inside if c["candidate_kind"] in FIGURE_KINDS]
    score.add(
        "non-figures marked, not proposed",
        not proposed,
        f"{nonfigure['article']} {nonfigure['number_text']!r} ({nonfigure['why']}) proposed as "
        + ", ".join(f"{c['indicator_id']} ({c['why']})" for c in proposed),
    )


METRICS = [
    "value found", "value + region", "value + region + indicator", "as_of", "target year",
    "qualifier", "award ranks (rank + region)", "award rows, every field",
    "precision (proposed figures curated)", "precision vs held-out list (recorded or repeat)",
    "non-figures marked, not proposed",
]  # fmt: skip


def main() -> int:
    s, e = seeds(), evaluation()
    print(f"{'':48} {'seeds (sources/)':18} {'eval (../shared/eval)':22} target on eval")
    for metric in METRICS:
        target = TARGETS.get(metric)
        mark = ""
        if target is not None:
            mark = f">= {target:.0%} " + ("met" if e.ratio(metric) >= target else "NOT MET")
        print(f"{metric:48} {s.cell(metric):18} {e.cell(metric):22} {mark}".rstrip())
    for name, score in (("seeds", s), ("eval", e)):
        print(f"\nmisses on {name}:" if score.misses else f"\nmisses on {name}: none")
        for miss in score.misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
