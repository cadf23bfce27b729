"""Read numbers the way Indonesian news writes them.

Indonesian groups thousands with "." and marks decimals with "," ("1.234.567,5"), spells
scales out ("1,3 juta", "117 ribuan") and often hedges a figure ("kurang lebih 112.000").
Validation uses this to check that a curated value really appears in its quote, and the
extractor uses it to propose every figure in an article, so each mention keeps exact
code-point offsets into the source ``str`` (end exclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale

__all__ = [
    "LIST_STEP",
    "NumberMention",
    "find_numbers",
    "list_rank",
    "parse_number",
    "value_in_text",
]


@dataclass(frozen=True)
class NumberMention:
    start: int  # first char of the digits / number word; the qualifier is NOT included
    end: int  # exclusive; includes a scale word and "persen"/"%" when present
    text: str  # == source_text[start:end]
    value: Decimal | None  # scaled ("1,3 juta" -> 1300000); None for dates and times
    kind: str  # "percent" | "number" | "rank" | "year" | "date" | "time"
    approximate: bool  # "ribuan"/"jutaan", or qualifier == "about"
    qualifier: str | None  # "about" | "more_than" | "up_to" | None
    qualifier_text: str | None  # the qualifier words exactly as written, e.g. "kurang lebih"


_WORD_VALUES = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
    "seribu": 1000,
}
_SCALES = {
    "ribu": Decimal(10**3),
    "ribuan": Decimal(10**3),
    "rb": Decimal(10**3),
    "juta": Decimal(10**6),
    "jutaan": Decimal(10**6),
    "jt": Decimal(10**6),
    "miliar": Decimal(10**9),
    "milyar": Decimal(10**9),  # common non-standard spelling in news copy
    "triliun": Decimal(10**12),
}
# "117 ribuan" means "some 117 thousand": the plural scale is itself a hedge.
_APPROXIMATE_SCALES = {"ribuan", "jutaan"}
_QUALIFIERS = {
    "kurang lebih sekitar": "about",
    "kurang lebih": "about",
    "sekitar": "about",
    "kira-kira": "about",
    "hampir": "about",
    # without this, "tidak lebih dari" ("no more than") would read as "lebih dari"
    "tidak lebih dari": "up_to",
    "kurang dari": "up_to",
    "lebih dari": "more_than",
    "di atas": "more_than",
    "di bawah": "up_to",
    "sampai dengan": "up_to",
    "hingga": "up_to",
    "sampai": "up_to",
}
# Indonesian month names as CLDR spells them (januari ... desember), lower-cased for matching
MONTHS_ID = tuple(m.lower() for m in Locale.parse("id").months["format"]["wide"].values())
_VALUE_KINDS = {"percent", "number", "rank", "year"}


def _alternation(words) -> str:
    # Longest first, so "kurang lebih sekitar" wins over "kurang lebih"; spaces may be any run
    # of whitespace because quotes are copied from wrapped article text.
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


# A digit run must not continue a word ("Covid19", "UCJ2") or the tail of a bigger number
# ("1.2" in "1.2.3"); "Rp1.000" is the one glued prefix Indonesian news uses all the time.
_NUM_START = r"(?<!\w)(?<!\d[.,])"
_DIGITS_START = r"(?:(?<=Rp)|(?<!\w))(?<!\d[.,])"
# ...and must not stop in the middle of one ("1.2345" is not "1.234" then "5"), while a
# sentence-ending "." or "," after it is left alone.
_DIGITS_END = r"(?![.,]?\d)"
# "." followed by exactly three digits groups thousands; any other "." is an English decimal
# point ("1.3"). "," is always the decimal mark.
_DIGITS = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+\.(?!\d{3}(?!\d))\d+|\d+(?:,\d+)?"
_DIGIT = "satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan"
# Compounds ("dua puluh lima", "seratus dua belas") are read whole, so "dua puluh ribu" is
# never mistaken for 2. Hyphens bound words so "satu-satunya" ("the only one") is no number.
_BELOW_100 = rf"(?:{_DIGIT})\s+(?:belas|puluh(?:\s+(?:{_DIGIT}))?)|sepuluh|sebelas|{_DIGIT}"
_BELOW_1000 = rf"(?:seratus|(?:{_DIGIT})\s+ratus)(?:\s+(?:{_BELOW_100}))?|{_BELOW_100}"
_WORDS = rf"(?<![\w-])(?:nol|seribu(?:\s+(?:{_BELOW_1000}))?|{_BELOW_1000})(?![\w-])"

_AMOUNT = rf"""
    (?P<num>{_DIGITS_START}(?:{_DIGITS}){_DIGITS_END}|{_WORDS})
    (?:\s*(?P<scale>{_alternation(_SCALES)})(?!\w))?
    (?:\s*(?P<pct>(?:poin\s+)?persen(?!\w)|%))?
    (?!\w)
"""
# Award results also give ranks as ordinal words: "urutan pertama", "juara kedua".
_ORDINAL_WORDS = {
    "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5,
    "keenam": 6, "ketujuh": 7, "kedelapan": 8, "kesembilan": 9, "kesepuluh": 10,
}  # fmt: skip
_RANK = rf"""
    (?<![\w-])(?:juara|peringkat|urutan|posisi)\s+(?P<ordword>{_alternation(_ORDINAL_WORDS)})(?![\w-])
    | (?<![\w-])(?:juara|peringkat)\s+(?:ke[-\s]\s*)?
    (?P<rank>\d+{_DIGITS_END}(?!\w)|{_WORDS})
    | (?<![\w-])ke-(?P<ordinal>\d+{_DIGITS_END}(?!\w))
