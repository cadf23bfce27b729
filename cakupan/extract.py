"""Proposing candidate figures and award results from an article, for a curator to judge.

The tool does the counting (exact code-point offsets, quotes, qualifiers) and the guessing; a
person does the judging. Every number in the article becomes one row of the review file:
`percent` and `number` rows are proposed figures, `award` rows Paritrana results, and `repeat`
(a headline or a second sentence restating a figure) and `not-a-figure` rows (dates, phone and regulation numbers,
counts of villages...) are there so a curator sees that nothing was missed. Each row's `why`
names the words behind its guesses. The rules: extract_where (regions, dates), extract_what
(indicators, target years, non-figures), extract_awards (award lists). Nothing here writes
anything: curation.py writes the review file and accepts reviewed rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .curation import CANDIDATE_COLUMNS
from .curation import plain_number as _plain
from .extract_awards import Rank, award_rows
from .extract_layout import Layout
from .extract_what import (
    breakdown_part,
    indicator_for,
    link_after,
    link_before,
    not_a_figure,
    target_year_for,
    windows,
)
from .extract_where import (
    AsOfPhrase,
    Dated,
    Gazetteer,
    Place,
    as_of_for,
    as_of_phrases,
    choose_region,
    event_date,
)
from .numbers import NumberMention, find_numbers
from .package import load_package
from .provenance import locate

FIGURE_KINDS = {"percent", "number"}
CLAUSE_END = re.compile(r"[.!?](?=\s|$)|\n|[“”\"]")
MAX_SIDE = 200  # characters of context either side at most: a quote is a clause, not a paragraph
SPEECH_VERBS = re.compile(
    r"\b(kata|ujar|ujarnya|jelas|jelasnya|menurut|mengatakan|menyampaikan|menambahkan|terang|terangnya|tegas)\b",
    re.I,
)


@dataclass
class Catalogue:
    """What the guesses are checked against: the package's regions, indicators and columns."""

    gazetteer: Gazetteer
    kinds: dict[str, str]
    units: dict[str, str]
    figure_columns: list[str]
    award_columns: list[str]
    taken: dict[str, set[str]] = field(default_factory=dict)  # ids already used per table

    @classmethod
    def from_package(cls, package) -> Catalogue:
        indicators = package.tables["indicators"].rows
        return cls(
            Gazetteer(package.tables["regions"].rows),
            {r["indicator_id"]: r["kind"] for r in indicators},
            {r["indicator_id"]: r["unit"] for r in indicators},
            list(package.tables["figures"].field_names),
            list(package.tables["awards"].field_names),
            {
                "figures": {r["figure_id"] for r in package.tables["figures"].rows},
                "awards": {r["award_id"] for r in package.tables["awards"].rows},
            },
        )


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around a number: from the previous sentence end, line break or quote mark to the next."""
    left = max(0, start - MAX_SIDE)
    before = [m.end() for m in CLAUSE_END.finditer(text, left, start)]
    qstart = before[-1] if before else left
    after = CLAUSE_END.search(text, end, min(len(text), end + MAX_SIDE))
    qend = after.start() if after else min(len(text), end + MAX_SIDE)
    if not before and qstart > 0 and " " in text[qstart:start]:
        qstart = text.index(" ", qstart) + 1  # clipped at the length limit: start at a word
    if not after and qend < len(text) and " " in text[end:qend]:
        qend = text.rindex(" ", end, qend)
    while qstart < start and text[qstart] in " \t,;:":
        qstart += 1
    while qend > end and text[qend - 1] in " \t,;:":
        qend -= 1
    return qstart, qend


def attribution(text: str, start: int, qstart: int, qend: int) -> str:
    opened = sum(text.count(mark, max(0, start - 600), start) for mark in '“"') - text.count(
        "”", max(0, start - 600), start
    )
    if opened > 0:
        return "direct_quote"
    return (
        "reported_speech"
        if SPEECH_VERBS.search(text, max(0, qstart - 60), min(len(text), qend + 60))
        else "narration"
    )


def candidates(root: Path, source_id: str) -> list[dict]:
    package = load_package(Path(root))
    sources = {r["source_id"]: r for r in package.tables["sources"].rows}
    if source_id not in sources:
        raise KeyError(f"no source {source_id!r} in data/sources.csv")
    origin = sources[source_id]
    text = (Path(root) / origin["path"]).read_bytes().decode("utf-8")
    return propose(text, origin, Catalogue.from_package(package))


@dataclass
class _Figure:
    mention: NumberMention
    indicator: str
    why: str
    decided: bool  # by words, not by the default


@dataclass
class _Article:
    """One article as read once: its layout, the regions and dates it names, its numbers."""

    text: str
    source_id: str
    catalogue: Catalogue
    layout: Layout
    places: list[Place]
    phrases: list[AsOfPhrase]
    event: Dated
    event_year: int | None
    mentions: list[NumberMention]

    @classmethod
    def read(cls, text: str, origin: dict, catalogue: Catalogue) -> _Article:
        layout = Layout(text, origin.get("headline", ""))
        event = event_date(text, origin)
        return cls(
            text,
            origin["source_id"],
            catalogue,
            layout,
            catalogue.gazetteer.places(text, layout, origin.get("dateline", "")),
            # a date after both the event and the publication is a deadline, not an as-of date
            as_of_phrases(text, max(event.date, origin.get("published") or "")),
            event,
            int(event.date[:4]) if event.date else None,
            find_numbers(text),
        )


def propose(text: str, origin: dict, catalogue: Catalogue) -> list[dict]:
    """Every number of `text` as a review row, in text order; `origin` is its data/sources.csv row."""
    art = _Article.read(text, origin, catalogue)
    number = art.source_id.split("_")[0]
    first = _next_id(catalogue.taken.get("awards", set()), f"a{number}-")
    awards = award_rows(
        text, art.layout, art.places, catalogue.gazetteer, art.source_id, first, art.event.date
    )
    rank_words = {r.word_start for r, _ in awards}
    rows = [(r.word_start, _award_row(art, r, a)) for r, a in awards]
    names = [p for p in art.places if p.how == "named"]
    figures: list[_Figure] = []
    for i, m in enumerate(art.mentions):
        if m.start in rank_words:
            continue
        name = next((p.text for p in names if p.start <= m.start < p.end), None)
        reason = not_a_figure(text, m, art.layout, name)
        if reason is None and m.kind in FIGURE_KINDS and art.layout.in_headline(m.start):
            repeat = _repeat_of(art, m)
            if repeat:
                rows.append((m.start, _plain_row(art, m, "repeat", repeat)))
                continue
        if reason is None and m.kind in FIGURE_KINDS:
            figures.append(_first_guess(art, i, figures))
        else:
            rows.append((m.start, _plain_row(art, m, "not-a-figure", reason or "not a figure")))
    _follow_links(text, figures)
    last_target_year, proposed = "", []
    for f in figures:
        row = _figure_row(art, f, last_target_year)
        if row["target_year"] and catalogue.kinds.get(f.indicator) == "target":
            last_target_year = row["target_year"]
        proposed.append(row)
    _mark_restatements(proposed)
    prefix = f"f{number}-"
    next_figure = _next_id(catalogue.taken.get("figures", set()), prefix)
    for row in proposed:
        if row["candidate_kind"] in FIGURE_KINDS:
            row["figure_id"] = f"{prefix}{next_figure:02d}"
            next_figure += 1
        rows.append((int(row["number_start"]), row))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


# A curator cites the speaker's own words when the article has them, then reported speech, then
# the reporter's narration (a lead that summarises the quote below it).
_VOICE = {"direct_quote": 0, "reported_speech": 1, "narration": 2}


def _mark_restatements(rows: list[dict]) -> None:
    """One fact stated twice in the body (same value, indicator, region, date and target year) is
    proposed once, in the speaker's own words where it has them; the others are repeats. The
    starting point of "dari 44 persen menjadi 55 persen" restates a rate given before it."""
    figures = [r for r in rows if r["candidate_kind"] in FIGURE_KINDS]
    groups: dict[tuple, list[dict]] = {}
    for r in figures:
        key = (r["value"], r["indicator_id"], r["region_code"], r["as_of"], r["target_year"])
        groups.setdefault(key, []).append(r)
    for same in groups.values():
        starts = [r for r in same if "the starting point" in r["why"]]
        others = [r for r in same if r not in starts]
        if not others:
            continue
        keep = min(others, key=lambda r: _VOICE.get(r["attribution"], 3))
        for r in same:
            if r is not keep:
                _repeat(r, keep)


def _repeat(row: dict, kept: dict) -> None:
    row["candidate_kind"] = "repeat"
    row["why"] = (
        f"restates '{kept['candidate_text']}' at offset {kept['number_start']} ({kept['attribution'].replace('_', ' ')}); {row['why']}"
    )


def _next_id(taken: set[str], prefix: str) -> int:
    """The next running number after the ones the package already uses for this article."""
    used = [
        int(t[len(prefix) :]) for t in taken if t.startswith(prefix) and t[len(prefix) :].isdigit()
    ]
    return max(used, default=0) + 1


def _repeat_of(art: _Article, m: NumberMention) -> str | None:
    """The body's number a headline number repeats; headlines round ('47 Persen' for 47,3 persen)."""
    body = [o for o in art.mentions if o.kind == m.kind and not art.layout.in_headline(o.start)]
    for other in body:
        if other.value == m.value:
            return f"the headline repeats '{other.text}' at offset {other.start}"
    for other in body:
        if m.value == m.value.to_integral_value() and abs(other.value - m.value) < 1:
            return f"the headline repeats '{other.text}' at offset {other.start}, rounded"
    return None


