"""What a number measures: its indicator and target year, or why it is not a figure at all.

The words around a number decide, as a curator reads them: "peserta dari 3.058.943 pekerja" is a
total of workers, "selisih 16,47 poin persen" a gap, "menjadi 65 persen pada 2025" a target for 2025,
"iurannya ditanggung" APBD- or village-paid workers. Phone numbers, regulation numbers, rupiah
amounts, counts of villages or provinces and idioms are not figures, and say why.
"""

from __future__ import annotations

import re

from .numbers import NumberMention

_I = re.I
POINTS = re.compile(r"\bpoin\b", _I)
STARTING_POINT = (re.compile(r"\bdari\s*$", _I), re.compile(r"\s+menjadi\b", _I))
UNCOVERED = (
    r"belum\s+(?:ter)?lindungi|belum\s+terdaftar|belum\s+tercover|belum\s+menjadi\s+peserta"
    r"|belum\s+(?:punya|memiliki|mendapat(?:kan)?)\s+(?:perlindungan|jaminan)"
    r"|tanpa\s+(?:payung\s+)?(?:perlindungan|jaminan)|tidak\s+terlindungi"
)
# "menargetkan" is meN- + target with the t dropped: it does not contain "target". Plans
# (RPJMN, RKP...) state targets; "hingga" is left out: "hingga saat ini" means "until now";
# "menjadi" alone is not a target: "kini naik menjadi 27 persen" is where coverage stands.
TARGET_WORDS = (
    r"target|menargetkan|sasaran|membidik|dibidik|diminta|dipatok|mematok|naikkan"
    r"|\bakan\s+(?:naik|meningkat|ditingkatkan|mencapai|menjadi)"
    r"|meningkatkan|naik\s+(?:lagi\s+)?ke\b|harus\s+mencapai|\bRPJMN\b|\bRPJPN\b|\bRKP\b"
    r"|\bRPJMD\b|\bRenstra\b|untuk\s+tahun\s+(?:ini|depan)"
)
PERCENT_RULES = [
    (r"\b(?:gap|kesenjangan|selisih|kekurangan|ketertinggalan)\b|\bkurang\s*$", "coverage_gap"),
    (r"kemiskinan", "extreme_poverty_target_rate"),
    (UNCOVERED, "uncovered_rate"),
    (r"bukan\s+penerima\s+upah|\bBPU\b|informal", "coverage_rate_informal"),
    (r"penerima\s+upah|\bPU\b|formal", "coverage_rate_formal"),
    (TARGET_WORDS, "coverage_target_rate"),
]
TOPIC_RULES = [
    r
    for r in PERCENT_RULES
    if r[1] in ("extreme_poverty_target_rate", "coverage_rate_informal", "coverage_rate_formal")
]
COUNT_RULES = [
    (
        r"\bAPBD|Dana\s+Desa|anggaran\s+(?:desa|daerah)|kas\s+desa|iuran(?:nya)?\s+(?:di)?(?:tanggung|bayar|biayai)"
        r"|ditanggung|dibiayai|dibayar(?:kan)?\s+(?:oleh\s+)?(?:pemerintah|pemda|pemkab|pemkot|pemprov|desa|negara)"
        r"|\bPBI\b",
        "workers_budget_paid",
    ),
    (
        r"target|menargetkan|sasaran|harus\s+(?:ter|di)?daftar|harus\s+didaftarkan|menjadi\s*$",
        "workers_covered_target",
    ),
    (
        r"(?<!lebih\s)\bdari\s+(?:total\s+|jumlah\s+|sekitar\s+|kurang\s+lebih\s+)*$"
        r"|\b(?:jumlah|total)\s+(?:seluruh\s+)?(?:pekerja|tenaga\s+kerja)|potensial|angkatan\s+kerja",
        "workers_total",
    ),
    (
        r"terdaftar|peserta|terlindungi|tercover|kepesertaan|\baktif\b|bergabung|dilindungi",
        "workers_covered",
    ),
]
CONNECTOR = re.compile(r"\s(?:dari|atau|dan|sedangkan|namun|tetapi|serta|sementara)\s", _I)
YEAR_RIGHT_AFTER = re.compile(r"\s*(?:pada|di)\s+(?:tahun\s+)?((?:19|20)\d\d)\b", _I)
YEAR_AFTER = re.compile(r"\b(?:pada|di|untuk|hingga|sampai)\s+(?:tahun\s+)?((?:19|20)\d\d)\b", _I)
PLAIN_YEAR = re.compile(r"(?<![\d/–—-])\b((?:19|20)\d\d)\b(?!\s*[–—-]\s*\d)")
MONTH_BEFORE = re.compile(
    r"(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|/\d{1,2}/?)\s*$",
    _I,
)


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


