"""The cite page's arithmetic: every number formatted, every qualifier carried, stated beside computed."""

from __future__ import annotations

import html as htmllib
import importlib.util
import re

import jinja2
import pytest
from helpers import ROOT, copy_site, set_cell

from cakupan import derived_qualifiers as dq
from cakupan.build import build
from cakupan.site import arithmetic as cite_arithmetic
from cakupan.site.app import make_datasette


def plugin(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


template_filters = plugin("template_filters")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("site") / "pkg")
    build(root)
    return make_datasette(root)


async def arithmetic(site, figure_id: str) -> list[str]:
    """The page's arithmetic lines as a reader sees them: tags stripped, spaces collapsed."""
    response = await site.client.get(f"/-/cite/{figure_id}")
    assert response.status_code == 200
    found = re.search(r'<ul class="arithmetic">(.*?)</ul>', response.text, re.S)
    if not found:
        return []
    return [
        " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", item)).split())
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


# -- the qualifier rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("exact", "exact", "exact"),
        ("more_than", "exact", "more_than"),  # lebih dari 1,3 juta × 11 % = lebih dari 143.000
        ("exact", "more_than", "more_than"),
        ("up_to", "exact", "up_to"),
        ("more_than", "more_than", "more_than"),
        ("about", "exact", "about"),
        ("exact", "about", "about"),
        ("more_than", "up_to", "about"),  # pulling opposite ways
        ("about", "more_than", "about"),
        (None, "", "exact"),
    ],
)
def test_product_of_positive_factors(a, b, expected):
    assert dq.product(a, b) == expected


def test_a_negative_factor_turns_a_bound_round():
    assert dq.product("more_than", "exact", 1, -1) == "up_to"
    assert dq.product("up_to", "exact", 1, -1) == "more_than"
    assert dq.product("about", "exact", 1, -1) == "about"


def test_a_zero_factor_makes_the_product_exact():
    # 1,3 juta × exactly 0 % is exactly 0, whatever qualifies the 1,3 juta
    assert dq.product("more_than", "exact", 1, dq.sign(0)) == "exact"
    assert [dq.sign(v) for v in (-2, 0, None, 3.5)] == [-1, 0, 0, 1]


def test_difference_and_quotient_turn_the_second_figure_round():
    assert dq.difference("more_than", "exact") == "more_than"
    assert dq.difference("exact", "more_than") == "up_to"
    assert dq.difference("more_than", "up_to") == "more_than"  # both push the result up
    assert dq.difference("more_than", "more_than") == "about"
    assert dq.quotient("exact", "more_than") == "up_to"  # 100 × covered ÷ "more than" total
    assert dq.quotient("about", "more_than") == "about"
    assert dq.quotient("up_to", "more_than") == "up_to"
    assert dq.total("exact", "more_than", "exact") == "more_than"
    assert dq.total() == "exact"


def test_unknown_or_aliased_qualifiers_are_never_read_as_exact():
    assert dq.propagate([("at_least", 1)]) == "more_than"
    assert dq.propagate([("less_than", 1)]) == "up_to"
    assert dq.propagate([("approx", 1)]) == "about"
    assert dq.propagate([("roughly-ish", 1)]) == "about"
    assert dq.propagate([("roughly-ish", 0)]) == "exact"  # the result does not depend on it