def _first_guess(art: _Article, i: int, figures: list[_Figure]) -> _Figure:
    text, m, layout = art.text, art.mentions[i], art.layout
    clause_span = layout.clause(m.start)
    # Windows run from the previous figure-like number to the next one: a year or a date inside
    # ("RPJMN 2025–2029 memuat angka 32,15% pada 2025") belongs to the words around the number.
    others = [n for n in art.mentions if n.kind in FIGURE_KINDS]
    prev_end = max((n.end for n in others if n.end <= m.start), default=0)
    next_start = min((n.start for n in others if n.start >= m.end), default=len(text))
    lead, tail = windows(text, m, clause_span, prev_end, next_start)
    part, vulnerable = breakdown_part(text, m, layout) if m.kind == "number" else (False, False)
    if part:
        sentence_start = layout.sentence(m.start).start
        whole = next((f for f in reversed(figures) if f.mention.start < sentence_start), None)
        if vulnerable and whole:
            why = f"{whole.indicator}: vulnerable workers, a group within '{whole.mention.text}' before it"
            return _Figure(m, whole.indicator, why, True)
        return _Figure(
            m, "", "one part of a breakdown ('terdiri atas …'), not a figure of its own", True
        )
    scope = text[clause_span.start : min(clause_span.end, next_start)]
    previous = layout.previous_sentence(m.start)
    before = text[previous.start : previous.end] if previous else ""
    return _Figure(m, *indicator_for(text, m, lead, tail, scope, art.event_year, before))


