"""Proposing candidate figures from an article, for a curator to judge.

The tool does the counting (exact code-point offsets, quotes, qualifiers) and the guessing
(region, indicator, target year); a person does the judging. Nothing here writes anything:
curation.py writes the review file and accepts reviewed rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .curation import plain_number as _plain
from .numbers import NumberMention, find_numbers
from .package import load_package
from .provenance import locate

FIGURE_KINDS = {"percent", "number"}
CLAUSE_END = re.compile(r"[.!?](?=\s|$)|\n|[“”\"]")
MAX_SIDE = 200  # characters of context either side at most: a quote is a clause, not a paragraph

# First match wins; each pattern is looked for in the words around the number.
PERCENT_RULES = [
    (r"\b(gap|kesenjangan)\b", "coverage_gap"),
    (r"kemiskinan", "extreme_poverty_target_rate"),
    (r"belum (ter)?lindungi|belum terdaftar|belum tercover", "uncovered_rate"),
    (r"bukan penerima upah|\bBPU\b|informal", "coverage_rate_informal"),
    (r"penerima upah|\bPU\b|formal", "coverage_rate_formal"),
    # "menargetkan" is meN- + target with the t dropped: it does not contain "target"
    # ("hingga" is left out: "hingga saat ini" means "until now")
    (r"target|menargetkan|menjadi|naikkan|meningkatkan", "coverage_target_rate"),
]
COUNT_RULES = [
    (r"target|menargetkan|menjadi", "workers_covered_target"),
    (r"APBD|Dana Desa|iuran|dibiayai|dibayar", "workers_budget_paid"),
    (r"terdaftar|peserta|terlindungi|tercover|kepesertaan", "workers_covered"),
    (r"pekerja|orang|tenaga kerja", "workers_total"),
]
IDIOM = re.compile(r"\bsalah satu\b", re.I)  # "one of", not a number
SPEECH_VERBS = re.compile(
    r"\b(kata|ujar|ujarnya|jelas|jelasnya|menurut|mengatakan|menyampaikan|menambahkan|terang|terangnya|tegas)\b",
    re.I,
)
REGION_PREFIXES = r"(?:Kabupaten|Kab\.?|Pemkab|Pemerintah Kabupaten|Kota|Pemkot|Pemerintah Kota|Provinsi|Prov\.?|Pemprov|Pemerintah Provinsi)"


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    core: str  # the name without "Kabupaten"/"Kota"


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


def load_regions(package) -> list[Region]:
    regions = []
    for row in package.tables["regions"].rows:
        core = re.sub(r"^(Kabupaten|Kota) ", "", row["name"])
        regions.append(Region(row["region_code"], row["level"], core))
    return regions


def region_pattern(regions: list[Region]) -> re.Pattern:
    names = sorted({r.core for r in regions if r.level != "country"}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?:(?P<prefix>{REGION_PREFIXES})\s+)?\b(?P<name>{alternatives})\b", re.I)


def resolve(match: re.Match, regions: list[Region]) -> str | None:
    """Kabupaten/Pemkab means a regency, Kota/Pemkot a city, a bare name the province first."""
    name = match.group("name").lower()
    prefix = (match.group("prefix") or "").lower()
    found = {r.level: r.code for r in regions if r.core.lower() == name}
    if prefix.startswith(("kab", "pemkab", "pemerintah kab")):
        order = ("regency", "city", "province")
    elif prefix.startswith(("kota", "pemkot", "pemerintah kota")):
        order = ("city", "regency", "province")
    else:
        order = ("province", "regency", "city")
    return next((found[level] for level in order if level in found), None)


def guess_region(
    text: str,
    start: int,
    qstart: int,
    qend: int,
    pattern: re.Pattern,
    regions: list[Region],
    after_first: bool = False,
) -> str:
    """The region named nearest before the number in its clause, else after it, else the article's most named.

    A rank names its region after the number ("juara 1 diraih oleh Kabupaten Bungo"): after_first.
    """
    inside = list(pattern.finditer(text, qstart, qend))
    before = [m for m in inside if m.start() < start]
    following = [m for m in inside if m.start() >= start]
    if after_first and following:
        chosen = following[0]
    else:
        chosen = before[-1] if before else (following[0] if following else None)
    if chosen is None:
        before = [m for m in pattern.finditer(text, max(0, start - 600), start)]
        chosen = before[-1] if before else None
    if chosen is None:
        counts: dict[str, int] = {}
        for m in pattern.finditer(text):
            code = resolve(m, regions)
            if code:
                counts[code] = counts.get(code, 0) + 1
        return max(counts, key=counts.get) if counts else ""
    return resolve(chosen, regions) or ""


def guess_indicator(text: str, mention: NumberMention, qstart: int, qend: int) -> str:
    """Keywords in the words since the last comma before the number, else up to the next comma after it.

    A keyword past a comma usually belongs to the next statement: "baru 28 persen, dari target
    nasional 48 persen" is a coverage rate followed by a target.
    """
    lead = text[max(qstart, mention.start - 80) : mention.start]
    lead = lead[lead.rfind(",") + 1 :]
    tail = text[mention.end : min(qend, mention.end + 60)]
    tail = tail.split(",")[0]
    if mention.kind == "percent":
        if re.search(r"\bdari\s*$", lead) and re.match(r"\s+menjadi\b", tail):
            return "coverage_rate"  # "dari 44 persen menjadi 55 persen": the starting point
        rules = PERCENT_RULES
    else:
        rules = COUNT_RULES
    for window in (lead, tail):
        for pattern, indicator in rules:
            if re.search(pattern, window, re.I):
                return indicator
    return "coverage_rate" if mention.kind == "percent" else "workers_total"


def guess_target_year(
    text: str, mention: NumberMention, qstart: int, qend: int, event_year: int | None
) -> str:
    years = [m for m in find_numbers(text[qstart:qend]) if m.kind == "year"]
    if years:
        nearest = min(years, key=lambda m: abs(qstart + m.start - mention.start))
        return str(nearest.value)
    window = text[qstart:qend].lower()
    if event_year and "tahun depan" in window:
        return str(event_year + 1)
    if event_year and "tahun ini" in window:
        return str(event_year)
    return ""


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
    regions = load_regions(package)
    pattern = region_pattern(regions)
    as_of = origin["event_date"] or origin["published"]
    basis = "event_date" if origin["event_date"] else ("published" if origin["published"] else "")
    event_year = int(as_of[:4]) if as_of else None
    kinds = {r["indicator_id"]: r["kind"] for r in package.tables["indicators"].rows}
    units = {r["indicator_id"]: r["unit"] for r in package.tables["indicators"].rows}
    taken = [r["figure_id"] for r in package.tables["figures"].rows if r["source_id"] == source_id]
    prefix = f"f{source_id.split('_')[0]}"
    number = len(taken)
    out = []
    for mention in find_numbers(text):
        if mention.kind not in FIGURE_KINDS | {"rank"} or IDIOM.search(
            text, max(0, mention.start - 6), mention.end
        ):
            continue
        qstart, qend = clause(text, mention.start, mention.end)
        if mention.qualifier_text and text.rfind(mention.qualifier_text, qstart, mention.start) < 0:
            qstart = text.rfind(mention.qualifier_text, 0, mention.start)
        quote = text[qstart:qend]
        span = locate(text, quote, near=qstart)
        indicator = (
            guess_indicator(text, mention, qstart, qend) if mention.kind in FIGURE_KINDS else ""
        )
        number += 1
        target_year = (
            guess_target_year(text, mention, qstart, qend, event_year)
            if kinds.get(indicator) in ("target", "gap")
            else ""
        )
        out.append(
            {
                "figure_id": f"{prefix}-{number:02d}",
                "source_id": source_id,
                "region_code": guess_region(
                    text, mention.start, qstart, qend, pattern, regions, mention.kind == "rank"
                ),
                "indicator_id": indicator,
                "value": _plain(mention.value),
                "unit": units.get(indicator, ""),
                "qualifier": mention.qualifier or ("about" if mention.approximate else "exact"),
                "qualifier_text": mention.qualifier_text or "",
                "as_of": as_of,
                "as_of_basis": basis,
                "target_year": target_year,
                "speaker_id": "",
                "attribution": attribution(text, mention.start, qstart, qend),
                "quote": quote,
                "quote_start": str(span.start),
                "quote_end": str(span.end),
                "quote_prefix": span.prefix,
                "quote_suffix": span.suffix,
                "note": "",
                "candidate_kind": mention.kind,
                "candidate_text": mention.text,
                "number_start": str(mention.start),
                "number_end": str(mention.end),
            }
        )
    return out
