"""Curation against hostile and careless input: issue 12's items 3 to 12, each as it was found.

Every test names the item it covers. Messages are compared whole: a curator reads them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, read_rows, replace_article, set_cell, write_rows

from cakupan.cli import cli
from cakupan.curation import review_csv
from cakupan.problems import Problem
from cakupan.render import Highlight, render_article
from cakupan.validate import validate

TEXT = "Cakupan UCJ di Kabupaten Tebo baru 31 persen.\nTahun depan kami targetkan 50 persen pada 2027.\n"
RUN = """
import sys
from cakupan.cli import cli
cli.main(sys.argv[1:], prog_name="cakupan")
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def added(package: Path, tmp_path: Path, data: bytes = TEXT.encode(), *options) -> str:
    result = run("add-source", "--root", package, written(tmp_path / "a.txt", data), *options)
    assert result.exit_code == 0, result.output
    return result.stdout.split()[1].rstrip(":")


def review(tmp_path: Path, package: Path, source_id: str, *, name="review.csv") -> Path:
    out = tmp_path / name
    result = run("extract", "--root", package, source_id, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def figure_rows(package: Path, source_id: str, keep: int) -> list[dict[str, str]]:
    """`keep` curated figures of an article under new ids, as rows of a reviewed review file
    (taken from figures.csv, so they hold whatever the candidate rules propose)."""
    rows = [r for r in read_rows(package / "data" / "figures.csv") if r["source_id"] == source_id]
    prefix = f"f{source_id[:3]}"
    return [
        {**r, "figure_id": f"{prefix}-{90 + i}", "candidate_kind": "number"}
        for i, r in enumerate(rows[:keep])
    ]


# --- item 3: a bare CR in a title or an article -----------------------------------------------


def test_3_a_cr_in_a_title_is_refused_naming_the_option(package, tmp_path):
    before = (package / "data" / "sources.csv").read_bytes()
    result = run(
        "add-source", "--root", package, written(tmp_path / "a.txt", b"Judul Satu\rBaris Dua\n" + TEXT.encode()),
        "--title", "Judul Satu\rBaris Dua",
    )  # fmt: skip
    assert (result.exit_code, result.output) == (
        1,
        "error: --title: found control character U+000D (carriage return) at character 10 of "
        "'Judul Satu\\rBaris Dua'; expected text without control characters (tab and line feed are allowed)\n",
    )
    assert (package / "data" / "sources.csv").read_bytes() == before


def test_3_an_article_with_bare_crs_is_stored_with_lf_and_extracts_a_sound_review_file(
    package, tmp_path
):
    source_id = added(
        package, tmp_path, TEXT.replace("\n", "\r").encode(), "--published", "2026-01-05"
    )
    stored = (package / "sources" / f"{source_id}.txt").read_bytes()
    assert stored == TEXT.encode()
    out = review(tmp_path, package, source_id)
    assert b"\r" not in out.read_bytes()
    assert [r["quote"] for r in rows_of(out)] == [
        "Cakupan UCJ di Kabupaten Tebo baru 31 persen",
        "Tahun depan kami targetkan 50 persen pada 2027",
        "Tahun depan kami targetkan 50 persen pada 2027",
    ]
    assert validate(package, with_frictionless=False).problems == []


def test_3_the_review_writer_quotes_cr_and_lf_and_keeps_every_column():
    text = review_csv(
        [
            {
                "figure_id": "f1",
                "quote": "a\rb",
                "note": "c\nd",
                "candidate_kind": "award",
                "extra": "x",
            }
        ],
        ["figure_id", "quote", "note"],
        ["award_id", "quote", "rank"],
    )
    assert text == (
        "figure_id,quote,note,candidate_kind,candidate_text,number_start,number_end,why,award_id,rank,extra\n"
        'f1,"a\rb","c\nd",award,,,,,,,x\n'
    )
    assert list(csv.reader(io.StringIO(text, newline="")))[1][:3] == ["f1", "a\rb", "c\nd"]


# --- item 4: a table without its final newline ---------------------------------------------------


def test_4_add_source_to_a_sources_csv_without_final_newline_keeps_rows_apart(package, tmp_path):
    path = package / "data" / "sources.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    old = read_rows(path)
    source_id = added(package, tmp_path)
    assert read_rows(path)[:-1] == old
    assert read_rows(path)[-1]["source_id"] == source_id
    assert validate(package, with_frictionless=False).problems == []


# --- item 5: extract --out never into the package, never over a file -----------------------------


@pytest.mark.parametrize(
    "out, message",
    [
        ("data/figures.csv", "found a path inside data/"),
        ("sources/000_0dc850caf364129e.txt", "found a path inside sources/"),
        ("data/new.csv", "found a path inside data/"),
    ],
)
def test_5_extract_refuses_to_write_into_data_or_sources(package, out, message):
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    result = run("extract", "--root", package, "000_0dc850caf364129e", "--out", package / out)
    assert (result.exit_code, result.output) == (
        1,
        f"error: --out {package / out}: {message}; expected a review file outside data/ and sources/ "
        "(for example review.csv): accept copies reviewed rows into data/\n",
    )
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file()} == before