def _follow_links(text: str, figures: list[_Figure]) -> None:
    """'38,39 persen …, atau setara 1.174.328 pekerja': a count restating a target is a target;
    '580 ribu pekerja atau 44 persen': a count beside a coverage rate is the covered count."""
    for a, b in zip(figures, figures[1:], strict=False):
        if (
            a.mention.kind == "percent"
            and b.mention.kind == "number"
            and link_before(text, a.mention.end, b.mention.start)
        ):
            count, share = b, a
        elif (
            a.mention.kind == "number"
            and b.mention.kind == "percent"
            and link_after(text, a.mention.end, b.mention.start)
        ):
            count, share = a, b
        else:
            continue
        if count.indicator in ("", "workers_budget_paid"):
            continue
        if (
            count.indicator == "workers_covered_target"
            and share.indicator == "coverage_rate"
            and not share.decided
        ):
            share.indicator = "coverage_target_rate"
            share.why = f"coverage_target_rate: the share of the target '{count.mention.text}'"
        elif share.indicator == "coverage_target_rate":
            count.indicator = "workers_covered_target"
            count.why = f"workers_covered_target: it restates the target '{share.mention.text}'"
        elif share.indicator == "coverage_rate" and not count.decided:
            count.indicator = "workers_covered"
            count.why = (
                f"workers_covered: the count behind the coverage rate '{share.mention.text}'"
            )