WORKER_NOUNS = _words(
    "pekerja orang tenaga peserta warga jiwa buruh karyawan nelayan petani pedagang pegawai "
    "masyarakat penduduk anggota perangkat pelaku guru kader pengemudi asn honorer relawan "
    "pengurus marbot pekerjanya tk ojol driver sopir kurir tukang penjahit perajin pengrajin "
    "nakes bidan perawat satpam dosen mitra pppk pmi tki linmas imam angkatan"
)
FUNCTION_WORDS = _words(
    "yang dan atau dari di ke untuk sudah telah baru masih itu ini lebih kurang per pada "
    "hingga sampai dengan sebagai adalah merupakan mencapai kini saat se terdaftar "
    "terlindungi"
)
TIME_WORDS = _words("bulan tahun hari minggu pekan jam menit tahunan bulanan dekade abad kali")
IDIOMS = re.compile(
    r"\bsalah\s+satu(?:nya)?\b|\bsatu\s+per\s*satu\b|\bsatu\s+sama\s+lain\b|\bsatu\s+demi\s+satu\b|\bnomor\s+satu\b",
    _I,
)
REGULATION_BEFORE = re.compile(
    r"(?:\bNomor|\bNo\.?|\bNomer|\bInpres|\bPerpres|\bKeppres|\bPermenaker|\bPermendagri|\bPP|\bUU"
    r"|\bPerda|\bPergub|\bPerbup|\bPerwal|Undang-Undang|Instruksi\s+Presiden)\s*$",
    _I,
)
REGULATION_YEAR_BEFORE = re.compile(
    r"(?:\bNomor|\bNo\.?|Inpres|\bUU|\bPP)\s*\d+\s+(?:Tahun|th\.?)\s*$", _I
)
PHONE_BEFORE = re.compile(
    r"(?:call\s*cent(?:er|re)|hotline|telepon|telp\.?|tlp\.?|\bWA\b|WhatsApp|hubungi|layanan|kontak)"
    r"[^.\n]{0,25}$",
    _I,
)
RUPIAH_BEFORE = re.compile(r"Rp\.?\s*$", _I)
PER_PERIOD = re.compile(
    r"\b(?:setiap|tiap|per)\s+(?:hari|bulan|minggu|pekan)\b|\bsehari\b|\bsebulan\b", _I
)
FRACTION_AFTER = re.compile(
    r"^\s+dari\s+(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|\d(?![\d.,]))\b",
    _I,
)
FRACTION_BEFORE = re.compile(
    r"\b(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|\d)\s+dari\s+$", _I
)
NOT_COVERAGE_BEFORE = re.compile(
    r"\b(?:iuran(?:nya)?|bunga|diskon|potongan|pajak|inflasi|pertumbuhan\s+ekonomi|suku\s+bunga"
    r"|realisasi(?:\s+anggaran)?|serapan(?:\s+anggaran)?)\s+(?:\w+\s+)?(?:sebesar\s+|sekitar\s+|hanya\s+)?$",
    _I,
)
# "naik 5 persen" is a change; "naik menjadi 27 persen" and "naik ke 38 persen" are levels.
CHANGE_BEFORE = re.compile(
    r"\b(?:naik|meningkat|bertambah|turun|menurun|melonjak|tumbuh)\s+(?:sebesar\s+|sekitar\s+)?$",
    _I,
)
BREAKDOWN = re.compile(
    r"\b(?:terdiri\s+(?:atas|dari)|meliputi|antara\s+lain|di\s*antaranya|rinciannya)\b", _I
)
VULNERABLE = re.compile(r"\s*\w+\s+(?:rentan|miskin|tidak\s+mampu)\b", _I)


def windows(text: str, m: NumberMention, clause, prev_end: int, next_start: int) -> tuple[str, str]:
    """The words since the previous number (or clause start) and up to the next number or link word."""
    start = m.start
    if m.qualifier_text:
        start = text.rfind(m.qualifier_text, 0, m.start)
    lead = text[max(clause.start, prev_end, start - 80) : m.start]
    if re.fullmatch(r"\s*menjadi\s*", lead, _I):
        # "menargetkan … dari 44 persen menjadi 55 persen": the verb before the starting point
        # says what the end point is.
        lead = text[max(clause.start, start - 120) : m.start]
    tail = text[m.end : min(clause.end, next_start, m.end + 80)]
    cut = CONNECTOR.search(tail)
    return lead, tail[: cut.start()] if cut else tail