def test_5_extract_refuses_a_symlink_into_data(package, tmp_path):
    (tmp_path / "review.csv").symlink_to(package / "data" / "figures.csv")
    result = run(
        "extract",
        "--root",
        package,
        "000_0dc850caf364129e",
        "--out",
        tmp_path / "review.csv",
        "--force",
    )
    assert result.exit_code == 1 and "found a path inside data/" in result.output


def test_5_extract_never_replaces_a_review_file_without_force(package, tmp_path):
    out = tmp_path / "review.csv"
    out.write_text("my edits\n", encoding="utf-8")
    result = run("extract", "--root", package, "000_0dc850caf364129e", "--out", out)
    assert (result.exit_code, result.output) == (
        1,
        f"error: --out {out}: found an existing file (a review you may be editing); expected a new file: "
        "choose another name, or add --force to replace it\n",
    )
    assert out.read_text("utf-8") == "my edits\n"
    result = run("extract", "--root", package, "000_0dc850caf364129e", "--out", out, "--force")
    assert result.exit_code == 0 and out.read_text("utf-8").startswith("figure_id,source_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "review.csv"]  # no temporary left


# --- item 6: a cell over the csv module's limit ---------------------------------------------------

LONG = "x" * 140_000
LONG_PROBLEM = Problem(
    "data/figures.csv", 4, "note", "a cell of 140,000 characters",
    "at most 131,072 characters in a cell", "cell-length",
)  # fmt: skip


def test_6_a_long_cell_is_one_problem_in_validate(package):
    set_cell(package, "figures", "f000-03", "note", LONG)
    assert validate(package, with_frictionless=False).problems == [LONG_PROBLEM]
    result = run("validate", "--root", package, "--no-frictionless")
    assert result.exit_code == 1
    assert result.stdout == str(LONG_PROBLEM) + "\n"


def test_6_build_and_cite_refuse_a_long_cell_and_serve_keeps_the_last_good_database(package):
    assert run("build", "--root", package).exit_code == 0  # the last good database
    set_cell(package, "figures", "f000-03", "note", LONG)
    db = package / "build" / "cakupan.db"
    before = db.read_bytes()
    result = run("build", "--root", package)
    assert (result.exit_code, result.stdout) == (1, str(LONG_PROBLEM) + "\n")
    result = run("cite", "--root", package, "f000-01")
    assert result.exit_code == 1 and result.stdout == ""
    result = run("serve", "--root", package, "--dry-run")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == [
        str(LONG_PROBLEM),
        f"warning: the package is invalid (1 problem(s)); {db} was left as it was; serving the last good database {db}",
    ]
    assert db.read_bytes() == before


def test_6_accept_names_the_review_row_of_a_long_cell(package, tmp_path):
    rows = figure_rows(package, "000_0dc850caf364129e", 2)
    rows[1]["note"] = LONG
    path = tmp_path / "review.csv"
    write_rows(path, rows)
    result = run("accept", "--root", package, path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path} row 3 field note: found a cell of 140,000 characters; expected at most 131,072 characters in a cell [cell-length]\n"
    )
    assert result.stderr == f"error: {path}: not accepted, 1 problem(s)\n"


# --- item 7: a quote inside a markdown link's title ----------------------------------------------