def test_gap_and_check_rows_carry_their_figures_qualifiers():
    gap = {
        "as_of": "2025-03-18", "target_year": 2025, "gap_pp": 11.0, "workers_total": 1300000.0,
        "workers_qualifier": "more_than", "stated_gap_pp": 10.0,
        "actual_figure_id": "a", "target_figure_id": "t", "workers_figure_id": "w",
        "stated_gap_figure_id": "g", "workers_to_enrol": 143000, "counted_to_enrol": 202000,
        "covered_figure_id": "c", "covered_target_figure_id": "ct",
        "actual_qualifier": "exact", "target_qualifier": "about", "stated_gap_qualifier": "exact",
        "covered_qualifier": "more_than", "covered_target_qualifier": "exact",
    }  # fmt: skip
    g = cite_arithmetic.gap_arithmetic(gap)
    assert (g["gap_q"], g["enrol_q"], g["pace_q"]) == ("about", "about", "about")
    assert (g["days_left"], g["year_end"], g["stated_gap_difference"]) == (288, "2025-12-31", 1.0)
    # 782 ribu − "lebih dari" 580 ribu is at most 202 ribu
    assert (g["covered_q"], g["covered_target_q"], g["counted_q"]) == (
        "more_than",
        "exact",
        "up_to",
    )
    assert (g["counted_difference"], g["counted_difference_q"]) == (-59000, "about")
    without = cite_arithmetic.gap_arithmetic({**gap, "counted_to_enrol": None})
    assert "counted_q" not in without and "counted_difference" not in without
    check = {
        "check_kind": "share_of_workers", "figure_ids": "c,w,r", "unit": "percent",
        "verdict": "consistent",
    }  # fmt: skip
    c = cite_arithmetic.check_arithmetic(check, {"c": "exact", "w": "more_than", "r": "exact"})
    assert (c["stated_q"], c["computed_q"], c["difference_q"]) == ("exact", "up_to", "up_to")
    assert (c["verdict_id"], c["points_unit"]) == ("konsisten", "percentage_points")
    unknown = cite_arithmetic.check_arithmetic(
        {**check, "check_kind": "new_kind", "figure_ids": "c,w"}, {"w": "more_than"}
    )
    assert unknown["computed_q"] == "about"
    assert cite_arithmetic.days_left("2025-03", 2025) is None
    flagged = cite_arithmetic.check_arithmetic(
        {**check, "check_kind": "stated_gap_is_uncovered_share", "figure_ids": "g,c",
         "unit": "percentage_points", "verdict": "flagged"},
        {"g": "about", "c": "up_to"},
    )  # fmt: skip
    # stated: the article's gap; computed: 100 − an "hingga" rate, so at least that much
    assert (flagged["stated_q"], flagged["computed_q"]) == ("about", "more_than")
    assert (flagged["difference_q"], flagged["verdict_id"]) == ("about", "ditandai")


def test_quantity_and_signed_filters():
    env = jinja2.Environment()
    template_filters.prepare_jinja2_environment(env)
    page = env.from_string(
        "{{ 143000|id_quantity('workers', 'more_than') }}|{{ 143000|en_quantity('workers', 'more_than') }}|"
        "{{ 1300000.0|id_quantity('workers', 'about') }}|{{ 44.5|id_quantity('percent') }}|"
        "{{ 11.0|id_quantity('percentage_points', 'up_to') }}|{{ 11|en_quantity('percentage_points') }}|"
        "{{ 0.6|id_signed('percent', 'about') }}|{{ -121818|en_signed('workers') }}|{{ 0.0|id_signed('percent') }}|"
        "{{ none|id_quantity('percent') }}"
    )
    assert page.render() == (
        "lebih dari 143.000 pekerja|more than 143,000 workers|sekitar 1,3 juta pekerja|44,5%|"
        "hingga 11 poin|11 percentage points|sekitar +0,6 poin|-121,818 workers|0|"
    )


# -- the page ----------------------------------------------------------------------------------


async def test_jambi_gap_carries_lebih_dari_into_workers_to_enrol(site):
    # f003-01: "jumlah pekerja di Provinsi Jambi mencapai lebih dari 1,3 juta orang"
    assert await arithmetic(site, "f003-01") == [
        "Jambi per 18 Maret 2025: target 55% − capaian 44% = 11 poin; "
        "lebih dari 1,3 juta pekerja × 11% = lebih dari 143.000 pekerja perlu didaftarkan; "
        "menurut angka artikel sendiri: 782.000 pekerja − sekitar 580.000 pekerja "
        "= sekitar 202.000 pekerja (selisih dengan yang dihitung sekitar -59.000 pekerja); "
        "11 poin ÷ 288 hari hingga 31 Desember 2025 × 365,25 hari/tahun = 14 poin/tahun "
        "Jambi as of 18 March 2025: target 55% − actual 44% = 11 percentage points; "
        "more than 1.3 million workers × 11% = more than 143,000 workers to enrol; "
        "by the article's own counts: 782,000 workers − about 580,000 workers "
        "= about 202,000 workers (difference from the computed about -59,000 workers); "
        "11 percentage points ÷ 288 days to 31 December 2025 × 365.25 days a year "
        "= 14 percentage points a year",
        "workers_covered_target × 100 / coverage_target_rate = workers_total: "
        "menurut artikel lebih dari 1,3 juta pekerja; dihitung 1.421.818 pekerja; "
        "selisih hingga +121.818 pekerja (toleransi ±26.000 pekerja): "
        "konsisten dengan kualifikasinya (consistent_with_qualifier) "
        "Stated more than 1.3 million workers; computed 1,421,818 workers; "
        "difference up to +121,818 workers (tolerance ±26,000 workers): "
        "consistent given its qualifier",
        "workers_covered / workers_total × 100 = coverage_rate: "
        "menurut artikel 44%; dihitung sekitar 44,6%; selisih sekitar +0,6 poin "
        "(toleransi ±1 poin): konsisten (consistent) "
        "Stated 44%; computed about 44.6%; difference about +0.6 percentage points "
        "(tolerance ±1 percentage point): consistent",
    ]


