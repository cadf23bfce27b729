"""Numbers, amounts, percents and dates in Indonesian and English, through Babel's `id` and `en` locales.

The one place citations, the command line and the site format a number or a date, so a figure
reads the same wherever it is copied from.

Conventions, decided once:
- Numbers keep every digit the article gave: 89,3 / 89.3, 143.000 / 143,000; a float with no
  fraction is shown as an integer (112000.0 -> 112.000).
- Compact form (1,3 juta / 1.3 million, 2 miliar / 2 billion) only from one million up and only
  when it is exact to one decimal of its scale (1.300.000 yes, 1.250.000 no), so compacting never
  rounds a reported figure away.
- Percent as a sign: "41,2%" with no space, CLDR's pattern for `id` and the usage of Indonesian
  newsrooms. Amounts in words use "persen", the word the articles print.
- Dates as "2 Oktober 2024" / "2 October 2024" (day without leading zero, month in full).
- Differences carry their sign: "+4,5", "-2", "0".
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal, parse_pattern
from babel.units import format_unit

LOCALES = ("id", "en")

QUALIFIER_ID = {"about": "sekitar ", "more_than": "lebih dari ", "up_to": "hingga ", "exact": ""}
QUALIFIER_EN = {"about": "about ", "more_than": "more than ", "up_to": "up to ", "exact": ""}
QUALIFIERS = {"id": QUALIFIER_ID, "en": QUALIFIER_EN}

UNITS = {
    "id": {"percent": " persen", "percentage_points": " poin persentase", "workers": " pekerja"},
    "en": {"percent": "%", "percentage_points": " percentage points", "workers": " workers"},
}

# up to six decimals and no rounding beyond what the curated value holds
# parsed once: a page formats hundreds of numbers, and Babel would parse the pattern and the
# locale name again for each
_DECIMAL = parse_pattern("#,##0.######")
_SIGNED = parse_pattern("+#,##0.######;-#,##0.######")
_LOCALE = {name: Locale.parse(name) for name in LOCALES}


def _check(lang: str) -> Locale:
    if lang not in LOCALES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LOCALES)}")
    return _LOCALE[lang]


def _compactable(value: float) -> bool:
    """True when the compact form (one decimal of a million, billion or trillion) is exact."""
    size = abs(value)
    if size < 1_000_000:
        return False
    scale = 1_000_000 if size < 10**9 else 10**9 if size < 10**12 else 10**12
    return value % (scale // 10) == 0


# A page of gaps formats well over a thousand numbers, most of them the same few percents: Babel
# formats each distinct one once. (44 and 44.0 share an entry, and format alike.)
@lru_cache(maxsize=4096)
def number(value: float | int, lang: str = "id", compact: bool = True) -> str:
    """89,3 / 89.3; 143.000 / 143,000; 1,3 juta / 1.3 million (see the module's conventions)."""
    locale = _check(lang)
    if compact and _compactable(value):
        return format_compact_decimal(value, format_type="long", fraction_digits=1, locale=locale)
    return format_decimal(value, format=_DECIMAL, locale=locale)


def percent(value: float | int | None, lang: str = "id") -> str:
    """A value already in percent (41.2 means 41.2%): "41,2%" / "41.2%"."""
    if value is None:
        return ""
    return number(value, lang, compact=False) + "%"


@lru_cache(maxsize=4096)
def difference(value: float | int, lang: str = "id", unit: str | None = None) -> str:
    """A signed difference: "+4,5", "-2", "0"; with a unit, "+4,5 poin persentase"."""
    locale = _check(lang)
    text = "0" if value == 0 else format_decimal(value, format=_SIGNED, locale=locale)
    return text + (UNITS[lang][unit] if unit else "")


def amount(value: float | int, unit: str, qualifier: str = "exact", lang: str = "id") -> str:
    """ "lebih dari 1,3 juta pekerja" / "more than 1.3 million workers"."""
    _check(lang)
    if unit not in UNITS[lang]:
        raise ValueError(f"unit {unit!r}: expected one of {', '.join(UNITS[lang])}")
    return QUALIFIERS[lang].get(qualifier, "") + number(value, lang) + UNITS[lang][unit]


# as for numbers: a region's page formats a date for each of its figures, a few dozen distinct ones
@lru_cache(maxsize=4096)
def long_date(iso: str | date | None, lang: str = "id") -> str:
    """ "2 Oktober 2024" / "2 October 2024"; empty for no date."""
    if not iso:
        return ""
    day = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return format_date(day, "d MMMM y", locale=_check(lang))


def file_size(size: int, lang: str = "id") -> str:
    """A download's size as CLDR writes it: "62 kB" under a megabyte, else "1,2 MB" / "1.2 MB"."""
    locale = _check(lang)
    if size < 1_000_000:
        return format_unit(max(1, round(size / 1000)), "digital-kilobyte", "short", locale=locale)
    return format_unit(round(size / 1_000_000, 1), "digital-megabyte", "short", locale=locale)


def month_name(month: int, lang: str = "en") -> str:
    return format_date(date(2000, month, 1), "MMMM", locale=_check(lang))


# the names the rest of cakupan has always used
def number_id(value: float | int) -> str:
    return number(value, "id")


def number_en(value: float | int) -> str:
    return number(value, "en")


def amount_id(value: float | int, unit: str, qualifier: str) -> str:
    return amount(value, unit, qualifier, "id")


def amount_en(value: float | int, unit: str, qualifier: str) -> str:
    return amount(value, unit, qualifier, "en")


def date_id(iso: str | None) -> str:
    return long_date(iso, "id")


def date_en(iso: str | None) -> str:
    return long_date(iso, "en")