def _figure_row(art: _Article, f: _Figure, last_target_year: str) -> dict:
    m, layout = f.mention, art.layout
    if not f.indicator:  # one part of a breakdown, or a count no indicator records
        return _plain_row(art, m, "not-a-figure", f.why)
    i = art.mentions.index(m)
    next_start = next(
        (n.start for n in art.mentions[i + 1 :] if n.kind in FIGURE_KINDS), len(art.text)
    )
    region, region_why = choose_region(m.start, next_start, art.places, layout, art.text)
    kind = art.catalogue.kinds.get(f.indicator, "")
    target_year, year_why = "", ""
    if kind in ("target", "gap"):
        target_year, year_why = target_year_for(
            art.text,
            m,
            layout.clause(m.start),
            layout.sentence(m.start),
            art.event_year,
            last_target_year,
            kind,
        )
    dated = as_of_for(m.start, kind == "target", layout, art.phrases, art.event)
    qualifier = m.qualifier or ("about" if m.approximate else "exact")
    why = [f.why, region_why, dated.why, year_why]
    if m.qualifier_text or m.approximate:
        why.append(f"qualifier {qualifier} from '{m.qualifier_text or m.text}'")
    if layout.in_headline(m.start):
        why.append("stated only in the headline")
    row = _plain_row(art, m, m.kind, "; ".join(w for w in why if w))
    row.update(
        {
            "region_code": region,
            "indicator_id": f.indicator,
            "value": _plain(m.value),
            "unit": art.catalogue.units.get(f.indicator, ""),
            "qualifier": qualifier,
            "qualifier_text": m.qualifier_text or "",
            "as_of": dated.date,
            "as_of_basis": dated.basis,
            "target_year": target_year,
            "attribution": attribution(
                art.text, m.start, int(row["quote_start"]), int(row["quote_end"])
            ),
        }
    )
    return row


def _empty(catalogue: Catalogue) -> dict:
    columns = catalogue.figure_columns + CANDIDATE_COLUMNS + catalogue.award_columns
    return dict.fromkeys(columns, "")


def _quote(text: str, start: int, end: int) -> dict:
    span = locate(text, text[start:end], near=start)
    return {
        "quote": text[span.start : span.end],
        "quote_start": str(span.start),
        "quote_end": str(span.end),
        "quote_prefix": span.prefix,
        "quote_suffix": span.suffix,
    }


def _plain_row(art: _Article, m: NumberMention, kind: str, why: str) -> dict:
    """A row with every review column: the quote, the number's offsets, the kind and why."""
    qstart, qend = clause(art.text, m.start, m.end)
    if m.qualifier_text and art.text.rfind(m.qualifier_text, qstart, m.start) < 0:
        qstart = art.text.rfind(m.qualifier_text, 0, m.start)
    row = _empty(art.catalogue)
    row.update(_quote(art.text, qstart, qend))
    row.update(
        {
            "source_id": art.source_id,
            "candidate_kind": kind,
            "candidate_text": m.text,
            "number_start": str(m.start),
            "number_end": str(m.end),
            "why": why,
        }
    )
    return row


def _award_row(art: _Article, rank: Rank, award: dict) -> dict:
    """An award result: the awards.csv columns filled, the figure-only columns left empty."""
    row = _empty(art.catalogue)
    row.update(_quote(art.text, rank.quote_start, rank.quote_end))
    row.update(award)
    row.update(
        {
            "source_id": art.source_id,
            "candidate_kind": "award",
            "candidate_text": art.text[rank.word_start : rank.word_end],
            "number_start": str(rank.word_start),
            "number_end": str(rank.word_end),
        }
    )
    return row