def indicator_for(
    text, m, lead, tail, clause_text, event_year, previous=""
) -> tuple[str, str, bool]:
    """(indicator, the words that led to it, whether words decided it rather than the default)."""
    if m.kind == "percent":
        if POINTS.search(m.text):
            return "coverage_gap", f"'{m.text}': percentage points, a stated gap", True
        if STARTING_POINT[0].search(lead) and STARTING_POINT[1].match(text, m.end):
            return "coverage_rate", "'dari … menjadi': the starting point of a target", True
        rules = PERCENT_RULES
    else:
        uncovered = re.search(UNCOVERED, tail, _I) or re.search(UNCOVERED, lead, _I)
        if uncovered:
            return (
                "",
                f"workers not yet covered ('{uncovered.group(0)}'): no indicator records such a count",
                True,
            )
        rules = COUNT_RULES
    for pattern, indicator in rules:
        for window in (lead, tail) if indicator != "workers_budget_paid" else (clause_text,):
            hit = re.search(pattern, window, _I)
            if hit:
                return (
                    indicator,
                    f"{indicator} from '{hit.group(0).strip() or window.strip()[-20:]}'",
                    True,
                )
    if m.kind == "percent" and previous:
        # "… Kemiskinan Ekstrem itu harus diturunkan. Tahun ini pemerintah nol persen": a short
        # statement takes its topic from the sentence before it.
        for pattern, indicator in TOPIC_RULES:
            hit = re.search(pattern, previous, _I)
            if hit:
                return indicator, f"{indicator} from '{hit.group(0)}' in the sentence before", True
    if m.kind == "percent":
        year = YEAR_RIGHT_AFTER.match(text, m.end)
        if year and event_year and int(year.group(1)) >= event_year:
            return (
                "coverage_target_rate",
                f"coverage_target_rate from '{year.group(0).strip()}' (a year ahead)",
                True,
            )
        return "coverage_rate", "coverage_rate: a share with no other indicator words", False
    return "workers_total", "workers_total: workers with no other indicator words", False


def target_year_for(
    text, m, clause, sentence, event_year, last_target_year, kind
) -> tuple[str, str]:
    """The year a target (or a gap against one) is for, and the words it came from."""
    after = YEAR_AFTER.search(text, m.end, clause.end)
    if after and not re.search(r"\d", text[m.end : after.start()]):
        return after.group(1), f"target year from '{after.group(0)}'"
    for span in (clause, sentence):
        years = [
            y
            for y in PLAIN_YEAR.finditer(text, span.start, span.end)
            if not MONTH_BEFORE.search(text, max(0, y.start() - 12), y.start())
            and not REGULATION_YEAR_BEFORE.search(text, max(0, y.start() - 30), y.start())
        ]
        if years:
            y = min(years, key=lambda y: abs(y.start() - m.start))
            return (
                y.group(1),
                f"target year from '{y.group(0)}' in its {'clause' if span is clause else 'sentence'}",
            )
        words = text[span.start : span.end].lower()
        if event_year and "tahun depan" in words:
            return str(event_year + 1), f"target year {event_year + 1} from 'tahun depan'"
        if event_year and "tahun ini" in words:
            return str(event_year), f"target year {event_year} from 'tahun ini'"
    if kind == "gap" and last_target_year:
        return (
            last_target_year,
            f"target year {last_target_year}: that of the target stated before it",
        )
    if event_year:
        return str(event_year), f"target year {event_year}: no year stated, the event's year"
    return "", "no target year found"


