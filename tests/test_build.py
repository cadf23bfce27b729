"""build.py: the database made from the package, its views, and its refusal to publish a bad one."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import textwrap
from io import StringIO

import pytest
from helpers import assert_killed_before_each_step, set_cell

from cakupan import gapmath
from cakupan.build import FULL_STEPS, BuildError, Progress, build
from cakupan.published import ZIP_NAME


def rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture
def built(package):
    build(package)
    return package / "build" / "cakupan.db"


def test_schema_is_created_from_the_table_schemas(built):
    [figures] = rows(built, "select sql from sqlite_master where name = 'figures'")
    assert figures["sql"] == textwrap.dedent("""\
        CREATE TABLE "figures" (
           "figure_id" TEXT PRIMARY KEY NOT NULL,
           "source_id" TEXT NOT NULL REFERENCES "sources"("source_id"),
           "region_code" TEXT NOT NULL REFERENCES "regions"("region_code"),
           "indicator_id" TEXT NOT NULL REFERENCES "indicators"("indicator_id"),
           "value" ANY NOT NULL,
           "unit" TEXT NOT NULL,
           "qualifier" TEXT NOT NULL,
           "qualifier_text" TEXT,
           "as_of" TEXT NOT NULL,
           "as_of_basis" TEXT NOT NULL,
           "target_year" INTEGER,
           "speaker_id" TEXT REFERENCES "people"("person_id"),
           "attribution" TEXT NOT NULL,
           "quote" TEXT NOT NULL,
           "quote_start" INTEGER NOT NULL,
           "quote_end" INTEGER NOT NULL,
           "quote_prefix" TEXT,
           "quote_suffix" TEXT,
           "note" TEXT
        )""")
    objects = rows(
        built,
        "select type, name from sqlite_master where name not like 'sqlite_%' and name not like '%_fts_%' order by type, name",
    )
    by_type = {}
    for o in objects:
        by_type.setdefault(o["type"], []).append(o["name"])
    # what the views computed per request is now a table the build fills (cakupan/derived.sql)
    assert by_type["table"] == [
        "_build", "_build_inputs", "_release_zips", "articles", "articles_fts", "award_rankings", "awards",
        "citations", "consistency_check_figures", "consistency_checks", "corrections", "coverage_gaps",
        "figure_conflicts", "figures", "figures_fts", "indicators", "people",
        "posts", "regions", "regulations", "release_changes", "release_records", "releases", "search_entries", "search_entries_fts", "sources",
        "time_series",
    ]  # fmt: skip
    assert by_type["view"] == ["figure_citations"]  # key joins of figures and citations
    # an index per foreign key, as sqlite-utils names them
    assert [n for n in by_type["index"] if n.startswith("idx_")] == [
        "idx_awards_organising_region_code", "idx_awards_region_code", "idx_awards_source_id",
        "idx_figures_indicator_id", "idx_figures_region_code", "idx_figures_source_id",
        "idx_figures_speaker_id", "idx_posts_person_id", "idx_posts_region_code",
        "idx_posts_source_id", "idx_regions_parent_code", "idx_regulations_source_id",
        "idx_release_changes_release_id", "idx_release_records_release_id",
        "idx_releases_previous_release_id", "idx_search_entries_kind_key",
    ]  # fmt: skip


def test_codes_stay_text_and_journal_is_rollback(built):
    assert rows(
        built,
        "select region_code, typeof(region_code) t from regions where region_code in ('15.10', '32.10', '15.03')",
    ) == [
        {"region_code": "15.03", "t": "text"},
        {"region_code": "32.10", "t": "text"},
    ]
    assert rows(built, "pragma journal_mode") == [{"journal_mode": "delete"}]


def test_full_text_search_ignores_diacritics_and_finds_quotes(built):
    hits = rows(
        built,
        "select figure_id from figures where rowid in (select rowid from figures_fts where figures_fts match 'tercover')",
    )
    assert hits == [{"figure_id": "f000-02"}]
    hits = rows(
        built,
        "select source_id from articles where rowid in (select rowid from articles_fts where articles_fts match 'paritrana')",
    )
    assert hits == [{"source_id": "002_ad03d7ffec287ddd"}]


S0, S1, S2, S3 = (
    "000_0dc850caf364129e",
    "001_0a2ebc8c94bb9855",
    "002_ad03d7ffec287ddd",
    "003_5c72670d165195ed",
)


def test_coverage_gaps_view(built):
    gap_rows = rows(
        built,
        "select * from coverage_gaps order by gap_pp desc, region_code, as_of, actual_figure_id",
    )
    common = {"stated_gap_pp": None, "stated_gap_disagrees": None, "stated_gap_figure_id": None}
    uncounted = {"covered_workers": None, "covered_target_workers": None, "counted_to_enrol": None,
                 "covered_figure_id": None, "covered_target_figure_id": None}  # fmt: skip
    unstated = {
        "stated_gap_qualifier": None,
        "covered_qualifier": None,
        "covered_target_qualifier": None,
    }
    assert gap_rows == [
        {"region_code": "15.03", "region_name": "Kabupaten Sarolangun", "level": "regency", "province_code": "15",
         "as_of": "2024-10-02", "actual_pct": 43.0, "target_pct": 65.0, "target_year": 2024, "gap_pp": 22.0,
         "workers_total": 112000.0, "workers_qualifier": "about", "workers_to_enrol": 24640, "years_left": 0.25,
         "pace_needed_pp_per_year": 89.3, **common, "actual_figure_id": "f000-02", "target_figure_id": "f000-03",
         "workers_figure_id": "f000-01", "actual_source_id": S0, "target_source_id": S0, **uncounted, "is_latest": 1,
         "actual_qualifier": "exact", "target_qualifier": "exact", **unstated},
        {"region_code": "17", "region_name": "Bengkulu", "level": "province", "province_code": "17",
         "as_of": "2025-07-05", "actual_pct": 28.0, "target_pct": 48.0, "target_year": 2025, "gap_pp": 20.0,
         "workers_total": None, "workers_qualifier": None, "workers_to_enrol": None, "years_left": 0.49,
         "pace_needed_pp_per_year": 40.8, "stated_gap_pp": 20.0, "stated_gap_disagrees": 0,
         "actual_figure_id": "f001-01", "target_figure_id": "f001-02", "workers_figure_id": None,
         "stated_gap_figure_id": "f001-03", "actual_source_id": S1, "target_source_id": S1, **uncounted, "is_latest": 1,
         "actual_qualifier": "exact", "target_qualifier": "exact", "stated_gap_qualifier": "exact",
         "covered_qualifier": None, "covered_target_qualifier": None},
        {"region_code": "15", "region_name": "Jambi", "level": "province", "province_code": "15",
         "as_of": "2024-06-10", "actual_pct": 41.0, "target_pct": 55.0, "target_year": 2025, "gap_pp": 14.0,
         "workers_total": None, "workers_qualifier": None, "workers_to_enrol": None, "years_left": 1.56,
         "pace_needed_pp_per_year": 9.0, **common, "actual_figure_id": "f002-01", "target_figure_id": "f002-03",
         "workers_figure_id": None, "actual_source_id": S2, "target_source_id": S2, **uncounted, "is_latest": 0,  # Jambi in 2024: not its latest
         "actual_qualifier": "exact", "target_qualifier": "exact", **unstated},
        {"region_code": "15", "region_name": "Jambi", "level": "province", "province_code": "15",
         "as_of": "2025-03-18", "actual_pct": 44.0, "target_pct": 55.0, "target_year": 2025, "gap_pp": 11.0,
         "workers_total": 1300000.0, "workers_qualifier": "more_than", "workers_to_enrol": 143000, "years_left": 0.79,
         "pace_needed_pp_per_year": 14.0, **common, "actual_figure_id": "f003-03", "target_figure_id": "f003-04",
         "workers_figure_id": "f003-01", "actual_source_id": S3, "target_source_id": S3,
         # "baru sekitar 580 ribu pekerja" and "sebanyak 782 ribu orang": 202 ribu to enrol
         "covered_workers": 580000, "covered_target_workers": 782000, "counted_to_enrol": 202000,
         "covered_figure_id": "f003-02", "covered_target_figure_id": "f003-05", "is_latest": 1,
         "actual_qualifier": "exact", "target_qualifier": "exact", "stated_gap_qualifier": None,
         "covered_qualifier": "about", "covered_target_qualifier": "exact"},
    ]  # fmt: skip


def test_gap_functions_agree_with_the_view_on_every_row(built):
    for row in rows(built, "select * from coverage_gaps"):
        actual, target, as_of, year = (
            row["actual_pct"],
            row["target_pct"],
            row["as_of"],
            row["target_year"],
        )
        assert gapmath.gap_pp(actual, target) == row["gap_pp"]
        assert (
            gapmath.workers_to_enrol(row["workers_total"], actual, target)
            == row["workers_to_enrol"]
        )
        assert gapmath.years_left(as_of, year) == row["years_left"]
        assert gapmath.pace_needed(actual, target, as_of, year) == row["pace_needed_pp_per_year"]


def test_consistency_checks_view(built):
    assert rows(built, "select check_kind, source_id, stated, computed, difference, tolerance, verdict, figure_ids from consistency_checks order by check_kind, source_id, region_code, figure_ids") == [
        {"check_kind": "complement", "source_id": S2, "stated": 100, "computed": 100.0, "difference": 0.0,
         "tolerance": 0.5, "verdict": "consistent", "figure_ids": "f002-01,f002-02"},
        {"check_kind": "implied_total", "source_id": S3, "stated": 1300000.0, "computed": 1421818.0,
         "difference": 121818.0, "tolerance": 26000.0, "verdict": "consistent_with_qualifier",
         "figure_ids": "f003-05,f003-04,f003-01"},
        {"check_kind": "same_target_across_articles", "source_id": f"{S2},{S3}", "stated": 55.0, "computed": 55.0,
         "difference": 0.0, "tolerance": 0.0, "verdict": "consistent", "figure_ids": "f002-03,f003-04"},
        {"check_kind": "share_of_workers", "source_id": S3, "stated": 44.0, "computed": 44.6, "difference": 0.6,
         "tolerance": 1.0, "verdict": "consistent", "figure_ids": "f003-02,f003-01,f003-03"},
        {"check_kind": "stated_gap", "source_id": S1, "stated": 20.0, "computed": 20.0, "difference": 0.0,
         "tolerance": 0.5, "verdict": "consistent", "figure_ids": "f001-03,f001-02,f001-01"},
    ]  # fmt: skip


def test_an_inconsistent_article_is_flagged(package):
    # an article claiming 1 million workers when 782 ribu at 55 % implies 1.42 million
    set_cell(package, "figures", "f003-01", "qualifier", "exact")
    build(package)
    verdicts = rows(
        package / "build" / "cakupan.db",
        "select verdict from consistency_checks where check_kind = 'implied_total'",
    )
    assert verdicts == [{"verdict": "inconsistent"}]


def test_award_rankings_view(built):
    assert rows(built, "select award, award_year, level, organising_region, category, rank, region_code, region_name, coverage_pct, quote from award_rankings order by award, award_year desc, level, organising_region_code, category, rank, award_id") == [
        {"award": "Paritrana Award", "award_year": 2024, "level": "provincial", "organising_region": "Jambi",
         "category": "pemerintah kabupaten/kota", "rank": r, "region_code": code, "region_name": name,
         "coverage_pct": None, "quote": quote}
        for r, code, name, quote in [
            (1, "15.08", "Kabupaten Bungo", "juara 1 diraih oleh Kabupaten Bungo"),
            (2, "15.05", "Kabupaten Muaro Jambi", "juara 2 diraih oleh Kabupaten Muaro Jambi"),
            (3, "15.71", "Kota Jambi", "juara 3 untuk Kota Jambi"),
        ]
    ]  # fmt: skip


def test_time_series_view_orders_jambi_by_date(built):
    assert rows(built, "select indicator_id, as_of, value, target_year, figure_id from time_series where region_code = '15' and indicator_id like 'coverage%'") == [
        {"indicator_id": "coverage_rate", "as_of": "2024-06-10", "value": 41.0, "target_year": None, "figure_id": "f002-01"},
        {"indicator_id": "coverage_rate", "as_of": "2025-03-18", "value": 44.0, "target_year": None, "figure_id": "f003-03"},
        {"indicator_id": "coverage_rate_formal", "as_of": "2024-06-10", "value": 52.0, "target_year": None, "figure_id": "f002-04"},
        {"indicator_id": "coverage_rate_informal", "as_of": "2024-06-10", "value": 4.0, "target_year": None, "figure_id": "f002-05"},
        {"indicator_id": "coverage_target_rate", "as_of": "2024-06-10", "value": 55.0, "target_year": 2025, "figure_id": "f002-03"},
        {"indicator_id": "coverage_target_rate", "as_of": "2025-03-18", "value": 55.0, "target_year": 2025, "figure_id": "f003-04"},
    ]  # fmt: skip


def test_figure_citations_view_has_a_sentence_for_every_figure(built):
    cited = rows(
        built,
        "select figure_id, speaker, speaker_post, outlet, citation from figure_citations where figure_id = 'f000-02'",
    )
    assert cited == [{
        "figure_id": "f000-02", "speaker": "Bahri", "speaker_post": "Pj Bupati Sarolangun", "outlet": "JAMBI-INDEPENDENT.CO.ID",
        "citation": "Cakupan UCJ Kabupaten Sarolangun 43 persen per 2 Oktober 2024, kata Pj Bupati Sarolangun Bahri, "
        "dikutip dari JAMBI-INDEPENDENT.CO.ID, \u201cKabupaten Sarolangun Naikkan UCJ BPJS Ketenagakerjaan Menjadi 65 Persen\u201d. "
        "Kutipan: \u201cyang sudah kita coverage baru 43 persen yang tercover\u201d",
    }]  # fmt: skip
    assert rows(built, "select count(*) n from figure_citations where citation is null") == [
        {"n": 0}
    ]


def test_build_records_provenance_and_a_stable_content_hash(package):
    first = build(package)
    second = build(package, force=True)
    assert first.built and second.built
    assert first.content_hash == second.content_hash
    facts = {r["key"]: r["value"] for r in rows(first.path, "select * from _build")}
    assert sorted(facts) == [
        "built_at",
        "cakupan_version",
        "code_hash",
        "content_hash",
        "git_commit",
        "input_hash",
        "package_name",
        "package_version",
        "package_zip_sha256",
        "source_checksums",
    ]
    assert (
        facts["package_zip_sha256"]
        == hashlib.sha256((package / "build" / ZIP_NAME).read_bytes()).hexdigest()
    )
    inputs = rows(
        first.path,
        "select * from _build_inputs where path like 'data/f%' or path like 'sources/000%'",
    )
    assert inputs == [
        {"path": p, "sha256": hashlib.sha256((package / p).read_bytes()).hexdigest(), "bytes": (package / p).stat().st_size}
        for p in ("data/figures.csv", "sources/000_0dc850caf364129e.txt")
    ]  # fmt: skip
    assert facts["content_hash"] == first.content_hash
    assert (
        '"000_0dc850caf364129e": "350e3ead13cb34effd6b60a89c5d2c62e335087c0344eab0baf3855f007b3f0c"'
        in facts["source_checksums"]
    )


def test_content_hash_changes_with_the_data(package):
    before = build(package).content_hash
    set_cell(package, "figures", "f000-02", "note", "checked by phone")
    assert build(package).content_hash != before


def test_unchanged_inputs_skip_the_build(package):
    build(package)
    again = build(package)
    assert again.built is False


def test_invalid_package_is_refused_and_the_old_database_kept(package, built):
    old = built.read_bytes()
    set_cell(package, "figures", "f000-02", "quote_start", "1015")
    with pytest.raises(BuildError) as refused:
        build(package)
    assert (
        str(refused.value) == f"the package is invalid (1 problem(s)); {built} was left as it was"
    )
    assert [p.check for p in refused.value.problems] == ["quote-mismatch"]
    assert built.read_bytes() == old


@pytest.mark.slow
def test_a_build_killed_at_any_step_leaves_the_old_database_identical(package, built):
    old = built.read_bytes()
    set_cell(package, "figures", "f000-02", "note", "edited after the first build")
    assert_killed_before_each_step(package, FULL_STEPS, force=True, db=built)
    assert any((package / "build").glob(".staging-*"))  # the killed builds left staging behind
    build(package)
    assert not any((package / "build").glob(".staging-*"))  # and the next build cleared it
    assert built.read_bytes() != old


def test_an_unwritable_build_directory_is_a_clear_error(package, built, unwritable):
    old = built.read_bytes()
    set_cell(package, "figures", "f000-02", "note", "new")
    unwritable(built.parent, recursive=False)
    with pytest.raises(BuildError) as refused:
        build(package)
    staging = built.parent / f".staging-{os.getpid()}"
    assert str(refused.value) == (
        f"cannot write the build in {built.parent} (Operation not permitted: {staging}); the previous database was left as it was"
    )
    assert built.read_bytes() == old


class FakeTerminal(StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_shows_on_a_terminal_after_the_delay_and_is_quiet_otherwise():
    terminal, pipe = FakeTerminal(True), FakeTerminal(False)
    for stream in (terminal, pipe):
        progress = Progress(stream=stream, after=0)
        progress.step("figures", 1, 2)
        progress.step("views", 2, 2)
        progress.close()
    assert pipe.getvalue() == ""
    assert terminal.getvalue().split("\r")[1:] == [
        "[###############---------------] 1/2 figures                       ",
        "[##############################] 2/2 views                         \n",
    ]
    quiet = FakeTerminal(True)
    slow_to_show = Progress(stream=quiet, after=3600)
    slow_to_show.step("figures", 1, 1)
    assert quiet.getvalue() == ""


def test_inspect_file_matches_what_datasette_inspect_computes(built):
    import json

    from datasette.cli import inspect_, run_sync

    ours = json.loads((built.parent / "inspect.json").read_text())
    theirs = run_sync(lambda: inspect_([str(built)], []))
    assert ours == theirs


def test_a_stated_gap_that_is_the_uncovered_share_is_flagged(package):
    """An article calling 100 − coverage a "gap" (59 % uncovered beside 41 % covered) is flagged;
    the figure stays as printed."""
    from helpers import set_cell

    for field, value in (
        ("indicator_id", "coverage_gap"),
        ("unit", "percentage_points"),
        ("target_year", "2024"),
    ):
        set_cell(package, "figures", "f002-02", field, value)
    built = build(package).path
    assert rows(
        built,
        "select check_kind, stated, computed, verdict, figure_ids from consistency_checks where verdict = 'flagged'",
    ) == [
        {"check_kind": "stated_gap_is_uncovered_share", "stated": 59.0, "computed": 59.0,
         "verdict": "flagged", "figure_ids": "f002-02,f002-01"},
    ]  # fmt: skip
    assert rows(built, "select value from figures where figure_id = 'f002-02'") == [{"value": 59.0}]


def test_figures_that_disagree_across_articles_are_listed_together(package):
    from helpers import set_cell

    # Jambi's coverage: 41 % in article 002; article 003's 44 % dated the same day
    set_cell(package, "figures", "f003-03", "as_of", "2024-06-10")
    built = build(package).path
    assert rows(built, "select * from figure_conflicts") == [
        {"region_code": "15", "region_name": "Jambi", "indicator_id": "coverage_rate",
         "indicator_name_id": "Cakupan UCJ", "indicator_name_en": "UCJ coverage rate",
         "as_of": "2024-06-10", "unit": "percent", "min_value": 41.0, "max_value": 44.0,
         "article_count": 2, "figure_ids": "f002-01,f003-03",
         "source_ids": "002_ad03d7ffec287ddd,003_5c72670d165195ed"},
    ]  # fmt: skip
