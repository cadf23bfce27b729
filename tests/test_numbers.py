import re
import string
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cakupan.numbers import NumberMention, find_numbers, parse_number, value_in_text

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("112.000", D("112000")),
        ("1,3", D("1.3")),
        ("1.234.567,5", D("1234567.5")),
        ("1.3", D("1.3")),  # "." not followed by exactly three digits: English decimal point
        ("1.2345", D("1.2345")),
        ("1.300", D("1300")),
        ("1,300", D("1.3")),  # "," is always the decimal mark
        ("0,5", D("0.5")),
        ("112000", D("112000")),
        ("1,3 juta", D("1300000")),
        ("580 ribu", D("580000")),
        ("117 ribuan", D("117000")),
        ("2 jutaan", D("2000000")),
        ("1,2 miliar", D("1200000000")),
        ("3 milyar", D("3000000000")),
        ("1,5 triliun", D("1500000000000")),
        ("5 rb", D("5000")),
        ("7 JT", D("7000000")),
        ("5jt", D("5000000")),
        ("43 persen", D("43")),
        ("43%", D("43")),
        ("43 %", D("43")),
        ("4,5 persen", D("4.5")),
        ("nol persen", D("0")),
        ("dua", D("2")),
        ("Dua Miliar", D("2000000000")),
        ("dua juta", D("2000000")),
        ("sebelas", D("11")),
        ("seratus", D("100")),
        ("seribu", D("1000")),
        ("sepuluh ribu", D("10000")),
        ("dua puluh lima ribu", D("25000")),
        ("seratus dua belas", D("112")),
        ("seribu dua ratus lima puluh enam", D("1256")),
        ("  112.000 \n", D("112000")),
        ("2024", D("2024")),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1,2,3",
        "1.2.3",
        "1.234.5",
        "12a",
        "abc",
        "kedua",
        "pertama",
        "tigaan",
        "sekitar 5",  # a qualifier is context, not part of the number
        "Rp 5",
        "10/6/2024",
        "14:53",
        "-5",
        "43 persen.",
    ],
)
def test_parse_number_rejects(text):
    with pytest.raises(ValueError) as excinfo:
        parse_number(text)
    assert str(excinfo.value) == f"not an Indonesian number: {text!r}"


def test_parse_number_error_message_example():
    with pytest.raises(ValueError, match=re.escape("not an Indonesian number: '1,2,3'")):
        parse_number("1,2,3")


def m(source, fragment, value, kind, qualifier=None, qualifier_text=None, *, approx=False):
    """The expected mention of the first occurrence of `fragment` in `source`."""
    start = source.index(fragment)
    value = None if value is None else D(value)
    return NumberMention(
        start, start + len(fragment), fragment, value, kind, approx, qualifier, qualifier_text
    )