def test_7_a_quote_in_a_link_title_keeps_the_markup_whole():
    text = 'Lihat [berita](https://x.example/a "Cakupan 43 persen") dan cakupan *baru 43* persen.'
    in_title = text.index("Cakupan 43 persen")
    across = text.index("cakupan *baru")
    html = render_article(
        text,
        [
            Highlight(in_title, in_title + 17, "f1", "/-/cite/f1", "f1"),
            Highlight(across, len(text) - 1, "f2", "/-/cite/f2", "f2"),
        ],
    )
    assert html == (
        '<p>Lihat <a href="https://x.example/a" title="Cakupan 43 persen">berita</a>'
        '<a class="cite-ref" id="f1" href="/-/cite/f1">f1</a> dan '
        '<a class="cite-ref" id="f2" href="/-/cite/f2">f2</a><mark><a href="/-/cite/f2">cakupan </a></mark>'
        '<em><mark><a href="/-/cite/f2">baru 43</a></mark></em><mark><a href="/-/cite/f2"> persen</a></mark>.</p>\n'
    )


def test_7_a_quote_across_a_link_address_leaves_the_address_alone():
    text = "Baca [tautan ini](https://x.example/berita) ya."
    start = text.index("tautan")
    html = render_article(text, [Highlight(start, text.index(" ya"), "f3", "/-/cite/f3", "f3")])
    assert html == (
        '<p>Baca <a href="https://x.example/berita"><span class="cite-ref" id="f3">f3</span>'
        "<mark>tautan ini</mark></a> ya.</p>\n"
    )


# --- item 8: accept reads what spreadsheets save -------------------------------------------------


def _accepted_review(package, tmp_path, encode) -> tuple[Path, list[str]]:
    rows = figure_rows(package, "000_0dc850caf364129e", 1)
    rows[0]["figure_id"] = "f000-90"
    out = io.StringIO()
    csv.DictWriter(out, list(rows[0]), lineterminator="\r\n").writeheader()
    csv.DictWriter(out, list(rows[0]), lineterminator="\r\n").writerows(rows)
    path = tmp_path / "review-excel.csv"
    path.write_bytes(encode(out.getvalue()))
    return path, ["f000-90"]


def test_8_accept_reads_utf8_with_a_bom_and_crlf_as_excel_saves_it(package, tmp_path):
    path, ids = _accepted_review(package, tmp_path, lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"))
    result = run("accept", "--root", package, path)
    assert (result.exit_code, result.output) == (0, "accepted 1 figure(s): f000-90\n")
    assert validate(package, with_frictionless=False).problems == []


def test_8_accept_refuses_cp1252_in_one_line_naming_the_encoding(package, tmp_path):
    path = tmp_path / "review.csv"
    path.write_bytes("figure_id,quote\nf000-90,“kutipan”\n".encode("cp1252"))
    before = (package / "data" / "figures.csv").read_bytes()
    result = run("accept", "--root", package, path)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}: found byte 0x93 at byte offset 24 (line 2), which is not UTF-8; expected a UTF-8 CSV "
        "file, with or without a byte-order mark (in a spreadsheet, save as “CSV UTF-8”)\n",
    )
    assert (package / "data" / "figures.csv").read_bytes() == before


def test_8_accept_names_review_rows_and_columns(package, tmp_path):
    rows = figure_rows(package, "000_0dc850caf364129e", 3)
    rows[0]["candidate_kind"] = "guess"
    rows[2]["figure_id"] = rows[1]["figure_id"]  # the same id twice in the review
    path = tmp_path / "review.csv"
    write_rows(path, rows, [c for c in rows[0] if c != "quote_suffix"] + ["quote_suffix"])
    result = run("accept", "--root", package, path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path} row 2 field candidate_kind: found 'guess'; expected one of percent, number, award, repeat, not-a-figure [candidate-kind]",
    ]
    rows[0]["candidate_kind"] = "percent"
    write_rows(path, rows)
    result = run("accept", "--root", package, path)
    assert result.stdout.splitlines() == [
        f"{path} row 4 field figure_id: found '{rows[1]['figure_id']}' again; expected a unique key (first used in {path} row 3) [primary-key]",
    ]
    assert result.stderr == (
        f"error: {path}: not accepted, the package would be invalid (1 problem(s): 1 in the review file's rows, "
        "0 already in the package); data/figures.csv and data/awards.csv unchanged\n"
    )


