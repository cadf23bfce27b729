"""Where and when a number is: the region it belongs to and the date it describes.

Regions come from data/regions.csv only (names, levels, parents), so the rules work for any of
Indonesia's 514 regencies and cities, not a list tuned to a few articles. A region counts as named
when the article prints its name capitalised ("Puncak" is a regency in Papua, "puncak" is a peak),
with "Kabupaten"/"Bupati", "Kota"/"Wali Kota" or "Provinsi"/"Gubernur" telling a regency, a city and
a province of the same name apart. Names inside an office's name ("BPJS Ketenagakerjaan Cabang
Bekasi") and the dateline are the place of the newsroom or the office, not the region reported on.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .extract_layout import Layout
from .numbers import MONTHS_ID

COUNTRY = "ID"
MONTHS = {m: i + 1 for i, m in enumerate(MONTHS_ID)}
_MONTH = "|".join(MONTHS)
_DAY = r"Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad"
PREFIX_LEVELS = [
    (r"Pemerintah\s+Kabupaten|Kabupaten|Kab\.?|Pemkab|(?:Pj\.?\s+|Wakil\s+)?Bupati", "regency"),
    (r"Pemerintah\s+Kota|Kota|Pemkot|(?:Pj\.?\s+|Wakil\s+)?Wali\s*kota", "city"),
    (r"Pemerintah\s+Provinsi|Provinsi|Prov\.?|Pemprov|(?:Pj\.?\s+|Wakil\s+)?Gubernur", "province"),
]
# A bare name is read as the province first: news names a province bare ("Jambi", "Lampung")
# and says "Kota Jambi"; a regency that shares no name with a province resolves to itself.
BARE_ORDER = ("province", "regency", "city")
NATIONAL = re.compile(r"\b(?:secara\s+)?nasional\b|\bseluruh\s+Indonesia\b|\bIndonesia\b")
# Instruments of the national government: a figure they set is national unless a region is named.
NATIONAL_INSTRUMENT = re.compile(
    r"\b(?:Inpres|Instruksi\s+Presiden|Perpres|Peraturan\s+Presiden|RPJMN|RPJPN|RKP|APBN)\b"
)
REFERS_BACK = re.compile(
    r"\b(?P<level>kabupaten|kota|provinsi|daerah|wilayah)\s+(?:tersebut|itu|ini)\b", re.I
)
# Words right before a name that make it part of an office's or institution's name.
OFFICE_BEFORE = re.compile(
    r"(?:BPJS\s+Ketenagakerjaan|BPJamsostek|Jamsostek|Kantor\s+Cabang(?:\s+Pembantu)?|Kantor\s+Wilayah"
    r"|Kanwil|Cabang|KCP|Kacab|Polda|Polres|Polresta|Polsek|Universitas|Bank|Kodim|Korem|Kejari|Kejati"
    r"|RSUD|Bandara|Stadion)\s+(?:(?:Cabang|Kantor\s+Cabang|Wilayah)\s+)?$",
    re.I,
)
# Province short forms every Indonesian newsroom uses; they cannot be derived from the names.
PROVINCE_SHORT = {
    "Sumut": "12", "Sumbar": "13", "Sumsel": "16", "Babel": "19", "Kepri": "21", "DKI": "31",
    "Jakarta": "31", "Jabar": "32", "Jateng": "33", "DIY": "34", "Jatim": "35", "NTB": "52",
    "NTT": "53", "Kalbar": "61", "Kalteng": "62", "Kalsel": "63", "Kaltim": "64", "Kaltara": "65",
    "Sulut": "71", "Sulteng": "72", "Sulsel": "73", "Sultra": "74", "Sulbar": "76", "Malut": "82",
}  # fmt: skip
CAPITALISED_WORD = re.compile(r"\b[A-Z][A-Za-z]+\b")


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    core: str  # the name without "Kabupaten"/"Kota"
    parent: str


@dataclass(frozen=True)
class Place:
    """A region named in the article."""

    start: int
    end: int
    code: str
    text: str
    how: str  # "named", "national", "refers back to ...", "short for ..."


class Gazetteer:
    def __init__(self, rows: list[dict]):
        self.regions = []
        for row in rows:
            core = re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", row["name"])
            core = re.sub(r"^Daerah (Khusus Ibukota|Istimewa) ", "", core)
            self.regions.append(Region(row["region_code"], row["level"], core, row["parent_code"]))
        self.by_code = {r.code: r for r in self.regions}
        self.by_core: dict[str, dict[str, str]] = {}
        for r in self.regions:
            if r.level != "country":
                self.by_core.setdefault(r.core.lower(), {})[r.level] = r.code
        names = sorted(self.by_core, key=len, reverse=True)
        prefixes = "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(PREFIX_LEVELS))
        self.pattern = re.compile(
            rf"(?:(?:{prefixes})\s+)?\b(?P<name>{'|'.join(re.escape(n) for n in names)})\b", re.I
        )
        # Abbreviations are looked up by their first two letters.
        self.multiword: dict[str, list[Region]] = {}
        for r in self.regions:
            words = [w for w in r.core.lower().split() if w != "dan"]
            if len(words) >= 2 and r.level != "country":
                self.multiword.setdefault(words[0][:2], []).append(r)

    @classmethod
    def from_csv(cls, path: Path) -> Gazetteer:
        with open(path, encoding="utf-8", newline="") as f:
            return cls(list(csv.DictReader(f)))

    def name(self, code: str) -> str:
        r = self.by_code.get(code)
        return r.core if r else code

    def province_of(self, code: str) -> str:
        r = self.by_code.get(code)
        if r is None:
            return ""
        return r.code if r.level in ("province", "country") else r.parent

    def _resolve(self, m: re.Match) -> str | None:
        found = self.by_core.get(m.group("name").lower(), {})
        level = next((lvl for i, (_, lvl) in enumerate(PREFIX_LEVELS) if m.group(f"p{i}")), None)
        order = (level, *[x for x in BARE_ORDER if x != level]) if level else BARE_ORDER
        return next((found[lv] for lv in order if lv in found), None)

    def places(self, text: str, layout: Layout, dateline: str = "") -> list[Place]:
        """Every region the article names, in order, with what made it one."""
        skip = _dateline_spans(text, layout, dateline)
        out: list[Place] = []
        for m in self.pattern.finditer(text):
            name = m.group("name")
            if not all(w[0].isupper() for w in name.split() if w.lower() != "dan"):
                continue  # "puncak", "metro": a word, not a name
            if any(a <= m.start("name") < b for a, b in skip):
                continue
            if m.start() == m.start("name") and OFFICE_BEFORE.search(
                text, max(0, m.start() - 45), m.start()
            ):
                continue
            code = self._resolve(m)
            if code:
                out.append(Place(m.start(), m.end(), code, m.group(0), "named"))
        out += self._national(text, out)
        out += self._short_forms(text, layout, out, skip)
        out.sort(key=lambda p: p.start)
        return self._refers_back(text, out)

    def _national(self, text: str, named: list[Place]) -> list[Place]:
        taken = [(p.start, p.end) for p in named]
        return [
            Place(m.start(), m.end(), COUNTRY, m.group(0), "national")
            for m in NATIONAL.finditer(text)
            if not any(a <= m.start() < b for a, b in taken)
            # "Pekerja Migran Indonesia", "Bank Rakyat Indonesia": part of a name
            and not (
                m.group(0) == "Indonesia"
                and re.search(r"[A-Z][a-z]*\s$", text[max(0, m.start() - 20) : m.start()])
            )
        ]

    def _short_forms(self, text, layout, named, skip) -> list[Place]:
        """Province short forms ('Sulsel') and regency short names ('Pemkab Kukar', 'di Tanjabtim')."""
        taken = [(p.start, p.end) for p in named] + list(skip)
        words = [w for w in CAPITALISED_WORD.finditer(text) if not _overlaps(w, taken)]
        out, i = [], 0
        while i < len(words):
            found = None
            for n in (3, 2, 1):
                run = words[i : i + n]
                if len(run) < n or any(
                    b.start() - a.end() != 1 for a, b in zip(run, run[1:], strict=False)
                ):
                    continue
                found = self._short_form(text, layout, run)
                if found:
                    out.append(found)
                    i += n
                    break
            i += 0 if found else 1
        return out

    def _short_form(self, text: str, layout: Layout, run: list[re.Match]) -> Place | None:
        start, end = run[0].start(), run[-1].end()
        if OFFICE_BEFORE.search(text, max(0, start - 45), start):
            return None
        words = text[start:end]
        if len(run) == 1 and words in PROVINCE_SHORT:
            return Place(start, end, PROVINCE_SHORT[words], words, "short form")
        if not any(c.islower() for c in words) or (
            len(run) == 1 and layout.sentence(start).start == start
        ):
            return (
                None  # acronyms are not short names; a sentence's first word is capitalised anyway
            )
        region = self._abbreviated(words)
        return Place(start, end, region.code, words, f"short for {region.core}") if region else None

    def _abbreviated(self, run: str) -> Region | None:
        """'Tanjab Barat' = Tan(jung) Jab(ung) Barat; 'Pangkep' = Pang(kajene dan) Kep(ulauan).

        Indonesian short names join the first syllables of each word of the name; every word must
        give at least two letters, and the run must really be shortened.
        """
        squeezed = run.replace(" ", "").lower()
        if len(squeezed) < 5:
            return None
        hits = []
        for r in self.multiword.get(squeezed[:2], []):
            words = [w for w in r.core.lower().split() if w != "dan"]
            if squeezed != "".join(words) and _joins_prefixes(squeezed, words):
                hits.append(r)
        return hits[0] if len(hits) == 1 else None

    def _refers_back(self, text: str, places: list[Place]) -> list[Place]:
        """'kabupaten tersebut' is the regency named last; 'daerah itu' the region named last."""
        named = list(places)  # names only: a reference never resolves to another reference
        taken = [(p.start, p.end) for p in places]
        for m in REFERS_BACK.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            level = {"kabupaten": "regency", "kota": "city", "provinsi": "province"}.get(
                m.group("level").lower()
            )
            earlier = [
                p
                for p in named
                if p.end <= m.start()
                and (level is None or self.by_code[p.code].level == level)
                and p.code != COUNTRY
            ]
            if earlier:
                last = earlier[-1]
                how = f"refers back to '{last.text}'"
                places.append(Place(m.start(), m.end(), last.code, m.group(0), how))
        places.sort(key=lambda p: p.start)
        return places


def _overlaps(m: re.Match, spans: list[tuple[int, int]]) -> bool:
    return any(a < m.end() and m.start() < b for a, b in spans)


def _joins_prefixes(s: str, words: list[str]) -> bool:
    if not words:
        return s == ""
    w = words[0]
    for k in range(min(len(w), len(s)), 1, -1):
        if s.startswith(w[:k]) and _joins_prefixes(s[k:], words[1:]):
            return True
    return False


def _dateline_spans(text: str, layout: Layout, dateline: str) -> list[tuple[int, int]]:
    """'JAMBI, OUTLET –' or 'Bengkulu, Outlet –': where the reporter filed, not what is reported."""
    out = []
    for p in layout.paragraphs[:6]:
        head = text[p.start : min(p.end, p.start + 60)]
        m = None
        if dateline:
            m = re.match(rf"\s*({re.escape(dateline)})\s*[,(–—-]", head, re.I)
        if m is None:
            m = re.match(r"\s*([A-Z][A-Z ]{2,30}[A-Z])\s*[,(–—-]", head)
        if m:
            out.append((p.start + m.start(1), p.start + m.end(1)))
    return out


def choose_region(
    pos: int, next_number: int, places: list[Place], layout: Layout, text: str
) -> tuple[str, str]:
    """The region for the number at pos, and the words that led to it.

    The nearest region named before the number in its clause, else after it (before the next
    number), else the nearest before it in its sentence, else after it; a sentence citing a
    national instrument with no region is national; else the region named last in the paragraph,
    then in the article.
    """
    clause, sentence = layout.clause(pos), layout.sentence(pos)

    def between(a: int, b: int) -> list[Place]:
        return [p for p in places if a <= p.start and p.end <= b]

    steps = [
        (between(clause.start, pos)[-1:], "named in its clause"),
        (between(pos, min(clause.end, next_number))[:1], "named after it in its clause"),
        (between(sentence.start, pos)[-1:], "named earlier in its sentence"),
        (between(pos, min(sentence.end, next_number))[:1], "named after it in its sentence"),
    ]
    for found, how in steps:
        if found:
            return found[0].code, _said(found[0], how)
    # “… naik ke 50 persen,” kata Gubernur Jambi: the speaker's title names the region
    if text[sentence.end : sentence.end + 1] in ("”", '"'):
        attribution = layout.sentence(sentence.end + 1)
        found = [  # "katanya di Samarinda" is where it was said, not what it is about
            p
            for p in between(attribution.start, attribution.end)
            if attribution.start > sentence.end
            and not re.search(r"\b(?:di|ke|dari)\s+$", text[max(0, p.start - 6) : p.start], re.I)
        ]
        if found:
            return found[0].code, _said(found[0], "named in the words after the quotation")
    previous = layout.previous_sentence(pos)
    for span in (sentence, previous):
        if span:
            m = NATIONAL_INSTRUMENT.search(text, span.start, span.end)
            if m:
                return (
                    COUNTRY,
                    f"region ID: '{m.group(0)}' is the national government's, no region named",
                )
    paragraph = layout.paragraph(pos)
    for found, how in (
        (between(paragraph.start, pos)[-1:], "named last in its paragraph"),
        (between(0, pos)[-1:], "named last before it in the article"),
    ):
        if found:
            return found[0].code, _said(found[0], how)
    counts: dict[str, int] = {}
    for p in places:
        counts[p.code] = counts.get(p.code, 0) + 1
    if counts:
        code = max(counts, key=counts.get)
        return code, f"region {code}: the article's most named region"
    return "", "no region named"


def _said(place: Place, how: str) -> str:
    extra = "" if place.how in ("named", "national") else f", {place.how}"
    return f"region {place.code}: '{place.text}' {how}{extra}"


@dataclass(frozen=True)
class Dated:
    date: str  # ISO
    basis: str  # as_of_basis: event_date | published
    why: str


@dataclass(frozen=True)
class AsOfPhrase:
    start: int
    end: int
    date: str
    text: str


NEWSROOM_DATE = re.compile(
    rf"\b(?:{_DAY})\s*,?\s*\(?(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}})\)?"
    rf"|\b(?:{_DAY})\s*,?\s+(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})\s+(?P<y2>\d{{4}})(?!\s*[|,]?\s*\d{{1,2}}[:.]\d{{2}})",
    re.I,
)
AS_OF = re.compile(
    rf"\b(?:data\s+)?(?:per|hingga|sampai(?:\s+dengan)?|s\.d\.?|pada|posisi|sejak)\s+"
    rf"(?:(?:tanggal|bulan)\s+)?(?P<akhir>akhir\s+(?:bulan\s+)?)?"
    rf"(?:(?P<d>\d{{1,2}})\s+)?(?P<m>{_MONTH})\s+(?P<y>\d{{4}})\b"
    rf"|\b(?:per|hingga|sampai(?:\s+dengan)?|pada|posisi)\s+(?P<nd>\d{{1,2}})/(?P<nm>\d{{1,2}})/(?P<ny>\d{{4}})\b"
    rf"|\b(?:per|hingga|sampai(?:\s+dengan)?|pada)\s+akhir\s+(?:tahun\s+)?(?P<ye>\d{{4}})\b"
    rf"|\b(?:pada|sepanjang|selama)\s+(?:tahun\s+)?(?P<yp>\d{{4}})\b(?!\s*[–—-]\s*\d)",
    re.I,
)
NOW = re.compile(r"\b(?:kini|sekarang|saat\s+ini)\b", re.I)
SAME_DATA = re.compile(
    r"\b(?:dalam|berdasarkan|menurut|pada)\s+data\s+(?:yang\s+sama|tersebut|itu)\b", re.I
)


def _iso(y: int, m: int, d: int | None) -> str:
    d = d or calendar.monthrange(y, m)[1]
    return f"{y:04d}-{m:02d}-{d:02d}"


def newsroom_dates(text: str) -> list[tuple[int, int, str]]:
    """'Selasa (22/4/2025)', 'Rabu 02 Oktober 2024': the day an event happened, newsroom style."""
    out = []
    for m in NEWSROOM_DATE.finditer(text):
        if m.group("d"):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        else:
            y, mo, d = int(m.group("y2")), MONTHS[m.group("m2").lower()], int(m.group("d2"))
        if 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]:
            out.append((m.start(), m.end(), _iso(y, mo, d)))
    return out


def event_date(text: str, origin: dict) -> Dated:
    """The recorded event date, else the first newsroom date in the text, else publication."""
    if origin.get("event_date"):
        return Dated(origin["event_date"], "event_date", "the article's recorded event date")
    found = newsroom_dates(text)
    if found:
        start, end, iso = found[0]
        return Dated(iso, "event_date", f"the event date '{text[start:end]}'")
    if origin.get("published"):
        return Dated(origin["published"], "published", "the publication date")
    return Dated("", "", "no date in the article or its record")


def as_of_phrases(text: str, reference: str) -> list[AsOfPhrase]:
    """'per 24 September 2024', 'hingga akhir Maret 2025' (the month's last day), 'pada 6 November 2024',
    'pada 2023' in an article of 2025 (that year's end).

    A date after the event is a deadline ("hingga akhir 2025"), not the date a figure describes.
    """
    out = []
    for m in AS_OF.finditer(text):
        if m.group("m"):
            iso = _iso(int(m.group("y")), MONTHS[m.group("m").lower()], _int(m.group("d")))
        elif m.group("nm"):
            mo, d = int(m.group("nm")), int(m.group("nd"))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            iso = _iso(int(m.group("ny")), mo, d)
        else:
            iso = _iso(int(m.group("ye") or m.group("yp")), 12, 31)
        if reference and iso > reference or m.group("yp") and reference[:4] <= m.group("yp"):
            continue  # a year still running or ahead is a target's year, not a date described
        out.append(AsOfPhrase(m.start(), m.end(), iso, m.group(0)))
    return out


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def as_of_for(
    pos: int, is_target: bool, layout: Layout, phrases: list[AsOfPhrase], event: Dated
) -> Dated:
    """A stated as-of date in the number's sentence, else earlier in its paragraph; 'dalam data
    yang sama' carries the last one forward; a target is dated when it was stated (the event)."""
    if is_target:
        return Dated(
            event.date, event.basis, f"as of {event.date or '?'}: a target, dated {event.why}"
        )
    sentence, paragraph, clause = layout.sentence(pos), layout.paragraph(pos), layout.clause(pos)
    now = NOW.search(layout.text, clause.start, clause.end)
    if now and not any(clause.start <= p.start < clause.end for p in phrases):
        return Dated(
            event.date, event.basis, f"as of {event.date or '?'}: '{now.group(0)}', {event.why}"
        )
    inside = [p for p in phrases if sentence.start <= p.start < sentence.end]
    if inside:
        before = [p for p in inside if p.start < pos]
        p = before[-1] if before else inside[0]
        return Dated(p.date, "event_date", f"as of {p.date} from '{p.text}'")
    earlier = [p for p in phrases if paragraph.start <= p.start < pos]
    if earlier:
        p = earlier[-1]
        return Dated(
            p.date, "event_date", f"as of {p.date} from '{p.text}' earlier in its paragraph"
        )
    same = SAME_DATA.search(layout.text, paragraph.start, pos)
    carried = [p for p in phrases if p.start < paragraph.start]
    if same and carried:
        p = carried[-1]
        return Dated(
            p.date, "event_date", f"as of {p.date}: '{same.group(0)}' carries '{p.text}' forward"
        )
    return Dated(event.date, event.basis, f"as of {event.date or '?'}: {event.why}")