S1 = "pekerja kita kurang lebih 112.000 pekerja. Kemudian yang sudah kita coverage baru 43 persen"
S2 = "mencapai lebih dari 1,3 juta orang, namun baru sekitar 580 ribu pekerja atau 44 persen"
S3 = "kurang lebih sekitar 117 ribuan pekerja"
S4 = "juara 1 diraih oleh Kabupaten Bungo, juara 2"
S5 = "Senin (10/6/2024)"
S6 = "Rabu 02 Oktober 2024"
S7 = "Tahun ini pemerintah nol persen"
S8 = "Inpres No 2 tahun 2021"
S9 = "“43 persen” kata dia"
S10 = "12 kabupaten dan 7"
S11 = "Jumat, 5/7/2025 pukul 14:53:45 dan 18 Maret 2025 pukul 09.30 WIB"
S12 = "juara ke-2, peringkat 3, tahap ke-4, juara satu"
S13 = "dua juta pekerja, Dua Miliar, kedua, ketiga, tigaan, satu-satunya, pertama"
S14 = "hampir 50%, di atas 20 persen, hingga 2025, sampai 10 ribu, kira-kira 1.234.567,5"
S15 = "tidak lebih dari 5 persen, sekitar Rp 1,2 triliun, Rp1.000, KURANG  LEBIH\n7 jutaan"
S16 = "Covid19 UCJ2 jumlahUCJ 1.2.3 sebesar 20 persen, (1.3) 4,5 persen."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            S1,
            [
                m(S1, "112.000", 112000, "number", "about", "kurang lebih", approx=True),
                m(S1, "43 persen", 43, "percent"),
            ],
        ),
        (
            S2,
            [
                m(S2, "1,3 juta", 1300000, "number", "more_than", "lebih dari"),
                m(S2, "580 ribu", 580000, "number", "about", "sekitar", approx=True),
                m(S2, "44 persen", 44, "percent"),
            ],
        ),
        (
            S3,
            [
                m(S3, "117 ribuan", 117000, "number", "about", "kurang lebih sekitar", approx=True),
            ],
        ),
        (S4, [m(S4, "1", 1, "rank"), m(S4, "2", 2, "rank")]),
        (S5, [m(S5, "10/6/2024", None, "date")]),
        (S6, [m(S6, "02 Oktober 2024", None, "date")]),
        (S7, [m(S7, "nol persen", 0, "percent")]),
        (S8, [m(S8, "2", 2, "number"), m(S8, "2021", 2021, "year")]),
        (S9, [NumberMention(1, 10, "43 persen", D(43), "percent", False, None, None)]),
        (
            S10,
            [
                NumberMention(0, 2, "12", D(12), "number", False, None, None),
                NumberMention(17, 18, "7", D(7), "number", False, None, None),
            ],
        ),
        (
            S11,
            [
                m(S11, "5/7/2025", None, "date"),
                m(S11, "14:53:45", None, "time"),
                m(S11, "18 Maret 2025", None, "date"),
                m(S11, "09.30", None, "time"),
            ],
        ),
        (
            S12,
            [
                m(S12, "2", 2, "rank"),
                m(S12, "3", 3, "rank"),
                m(S12, "4", 4, "rank"),
                m(S12, "satu", 1, "rank"),
            ],
        ),
        (S13, [m(S13, "dua juta", 2000000, "number"), m(S13, "Dua Miliar", 2000000000, "number")]),
        (
            S14,
            [
                m(S14, "50%", 50, "percent", "about", "hampir", approx=True),
                m(S14, "20 persen", 20, "percent", "more_than", "di atas"),
                m(S14, "2025", 2025, "year", "up_to", "hingga"),
                m(S14, "10 ribu", 10000, "number", "up_to", "sampai"),
                m(S14, "1.234.567,5", "1234567.5", "number", "about", "kira-kira", approx=True),
            ],
        ),
        (
            S15,
            [
                m(S15, "5 persen", 5, "percent", "up_to", "tidak lebih dari"),
                m(S15, "1,2 triliun", 1200000000000, "number", "about", "sekitar", approx=True),
                m(S15, "1.000", 1000, "number"),
                m(S15, "7 jutaan", 7000000, "number", "about", "KURANG  LEBIH", approx=True),
            ],
        ),
        (
            S16,
            [
                m(S16, "20 persen", 20, "percent"),
                m(S16, "1.3", "1.3", "number"),
                m(S16, "4,5 persen", "4.5", "percent"),
            ],
        ),
        ("mencapai 5", [NumberMention(9, 10, "5", D(5), "number", False, None, None)]),
        ("", []),
        ("tanpa angka sama sekali", []),
    ],
)
def test_find_numbers(text, expected):
    mentions = find_numbers(text)
    assert mentions == expected
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        (112000, S1, True),
        (D("112000"), S1, True),
        ("112000", S1, True),
        (43, S1, True),
        (1300000, S2, True),
        (1.3e6, S2, True),
        (1.3, S2, False),
        (580000, S2, True),
        (117000, S3, True),
        (0, S7, True),
        (2021, S8, True),
        (2, S4, True),
        (10, S5, False),  # numbers inside a date are not figures
        (2024, S6, False),
        (112, S1, False),
    ],
)
def test_value_in_text(value, text, expected):
    assert value_in_text(value, text) is expected


def test_value_in_text_rejects_non_numbers():
    with pytest.raises(ValueError, match="not a number: 'banyak'"):
        value_in_text("banyak", S1)
    with pytest.raises(TypeError):
        value_in_text(True, S1)


def fmt(value: Decimal) -> str:
    """Indonesian style: "." groups thousands, "," marks decimals."""
    whole, _, fraction = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


amounts = st.decimals(
    min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False
) | st.integers(min_value=0, max_value=10**12).map(Decimal)
# non-ASCII letters and a no-break space keep code-point offsets honest
filler = st.text(alphabet=string.ascii_letters + "éüñçÀ \u00a0", max_size=30)
# a word right after the number would legitimately become part of the mention
FOLLOWERS = {
    "ribu", "ribuan", "rb", "juta", "jutaan", "jt", "miliar", "milyar", "triliun", "persen",
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
    "september", "oktober", "november", "desember", "wib", "wit", "wita",
}  # fmt: skip


def test_fmt():
    assert fmt(D("1234567.50")) == "1.234.567,50"
    assert fmt(D("0.05")) == "0,05"
    assert fmt(D(10**12)) == "1.000.000.000.000"


@given(amounts)
def test_format_then_parse_round_trips(value):
    assert parse_number(fmt(value)) == value


@given(amounts, filler, filler)
def test_find_numbers_in_surrounding_text(value, before, after):
    words = after.split()
    assume(not words or words[0].lower() not in FOLLOWERS)
    formatted = fmt(value)
    text = f"{before} {formatted} {after}"
    spans = [(x.start, x.end) for x in find_numbers(text) if x.text == formatted]
    assert (len(before) + 1, len(before) + 1 + len(formatted)) in spans
    for start, end in spans:
        assert text[start:end] == formatted


@given(amounts)
def test_value_in_text_finds_percent(value):
    assert value_in_text(value, f"{fmt(value)} persen")