def not_a_figure(text: str, m: NumberMention, layout, in_region_name: str | None) -> str | None:
    """Why the number is not a figure, or None when it may be one."""
    before = text[max(0, m.start - 40) : m.start]
    after = text[m.end : m.end + 40]
    if m.kind == "date":
        return "a date"
    if m.kind == "time":
        return "a time of day"
    if layout.in_baca_juga(m.start):
        return "in a link to another article (BACA JUGA)"
    if in_region_name:
        return f"part of the region name '{in_region_name}'"
    for idiom in IDIOMS.finditer(text, max(0, m.start - 12), min(len(text), m.end + 12)):
        if idiom.start() <= m.start < idiom.end():
            return f"idiom '{idiom.group(0)}'"
    if REGULATION_BEFORE.search(before):
        return "a regulation's number"
    if REGULATION_YEAR_BEFORE.search(before):
        return "a regulation's year"
    if RUPIAH_BEFORE.search(before) or re.match(r"\s*rupiah\b", after, _I):
        return "an amount in rupiah"
    if PHONE_BEFORE.search(before) or re.fullmatch(r"0\d{5,}", m.text.replace("-", "")):
        return "a phone number"
    if m.kind == "year":
        return _year_reason(text, m, before)
    if m.kind == "rank":
        if layout.in_headline(m.start):
            return "a rank in the headline (the body's award rows record it)"
        return "an ordinal, not an award rank"
    small = m.kind == "number" and m.value is not None and m.value <= 10
    if small and (FRACTION_AFTER.match(after) or FRACTION_BEFORE.search(before)):
        return "a fraction in words ('tiga dari empat'), not a count"
    if m.kind == "percent":
        return _percent_reason(text, m, before)
    if m.kind != "number":
        return None
    sentence = layout.sentence(m.start)
    per_period = PER_PERIOD.search(text, sentence.start, sentence.end)
    if per_period:  # "melayani 200 warga setiap hari": a flow of visitors, not a stock of workers
        return f"a count per day or month ('{per_period.group(0)}'), not workers"
    # "Dumisake (Dua Miliar Satu Kecamatan)": number words inside a capitalised name
    if (
        not m.text[0].isdigit()
        and m.text[0].isupper()
        and re.match(r"\s+[A-Z]", after)
        and not layout.in_headline(m.start)  # a headline capitalises every word
    ):
        return "part of a name (capitalised number words)"
    noun = re.match(r"\s*([A-Za-z]+)", after)
    word = noun.group(1).lower() if noun else ""
    if word in TIME_WORDS:
        return f"a span of time ('{m.text} {noun.group(1)}')"
    # the noun right after a count says what is counted: "38 provinsi", "1.085 perusahaan"
    if word and word not in WORKER_NOUNS and word not in FUNCTION_WORDS:
        return f"counts '{noun.group(1)}', not workers"
    if word not in WORKER_NOUNS and not re.search(
        r"\b(?:pekerja|tenaga\s+kerja|peserta|buruh|karyawan)\b",
        text[max(sentence.start, m.start - 80) : m.start],
        _I,
    ):
        return "no workers named near it"
    return None


def _percent_reason(text: str, m: NumberMention, before: str) -> str | None:
    """Shares that are not coverage: a contribution or price rate, a budget's use, a change."""
    lead = (
        before[-40:]
        if not m.qualifier_text
        else text[max(0, m.start - 60) : text.rfind(m.qualifier_text, 0, m.start)]
    )
    if NOT_COVERAGE_BEFORE.search(lead) or re.match(
        r"\s+(?:dari\s+(?:upah|gaji|penghasilan)|(?:dari\s+)?(?:APBD|APBN|APBDes|anggaran|dana)\b)",
        text[m.end : m.end + 30],
        _I,
    ):
        return "a contribution, price or budget rate, not coverage"
    if re.match(r"\s+dari\s+(?:target|sasaran)\b(?![^.,;]{0,30}?\d)", text[m.end : m.end + 60], _I):
        return "a share of the target achieved, not coverage"
    if CHANGE_BEFORE.search(lead) and not re.search(TARGET_WORDS, lead, _I):
        return "a change in coverage, not its level"
    return None


def _year_reason(text: str, m: NumberMention, before: str) -> str:
    if MONTH_BEFORE.search(before[-12:]):
        return "a year in a date"
    if re.match(r"\s*[–—-]\s*\d{4}", text[m.end : m.end + 8]) or re.search(
        r"\d{4}\s*[–—-]\s*$", before
    ):
        return "a year of a period"
    if re.search(r"\b(?:Award|Paritrana)(?:\s+\w+){0,4}\s*$", before, _I):
        return "the award's year"
    if re.search(r"\b(?:BPS|data|sensus|Sakernas)\s*$", before, _I):
        return "the year of a data source"
    return "a year"


def breakdown_part(text: str, m: NumberMention, layout) -> tuple[bool, bool]:
    """(is the number one part of a 'terdiri atas a, b, serta c' list, is that part vulnerable workers)."""
    sentence = layout.sentence(m.start)
    trigger = BREAKDOWN.search(text, sentence.start, m.start)
    if not trigger:
        return False, False
    return True, bool(VULNERABLE.match(text, m.end))


def link_before(text: str, prev_end: int, start: int) -> bool:
    """'… 55 persen … atau sebanyak 782 ribu': the count restates the number before it."""
    between = text[prev_end:start]
    return (
        bool(
            re.search(
                r"\batau\s+(?:setara\s+(?:dengan\s+)?|sebanyak\s+|sekitar\s+|sejumlah\s+)?$",
                between,
                _I,
            )
        )
        and len(between) < 90
    )


def link_after(text: str, end: int, next_start: int) -> bool:
    """'580 ribu pekerja atau 44 persen': the count and the share after it are one statement."""
    return bool(re.fullmatch(r"\s*\w*\s*atau\s+(?:setara\s+)?", text[end:next_start], _I))