def test_8_accept_writes_figures_and_awards_in_one_commit(package, tmp_path):
    rows = figure_rows(package, "002_ad03d7ffec287ddd", 1)
    rows[0]["figure_id"] = "f002-90"
    award = next(r for r in read_rows(package / "data" / "awards.csv") if r["award_id"] == "a002-1")
    header = list(rows[0]) + [c for c in award if c not in rows[0]]
    skipped = {c: "" for c in header} | {"figure_id": "f002-91", "candidate_kind": "repeat"}
    award_row = {c: "" for c in header} | award | {"award_id": "a002-9", "candidate_kind": "award"}
    path = tmp_path / "review.csv"
    write_rows(path, [rows[0], skipped, award_row], header)
    result = run("accept", "--root", package, path)
    assert (result.exit_code, result.output) == (
        0,
        "accepted 1 figure(s): f002-90; 1 award(s): a002-9\n",
    )
    assert read_rows(package / "data" / "awards.csv")[-1] == award | {"award_id": "a002-9"}
    assert [r["figure_id"] for r in read_rows(package / "data" / "figures.csv")][-1] == "f002-90"
    assert validate(package, with_frictionless=False).problems == []


# --- item 9: paths that are not articles, and limits checked before reading -----------------------


def test_9_extract_to_a_missing_directory_is_an_error_not_a_traceback(package):
    result = run(
        "extract", "--root", package, "000_0dc850caf364129e", "--out", "/nonexistent/x.csv"
    )
    assert (result.exit_code, result.output) == (
        1,
        "error: --out /nonexistent/x.csv: found no directory /nonexistent; expected a file in an existing directory\n",
    )


@pytest.mark.parametrize(
    "make, found",
    [
        (lambda d: Path("/dev/zero"), "a character device; expected a regular file (article)"),
        (
            lambda d: (os.mkfifo(d / "fifo"), d / "fifo")[1],
            "a named pipe (FIFO); expected a regular file (article)",
        ),
    ],
)
def test_9_add_source_refuses_what_is_not_a_regular_file_at_once(package, tmp_path, make, found):
    path = make(tmp_path)
    result = run("add-source", "--root", package, path)
    assert (result.exit_code, result.output) == (1, f"error: {path}: found {found}\n")


# the command, then its own peak memory in KB on stdout: VmHWM, since ru_maxrss carries the
# parent's peak over fork and exec (pytest's, hundreds of MB by then)
RUN_AND_MEASURE = """
import re, sys
from cakupan.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="cakupan")
finally:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
"""


def test_9_a_200_mb_article_is_refused_before_it_is_read(package, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(200_000_000)  # sparse: 200 MB to read, nothing on disk
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_MEASURE, "add-source", "--root", str(package), str(big)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        1,
        f"error: {big}: found 200,000,000 bytes; expected at most 2,097,152 bytes for one article\n",
    )
    assert int(done.stdout) < 150_000  # KB: the imports, never the file (636 MB before)


# --- item 10: dates ---------------------------------------------------------------------------


def test_10_accessed_before_published_is_refused_in_add_source_and_validate(package, tmp_path):
    path = written(tmp_path / "a.txt", TEXT.encode())
    result = run(
        "add-source",
        "--root",
        package,
        path,
        "--published",
        "2026-02-01",
        "--accessed",
        "2026-01-31",
    )
    assert (result.exit_code, result.output) == (
        1,
        "error: --accessed 2026-01-31: expected a date on or after --published (2026-02-01)\n",
    )
    set_cell(package, "sources", "003_5c72670d165195ed", "date_accessed", "2025-03-17")
    assert validate(package, with_frictionless=False).problems == [
        Problem(
            "data/sources.csv", 5, "date_accessed", "2025-03-17",
            "a date on or after the date published (2025-03-18)", "date-order",
        )
    ]  # fmt: skip


# --- item 11: one form for an article's bytes --------------------------------------------------


def test_11_lf_crlf_and_bom_copies_are_one_article(package, tmp_path):
    source_id = added(package, tmp_path, TEXT.encode())
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    for name, data in [
        ("crlf.txt", TEXT.replace("\n", "\r\n").encode()),
        ("bom.txt", b"\xef\xbb\xbf" + TEXT.encode()),
    ]:
        path = written(tmp_path / name, data)
        result = run("add-source", "--root", package, path)
        assert (result.exit_code, result.output) == (
            1,
            f"error: {path}: already in the catalogue as source {source_id} (same text once its line endings "
            f"and byte-order mark are normalised; SHA-256 {digest})\n",
        )


