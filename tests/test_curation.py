"""Curating a new article: add-source, extract, accept, cite, on articles the tests write themselves."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from click.testing import CliRunner
from helpers import read_rows

from cakupan.cli import cli
from cakupan.extract import candidates
from cakupan.validate import validate

AWKWARD = (
    "12 persen pekerja di Kabupaten Sarolangun dan Kota Jambi sudah terlindungi, kata Kepala Kantor.\n\n"
    "“Target kami 60 persen pada 2026,” ujarnya. Di Pemkab Bungo, kurang lebih 5.000 pekerja terdaftar. "
    "Total pekerja di Provinsi Jambi mencapai lebih dari 1,4 juta orang. Kabupaten Tebo meraih juara 2. Cakupan BPU baru 3"
)
NEW_ID = "004_c616d642160742bf"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "baru.txt"
    path.write_text(AWKWARD, encoding="utf-8")
    return path


def test_add_source_copies_the_article_and_appends_its_origin(package, article):
    old_sources = (package / "data" / "sources.csv").read_bytes()
    old_resources = json.loads((package / "datapackage.json").read_text("utf-8"))["resources"]
    result = run(
        "add-source",
        "--root",
        package,
        article,
        "--url",
        "https://example.org/berita/1",
        "--published",
        "2026-01-05",
        "--accessed",
        "2026-01-06",
    )
    assert (result.exit_code, result.output) == (
        0,
        f"added {NEW_ID}: sources/{NEW_ID}.txt; next: cakupan extract {NEW_ID} --out review.csv\n",
    )
    assert (package / "sources" / f"{NEW_ID}.txt").read_bytes() == article.read_bytes()
    new_sources = (package / "data" / "sources.csv").read_bytes()
    assert new_sources.startswith(old_sources)  # no other row rewritten
    assert read_rows(package / "data" / "sources.csv")[-1] == {
        "source_id": NEW_ID, "path": f"sources/{NEW_ID}.txt",
        "sha256": hashlib.sha256(article.read_bytes()).hexdigest(), "bytes": str(len(article.read_bytes())),
        "headline": "", "outlet": "", "byline": "", "dateline": "", "published": "2026-01-05", "published_as_printed": "",
        "event_date": "", "event_date_as_printed": "", "language": "id", "url": "https://example.org/berita/1",
        "date_accessed": "2026-01-06",
        "rights": "Text © its original publisher (not named in the received text); kept unchanged only so that quotations can be verified. Not covered by the CC BY 4.0 licence of the curated data.",
        "note": "",
        "retracted_on": "",
        "retraction_reason": "",
    }  # fmt: skip
    resources = json.loads((package / "datapackage.json").read_text("utf-8"))["resources"]
    assert resources[:-1] == old_resources
    assert resources[-1]["path"] == f"sources/{NEW_ID}.txt" and resources[-1]["bytes"] == len(
        article.read_bytes()
    )
    assert validate(package).problems == []


def test_add_source_refuses_a_duplicate_naming_the_existing_source(package, tmp_path):
    copy = tmp_path / "again.txt"
    copy.write_bytes((package / "sources" / "002_ad03d7ffec287ddd.txt").read_bytes())
    before = (package / "data" / "sources.csv").read_bytes()
    result = run("add-source", "--root", package, copy)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {copy}: already in the catalogue as source 002_ad03d7ffec287ddd "
        "(same SHA-256 7693b874a41678694c01d3a8541ba2e0259515f6ff7f278a917ec1b1ada37807)\n"
    )
    assert (package / "data" / "sources.csv").read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b"Cakupan 43 persen di Sarolangun \xe9t\xe9",
            "found byte 0xe9 at byte offset 32 (line 1); expected UTF-8 text (save the article as UTF-8 and try again)",
        ),
        (b"  \n\n ", "found an empty file; expected the article's text"),
    ],
)
def test_add_source_rejects_unreadable_text_and_writes_nothing(package, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    listing = sorted(p.name for p in (package / "sources").iterdir())
    result = run("add-source", "--root", package, path)
    assert (result.exit_code, result.output) == (1, f"error: {path}: {message}\n")
    assert sorted(p.name for p in (package / "sources").iterdir()) == listing


def test_add_source_refuses_an_outlet_the_article_does_not_print(package, article):
    result = run("add-source", "--root", package, article, "--outlet", "KOMPAS.COM")
    assert result.exit_code == 1
    assert result.output == (
        f"error: {article}: --outlet 'KOMPAS.COM' does not appear in the article; "
        "expected words printed in it (leave it out when the article does not print it)\n"
    )


EXPECTED_CANDIDATES = [
    ("f004-01", "percent", "12 persen", "0", "15.03", "coverage_rate", "12", "percent", "exact", "", "reported_speech",
     "12 persen pekerja di Kabupaten Sarolangun dan Kota Jambi sudah terlindungi, kata Kepala Kantor"),
    ("f004-02", "percent", "60 persen", "110", "15.71", "coverage_target_rate", "60", "percent", "exact", "2026", "direct_quote",
     "Target kami 60 persen pada 2026"),
    ("", "not-a-figure", "2026", "125", "", "", "", "", "", "", "", "Target kami 60 persen pada 2026"),
    ("f004-03", "number", "5.000", "171", "15.08", "workers_covered", "5000", "workers", "about", "", "reported_speech",
     "Di Pemkab Bungo, kurang lebih 5.000 pekerja terdaftar"),
    ("f004-04", "number", "1,4 juta", "248", "15", "workers_total", "1400000", "workers", "more_than", "", "narration",
     "Total pekerja di Provinsi Jambi mencapai lebih dari 1,4 juta orang"),
    ("", "award", "2", "292", "15.09", "", "", "", "", "", "", "Kabupaten Tebo meraih juara 2"),
    ("", "not-a-figure", "3", "312", "", "", "", "", "", "", "", "Cakupan BPU baru 3"),
]  # fmt: skip
COLUMNS = [
    "figure_id",
    "candidate_kind",
    "candidate_text",
    "number_start",
    "region_code",
    "indicator_id",
    "value",
    "unit",
    "qualifier",
    "target_year",
    "attribution",
    "quote",
]


def test_extract_proposes_every_number_with_exact_offsets(package, article):
    run("add-source", "--root", package, article)
    found = candidates(package, NEW_ID)
    assert [tuple(c[k] for k in COLUMNS) for c in found] == EXPECTED_CANDIDATES
    for c in found:  # the tool did the counting: every quote and number sits at its offsets
        assert AWKWARD[int(c["quote_start"]) : int(c["quote_end"])] == c["quote"]
        assert AWKWARD[int(c["number_start"]) : int(c["number_end"])] == c["candidate_text"]


def test_extract_never_writes_into_data(package, article, tmp_path):
    run("add-source", "--root", package, article)
    before = {p.name: p.read_bytes() for p in (package / "data").iterdir()}
    result = run("extract", "--root", package, NEW_ID, "--out", tmp_path / "review.csv")
    assert (
        result.output
        == f"7 candidates written to {tmp_path / 'review.csv'}; review them, delete what is not a figure, then: cakupan accept {tmp_path / 'review.csv'}\n"
    )
    assert {p.name: p.read_bytes() for p in (package / "data").iterdir()} == before


def test_extract_of_an_unknown_source(package):
    result = run("extract", "--root", package, "999_nope")
    assert (result.exit_code, result.output) == (
        1,
        "error: no source '999_nope' in data/sources.csv\n",
    )


def _review(package, tmp_path, keep, edit=None):
    run("extract", "--root", package, NEW_ID, "--out", tmp_path / "review.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "review.csv").read_text("utf-8"))))
    rows = [r for r in rows if r["figure_id"] in keep]
    for r in rows:
        r["as_of"], r["as_of_basis"] = "2026-01-05", "published"
        if edit:
            edit(r)
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "review.csv").write_text(out.getvalue(), encoding="utf-8")
    return tmp_path / "review.csv"


def test_accept_moves_reviewed_rows_into_the_package(package, article, tmp_path):
    run("add-source", "--root", package, article, "--published", "2026-01-05")
    old = (package / "data" / "figures.csv").read_bytes()
    review = _review(package, tmp_path, {"f004-02", "f004-04"})
    result = run("accept", "--root", package, review)
    assert (result.exit_code, result.output) == (0, "accepted 2 figure(s): f004-02, f004-04\n")
    assert (package / "data" / "figures.csv").read_bytes().startswith(old)
    assert [r["figure_id"] for r in read_rows(package / "data" / "figures.csv")][-2:] == [
        "f004-02",
        "f004-04",
    ]
    assert validate(package).problems == []


def test_accept_refuses_rows_that_would_break_the_package(package, article, tmp_path):
    run("add-source", "--root", package, article, "--published", "2026-01-05")
    old = (package / "data" / "figures.csv").read_bytes()

    def wrong_value(row):
        row["value"] = "61"

    review = _review(package, tmp_path, {"f004-02"}, wrong_value)
    result = run("accept", "--root", package, review)
    assert result.exit_code == 1
    # the review file's row, not the row it would be in data/
    assert result.output.splitlines() == [
        f"{review} row 2 field value: found 61; expected a value the quote states; the quote reads 'Target kami 60 persen pada 2026' [value-in-quote]",
        f"error: {review}: not accepted, the package would be invalid (1 problem(s): 1 in the review file's rows, 0 already in the package); data/figures.csv and data/awards.csv unchanged",
    ]
    assert (package / "data" / "figures.csv").read_bytes() == old


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            "apa",
            "Universal Coverage Jamsostek di Bengkulu Baru 28 Persen, BPJS Ketenagakerjaan Dorong Sinergi Pemda dan Pemberi Kerja. (n.d.). Beritamerdekaonline.com.\n",
        ),
        (
            "en",
            "UCJ coverage rate, Provinsi Bengkulu: 28% as of 5 July 2025, said Ferama Putri (Kepala Kantor BPJS Ketenagakerjaan Cabang Bengkulu), reported by Beritamerdekaonline.com, “Universal Coverage Jamsostek di Bengkulu Baru 28 Persen, BPJS Ketenagakerjaan Dorong Sinergi Pemda dan Pemberi Kerja”. Quote: “Posisi UCJ Provinsi Bengkulu saat ini masih di angka 28 persen”\n",
        ),
        (
            "bibtex",
            "@article{cakupan-f001-01,\n  title = {{Universal Coverage Jamsostek di Bengkulu Baru 28 Persen, BPJS Ketenagakerjaan Dorong Sinergi Pemda dan Pemberi Kerja}},\n  journal = {Beritamerdekaonline.com},\n  entrysubtype = {newspaper},\n  note = {cakupan figure f001-01: “Posisi UCJ Provinsi Bengkulu saat ini masih di angka 28 persen” (characters 1264–1326)},\n  langid = {indonesian}\n}\n",
        ),
    ],
)
def test_cite_from_the_command_line(package, style, expected):
    result = run("cite", "--root", package, "f001-01", "--style", style)
    assert (result.exit_code, result.output) == (0, expected)


def test_cite_csl_is_json_for_reference_managers(package):
    result = run("cite", "--root", package, "f002-06", "--style", "csl")
    assert json.loads(result.output) == [{
        "id": "cakupan-f002-06", "citation-key": "cakupan-f002-06", "type": "article-newspaper",
        "language": "id", "title": "[Untitled article]", "author": [{"literal": "Mh"}],
        "container-title": "DRADIO.ID", "accessed": {"date-parts": [[2026, 11, 21]]},
        "note": "cakupan figure f002-06: “kurang lebih sekitar 117 ribuan pekerja miskin dan tidak mampu itu terlindungi dari iuran APBD”",
    }]  # fmt: skip


def test_bibtex_escapes_special_characters():
    from cakupan.citations import bibtex

    ctx = {
        "figure_id": "f9",
        "headline": "50% & {naik} #1_x",
        "byline": "",
        "outlet": "A\\B",
        "published": "",
        "url": "",
        "quote": "$",
        "quote_start": 0,
        "quote_end": 1,
    }
    assert bibtex(ctx) == (
        "@article{cakupan-f9,\n  title = {{50\\% \\& \\{naik\\} \\#1\\_x}},\n  journal = {A\\textbackslash{}B},\n"
        "  entrysubtype = {newspaper},\n  note = {cakupan figure f9: “\\$” (characters 0–1)},\n"
        "  langid = {indonesian}\n}"
    )
