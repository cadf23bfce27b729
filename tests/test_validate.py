"""`cakupan validate` on the real package and on broken copies: the exact problems, all at once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import ROOT, read_rows, replace_article, set_cell, write_rows

from cakupan.cli import cli
from cakupan.problems import Problem
from cakupan.validate import validate

A000 = "sources/000_0dc850caf364129e.txt"
FIG, AWD, PPL = "data/figures.csv", "data/awards.csv", "data/people.csv"
QUOTE_43 = "yang sudah kita coverage baru 43 persen yang tercover"


def test_real_package_is_valid():
    report = validate(ROOT)
    assert report.problems == []
    assert report.summary() == "valid: 4 sources, 18 figures, 3 awards, 9 posts, 553 regions"


def test_plain_frictionless_cli_accepts_the_package():
    frictionless = [sys.executable, "-m", "frictionless", "validate", "datapackage.json"]
    result = subprocess.run(frictionless, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _replace_bytes(path, old: bytes, new: bytes):
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new))


def _grow_article(root, source_id, chars):
    """Pad an article to `chars` characters and record its new checksum, as a curator would."""
    text = (root / "sources" / f"{source_id}.txt").read_text("utf-8")
    replace_article(root, source_id, (text + "x" * (chars - len(text))).encode())


def _drop_column(root, table, column):
    rows = read_rows(root / "data" / f"{table}.csv")
    write_rows(root / "data" / f"{table}.csv", rows, [c for c in rows[0] if c != column])


def _add_column(root, table, column):
    rows = read_rows(root / "data" / f"{table}.csv")
    write_rows(root / "data" / f"{table}.csv", [{**r, column: "x"} for r in rows])


BREAKAGES = {
    "non-UTF-8 bytes": (
        lambda p: _replace_bytes(p / FIG, b"kurang lebih 112", b"kurang l\xe9bih 112"),
        [Problem(FIG, 2, None, "byte 0xe9 at byte offset 339 (line 2)", "UTF-8 text", "encoding")],
    ),
    "byte-order mark": (
        lambda p: (p / PPL).write_bytes(b"\xef\xbb\xbf" + (p / PPL).read_bytes()),
        [Problem(PPL, None, None, "a UTF-8 byte-order mark", "UTF-8 without BOM", "encoding")],
    ),
    "CRLF line endings": (
        lambda p: _replace_bytes(p / PPL, b"\n", b"\r\n"),
        [Problem(PPL, 1, None, "CRLF or CR line ending", "LF line endings", "line-endings")],
    ),
    "missing column": (
        lambda p: _drop_column(p, "people", "name_as_printed"),
        [
            Problem(
                PPL,
                1,
                "name_as_printed",
                "no such column",
                "column 'name_as_printed' of the schema",
                "missing-column",
            )
        ],
    ),
    "unknown column": (
        lambda p: _add_column(p, "people", "twitter"),
        [
            Problem(
                PPL,
                1,
                "twitter",
                "column 'twitter'",
                "only the schema's columns: person_id, name, name_as_printed",
                "extra-column",
            )
        ],
    ),
    "duplicate key": (
        lambda p: set_cell(p, "figures", "f000-02", "figure_id", "f000-01"),
        [
            Problem(
                FIG,
                3,
                "figure_id",
                "'f000-01' again",
                "a unique key (first used in row 2)",
                "primary-key",
            )
        ],
    ),
    "foreign key to a missing source": (
        lambda p: set_cell(p, "figures", "f001-01", "source_id", "999_missing"),
        [
            Problem(
                FIG,
                6,
                "source_id",
                "'999_missing'",
                "the source_id of a row in data/sources.csv",
                "foreign-key",
            )
        ],
    ),
    "foreign key to a missing region": (
        lambda p: set_cell(p, "figures", "f001-01", "region_code", "17.99"),
        [
            Problem(
                FIG,
                6,
                "region_code",
                "'17.99'",
                "the region_code of a row in data/regions.csv",
                "foreign-key",
            )
        ],
    ),
    "foreign key to a missing indicator": (
        lambda p: set_cell(p, "figures", "f001-01", "indicator_id", "coverage"),
        [
            Problem(
                FIG,
                6,
                "indicator_id",
                "'coverage'",
                "the indicator_id of a row in data/indicators.csv",
                "foreign-key",
            )
        ],
    ),
    "quote not at its offsets": (
        lambda p: set_cell(p, "figures", "f000-02", "quote_start", "1015"),
        [
            Problem(
                FIG,
                3,
                "quote",
                f"{QUOTE_43[1:]!r} at 1015-1067",
                f"{QUOTE_43!r}; the quote is at 1014-1067",
                "quote-mismatch",
            )
        ],
    ),
    "offsets reversed": (
        lambda p: set_cell(p, "awards", "a002-1", "quote_end", "2600"),
        [Problem(AWD, 2, "quote_end", "2600", "greater than quote_start (2673)", "quote-offsets")],
    ),
    "offsets past the end": (
        lambda p: set_cell(p, "awards", "a002-3", "quote_end", "9999"),
        [
            Problem(
                AWD,
                4,
                "quote_end",
                "9999",
                "at most the article's length (2981 code points)",
                "quote-offsets",
            )
        ],
    ),
    "edited article": (
        lambda p: _replace_bytes(p / A000, b"43 persen", b"45 persen"),
        [
            Problem(
                FIG,
                3,
                "quote",
                f"{QUOTE_43.replace('43', '45')!r} at 1014-1067",
                f"{QUOTE_43!r}; the quote is nowhere in the article",
                "quote-mismatch",
            ),
            Problem(
                "data/sources.csv",
                2,
                "sha256",
                "35b7eefa7c2b4b645c48e33f2585cc9b7c94cb123d18c7efccfa79c961e8a14d",
                "350e3ead13cb34effd6b60a89c5d2c62e335087c0344eab0baf3855f007b3f0c (the article was changed after it was recorded)",
                "source-checksum",
            ),
        ],
    ),
    "percentage over 100": (
        lambda p: set_cell(p, "figures", "f001-01", "value", "128"),
        [
            Problem(FIG, 6, "value", "128", "at most 100 for a value in percent", "range"),
            Problem(
                FIG,
                6,
                "value",
                "128",
                "a value the quote states; the quote reads 'Posisi UCJ Provinsi Bengkulu saat ini masih di angka 28 persen'",
                "value-in-quote",
            ),
        ],
    ),
    "negative count": (
        lambda p: set_cell(p, "figures", "f000-01", "value", "-112000"),
        [Problem(FIG, 2, "value", "-112000", "at least 0", "minimum")],
    ),
    "not a finite number": (
        lambda p: set_cell(p, "figures", "f001-01", "value", "inf"),
        [
            Problem(
                FIG,
                6,
                "value",
                "'inf'",
                "a plain decimal number like 15.10 (no exponent, inf, NaN or separators)",
                "type-number",
            )
        ],
    ),
    "empty required cell": (
        lambda p: set_cell(p, "figures", "f002-01", "as_of", ""),
        [Problem(FIG, 9, "as_of", "an empty cell", "a value (the field is required)", "required")],
    ),
    "malformed date": (
        lambda p: set_cell(p, "figures", "f002-01", "as_of", "10/6/2024"),
        [Problem(FIG, 9, "as_of", "'10/6/2024'", "a date as YYYY-MM-DD", "type-date")],
    ),
    "value absent from its quote": (
        lambda p: set_cell(p, "figures", "f003-01", "value", "1200000"),
        [
            Problem(
                FIG,
                15,
                "value",
                "1200000",
                "a value the quote states; the quote reads 'jumlah pekerja di Provinsi Jambi mencapai lebih dari 1,3 juta orang'",
                "value-in-quote",
            )
        ],
    ),
    "target without a target year": (
        lambda p: set_cell(p, "figures", "f001-02", "target_year", ""),
        [
            Problem(
                FIG,
                7,
                "target_year",
                "an empty cell",
                "the year the target is for (indicator coverage_target_rate is a target)",
                "target-year",
            )
        ],
    ),
    "unit disagreeing with its indicator": (
        lambda p: set_cell(p, "figures", "f001-03", "unit", "percent"),
        [
            Problem(
                FIG,
                8,
                "unit",
                "'percent'",
                "'percentage_points', the unit of indicator coverage_gap",
                "unit",
            )
        ],
    ),
    "rank absent from its quote": (
        lambda p: set_cell(p, "awards", "a002-2", "rank", "3"),
        [
            Problem(
                AWD,
                3,
                "rank",
                "3",
                "the rank stated in the quote 'juara 2 diraih oleh Kabupaten Muaro Jambi'",
                "value-in-quote",
            )
        ],
    ),
    "article longer than the site serves": (
        lambda p: _grow_article(p, "001_0a2ebc8c94bb9855", 200_001),
        [
            Problem(
                "data/sources.csv",
                3,
                "bytes",
                "200001 characters",
                "at most 200000 characters for one article",
                "article-size",
            )
        ],
    ),
    "malformed datapackage.json": (
        lambda p: (p / "datapackage.json").write_text('{"name": "cakupan",\n "resources": [\n'),
        [
            Problem(
                "datapackage.json",
                3,
                None,
                "invalid JSON at line 3 column 1 (Expecting value)",
                "valid JSON",
                "descriptor",
            )
        ],
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_broken_copy_reports_exact_problems(package, breakage):
    """Our own checks (the frictionless pass is tested on its own below: run on each case it
    took most of this module's time, and adds nothing to these)."""
    breaker, expected = BREAKAGES[breakage]
    breaker(package)
    assert validate(package, with_frictionless=False).problems == expected


def test_all_problems_are_reported_at_once(package):
    """With the frictionless pass, which reports nothing ours already named."""
    set_cell(package, "figures", "f001-01", "value", "inf")
    set_cell(package, "awards", "a002-1", "quote_end", "2600")
    _drop_column(package, "people", "name_as_printed")
    checks = [(p.file, p.check) for p in validate(package).problems]
    assert checks == [(AWD, "quote-offsets"), (FIG, "type-number"), (PPL, "missing-column")]


def test_frictionless_finds_what_only_it_checks(package):
    # a descriptor mistake our fast checker does not look at: a version that is not a string
    descriptor = (package / "datapackage.json").read_text()
    (package / "datapackage.json").write_text(
        descriptor.replace('"version": "0.1.0"', '"version": 42')
    )
    assert validate(package).problems == [
        Problem(
            "datapackage.json",
            None,
            None,
            "descriptor is not valid (The data package has an error: 42 is not of type 'string' at property 'version')",
            "a descriptor frictionless can load",
            "frictionless:package-error",
        )
    ]


def test_cli_clean_package_prints_one_line_and_exits_0():
    result = CliRunner().invoke(cli, ["validate", "--root", str(ROOT), "--no-frictionless"])
    assert (result.exit_code, result.output) == (
        0,
        "valid: 4 sources, 18 figures, 3 awards, 9 posts, 553 regions\n",
    )


def test_cli_lists_every_problem_and_exits_1(package):
    set_cell(package, "figures", "f002-01", "as_of", "")
    set_cell(package, "figures", "f000-01", "value", "-112000")
    result = CliRunner().invoke(cli, ["validate", "--root", str(package)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "data/figures.csv row 2 field value: found -112000; expected at least 0 [minimum]",
        "data/figures.csv row 9 field as_of: found an empty cell; expected a value (the field is required) [required]",
        "invalid: 2 problem(s) in 4 sources, 18 figures, 3 awards, 9 posts, 553 regions",
    ]