async def test_sarolangun_gap_is_about_because_its_worker_count_is(site):
    assert await arithmetic(site, "f000-02") == [
        "Kabupaten Sarolangun per 2 Oktober 2024: target 65% − capaian 43% = 22 poin; "
        "sekitar 112.000 pekerja × 22% = sekitar 24.640 pekerja perlu didaftarkan; "
        "22 poin ÷ 90 hari hingga 31 Desember 2024 × 365,25 hari/tahun = 89,3 poin/tahun "
        "Kabupaten Sarolangun as of 2 October 2024: target 65% − actual 43% = 22 percentage points; "
        "about 112,000 workers × 22% = about 24,640 workers to enrol; "
        "22 percentage points ÷ 90 days to 31 December 2024 × 365.25 days a year "
        "= 89.3 percentage points a year",
    ]


async def test_stated_gap_shows_article_computed_and_difference(site):
    # Bengkulu's article states its gap (f001-03): both the gap row and the check show it
    assert await arithmetic(site, "f001-03") == [
        "Bengkulu per 5 Juli 2025: target 48% − capaian 28% = 20 poin "
        "(menurut artikel 20 poin; dihitung 20 poin; selisih 0); "
        "20 poin ÷ 179 hari hingga 31 Desember 2025 × 365,25 hari/tahun = 40,8 poin/tahun "
        "Bengkulu as of 5 July 2025: target 48% − actual 28% = 20 percentage points "
        "(stated by the article 20 percentage points; computed 20 percentage points; "
        "difference 0); 20 percentage points ÷ 179 days to 31 December 2025 "
        "× 365.25 days a year = 40.8 percentage points a year",
        "coverage_target_rate − coverage_rate = coverage_gap: "
        "menurut artikel 20 poin; dihitung 20 poin; selisih 0 (toleransi ±0,5 poin): "
        "konsisten (consistent) "
        "Stated 20 percentage points; computed 20 percentage points; difference 0 "
        "(tolerance ±0.5 percentage points): consistent",
    ]


async def test_complement_check_says_should_be_not_stated(site):
    lines = await arithmetic(site, "f002-02")
    assert lines == [
        "coverage_rate + uncovered_rate = 100: seharusnya 100%; dihitung 100%; selisih 0 "
        "(toleransi ±0,5 poin): konsisten (consistent) "
        "Should be 100%; computed 100%; difference 0 (tolerance ±0.5 percentage points): consistent",
    ]


async def test_no_unformatted_number_is_left(site):
    for figure_id in ("f000-01", "f001-01", "f002-01", "f002-03", "f003-03", "f003-04", "f003-05"):
        for line in await arithmetic(site, figure_id):
            assert not re.search(
                r"\d\.\d+e[+-]|\d{4,}(?![\d-])", line.replace("2024", "").replace("2025", "")
            ), line
            assert " % " not in line and "0.25 tahun" not in line


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory):
    """Jambi's 2025 target as if the article had said "sekitar 55 persen"."""
    root = copy_site(tmp_path_factory.mktemp("edited") / "pkg")
    set_cell(root, "figures", "f003-04", "qualifier", "about")
    build(root)
    return make_datasette(root)


async def test_an_approximate_target_makes_every_derived_number_approximate(edited_site):
    [gap, *_] = await arithmetic(edited_site, "f003-03")
    assert gap.startswith(
        "Jambi per 18 Maret 2025: target sekitar 55% − capaian 44% = sekitar 11 poin; "
        "lebih dari 1,3 juta pekerja × sekitar 11% = sekitar 143.000 pekerja perlu didaftarkan; "
        "menurut angka artikel sendiri: 782.000 pekerja − sekitar 580.000 pekerja "
        "= sekitar 202.000 pekerja (selisih dengan yang dihitung sekitar -59.000 pekerja); "
        "sekitar 11 poin ÷ 288 hari hingga 31 Desember 2025 × 365,25 hari/tahun "
        "= sekitar 14 poin/tahun "
    )