def test_11_a_bom_never_reaches_a_quote_and_the_note_records_the_bytes_received(package, tmp_path):
    received = b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode()
    source_id = added(package, tmp_path, received, "--published", "2026-01-05")
    assert (package / "sources" / f"{source_id}.txt").read_bytes() == TEXT.encode()
    row = read_rows(package / "data" / "sources.csv")[-1]
    assert row["note"] == (
        f"Received as {len(received)} bytes (SHA-256 {hashlib.sha256(received).hexdigest()}) with a UTF-8 "
        "byte-order mark (removed) and CRLF line endings (stored as LF)."
    )
    first = rows_of(review(tmp_path, package, source_id))[0]
    assert (first["quote"][:7], first["quote_start"]) == ("Cakupan", "0")
    assert validate(package, with_frictionless=False).problems == []


def test_11_validate_names_an_article_stored_with_a_bom_or_crlf(package):
    raw = (package / "sources" / "000_0dc850caf364129e.txt").read_bytes()
    replace_article(package, "000_0dc850caf364129e", raw.replace(b"\n", b"\r\n", 1))
    problems = [
        p
        for p in validate(package, with_frictionless=False).problems
        if p.check.startswith("article")
    ]
    line = raw[: raw.index(b"\n")].decode()
    assert problems == [
        Problem(
            "sources/000_0dc850caf364129e.txt", 1, None, f"a CR or CRLF line ending at line 1, column {len(line) + 1}",
            "LF line endings (add-source turns CRLF and CR into LF)", "article-line-endings",
        )
    ]  # fmt: skip


# --- item 12: control characters in cells and on the terminal ------------------------------------


def test_12_a_nul_in_a_review_file_is_refused_naming_its_row(package, tmp_path):
    rows = figure_rows(package, "000_0dc850caf364129e", 1)
    rows[0]["note"] = "a\x00b"
    path = tmp_path / "review.csv"
    write_rows(path, rows)
    before = (package / "data" / "figures.csv").read_bytes()
    result = run("accept", "--root", package, path)
    assert result.stdout == (
        f"{path} row 2 field note: found control character U+0000 (NUL) at character 1 of 'a\\x00b'; "
        "expected text without control characters (tab and line feed are allowed) [control-character]\n"
    )
    assert (package / "data" / "figures.csv").read_bytes() == before


def test_12_validate_refuses_control_characters_in_any_table(package):
    set_cell(package, "people", "bahri", "name", "Bahri\x1b[2J")
    assert validate(package, with_frictionless=False).problems == [
        Problem(
            "data/people.csv", 2, "name", "control character U+001B (ESC) at character 5 of 'Bahri\\x1b[2J'",
            "text without control characters (tab and line feed are allowed)", "control-character",
        )
    ]  # fmt: skip


def test_12_add_source_refuses_an_article_with_control_characters(package, tmp_path):
    path = written(tmp_path / "a.txt", b"Cakupan\n43 \x1b[31mpersen\n")
    result = run("add-source", "--root", package, path)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}: found control character U+001B (ESC) at line 2, column 4; expected text without "
        "control characters (tab and line breaks are allowed)\n",
    )


def test_12_cite_escapes_bidirectional_overrides(package):
    raw = (package / "sources" / "001_0a2ebc8c94bb9855.txt").read_bytes()
    replace_article(package, "001_0a2ebc8c94bb9855", raw + "Judul \u202eUCJ\n".encode())
    set_cell(package, "sources", "001_0a2ebc8c94bb9855", "headline", "Judul \u202eUCJ")
    result = run("cite", "--root", package, "f001-01", "--style", "apa")
    assert (result.exit_code, result.output) == (
        0,
        "Judul \\u202eUCJ. (n.d.). Beritamerdekaonline.com.\n",
    )


def _extract_output(package: Path, on_a_terminal: bool) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", RUN, "extract", "--root", str(package), "000_0dc850caf364129e"]
    if not on_a_terminal:
        return subprocess.run(command, env=env, capture_output=True, timeout=60, check=True).stdout
    main, side = pty.openpty()
    process = subprocess.Popen(command, env=env, stdout=side, stderr=side)
    os.close(side)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks)


