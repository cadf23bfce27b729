"""A synthetic cakupan package of any size, for the build benchmark and its test.

    python benchmarks/synthetic.py --articles 1000 --out /tmp/cakupan-1000

Each synthetic article is realistic Indonesian regional-news text in the style of the seed
articles in sources/: a region from data/regions.csv, Indonesian number forms ("43 persen",
"112.000 pekerja", "1,3 juta", "580 ribu", "117 ribuan", "43,5 persen", "nol persen"), curly
quotes and an en dash so that code-point offsets differ from byte offsets, and ten figures whose
quotes sit at their true code-point offsets. datapackage.json keeps the real package's table
resources and schemas; the seed articles' file resources are replaced by one per synthetic
article, with its hash and size. regions.csv and indicators.csv are copied unchanged.

The output is deterministic for a given number of articles and seed, and is checked with
``cakupan.validate.validate(root, with_frictionless=False)`` unless ``check=False``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cakupan.provenance import locate

REPO = Path(__file__).resolve().parent.parent
FIGURES_PER_ARTICLE = 10
DATE_ACCESSED = (
    "2026-01-15"  # after every synthetic article's date: accessed is never before published
)

WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
FIRST_NAMES = [
    "Ahmad", "Budi", "Siti", "Dewi", "Rudi", "Hendra", "Ferama", "Agus", "Sri", "Wahyu",
    "Rina", "Yusuf", "Fitri", "Indra", "Lestari", "Taufik", "Nurul", "Eko", "Ratna", "Joko",
    "Dian", "Bayu", "Made", "Ketut", "Teuku", "Andi", "Ayu", "Rahmat", "Syahrial", "Marlina",
]  # fmt: skip
LAST_NAMES = [
    "Santoso", "Saputra", "Wijaya", "Putri", "Hidayat", "Siregar", "Nasution", "Harahap",
    "Simanjuntak", "Lubis", "Pratama", "Kurniawan", "Setiawan", "Rahman", "Sitompul",
    "Elvian", "Tjahjono", "Permana", "Gunawan", "Syahputra", "Hasibuan", "Daulay",
]  # fmt: skip
TITLES = ["", ", SE, MM", ", S.STP, M.Si", " SE, MM", ", S.Sos", ", ST, MT"]
OUTLETS = [
    "JAMBI-INDEPENDENT.CO.ID", "Beritamerdekaonline.com", "DRADIO.ID", "KABARDAERAH.ID",
    "WartaNusantara.com", "SUARAPEKERJA.CO.ID", "Lintasdaerah.id", "",
]  # fmt: skip
ALSO_READ = [
    "Viral Video Perampokan Modus Isi Dana, Pelaku Pukul Kasir BRI Link di Muaro Jambi",
    "Penyebab Komunikasi yang Buruk: Kenali dan Atasi Hambatannya",
    "Harga Cabai Merah di Pasar Tradisional Naik Jelang Akhir Tahun",
    "Pemkab Gelar Pasar Murah di Sejumlah Kecamatan",
    "Jadwal Pemadaman Listrik Bergilir Pekan Ini – Cek Wilayah Anda",
    "Jadi DPO Kasus Perdagangan Orang, Polda NTT Tangkap 1 Orang Wanita",
]
FILLER = [
    "Perlindungan pekerja untuk masyarakat merupakan suatu hal yang penting dalam menjamin "
    "kehidupan sosial pada suatu daerah.",
    "BPJS Ketenagakerjaan juga aktif melakukan sosialisasi mengenai manfaat program jaminan "
    "sosial yang tersedia. Melalui kerja sama dengan berbagai pihak, termasuk media massa, BPJS "
    "Ketenagakerjaan ingin meningkatkan kesadaran masyarakat akan pentingnya perlindungan sosial "
    "bagi pekerja.",
    "Salah satu fokus utama BPJS Ketenagakerjaan saat ini adalah sektor bukan penerima upah "
    "(BPU), yakni pekerja mandiri atau informal yang selama ini belum banyak terdaftar sebagai "
    "peserta.",
    "Kolaborasi ini bertujuan untuk mempermudah pendataan pekerja serta memfasilitasi pembiayaan "
    "iuran kepesertaan, termasuk dari APBD dan Dana Desa.",
    "Dalam kesempatan tersebut, BPJS Ketenagakerjaan juga mensosialisasikan aplikasi JMO "
    "(Jamsostek Mobile), yang kini telah menawarkan berbagai fitur dan manfaat bagi peserta.",
    "\u201cKami mengimbau agar seluruh pemberi kerja di {region} memastikan semua karyawannya "
    "terlindungi. Tidak hanya pekerja tetap, tapi juga pekerja kontrak, outsourcing, bahkan yang "
    "masih dalam status magang,\u201d tegasnya.",
    "Pemerintah Provinsi {province} juga mendorong desa-desa menganggarkan iuran bagi pekerja "
    "rentan seperti petani, nelayan, buruh harian, dan pekerja informal lainnya \u2013 dari "
    "tingkat provinsi, kabupaten, hingga desa.",
    "Acara ini diakhiri dengan sesi ramah tamah, yang semakin mempererat hubungan antara BPJS "
    "Ketenagakerjaan dengan para pemangku kepentingan di {region}.",
    "Tak hanya dari APBD dan Dana Desa, sumber pendanaan iuran bisa berasal dari dana bagi hasil "
    "sektor perkebunan atau sumber lain yang sesuai dengan regulasi yang berlaku.",
    "Program \u2018Desa Sadar Jaminan Sosial\u2019 juga terus diperluas ke kecamatan-kecamatan "
    "di {region}.",
    "Hingga akhir tahun, BPJS Ketenagakerjaan akan menggelar 4 kali sosialisasi lanjutan bersama "
    "Dinas Tenaga Kerja setempat.",
    "Langkah-langkahnya sudah kita susun, dan sudah kongkrit. Kami optimistis target itu "
    "tercapai bila semua pihak bergerak bersama.",
]
NOTES = [
    "",
    "",
    "",
    "Synthetic figure for the build benchmark.",
    "Repeated, in other words, in the headline.",
    'Said at the event; the article calls it "capaian" (achievement).',
    "Spoken as \u201cbaru\u201d (only): the speaker finds it low, not final.",
]


@dataclass
class Person:
    person_id: str
    name: str
    name_as_printed: str

    @property
    def short(self) -> str:
        return self.name.split()[0]


@dataclass
class Region:
    code: str
    name: str
    level: str
    parent: str

    @property
    def label(self) -> str:
        """How an article names it: a province is "Provinsi X", a regency "Kabupaten X"."""
        return f"Provinsi {self.name}" if self.level == "province" else self.name

    @property
    def dateline(self) -> str:
        return self.name.removeprefix("Kabupaten ").removeprefix("Kota ").upper()


@dataclass
class Writer:
    """Appends text and records where each quote lands, in code points."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, *pieces: str) -> None:
        for piece in pieces:
            self.parts.append(piece)
            self.length += len(piece)

    def quote(self, key: str, piece: str) -> None:
        self.spans.append((key, self.length, self.length + len(piece)))
        self.add(piece)

    def text(self) -> str:
        return "".join(self.parts)


