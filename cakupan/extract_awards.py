"""Paritrana Award results: ranks written as numerals ("juara 2 diraih oleh …") or in words
("urutan pertama diraih A, disusul B, dan C"), each with its award year, level, organising region,
category and ceremony date, as rows for data/awards.csv.

A provincial round is organised by the province its winners belong to, so the organising region is
read from the winners (a ceremony's venue or the reporter's dateline can be elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .extract_where import COUNTRY, Gazetteer, Place, newsroom_dates
from .numbers import LIST_STEP

_I = re.I
RANK_WORDS = {
    "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5,
    "satu": 1, "dua": 2, "tiga": 3, "i": 1, "ii": 2, "iii": 3,
}  # fmt: skip
ANCHOR = re.compile(
    r"\b(?:juara|peringkat|urutan|posisi|terbaik)\s+(?:ke-\s*|ke\s+)?"
    r"(?P<rank>\d{1,2}(?!\d|[.,]\d)|pertama|kedua|ketiga|keempat|kelima|satu|dua|tiga|III|II|I)\b",
    _I,
)
AWARD_CONTEXT = re.compile(r"\bParitrana\b|\bpenghargaan\b|\baward\b|\banugerah\b", _I)
_WINNER_VERBS = (
    r"diraih|diberikan|jatuh|untuk|disabet|direbut|ditempati|dimenangkan|dengan|adalah|yaitu|yakni"
)
WINNER_AFTER = re.compile(rf"\s*(?:[^,.;]{{0,60}}?\s)?(?:{_WINNER_VERBS})\b", _I)
AWARD_YEAR = re.compile(r"\bParitrana(?:\s+Award)?(?:\s+[A-Za-z]+){0,4}?\s+((?:19|20)\d\d)\b", _I)
LEVEL = re.compile(r"\btingkat\s+(provinsi|nasional)\b", _I)
CATEGORY = re.compile(
    rf"\bkategori\s+(?P<cat>[^,.;()]+?)(?=\s*[,.;(]|\s+(?:urutan|juara|peringkat|{_WINNER_VERBS})\b|$)",
    _I,
)


@dataclass(frozen=True)
class Rank:
    rank: int
    place: Place
    word_start: int  # what the curator sees as the rank: "1", "pertama", "disusul", "dan"
    word_end: int
    quote_start: int
    quote_end: int
    how: str


def ranks(text: str, layout, places: list[Place]) -> list[Rank]:
    """Every rank with its winner; a rank with no region named for it is left out."""
    if not AWARD_CONTEXT.search(text) and not ANCHOR.search(text):
        return []
    out: list[Rank] = []
    places = [p for p in places if p.code != COUNTRY]  # "tingkat nasional" is a level, not a winner
    anchors = [a for a in ANCHOR.finditer(text) if not layout.in_headline(a.start())]
    for i, a in enumerate(anchors):
        if a.group(0).lower().startswith(
            ("peringkat", "urutan", "posisi", "terbaik")
        ) and not AWARD_CONTEXT.search(text):
            continue
        sentence = layout.sentence(a.start())
        stop = min(sentence.end, anchors[i + 1].start() if i + 1 < len(anchors) else len(text))
        rank = (
            int(a.group("rank"))
            if a.group("rank").isdigit()
            else RANK_WORDS[a.group("rank").lower()]
        )
        after = [p for p in places if a.end() <= p.start < stop]
        before = [p for p in places if sentence.start <= p.start and p.end <= a.start()]
        if after and WINNER_AFTER.match(text, a.end(), after[0].start):
            winner, how = (
                after[0],
                f"'{text[a.end() : after[0].start].strip()}' names the winner after it",
            )
        elif before:
            winner, how = before[-1], "the winner is named before it"
        elif after:
            winner, how = after[0], "the winner is named after it"
        else:
            continue
        q0, q1 = min(a.start(), winner.start), max(a.end(), winner.end)
        out.append(
            Rank(
                rank,
                winner,
                a.start("rank"),
                a.end("rank"),
                q0,
                q1,
                f"rank {rank} from '{a.group(0)}', {how}",
            )
        )
        # "urutan pertama diraih A, disusul B, dan C", "A meraih juara pertama kategori …,
        # disusul B dan C": each next name in the list is the next rank.
        if winner.start < a.start():
            category = (
                CATEGORY.match(text, a.end() + 1) if text[a.end() : a.end() + 1] == " " else None
            )
            last_end, following = (category.end() if category else a.end()), after
        else:
            last_end, following = winner.end, after[1:]
        for p in following:
            step = LIST_STEP.match(text, last_end)
            if not step or step.end() != p.start:
                break
            rank += 1
            word = re.search(r"[A-Za-z]+(?:\s+oleh)?", step.group(0))
            w0, w1 = last_end + word.start(), last_end + word.end()
            # The quote runs from the list's stated rank to this name: it shows why it is rank n.
            how = f"rank {rank}: '{word.group(0)}' names the next in the list after rank {rank - 1}"
            out.append(Rank(rank, p, w0, w1, q0, p.end, how))
            last_end = p.end
    return out


def award_rows(
    text, layout, places, gazetteer: Gazetteer, source_id: str, first_number: int, event: str
) -> list[tuple[Rank, dict]]:
    """Each rank found, with its row of awards.csv columns."""
    prefix = f"a{source_id.split('_')[0]}"
    dates = newsroom_dates(text)
    rows = []
    for n, r in enumerate(ranks(text, layout, places), start=first_number):
        paragraph = layout.paragraph(r.quote_start)
        year, year_why = _nearest(AWARD_YEAR, text, layout, r.quote_start, "award year")
        level_text, level_why = _nearest(LEVEL, text, layout, r.quote_start, "level")
        winner_level = (
            gazetteer.by_code[r.place.code].level if r.place.code in gazetteer.by_code else ""
        )
        level = {"provinsi": "provincial", "nasional": "national"}.get(level_text.lower(), "")
        if not level:
            level = "national" if winner_level == "province" else "provincial"
            level_why = f"level {level}: the winner is a {winner_level or 'region'}"
        organiser = COUNTRY if level == "national" else gazetteer.province_of(r.place.code)
        category, category_why = _category(text, layout.sentence(r.quote_start), winner_level)
        ceremony, ceremony_why = _ceremony(dates, paragraph, r.quote_start, event, text)
        if not year and ceremony:
            year, year_why = (
                ceremony[:4],
                f"award year {ceremony[:4]}: no year named, the ceremony's",
            )
        award = "Paritrana Award" if re.search(r"Paritrana", text, _I) else ""
        rows.append(
            (
                r,
                {
                    "award_id": f"{prefix}-{n}",
                    "award": award,
                    "award_year": year,
                    "level": level,
                    "organising_region_code": organiser,
                    "category": category,
                    "rank": str(r.rank),
                    "region_code": r.place.code,
                    "ceremony_date": ceremony,
                    "why": "; ".join(
                        [
                            r.how,
                            f"region {r.place.code}: '{r.place.text}'",
                            "award: Paritrana is named" if award else "no award named",
                            year_why,
                            level_why,
                            f"organising region {organiser}: {'the national round' if organiser == COUNTRY else 'the winners’ province'}",
                            category_why,
                            ceremony_why,
                        ]
                    ),  # fmt: skip
                },
            )
        )
    return rows


def _nearest(pattern: re.Pattern, text: str, layout, pos: int, what: str) -> tuple[str, str]:
    """The match in pos's sentence, else the last before it in its paragraph, else the last
    before it in the article, else the first after it."""
    sentence, paragraph = layout.sentence(pos), layout.paragraph(pos)
    same = list(pattern.finditer(text, sentence.start, sentence.end))
    inside = [m for m in pattern.finditer(text, paragraph.start, paragraph.end) if m.start() < pos]
    earlier = list(pattern.finditer(text, 0, pos))
    later = list(pattern.finditer(text, pos))
    for found in (same[:1], inside[-1:], earlier[-1:], later[:1]):
        if found:
            return found[0].group(1), f"{what} from '{found[0].group(0)}'"
    return "", f"no {what} named"


def _category(text: str, sentence, winner_level: str) -> tuple[str, str]:
    m = CATEGORY.search(text, sentence.start, sentence.end)
    if m:
        return m.group("cat").strip(), f"category from '{m.group(0).strip()}'"
    default = "pemerintah provinsi" if winner_level == "province" else "pemerintah kabupaten/kota"
    return (
        default,
        f"category '{default}': no category named, the winner is a {winner_level or 'region'}",
    )


def _ceremony(dates, paragraph, pos: int, event: str, text: str) -> tuple[str, str]:
    inside = [d for d in dates if paragraph.start <= d[0] < paragraph.end]
    earlier = [d for d in dates if d[0] < pos]
    for found in (inside[:1], earlier[-1:]):
        if found:
            start, end, iso = found[0]
            return iso, f"ceremony {iso} from '{text[start:end]}'"
    return event, f"ceremony {event or '?'}: the article's event date"