def test_12_extract_keeps_ansi_sequences_in_a_pipe_and_escapes_them_on_a_terminal(package):
    raw = (package / "sources" / "000_0dc850caf364129e.txt").read_bytes()
    replace_article(
        package, "000_0dc850caf364129e", raw.replace(b"pekerja kita", b"pekerja \x1b[31mkita", 1)
    )
    piped = _extract_output(package, on_a_terminal=False)
    assert b"pekerja \x1b[31mkita" in piped
    shown = _extract_output(package, on_a_terminal=True)
    assert b"\x1b" not in shown and b"pekerja \\u001b[31mkita" in shown


def test_12_problems_never_print_control_characters_raw():
    problem = Problem("data/\x1b]0;x\x07.csv", 2, "note", "x", "y", "z")
    assert str(problem) == "data/\\u001b]0;x\\u0007.csv row 2 field note: found x; expected y [z]"


def test_source_rows_written_by_add_source_stay_valid_json_and_csv(package, tmp_path):
    """The descriptor is rewritten whole: it still parses, with one resource more."""
    before = json.loads((package / "datapackage.json").read_text("utf-8"))["resources"]
    added(package, tmp_path)
    after = json.loads((package / "datapackage.json").read_text("utf-8"))["resources"]
    assert after[:-1] == before and after[-1]["bytes"] == len(TEXT.encode())


# --- item 2: what an older, interrupted add-source left -------------------------------------------


def test_2_an_unrecorded_article_file_is_named_not_a_traceback(package, tmp_path):
    path = written(tmp_path / "a.txt", TEXT.encode())
    source_id = "004_" + hashlib.sha256(TEXT.encode()).hexdigest()[:16]
    orphan = package / "sources" / f"{source_id}.txt"
    orphan.write_bytes(b"")  # what a full disk left before package writes were journalled
    result = run("add-source", "--root", package, path)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {orphan}: found a file that no row of data/sources.csv records; expected no file there "
        "(perhaps left by an interrupted older cakupan): remove it and run add-source again\n",
    )
    orphan.write_bytes(TEXT.encode())  # the same bytes as the article: taken as its copy
    assert run("add-source", "--root", package, path).exit_code == 0
    assert validate(package, with_frictionless=False).problems == []


def test_accept_of_only_skipped_rows_says_so(package, tmp_path):
    rows = figure_rows(package, "000_0dc850caf364129e", 2)
    rows[0]["candidate_kind"], rows[1]["candidate_kind"] = "repeat", "not-a-figure"
    path = tmp_path / "review.csv"
    write_rows(path, rows)
    result = run("accept", "--root", package, path)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}: found no figure or award rows (only repeat and not-a-figure rows are left); "
        "expected at least one row to accept\n",
    )


def test_4_accept_refuses_to_append_after_an_unclosed_quote(package, tmp_path):
    figures = package / "data" / "figures.csv"
    figures.write_bytes(figures.read_bytes() + b'f000-99,"unclosed')
    before = figures.read_bytes()
    path = tmp_path / "review.csv"
    write_rows(path, figure_rows(package, "000_0dc850caf364129e", 1))
    result = run("accept", "--root", package, path)
    assert (result.exit_code, result.output) == (
        1,
        "error: data/figures.csv: found a last row that does not end where a row should (an unclosed "
        "quote?); expected a valid CSV file: run cakupan validate; nothing was written\n",
    )
    assert figures.read_bytes() == before


def test_6_the_cell_limit_holds_whatever_the_csv_module_s_global_limit(package):
    """frictionless raises csv.field_size_limit for the whole process when it parses a CSV."""
    set_cell(package, "figures", "f000-03", "note", LONG)
    old = csv.field_size_limit(100_000_000)
    try:
        assert validate(package, with_frictionless=False).problems == [LONG_PROBLEM]
    finally:
        csv.field_size_limit(old)


def test_12_an_incremental_build_refuses_a_nul_in_an_edited_row(package):
    assert run("build", "--root", package).exit_code == 0
    set_cell(package, "figures", "f000-03", "note", "a\x00b")
    result = run("build", "--root", package)
    assert (result.exit_code, result.stdout) == (
        1,
        "data/figures.csv row 4 field note: found control character U+0000 (NUL) at character 1 of "
        "'a\\x00b'; expected text without control characters (tab and line feed are allowed) [control-character]\n",
    )
