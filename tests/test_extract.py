"""extract: each guessing rule on small news-style sentences written for these tests.

The sentences are made up (they imitate regional news, none is copied from an article); the
regions, indicators and columns are the real package's, read from the repository.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers import read_rows

from cakupan.extract import Catalogue, candidates, propose
from cakupan.numbers import find_numbers, list_rank
from cakupan.package import load_package

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "900_0123456789abcdef"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    found = Catalogue.from_package(load_package(ROOT))
    found.taken = {}  # a new article: ids start at 01
    return found


@pytest.fixture
def extract(catalogue):
    def run(text: str, **origin) -> list[dict]:
        origin.setdefault("published", "2025-06-02")
        return propose(text, {"source_id": SOURCE, **origin}, catalogue)

    return run


def figures(rows, *fields):
    return [
        tuple(r[f] for f in fields) for r in rows if r["candidate_kind"] in ("percent", "number")
    ]


def kinds(rows):
    return [(r["candidate_text"], r["candidate_kind"]) for r in rows]


def test_a_whole_figure_row(extract):
    text = "Per 31 Maret 2025, sebanyak 8.250 pekerja di Kabupaten Kerinci sudah terdaftar sebagai peserta."
    rows = extract(text, published="2025-04-15")
    assert [r["candidate_kind"] for r in rows] == ["not-a-figure", "number"]
    assert rows[0]["candidate_text"] == "31 Maret 2025" and rows[0]["why"] == "a date"
    expected = dict.fromkeys(rows[1], "")
    expected.update(
        {
            "figure_id": "f900-01", "source_id": SOURCE, "region_code": "15.01",
            "indicator_id": "workers_covered", "value": "8250", "unit": "workers",
            "qualifier": "exact", "as_of": "2025-03-31", "as_of_basis": "event_date",
            "attribution": "narration", "quote": text[:-1], "quote_start": "0",
            "quote_end": str(len(text) - 1), "candidate_kind": "number", "candidate_text": "8.250",
            "number_start": "28", "number_end": "33",
            "why": "workers_covered from 'terdaftar'; region 15.01: 'Kabupaten Kerinci' named after "
            "it in its clause; as of 2025-03-31 from 'Per 31 Maret 2025'",
        }
    )  # fmt: skip
    assert rows[1] == expected
    assert text[28:33] == "8.250"


@pytest.mark.parametrize(
    "text, expected",
    [
        (  # the region named nearest before the number in its clause
            "Di Provinsi Bali, Kabupaten Badung mencatat cakupan 58,68 persen, sedangkan Kota "
            "Denpasar 51,2 persen. Secara keseluruhan Bali baru 40 persen.",
            [("58,68 persen", "51.03"), ("51,2 persen", "51.71"), ("40 persen", "51")],
        ),
        (  # a list of regions, each with its number; "puncak" is a word, not Kabupaten Puncak
            "Kota Padang berada di puncak dengan 45 persen, tipis di atas Kota Bukittinggi yang "
            "mencatat 44,1 persen, sedangkan Kabupaten Solok paling rendah, yakni 12 persen.",
            [("45 persen", "13.71"), ("44,1 persen", "13.75"), ("12 persen", "13.02")],
        ),
        (  # Kabupaten, Kota and the province of the same name; a regent's title names a regency
            "Kota Bekasi mencatat 40 persen. Wakil Bupati Bekasi menyebut capaian Kabupaten "
            "Bekasi 35 persen. Di Kota Jambi 30 persen, di Jambi secara umum 41 persen.",
            [
                ("40 persen", "32.75"),
                ("35 persen", "32.16"),
                ("30 persen", "15.71"),
                ("41 persen", "15"),
            ],
        ),
        ("Wakil Bupati Bekasi menyebut 35 persen.", [("35 persen", "32.16")]),
        (  # a quotation names no region: the speaker's title after it does
            "Kota Jambi ramai.\n\n“Kami ingin cakupan naik ke 50 persen,” kata Gubernur Bengkulu.",
            [("50 persen", "17")],
        ),
        (  # ... but not the place where it was said
            "Kabupaten Kaur mencatat kenaikan.\n\n“Kami kejar 50 persen,” katanya di Kota Bengkulu.",
            [("50 persen", "17.04")],
        ),
    ],
)
def test_the_region_of_each_number(extract, text, expected):
    assert figures(extract(text), "candidate_text", "region_code") == expected


def test_national_figures_are_indonesia(extract):
    rows = extract(
        "Secara nasional, cakupan UCJ baru 38,2 persen. Di seluruh Indonesia tercatat 140 juta "
        "pekerja.\n\nDokumen RPJMN memuat angka 45 persen pada 2029."
    )
    assert figures(rows, "candidate_text", "region_code", "indicator_id", "target_year") == [
        ("38,2 persen", "ID", "coverage_rate", ""),
        ("140 juta", "ID", "workers_total", ""),
        ("45 persen", "ID", "coverage_target_rate", "2029"),
    ]
    assert rows[-2]["why"].startswith(
        "coverage_target_rate from 'RPJMN'; region ID: 'RPJMN' is the national government's"
    )


def test_offices_and_datelines_are_not_the_region(extract):
    rows = extract(
        "JAMBI, KABARJAMBI.COM – Kepala BPJS Ketenagakerjaan Cabang Jambi mengatakan 40 persen "
        "pekerja sudah terlindungi.",
        dateline="JAMBI",
    )
    assert figures(rows, "region_code", "why") == [
        ("", "coverage_rate: a share with no other indicator words; no region named; as of 2025-06-02: the publication date")
    ]  # fmt: skip


def test_a_region_referred_back_to_and_short_names(extract):
    rows = extract(
        "Pemkab Kukar mencatat 25.000 pekerja terlindungi. Di Tanjabtim, 10.000 pekerja sudah "
        "menjadi peserta.\n\nRombongan DPRD Kabupaten Sarolangun datang. Sebanyak 9.000 pekerja "
        "di kabupaten tersebut sudah terdaftar."
    )
    assert figures(rows, "candidate_text", "region_code", "indicator_id") == [
        ("25.000", "64.02", "workers_covered"),
        ("10.000", "15.07", "workers_covered"),
        ("9.000", "15.03", "workers_covered"),
    ]
    assert (
        "'Tanjabtim' named earlier in its sentence, short for Tanjung Jabung Timur"
        in rows[1]["why"]
    )
    assert (
        "'kabupaten tersebut' named after it in its clause, refers back to 'Kabupaten Sarolangun'"
        in rows[2]["why"]
    )


@pytest.mark.parametrize(
    "sentence, as_of, basis",
    [
        ("Per 24 Mei 2025, cakupan Kabupaten Tebo 30 persen.", "2025-05-24", "event_date"),
        ("Hingga akhir April 2025 cakupan Kabupaten Tebo 30 persen.", "2025-04-30", "event_date"),
        (
            "Sampai dengan 15 Mei 2025, cakupan Kabupaten Tebo 30 persen.",
            "2025-05-15",
            "event_date",
        ),
        (
            "Data per 30/4/2025 mencatat cakupan Kabupaten Tebo 30 persen.",
            "2025-04-30",
            "event_date",
        ),
        ("Pada 2023 cakupan Kabupaten Tebo baru 30 persen.", "2023-12-31", "event_date"),
        (
            "Cakupan Kabupaten Tebo 30 persen, kata Bupati, Senin (26/5/2025).",
            "2025-05-26",
            "event_date",
        ),
        ("Cakupan Kabupaten Tebo tahun ini 30 persen.", "2025-06-02", "published"),
        # a date after the article is a deadline, not the date the figure describes
        (
            "Hingga akhir Desember 2025 cakupan Kabupaten Tebo harus 30 persen.",
            "2025-06-02",
            "published",
        ),
    ],
)
def test_as_of_dates_the_article_states(extract, sentence, as_of, basis):
    assert figures(extract(sentence), "as_of", "as_of_basis") == [(as_of, basis)]


def test_dalam_data_yang_sama_carries_the_date_forward(extract):
    rows = extract(
        "Per 24 April 2025, cakupan Provinsi Lampung 24 persen.\n\n"
        "Dalam data yang sama, Kota Metro mencapai 32 persen.\n\n"
        "Kabupaten Way Kanan mencatat 19 persen."
    )
    assert figures(rows, "candidate_text", "as_of") == [
        ("24 persen", "2025-04-24"),
        ("32 persen", "2025-04-24"),
        ("19 persen", "2025-06-02"),
    ]
    assert rows[2]["why"].endswith(
        "as of 2025-04-24: 'Dalam data yang sama' carries 'Per 24 April 2025' forward"
    )


def test_targets_with_their_years(extract):
    rows = extract(
        "Kepala Dinas Kabupaten Merangin mengatakan, Jumat (16/5/2025), dokumen RPJMD memuat "
        "angka 30 persen pada 2025 dan 45 persen pada 2029. Tahun depan naik lagi ke 35 persen. "
        "Pemerintah menargetkan cakupan 33 persen tahun ini, atau setara 90.000 pekerja."
    )
    assert figures(rows, "candidate_text", "indicator_id", "target_year", "as_of") == [
        ("30 persen", "coverage_target_rate", "2025", "2025-05-16"),
        ("45 persen", "coverage_target_rate", "2029", "2025-05-16"),
        ("35 persen", "coverage_target_rate", "2026", "2025-05-16"),
        ("33 persen", "coverage_target_rate", "2025", "2025-05-16"),
        ("90.000", "workers_covered_target", "2025", "2025-05-16"),
    ]


def test_stated_gaps(extract):
    rows = extract(
        "Capaian Kabupaten Bungo baru 36 persen dari target 50 persen. Artinya masih ada selisih "
        "14 poin persen. Di Kabupaten Tebo kurang 2 persen lagi."
    )
    assert figures(
        rows, "candidate_text", "indicator_id", "unit", "target_year", "region_code"
    ) == [
        ("36 persen", "coverage_rate", "percent", "", "15.08"),
        ("50 persen", "coverage_target_rate", "percent", "2025", "15.08"),
        ("14 poin persen", "coverage_gap", "percentage_points", "2025", "15.08"),
        ("2 persen", "coverage_gap", "percentage_points", "2025", "15.09"),
    ]


def test_what_the_words_around_a_count_say(extract):
    rows = extract(
        "Sebanyak 1.200 orang sudah terdaftar sebagai peserta dari 5.000 pekerja di Kabupaten "
        "Kerinci, atau setara 24 persen. Ada 45 persen pekerja yang belum terlindungi. Dana Desa "
        "membiayai 800 warga, dan 300 pekerja rentan iurannya dibayar pemerintah desa."
    )
    assert figures(rows, "candidate_text", "indicator_id") == [
        ("1.200", "workers_covered"),
        ("5.000", "workers_total"),
        ("24 persen", "coverage_rate"),
        ("45 persen", "uncovered_rate"),
        ("800", "workers_budget_paid"),
        ("300", "workers_budget_paid"),
    ]


def test_a_breakdown_keeps_only_the_vulnerable_workers(extract):
    rows = extract(
        "Dari APBDes, sebanyak 2.000 orang di Kabupaten Kerinci iurannya ditanggung. Mereka "
        "terdiri atas 900 perangkat desa, 300 anggota BPD, serta 800 pekerja rentan."
    )
    assert [(r["candidate_text"], r["candidate_kind"], r["indicator_id"]) for r in rows] == [
        ("2.000", "number", "workers_budget_paid"),
        ("900", "not-a-figure", ""),
        ("300", "not-a-figure", ""),
        ("800", "number", "workers_budget_paid"),
    ]


def test_qualifiers(extract):
    rows = extract(
        "Di Kabupaten Kerinci ada kurang lebih 1,5 juta pekerja, sekitar 600 ribu pekerja "
        "terdaftar, lebih dari 20 persen di sektor formal, dan kurang dari 5 persen di sektor informal."
    )
    assert figures(rows, "candidate_text", "value", "qualifier", "qualifier_text") == [
        ("1,5 juta", "1500000", "about", "kurang lebih"),
        ("600 ribu", "600000", "about", "sekitar"),
        ("20 persen", "20", "more_than", "lebih dari"),
        ("5 persen", "5", "up_to", "kurang dari"),
    ]
    rows = extract("Kabupaten Mahakam Ulu masih di bawah 20 persen dari 1,9 juta angkatan kerja.")
    assert figures(rows, "candidate_text", "indicator_id", "qualifier", "qualifier_text") == [
        ("20 persen", "coverage_rate", "up_to", "di bawah"),
        ("1,9 juta", "workers_total", "exact", ""),
    ]


def test_non_figures_say_why(extract):
    rows = extract(
        "Salah satu langkahnya, pemerintah menerbitkan dua Inpres, yakni Inpres Nomor 2 Tahun "
        "2021. Warga dapat menghubungi call center 175. Sebanyak 12 desa menyiapkan Rp500 juta "
        "selama delapan bulan. Kantor itu melayani 200 warga setiap hari.\n"
        "BACA JUGA: 3 Orang Ditangkap di Kota Jambi"
    )
    assert [(r["candidate_text"], r["candidate_kind"], r["why"]) for r in rows] == [
        ("satu", "not-a-figure", "idiom 'Salah satu'"),
        ("dua", "not-a-figure", "counts 'Inpres', not workers"),
        ("2", "not-a-figure", "a regulation's number"),
        ("2021", "not-a-figure", "a regulation's year"),
        ("175", "not-a-figure", "a phone number"),
        ("12", "not-a-figure", "counts 'desa', not workers"),
        ("500 juta", "not-a-figure", "an amount in rupiah"),
        ("delapan", "not-a-figure", "a span of time ('delapan bulan')"),
        ("200", "not-a-figure", "a count per day or month ('setiap hari'), not workers"),
        ("3", "not-a-figure", "in a link to another article (BACA JUGA)"),
    ]


def test_shares_that_are_not_coverage(extract):
    rows = extract(
        "Iuran JKK sebesar 0,24 persen dari upah. Realisasi anggaran mencapai 80 persen. Cakupan "
        "Kabupaten Tebo naik 5 persen menjadi 35 persen. Capaiannya 80 persen dari target. Pemda "
        "diminta menyisihkan 2 persen APBD."
    )
    assert [(r["candidate_text"], r["candidate_kind"], r["indicator_id"]) for r in rows] == [
        ("0,24 persen", "not-a-figure", ""),
        ("80 persen", "not-a-figure", ""),
        ("5 persen", "not-a-figure", ""),
        ("35 persen", "percent", "coverage_rate"),
        ("80 persen", "not-a-figure", ""),
        ("2 persen", "not-a-figure", ""),
    ]
    assert [r["why"] for r in rows if r["candidate_kind"] == "not-a-figure"] == [
        "a contribution, price or budget rate, not coverage",
        "a contribution, price or budget rate, not coverage",
        "a change in coverage, not its level",
        "a share of the target achieved, not coverage",
        "a contribution, price or budget rate, not coverage",
    ]


def test_indonesia_inside_a_name_is_not_the_country(extract):
    rows = extract("Sebanyak 5.000 Pekerja Migran Indonesia di Kabupaten Kendal sudah terdaftar.")
    assert figures(rows, "region_code", "indicator_id") == [("33.24", "workers_covered")]


def test_headline_repeats_are_marked_not_proposed(extract):
    text = (
        "Cakupan Kabupaten Bungo Baru 36 Persen, Target 50 Persen\n\n"
        "BUNGO, KABARBUNGO.COM – Cakupan Kabupaten Bungo baru 36 persen, kata Bupati."
    )
    rows = extract(text, headline="Cakupan Kabupaten Bungo Baru 36 Persen, Target 50 Persen")
    assert [(r["candidate_text"], r["candidate_kind"], r["figure_id"]) for r in rows] == [
        ("36 Persen", "repeat", ""),
        ("50 Persen", "percent", "f900-01"),  # the body does not repeat it: the headline's figure
        ("36 persen", "percent", "f900-02"),
    ]
    assert rows[0]["why"] == f"the headline repeats '36 persen' at offset {text.index('36 persen')}"
    assert rows[1]["why"].endswith("stated only in the headline")


def test_a_headline_rounds_the_figure_it_repeats(extract):
    text = "Baru 47 Persen Pekerja Kaltim Terlindungi\n\nCapaian UCJ Kaltim baru 47,3 persen."
    rows = extract(text, headline="Baru 47 Persen Pekerja Kaltim Terlindungi")
    assert kinds(rows) == [("47 Persen", "repeat"), ("47,3 persen", "percent")]
    assert (
        rows[0]["why"]
        == f"the headline repeats '47,3 persen' at offset {text.index('47,3')}, rounded"
    )


def test_a_fact_stated_twice_is_proposed_once_in_the_speakers_words(extract):
    text = (
        "Cakupan Kabupaten Tebo baru 30 persen.\n\n"
        "“Cakupan Kabupaten Tebo masih 30 persen. Kami ingin dari 30 persen menjadi 45 persen,” kata Bupati."
    )
    rows = extract(text)
    assert [
        (r["candidate_text"], r["candidate_kind"], r["figure_id"], r["attribution"]) for r in rows
    ] == [
        ("30 persen", "repeat", "", "narration"),
        ("30 persen", "percent", "f900-01", "direct_quote"),
        ("30 persen", "repeat", "", "direct_quote"),
        ("45 persen", "percent", "f900-02", "direct_quote"),
    ]
    second = str(text.index("30 persen", 40))
    assert rows[0]["why"].startswith(f"restates '30 persen' at offset {second} (direct quote); ")
    assert rows[2]["why"].startswith(
        f"restates '30 persen' at offset {second} (direct quote); 'dari … menjadi'"
    )


AWARD_FIELDS = ("candidate_kind", "candidate_text", "award_id", "award", "award_year", "level",
                "organising_region_code", "category", "rank", "region_code", "quote", "ceremony_date")  # fmt: skip


def test_an_award_list_in_words(extract):
    rows = extract(
        "Malam penganugerahan Paritrana Award 2025 tingkat provinsi digelar di Padang, Jumat "
        "(20/6/2025). Untuk kategori pemerintah kabupaten/kota, urutan pertama diraih Kabupaten "
        "Agam, disusul Kota Padang, dan Kabupaten Solok."
    )
    awards = [tuple(r[f] for f in AWARD_FIELDS) for r in rows if r["candidate_kind"] == "award"]
    common = ("Paritrana Award", "2025", "provincial", "13", "pemerintah kabupaten/kota")
    assert awards == [
        ("award", "pertama", "a900-1", *common, "1", "13.06", "urutan pertama diraih Kabupaten Agam", "2025-06-20"),
        ("award", "disusul", "a900-2", *common, "2", "13.71",
         "urutan pertama diraih Kabupaten Agam, disusul Kota Padang", "2025-06-20"),
        ("award", "dan", "a900-3", *common, "3", "13.02",
         "urutan pertama diraih Kabupaten Agam, disusul Kota Padang, dan Kabupaten Solok", "2025-06-20"),
    ]  # fmt: skip
    assert all(
        r["figure_id"] == r["value"] == r["indicator_id"] == ""
        for r in rows
        if r["candidate_kind"] == "award"
    )


def test_award_ranks_in_numerals_and_at_national_level(extract):
    rows = extract(
        "Paritrana Award 2024 tingkat provinsi: juara 1 diraih oleh Kabupaten Bungo, juara 2 "
        "diraih oleh Kabupaten Tebo.\n\nSepekan kemudian, Kamis (3/7/2025), Provinsi Jawa Tengah "
        "dinobatkan sebagai juara 2 Paritrana Award 2025 tingkat nasional kategori pemerintah provinsi."
    )
    awards = [tuple(r[f] for f in AWARD_FIELDS[1:]) for r in rows if r["candidate_kind"] == "award"]
    assert awards == [
        ("1", "a900-1", "Paritrana Award", "2024", "provincial", "15", "pemerintah kabupaten/kota", "1",
         "15.08", "juara 1 diraih oleh Kabupaten Bungo", "2025-07-03"),
        ("2", "a900-2", "Paritrana Award", "2024", "provincial", "15", "pemerintah kabupaten/kota", "2",
         "15.09", "juara 2 diraih oleh Kabupaten Tebo", "2025-07-03"),
        ("2", "a900-3", "Paritrana Award", "2025", "national", "ID", "pemerintah provinsi", "2",
         "33", "Provinsi Jawa Tengah dinobatkan sebagai juara 2", "2025-07-03"),
    ]  # fmt: skip


def test_award_and_figure_candidates_are_accepted_into_the_package(package, tmp_path):
    from click.testing import CliRunner

    from cakupan.cli import cli

    article = tmp_path / "juara.txt"
    article.write_text(
        "Kabupaten Agam Juara Paritrana\n\nPADANG, KABARSUMBAR – Paritrana Award 2025 tingkat "
        "provinsi diserahkan di Padang, Jumat (20/6/2025). Untuk kategori pemerintah "
        "kabupaten/kota, urutan pertama diraih Kabupaten Agam, disusul Kota Padang, dan "
        "Kabupaten Solok.\n\nPer 31 Mei 2025, cakupan Kabupaten Agam mencapai 38,5 persen.\n",
        encoding="utf-8",
    )

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args])

    run("add-source", "--root", package, article, "--published", "2025-06-21")
    source_id = sorted(p.stem for p in (package / "sources").iterdir())[-1]
    run("extract", "--root", package, source_id, "--out", tmp_path / "review.csv")
    result = run("accept", "--root", package, tmp_path / "review.csv")
    number = source_id.split("_")[0]
    assert (result.exit_code, result.output) == (
        0,
        f"accepted 1 figure(s): f{number}-01; 3 award(s): a{number}-1, a{number}-2, a{number}-3\n",
    )
    awards = [r for r in read_rows(package / "data" / "awards.csv") if r["source_id"] == source_id]
    assert [
        (a["rank"], a["region_code"], a["organising_region_code"], a["ceremony_date"])
        for a in awards
    ] == [
        ("1", "13.06", "13", "2025-06-20"),
        ("2", "13.71", "13", "2025-06-20"),
        ("3", "13.02", "13", "2025-06-20"),
    ]


def test_a_list_that_follows_a_winner_named_first(extract):
    rows = extract(
        "Pada Paritrana Award 2025 tingkat nasional, Provinsi Jawa Tengah meraih juara pertama "
        "kategori pemerintah provinsi, disusul Provinsi Jawa Timur dan Provinsi Sumatera Barat."
    )
    assert [(r["rank"], r["region_code"], r["candidate_text"], r["quote"]) for r in rows if r["candidate_kind"] == "award"] == [
        ("1", "33", "pertama", "Provinsi Jawa Tengah meraih juara pertama"),
        ("2", "35", "disusul", "Provinsi Jawa Tengah meraih juara pertama kategori pemerintah provinsi, disusul Provinsi Jawa Timur"),
        ("3", "13", "dan", "Provinsi Jawa Tengah meraih juara pertama kategori pemerintah provinsi, disusul Provinsi Jawa Timur dan Provinsi Sumatera Barat"),
    ]  # fmt: skip


def test_every_row_of_a_seed_article_points_at_its_words():
    rows = candidates(ROOT, "002_ad03d7ffec287ddd")
    text = (ROOT / "sources" / "002_ad03d7ffec287ddd.txt").read_text("utf-8")
    for r in rows:
        assert text[int(r["quote_start"]) : int(r["quote_end"])] == r["quote"]
        assert text[int(r["number_start"]) : int(r["number_end"])] == r["candidate_text"]
        assert r["why"]
    # the package already holds a002-1..3: new award candidates continue the numbering
    assert [r["award_id"] for r in rows if r["candidate_kind"] == "award"] == [
        "a002-4",
        "a002-5",
        "a002-6",
    ]


def test_numbers_read_points_and_less_than():
    [points] = find_numbers("selisih 16,47 poin persen")
    assert (points.text, points.kind, str(points.value)) == (
        "16,47 poin persen",
        "percent",
        "16.47",
    )
    [first] = find_numbers("urutan pertama diraih Kabupaten Agam")
    assert (first.text, first.kind, first.value) == ("pertama", "rank", 1)
    assert (
        list_rank("urutan pertama diraih Kabupaten Agam, disusul Kota Padang, dan Kabupaten Solok")
        == 3
    )
    assert list_rank("juara 1 diraih Kabupaten Pangkajene dan Kepulauan dan Kabupaten Gowa") == 2
    [less] = find_numbers("kurang dari 5 persen")
    assert (less.text, less.qualifier, less.qualifier_text) == ("5 persen", "up_to", "kurang dari")
    assert [m.text for m in find_numbers("4 poin penting")] == ["4"]


def test_the_benchmark_says_where_the_eval_corpus_should_be(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location(
        "bench_extract", ROOT / "benchmarks" / "extract.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "EVAL", tmp_path / "missing")
    with pytest.raises(SystemExit) as stop:
        bench.evaluation()
    assert str(stop.value) == (
        f"error: {tmp_path / 'missing'} is missing; the eval corpus must sit at ../shared/eval "
        "relative to the repository root (aNN.txt, truth.csv, nonfigures.csv, meta.csv)"
    )