"""
# In "urutan pertama diraih A, disusul B, dan C" each name after the first is the next rank.
# "dan" with no comma counts only before a region's title, so "Pangkajene dan Kepulauan" is one name.
LIST_STEP = re.compile(
    r"(?:,\s*|\s+)(?:disusul(?:\s+oleh)?|kemudian|lalu)\s+|,\s*(?:dan|serta)\s+"
    r"|\s+(?:dan|serta)\s+(?=(?:Kabupaten|Kota|Provinsi|Kab\.|Pemkab|Pemkot|Pemprov)\b)",
    re.IGNORECASE,
)
_DATE = rf"""
    {_NUM_START}\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})(?![/\d])
    | {_NUM_START}\d{{1,2}}\s+(?:{_alternation(MONTHS_ID)})(?!\w)(?:\s+\d{{4}}(?!\w))?
"""
# "pukul 14.30 WIB": the Indonesian dotted clock time would otherwise read as 14,3.
_TIME = rf"""
    {_NUM_START}\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?![:\d])
    | {_NUM_START}\d{{1,2}}\.\d{{2}}(?=\s*(?:WIB|WITA|WIT)(?!\w))
"""
_MENTION = re.compile(
    rf"""
    (?:(?<![\w-])(?P<qual>{_alternation(_QUALIFIERS)})\s+(?:Rp\.?\s*)?)?
    (?:{_RANK} | (?P<date>{_DATE}) | (?P<time>{_TIME}) | (?P<amount>{_AMOUNT}))
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SINGLE = re.compile(rf"\s*{_AMOUNT}\s*", re.IGNORECASE | re.VERBOSE)


def _words_value(words: str) -> int:
    # "puluh"/"ratus" multiply only the digit word just before them, so "seratus dua puluh"
    # is 100 + 2*10; grammar-checked input never has two multipliers in a row.
    total = last = 0
    for word in words.lower().split():
        if word == "belas":
            total, last = total + 10, 0
        elif word == "puluh":
            total, last = total + last * 9, 0
        elif word == "ratus":
            total, last = total + last * 99, 0
        else:
            last = _WORD_VALUES[word]
            total += last
    return total


def _num_value(num: str) -> Decimal:
    if not num[0].isdigit():
        return Decimal(_words_value(num))
    if "," in num:
        return Decimal(num.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", num):
        return Decimal(num.replace(".", ""))
    return Decimal(num)


def _amount_value(m: re.Match[str]) -> Decimal:
    value = _num_value(m["num"])
    if m["scale"]:
        value *= _SCALES[m["scale"].lower()]
        # "1,3 juta" -> 1300000 rather than 1300000.0, so reports print whole figures
        if value == value.to_integral_value():
            value = value.to_integral_value()
    return value


def parse_number(s: str) -> Decimal:
    """Value of one numeric expression: "112.000", "1,3 juta", "43 persen", "nol persen"."""
    m = _SINGLE.fullmatch(s)
    if m is None:
        raise ValueError(f"not an Indonesian number: {s!r}")
    return _amount_value(m)


def find_numbers(text: str) -> list[NumberMention]:
    """Every numeric expression in `text`, in order and non-overlapping."""
    mentions = []
    for m in _MENTION.finditer(text):
        value: Decimal | None = None
        if m["ordword"] is not None:
            group, kind = "ordword", "rank"
            value = Decimal(_ORDINAL_WORDS[m["ordword"].lower()])
        elif m["rank"] is not None or m["ordinal"] is not None:
            group, kind = ("rank" if m["rank"] is not None else "ordinal"), "rank"
            value = _num_value(m[group])
        elif m["date"] is not None:
            group, kind = "date", "date"
        elif m["time"] is not None:
            group, kind = "time", "time"
        else:
            group, value = "amount", _amount_value(m)
            if m["pct"]:
                kind = "percent"
            elif not m["scale"] and re.fullmatch(r"(?:19|20)\d\d", m["num"]):
                kind = "year"
            else:
                kind = "number"
        qualifier_text = m["qual"]
        qualifier = None
        if qualifier_text is not None:
            qualifier = _QUALIFIERS[" ".join(qualifier_text.lower().split())]
        scale = (m["scale"] or "").lower()
        start, end = m.span(group)
        mentions.append(
            NumberMention(
                start=start,
                end=end,
                text=text[start:end],
                value=value,
                kind=kind,
                approximate=qualifier == "about" or scale in _APPROXIMATE_SCALES,
                qualifier=qualifier,
                qualifier_text=qualifier_text,
            )
        )
    return mentions


def _as_decimal(value: Decimal | int | float | str) -> Decimal:
    # bool is an int, but a True/False reaching here is a caller bug, not the number 1/0
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float):
        # str() gives the shortest repr, so 1.3 compares as 1.3, not 1.3000000000000000444...
        return Decimal(str(value))
    try:
        # strings are machine values ("1300000", "1.3"), not Indonesian text: "1.300" is 1.3
        return Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def value_in_text(value: Decimal | int | float | str, text: str) -> bool:
    """True when a percent/number/rank/year mention in `text` has exactly this value."""
    target = _as_decimal(value)
    return any(m.kind in _VALUE_KINDS and m.value == target for m in find_numbers(text))


def list_rank(text: str) -> int | None:
    """The rank a ranked list gives its last name: "juara 1 diraih A" is 1, "urutan pertama
    diraih A, disusul B" is 2, "urutan pertama diraih A, disusul B, dan C" is 3."""
    first = next((m for m in find_numbers(text) if m.kind == "rank"), None)
    if first is None:
        return None
    return int(first.value) + len(LIST_STEP.findall(text, first.end))