# ---------------------------------------------------------------- Indonesian number forms


def dotted(n: int) -> str:
    """112000 -> "112.000"."""
    return f"{n:,}".replace(",", ".")


def plain(value: Decimal) -> str:
    """The machine value for the CSV: 43.5 -> "43.5", 1300000 -> "1300000"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_phrase(value: Decimal) -> str:
    """43 -> "43 persen", 43.5 -> "43,5 persen", 0 -> "nol persen"."""
    if value == 0:
        return "nol persen"
    return plain(value).replace(".", ",") + " persen"


def workers_phrase(rng: random.Random, value: int) -> tuple[str, int]:
    """A worker count as the news prints it, and the value that phrase stands for."""
    if value >= 1_000_000:
        tenths = round(value / 100_000)
        millions = Decimal(tenths) / 10
        return plain(millions).replace(".", ",") + " juta", tenths * 100_000
    style = rng.choice(["dotted", "dotted", "ribu"])
    if style == "ribu":
        thousands = max(1, round(value / 1000))
        return f"{thousands} ribu", thousands * 1000
    return dotted(value), value


def rate(rng: random.Random, low: int, high: int) -> Decimal:
    whole = Decimal(rng.randint(low, high))
    return whole + Decimal("0.5") if rng.random() < 0.2 else whole


# ---------------------------------------------------------------- reference data


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def load_regions(source: Path) -> list[Region]:
    return [
        Region(r["region_code"], r["name"], r["level"], r["parent_code"])
        for r in read_csv(source / "data" / "regions.csv")
    ]


def make_people(rng: random.Random, count: int) -> list[Person]:
    people, seen = [], set()
    while len(people) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        person_id = name.lower().replace(" ", "-")
        if person_id in seen:
            person_id = f"{person_id}-{len(people)}"
        seen.add(person_id)
        printed = ("Dr " if rng.random() < 0.1 else "") + name + rng.choice(TITLES)
        people.append(Person(person_id, name, printed))
    return people


def printed_date(rng: random.Random, day: date) -> str:
    weekday = WEEKDAYS[day.weekday()]
    if rng.random() < 0.5:
        return f"{weekday} ({day.day}/{day.month}/{day.year})"
    return f"{weekday} {day.day:02d} {MONTHS[day.month - 1]} {day.year}"


def government_post(region: Region) -> tuple[str, str]:
    """(post, organisation) of the regional head quoted first."""
    if region.level == "province":
        return f"Gubernur {region.name}", f"Pemerintah Provinsi {region.name}"
    if region.level == "city":
        return f"Pj Wali Kota {region.name.removeprefix('Kota ')}", f"Pemerintah {region.name}"
    return f"Pj Bupati {region.name.removeprefix('Kabupaten ')}", f"Pemerintah {region.name}"


# ---------------------------------------------------------------- one article


@dataclass
class Article:
    source_id: str
    text: str
    source: dict
    figures: list[dict]
    posts: list[dict]
    awards: list[dict]
    regulations: list[dict]


def make_article(
    rng: random.Random,
    number: int,
    source_id: str,
    region: Region,
    province: Region,
    people: list[Person],
    children: dict[str, list[Region]],
    with_award: bool,
    with_regulation: bool,
) -> Article:
    w = Writer()
    head, bpjs = rng.sample(people, 2)
    gov_post, gov_org = government_post(region)
    bpjs_office = province.name if rng.random() < 0.5 else region.dateline.title()
    bpjs_post = f"Kepala Kantor BPJS Ketenagakerjaan Cabang {bpjs_office}"

    # the figures, kept roughly consistent with each other
    is_province = region.level == "province"
    total = rng.randint(600_000, 3_500_000) if is_province else rng.randint(40_000, 600_000)
    total_text, total_value = workers_phrase(rng, total)
    actual = rate(rng, 15, 65)
    target = min(actual + rng.randint(5, 25), Decimal(90))
    gap = target - actual
    uncovered = Decimal(100) - actual
    formal, informal = rate(rng, 40, 80), rate(rng, 2, 20)
    covered_text, covered_value = workers_phrase(rng, int(total_value * actual / 100))
    budget_paid = rng.randint(5, 150)
    target_workers_text, target_workers_value = workers_phrase(rng, int(total_value * target / 100))

    # dates: an event date printed in the text, or only a publication date
    day = date(2022, 1, 1) + timedelta(days=rng.randrange(4 * 365))
    by_event = rng.random() < 0.7
    event_printed = printed_date(rng, day) if by_event else f"{WEEKDAYS[day.weekday()]} sore"
    published_printed = (
        ""
        if by_event
        else f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year} | "
        f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} WIB"
    )
    target_year = day.year + (1 if rng.random() < 0.3 else 0)
    outlet = rng.choice(OUTLETS)
    headline = rng.choice(
        [
            f"{region.label} Naikkan UCJ BPJS Ketenagakerjaan Menjadi {plain(target)} Persen",
            f"Universal Coverage Jamsostek di {region.label} Baru {percent_phrase(actual).title()}, "
            "BPJS Ketenagakerjaan Dorong Sinergi Pemda dan Pemberi Kerja",
            f"BPJS Ketenagakerjaan {province.name} Targetkan {plain(target)} Persen Pekerja "
            f"Terlindungi Jaminan Sosial pada {target_year}",
            "",
        ]
    )

    # ---- the text
    if headline:
        w.add(headline, "\n\n", headline, "\n\n")
    if published_printed:
        w.add(published_printed, "\n\n")
    w.add(f"{region.dateline}, {outlet} \u2013 " if outlet else f"{region.dateline} \u2013 ")
    w.quote("post:head", f"{gov_post}, {head.name_as_printed}")
    w.add(
        f", {event_printed} menggelar pertemuan dengan pihak BPJS Ketenagakerjaan. Dalam "
        "pertemuan ini sejumlah kebijakan diambil, salah satunya meningkatkan jumlah Universal "
        f"Coverage Jamsostek (UCJ) BPJS Ketenagakerjaan di {region.label}.\n\n"
    )
    w.add(
        "\u201cJaminan sosial yang hadir di sini adalah BPJS Ketenagakerjaan. Dalam konteks BPJS "
        "Ketenagakerjaan dikaitkan dengan pekerja, "
    )
    total_qualifier = rng.choice(["kurang lebih", "lebih dari", "sekitar", ""])
    if total_qualifier == "lebih dari" or rng.random() < 0.5:
        total_quote = f"jumlah pekerja di {region.label} mencapai "
        total_quote += f"{total_qualifier} {total_text} orang".strip()
    else:
        total_quote = f"pekerja kita {total_qualifier} {total_text} pekerja".replace("  ", " ")
    w.quote("f:workers_total", total_quote)
    w.add(". Kemudian ")
    w.quote("f:coverage_rate", f"yang sudah kita coverage baru {percent_phrase(actual)}")
    w.add(" yang tercover,\u201d ujarnya.\n\n")

    w.add(rng.choice(["Ditambahkannya", "Menurutnya", "Dikatakannya"]))
    w.add(", jika dibanding dengan target, jumlah ini sangat jauh. Untuk itu, ")
    repeat_target = rng.random() < 0.3
    if repeat_target:
        # a short quote that the closing remark repeats: needs quote_prefix or quote_suffix
        w.add(f"{region.label} akan menaikkan jumlah coverage-nya ")
        w.quote("f:coverage_target_rate", f"menjadi {percent_phrase(target)}")
        w.add(f" pada {target_year}.\n\n")
    elif target_year == day.year:
        w.quote(
            "f:coverage_target_rate",
            f"di tahun {target_year} ini {region.label} akan menaikkan jumlah coverage menjadi "
            f"{percent_phrase(target)}",
        )
        w.add(".\n\n")
    else:
        w.add("Pak Gubernur sudah menyampaikan ")
        w.quote(
            "f:coverage_target_rate",
            f"target tahun depan adalah {percent_phrase(target)} masyarakat pekerja",
        )
        w.add(f" yang ada di {region.label} terlindungi.\n\n")

    w.add("BACA JUGA:", rng.choice(ALSO_READ), "\n\n")

    w.add("Sementara itu, ")
    w.quote("post:bpjs", f"{bpjs_post}, {bpjs.name_as_printed}")
    w.add(", menyampaikan apresiasi terhadap capaian tersebut. Namun, ")
    w.quote(
        "f:uncovered_rate",
        "jumlah pekerja yang belum terlindungi oleh jaminan sosial yang sebesar "
        + percent_phrase(uncovered),
    )
    w.add(" juga harus segera ditangani.\n\n")

    w.add("\u201cArtinya, ")
    w.quote("f:coverage_gap", f"masih ada gap sebesar {percent_phrase(gap)}")
    w.add(" yang harus kita kejar bersama. Tahun ini ")
    ten_is_poverty = rng.random() < 0.1
    if not ten_is_poverty:
        w.quote(
            "f:workers_covered_target",
            f"kami menargetkan peserta sebanyak {target_workers_text} orang",
        )
        w.add(" terlindungi,\u201d kata ", bpjs.short, ".\n\n")
    else:
        w.add("kita kejar bersama pemda,\u201d kata ", bpjs.short, ".\n\n")
        w.add("Kemudian, menurut ", bpjs.short, ", Inpres No 4 tahun 2022, tentang ")
        w.quote(
            "f:extreme_poverty_target_rate",
            "Kemiskinan Ekstrem itu harus diturunkan. Tahun ini pemerintah nol persen",
        )
        w.add(".\n\n")

    w.add(bpjs.short, " juga menjelaskan lebih rinci terkait cakupannya, yakni untuk ")
    w.quote(
        "f:coverage_rate_formal",
        f"Pekerja Penerima Upah (Formal) sudah mencapai {percent_phrase(formal)}",
    )
    w.add(", namun yang masih sangat kecil adalah ")
    w.quote(
        "f:coverage_rate_informal",
        f"pekerja di sektor informal yang baru mencapai {percent_phrase(informal)}",
    )
    w.add(".\n\n")

    for filler in rng.sample(FILLER, rng.randint(2, 4)):
        w.add(filler.format(region=region.label, province=province.name), "\n\n")

    w.add("Diketahui, saat ini sudah ada ")
    budget_qualifier = rng.choice(["kurang lebih sekitar", "sekitar", ""])
    w.quote(
        "f:workers_budget_paid",
        f"{budget_qualifier} {budget_paid} ribuan pekerja miskin dan tidak mampu itu "
        "terlindungi dari iuran APBD".strip(),
    )
    w.add(" (Anggaran Pendapatan dan Belanja Daerah) melalui program daerah.\n\n")

    w.add("Menurut data BPJS Ketenagakerjaan, ")
    covered_qualifier = rng.choice(["sekitar", "kurang lebih", ""])
    w.quote(
        "f:workers_covered",
        f"baru {covered_qualifier} {covered_text} pekerja".replace("  ", " "),
    )
    w.add(" yang telah terdaftar sebagai peserta jaminan sosial ketenagakerjaan.\n\n")

    if with_regulation:
        w.add("\u201cDalam rangka ini, pemerintah mengeluarkan dua Inpres. Yang pertama ")
        w.quote(
            "reg:1",
            "Inpres No 2 tahun 2021, orang yang terlindungi Jamsostek (Jaminan Sosial Tenaga "
            "Kerja) harus dinaikkan",
        )
        w.add(",\u201d ujarnya.\n\n")

    award_regions: list[Region] = []
    if with_award:
        award_regions = rng.sample(children[province.code], 3)
        w.add(
            f"Terdapat tiga kabupaten/kota di Provinsi {province.name} yang menerima penghargaan "
            f"dalam Paritrana Award {day.year} ini, diantaranya "
        )
        w.quote("award:1", f"juara 1 diraih oleh {award_regions[0].name}")
        w.add(", ")
        w.quote("award:2", f"juara 2 diraih oleh {award_regions[1].name}")
        w.add(", dan ")
        w.quote("award:3", f"juara 3 untuk {award_regions[2].name}")
        w.add(".\n\n")

    if repeat_target:
        w.add(
            "\u201cNanti kita berikan perlindungan kepada masyarakat dalam konteks jaminan sosial "
            f"kecelakaan kerja dan kematian. Sehingga meningkatkan lagi coverage-nya menjadi "
            f"{percent_phrase(target)},\u201d terangnya.\n\n"
        )
    byline = rng.choice(["", "", "Mh", "Red"])
    w.add("Cek Berita dan Artikel yang lain di Google News")
    if byline:
        w.add(f"\n( {byline} ).")
    text = w.text()

    # ---- the rows, each quote checked against the text it was written into
    spans = {}
    for key, start, end in w.spans:
        quote = text[start:end]
        span = locate(text, quote, near=start)
        assert span.start == start, (source_id, key, quote)
        spans[key] = (quote, span)

    as_of = day.isoformat()
    basis = "event_date" if by_event else "published"
    figure_rows = []
    speakers = {"head": head, "bpjs": bpjs}

    def figure(key, indicator, unit, value, qualifier, qualifier_text, speaker, attribution, ty):
        quote, span = spans[f"f:{key}"]
        figure_rows.append(
            {
                "figure_id": f"f{number:05d}-{len(figure_rows) + 1:02d}",
                "source_id": source_id,
                "region_code": "ID" if indicator == "extreme_poverty_target_rate" else region.code,
                "indicator_id": indicator,
                "value": plain(Decimal(value)),
                "unit": unit,
                "qualifier": qualifier,
                "qualifier_text": qualifier_text,
                "as_of": as_of,
                "as_of_basis": basis,
                "target_year": str(ty) if ty else "",
                "speaker_id": speakers[speaker].person_id if speaker else "",
                "attribution": attribution,
                "quote": quote,
                "quote_start": span.start,
                "quote_end": span.end,
                "quote_prefix": span.prefix,
                "quote_suffix": span.suffix,
                "note": rng.choice(NOTES),
            }
        )

    qualifiers = {
        "": "exact",
        "kurang lebih": "about",
        "sekitar": "about",
        "kurang lebih sekitar": "about",
        "lebih dari": "more_than",
    }
    figure(
        "workers_total",
        "workers_total",
        "workers",
        total_value,
        qualifiers[total_qualifier],
        total_qualifier,
        "head",
        "direct_quote",
        None,
    )
    figure(
        "workers_covered",
        "workers_covered",
        "workers",
        covered_value,
        qualifiers[covered_qualifier],
        covered_qualifier,
        None,
        "narration",
        None,
    )
    figure("coverage_rate", "coverage_rate", "percent", actual, "exact", "", "head", "direct_quote", None)  # fmt: skip
    figure(
        "coverage_target_rate",
        "coverage_target_rate",
        "percent",
        target,
        "exact",
        "",
        "head",
        "reported_speech",
        target_year,
    )
    figure("coverage_gap", "coverage_gap", "percentage_points", gap, "exact", "", "bpjs", "direct_quote", target_year)  # fmt: skip
    figure("uncovered_rate", "uncovered_rate", "percent", uncovered, "exact", "", "bpjs", "reported_speech", None)  # fmt: skip
    figure("coverage_rate_formal", "coverage_rate_formal", "percent", formal, "exact", "", "bpjs", "reported_speech", None)  # fmt: skip
    figure("coverage_rate_informal", "coverage_rate_informal", "percent", informal, "exact", "", "bpjs", "reported_speech", None)  # fmt: skip
    figure(
        "workers_budget_paid",
        "workers_budget_paid",
        "workers",
        budget_paid * 1000,
        "about",  # "ribuan" is itself a hedge
        budget_qualifier,
        None,
        "narration",
        None,
    )
    if ten_is_poverty:
        figure("extreme_poverty_target_rate", "extreme_poverty_target_rate", "percent", 0, "exact", "", "bpjs", "reported_speech", day.year)  # fmt: skip
    else:
        figure("workers_covered_target", "workers_covered_target", "workers", target_workers_value, "exact", "", "bpjs", "direct_quote", target_year)  # fmt: skip
    assert len(figure_rows) == FIGURES_PER_ARTICLE

    def quoted(key: str) -> dict:
        quote, span = spans[key]
        return {
            "quote": quote,
            "quote_start": span.start,
            "quote_end": span.end,
            "quote_prefix": span.prefix,
            "quote_suffix": span.suffix,
        }

    posts = [
        {
            "person_id": head.person_id,
            "source_id": source_id,
            "post": gov_post,
            "organisation": gov_org,
            "region_code": region.code,
            **quoted("post:head"),
        },
        {
            "person_id": bpjs.person_id,
            "source_id": source_id,
            "post": bpjs_post,
            "organisation": "BPJS Ketenagakerjaan",
            "region_code": "",
            **quoted("post:bpjs"),
        },
    ]
    awards = [
        {
            "award_id": f"a{number:05d}-{rank}",
            "award": "Paritrana Award",
            "award_year": day.year,
            "level": "provincial",
            "organising_region_code": province.code,
            "category": "pemerintah kabupaten/kota",
            "rank": rank,
            "region_code": winner.code,
            "source_id": source_id,
            **quoted(f"award:{rank}"),
            "ceremony_date": as_of if by_event else "",
        }
        for rank, winner in enumerate(award_regions, start=1)
    ]
    regulations = (
        [
            {
                "mention_id": f"r{number:05d}-1",
                "source_id": source_id,
                "instrument": "Inpres",
                "number": 2,
                "year": 2021,
                "subject_as_described": "orang yang terlindungi Jamsostek harus dinaikkan",
                **quoted("reg:1"),
            }
        ]
        if with_regulation
        else []
    )

    raw = text.encode("utf-8")
    rights_holder = outlet or "its original publisher (not named in the text)"
    source = {
        "source_id": source_id,
        "path": f"sources/{source_id}.txt",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "bytes": len(raw),
        "headline": headline,
        "outlet": outlet,
        "byline": byline,
        "dateline": region.dateline,
        "published": "" if by_event else as_of,
        "published_as_printed": published_printed,
        "event_date": as_of if by_event else "",
        "event_date_as_printed": event_printed,
        "language": "id",
        "url": (
            f"https://berita.example.id/{day.year}/{day.month:02d}/{source_id}"
            if rng.random() < 0.5
            else ""
        ),
        "date_accessed": DATE_ACCESSED,
        "rights": f"Text \u00a9 {rights_holder}; synthetic text for the cakupan build benchmark.",
        "note": "Synthetic article generated by benchmarks/synthetic.py.",
    }
    return Article(source_id, text, source, figure_rows, posts, awards, regulations)


# ---------------------------------------------------------------- the package


def generate(
    out: Path, articles: int, *, seed: int = 0, source: Path = REPO, check: bool = True
) -> dict:
    """Write a package with `articles` articles (10 figures each) into `out`; return a summary.

    `out` must not exist or be empty. With `check`, the package is validated (without
    frictionless) and AssertionError lists the first problems if it is not clean.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    started = time.monotonic()
    rng = random.Random(seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(exist_ok=True)
    for name in ("regions.csv", "indicators.csv"):
        shutil.copyfile(source / "data" / name, out / "data" / name)

    descriptor = json.loads((source / "datapackage.json").read_text("utf-8"))
    table_resources = [r for r in descriptor["resources"] if "schema" in r]
    headers = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in table_resources}

    regions = load_regions(source)
    by_code = {r.code: r for r in regions}
    children: dict[str, list[Region]] = {}
    for r in regions:
        if r.level in ("regency", "city"):
            children.setdefault(r.parent, []).append(r)
    subjects = [r for r in regions if r.level != "country"]
    people = make_people(rng, max(20, min(2000, articles // 5)))

    rows: dict[str, list[dict]] = {name: [] for name in headers}
    file_resources = []
    used_people: set[str] = set()
    for number in range(articles):
        source_id = f"{number:05d}_{hashlib.sha256(f'{seed}-{number}'.encode()).hexdigest()[:16]}"
        region = rng.choice(subjects)
        province = region if region.level == "province" else by_code[region.parent]
        article = make_article(
            rng,
            number,
            source_id,
            region,
            province,
            people,
            children,
            with_award=number % 100 == 7 and len(children.get(province.code, [])) >= 3,
            with_regulation=number % 50 == 3,
        )
        raw = article.text.encode("utf-8")
        (out / article.source["path"]).write_bytes(raw)
        rows["sources"].append(article.source)
        rows["figures"] += article.figures
        rows["posts"] += article.posts
        rows["awards"] += article.awards
        rows["regulations"] += article.regulations
        used_people.update(p["person_id"] for p in article.posts)
        file_resources.append(
            {
                "name": f"article-{source_id}",
                "title": article.source["headline"] or article.source["outlet"] or source_id,
                "description": f"Article text exactly as generated. {article.source['rights']}",
                "path": article.source["path"],
                "format": "txt",
                "mediatype": "text/plain",
                "encoding": "utf-8",
                "hash": f"sha256:{article.source['sha256']}",
                "bytes": len(raw),
            }
        )
    rows["people"] = [
        {"person_id": p.person_id, "name": p.name, "name_as_printed": p.name_as_printed}
        for p in people
        if p.person_id in used_people
    ]
    for name, header in headers.items():
        if name in ("regions", "indicators"):
            continue
        write_csv(out / "data" / f"{name}.csv", header, rows[name])

    descriptor["resources"] = table_resources + file_resources
    descriptor["description"] = (
        f"Synthetic benchmark package: {articles} generated articles. " + descriptor["description"]
    )
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    summary = {
        "articles": articles,
        "figures": len(rows["figures"]),
        "bytes": package_bytes(out),
        "generate_seconds": time.monotonic() - started,
    }
    if check:
        from cakupan.validate import validate

        started = time.monotonic()
        report = validate(out, with_frictionless=False)
        problems = "\n".join(str(p) for p in report.problems[:20])
        assert report.ok, f"synthetic package has {len(report.problems)} problem(s):\n{problems}"
        summary["validate_seconds"] = time.monotonic() - started
    return summary


def package_bytes(root: Path) -> int:
    """Size of what the build reads: the descriptor, the CSVs and the articles."""
    files = [
        root / "datapackage.json",
        *(root / "data").glob("*.csv"),
        *(root / "sources").iterdir(),
    ]
    return sum(f.stat().st_size for f in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True, help="an empty or new directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-check", action="store_true", help="skip the validation")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.articles, seed=args.seed, check=not args.no_check)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
