"""Incremental builds: after an edit, the updated copy must equal a build from nothing, or the
build must fall back to a full one. Each edit is built both ways and the databases compared
table by table (the derived tables included), with the zip byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import zipfile

import pytest
from helpers import (
    assert_killed_before_each_step,
    build_in_child,
    read_rows,
    replace_article,
    set_cell,
    write_rows,
)

import cakupan.build
import cakupan.fingerprint
from cakupan.build import INCREMENTAL_STEPS, BuildError, build
from cakupan.build_checks import check_database
from cakupan.fingerprint import file_hashes, input_paths
from cakupan.package_zip import HOW_TO_CITE, zipped_descriptor
from cakupan.published import ZIP_NAME
from cakupan.validate import validate

SARO = "000_0dc850caf364129e"  # Sarolangun
BENGKULU = "001_0a2ebc8c94bb9855"
NEW_ARTICLE = (
    "Kabupaten Sarolangun – Cakupan UCJ di Kabupaten Sarolangun kini 47 persen, "
    "kata Kepala Cabang Ahmad Santoso.\n"
)


def contents(db) -> dict:
    """Everything a reader of the database can see, with rowids and build times left out."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type = 'table' and name not like '%_fts%'"
            )
        ]
        seen = {
            name: sorted(conn.execute(f"select * from [{name}]"), key=repr)
            for name in names
            if name != "_build"
        }
        seen["_build"] = sorted(conn.execute("select * from _build where key != 'built_at'"))
        for table, column in (("articles", "source_id"), ("figures", "figure_id")):
            # FTS5 checks its index against the table it indexes; a stale entry raises here
            conn.execute(f"insert into [{table}_fts] ([{table}_fts]) values ('integrity-check')")
            seen[f"{table}_fts"] = conn.execute(
                f"select t.[{column}] from [{table}_fts] s join [{table}] t on t.rowid = s.rowid "
                f"where [{table}_fts] match 'persen OR pekerja' order by t.[{column}]"
            ).fetchall()
    finally:
        conn.close()
    return seen


def built_from_nothing(package, tmp_path):
    fresh = tmp_path / "fresh"
    shutil.copytree(package, fresh, ignore=shutil.ignore_patterns("build"))
    result = build(fresh)
    assert result.mode == "full"
    return fresh


def assert_same_as_a_full_build(package, tmp_path):
    fresh = built_from_nothing(package, tmp_path)
    assert contents(package / "build" / "cakupan.db") == contents(fresh / "build" / "cakupan.db")
    ours, theirs = (
        (p / "build" / ZIP_NAME).read_bytes() for p in (package, fresh)
    )  # deterministic zips: the same inputs give the same bytes, however they were written
    assert ours == theirs
    mine = json.loads((package / "build" / "inspect.json").read_text())["cakupan"]
    full = json.loads((fresh / "build" / "inspect.json").read_text())["cakupan"]
    # FTS5 keeps an update as a new segment of its index (merged later by its automerge), so
    # only its internal shadow tables may count differently; what a search finds is compared above
    assert {t: n for t, n in mine["tables"].items() if "_fts_" not in t} == {
        t: n for t, n in full["tables"].items() if "_fts_" not in t
    }
    db = package / "build" / "cakupan.db"
    assert mine["hash"] == hashlib.sha256(db.read_bytes()).hexdigest()
    assert mine["size"] == db.stat().st_size


def set_figure_quote(root, figure_id: str, quote: str) -> None:
    """Point a figure at another passage of its article, at the passage's true offsets."""
    rows = read_rows(root / "data" / "figures.csv")
    row = next(r for r in rows if r["figure_id"] == figure_id)
    text = (root / "sources" / f"{row['source_id']}.txt").read_bytes().decode("utf-8")
    start = text.index(quote)
    row.update(quote=quote, quote_start=str(start), quote_end=str(start + len(quote)))
    write_rows(root / "data" / "figures.csv", rows)


def delete_row(root, table: str, key: str) -> None:
    rows = read_rows(root / "data" / f"{table}.csv")
    first = next(iter(rows[0]))
    write_rows(root / "data" / f"{table}.csv", [r for r in rows if r[first] != key])


def append_to_article(root, source_id: str, extra: str) -> None:
    """Change an article's text and record its new checksum everywhere it is recorded."""
    path = root / "sources" / f"{source_id}.txt"
    replace_article(root, source_id, path.read_bytes() + extra.encode("utf-8"))


def add_article_with_a_figure(root, tmp_path) -> str:
    """A new article through add-source, with a new speaker, their post and one figure."""
    from click.testing import CliRunner

    from cakupan.cli import cli

    article = tmp_path / "baru.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["add-source", "--root", str(root), str(article), "--published", "2026-01-05"]
    )
    assert result.exit_code == 0, result.output
    source_id = read_rows(root / "data" / "sources.csv")[-1]["source_id"]
    people = read_rows(root / "data" / "people.csv")
    people.append(
        {"person_id": "ahmad-santoso", "name": "Ahmad Santoso", "name_as_printed": "Ahmad Santoso"}
    )
    write_rows(root / "data" / "people.csv", people)
    quote = "Kepala Cabang Ahmad Santoso"
    start = NEW_ARTICLE.index(quote)
    posts = read_rows(root / "data" / "posts.csv")
    posts.append({
        "person_id": "ahmad-santoso", "source_id": source_id, "post": "Kepala Cabang",
        "organisation": "BPJS Ketenagakerjaan", "region_code": "15.03", "quote": quote,
        "quote_start": str(start), "quote_end": str(start + len(quote)), "quote_prefix": "", "quote_suffix": "",
    })  # fmt: skip
    write_rows(root / "data" / "posts.csv", posts)
    figures = read_rows(root / "data" / "figures.csv")
    quote = "Sarolangun kini 47 persen"
    start = NEW_ARTICLE.index(quote)
    figures.append({
        **{k: "" for k in figures[0]}, "figure_id": "f004-01", "source_id": source_id, "region_code": "15.03",
        "indicator_id": "coverage_rate", "value": "47", "unit": "percent", "qualifier": "exact",
        "as_of": "2026-01-05", "as_of_basis": "published", "speaker_id": "ahmad-santoso",
        "attribution": "reported_speech", "quote": quote, "quote_start": str(start), "quote_end": str(start + len(quote)),
    })  # fmt: skip
    write_rows(root / "data" / "figures.csv", figures)
    assert validate(root, with_frictionless=False).problems == []
    return source_id


def remove_article(root, source_id: str) -> None:
    """Take an article out of the package: its file, its origin and every row quoting it."""
    (root / "sources" / f"{source_id}.txt").unlink()
    for table in ("sources", "figures", "posts", "awards", "regulations"):
        path = root / "data" / f"{table}.csv"
        rows = read_rows(path)
        write_rows(path, [r for r in rows if r["source_id"] != source_id], list(rows[0]))
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"] = [
        r for r in descriptor["resources"] if r.get("path") != f"sources/{source_id}.txt"
    ]
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


EDITS = {
    "a note": lambda root, tmp: set_cell(root, "figures", "f000-02", "note", "checked by phone"),
    "a figure's quote": lambda root, tmp: set_figure_quote(root, "f000-02", "baru 43 persen"),
    "a figure deleted": lambda root, tmp: delete_row(root, "figures", "f000-02"),
    "an article's text": lambda root, tmp: append_to_article(
        root, BENGKULU, "\nTambahan redaksi.\n"
    ),
    "a new article": add_article_with_a_figure,
    "an article removed": lambda root, tmp: remove_article(root, BENGKULU),
    "an award": lambda root, tmp: set_cell(root, "awards", "a002-2", "ceremony_date", "2024-06-11"),
    "a post": lambda root, tmp: set_cell(root, "posts", "bahri", "organisation", "Pemkab"),
    "a regulation": lambda root, tmp: delete_row(root, "regulations", "r000-2"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_to_one_article_is_built_incrementally_and_equals_a_full_build(
    package, tmp_path, edit
):
    build(package)
    EDITS[edit](package, tmp_path)
    result = build(package)
    assert (result.built, result.mode, len(result.articles)) == (True, "incremental", 1)
    assert_same_as_a_full_build(package, tmp_path)


def test_a_row_moved_rebuilds_its_article_alone_and_says_so(package, tmp_path):
    """Moving Sarolangun's first figure to the end of figures.csv puts every row between in the
    stretch of lines that differ; diffed by key, only the moved row changed."""
    build(package)
    path = package / "data" / "figures.csv"
    rows = read_rows(path)
    first = next(r for r in rows if r["source_id"] == SARO)
    write_rows(path, [r for r in rows if r is not first] + [first])
    result = build(package)
    assert (result.mode, result.articles, result.changes) == (
        "incremental", [SARO], ["data/figures.csv: 1 row moved"]
    )  # fmt: skip
    assert_same_as_a_full_build(package, tmp_path)


def test_the_articles_rebuilt_are_the_ones_edited(package, tmp_path):
    build(package)
    set_figure_quote(package, "f000-02", "baru 43 persen")
    assert build(package).articles == [SARO]
    conn = sqlite3.connect(package / "build" / "cakupan.db")
    [(html,)] = conn.execute("select html from articles where source_id = ?", (SARO,))
    assert 'href="/-/cite/f000-02">baru 43 persen</a>' in html.replace("\n", "")


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda root: set_cell(root, "regions", "15.03", "name", "Kab. Sarolangun"),
         "data/regions.csv row 15.03 changed (a shared table)"),
        (lambda root: delete_row(root, "regions", "96.71"),
         "data/regions.csv row 96.71 removed (a shared table)"),
        (lambda root: [set_cell(root, "figures", f, "note", "x") for f in ("f000-02", "f002-01")],
         # by key: the stretch of lines from f000-02 to f002-01 holds article 001's rows too,
         # unchanged, and 001 is not rebuilt
         "2 articles to rebuild, more than a quarter of the 4"),
        (lambda root: _set_version(root, "9.9.9"),
         "datapackage.json changed beyond its list of article files"),
        (lambda root: _add_other_file(root),
         "NOTES.txt changed, a file that is neither a table nor an article"),
    ],
    ids=["shared row changed", "shared row removed", "too many articles", "descriptor", "other file"],
)  # fmt: skip
def test_edits_that_reach_further_build_everything_and_say_why(package, tmp_path, edit, why):
    build(package)
    edit(package)
    result = build(package)
    assert (result.mode, result.full_reason) == ("full", why)
    assert_same_as_a_full_build(package, tmp_path)


def test_the_command_line_says_why_a_build_was_full(package):
    from click.testing import CliRunner

    from cakupan.cli import cli

    def run(*args):
        result = CliRunner().invoke(cli, ["build", "--root", str(package), *args])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    first = run()
    assert first[1:] == [f"full build: no earlier build in {package / 'build'}"]
    set_cell(package, "regions", "15.03", "name", "Kab. Sarolangun")
    assert run()[1:] == ["full build: data/regions.csv row 15.03 changed (a shared table)"]
    assert run("--force")[1:] == ["full build: asked for (--force)"]
    set_cell(package, "figures", "f000-02", "note", "edited")
    assert len(run()) == 1  # incremental: nothing to explain


def _add_other_file(root) -> None:
    (root / "NOTES.txt").write_text("catatan kurator\n", encoding="utf-8")
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"].append({"name": "notes", "path": "NOTES.txt", "format": "txt"})
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    )


def _set_version(root, version: str) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["version"] = version
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    )


def test_an_invalid_edit_reports_exactly_what_a_full_validation_reports(package):
    db = build(package).path
    old = db.read_bytes()
    set_cell(package, "figures", "f000-02", "quote_start", "1015")
    set_cell(package, "figures", "f000-03", "value", "lots")
    with pytest.raises(BuildError) as refused:
        build(package)
    assert refused.value.problems == validate(package, with_frictionless=False).problems
    assert [(p.row, p.field, p.check) for p in refused.value.problems] == [
        (3, "quote", "quote-mismatch"),
        (4, "value", "type-number"),
    ]
    assert db.read_bytes() == old


def test_a_key_repeated_in_another_article_is_caught(package):
    db = build(package).path
    old = db.read_bytes()
    set_cell(package, "figures", "f000-02", "figure_id", "f002-01")  # the id of a figure of 002
    with pytest.raises(BuildError) as refused:
        build(package)
    assert [p.check for p in refused.value.problems] == ["primary-key"]
    assert db.read_bytes() == old


def test_a_file_edited_while_the_build_reads_it_stops_the_build(package):
    db = build(package, force=True).path
    old = db.read_bytes()
    set_cell(package, "figures", "f000-02", "note", "first edit")

    def edit_before_the_plan(name, number, total):
        if name == "plan":
            set_cell(package, "figures", "f000-02", "note", "second edit, saved mid-build")

    with pytest.raises(BuildError) as refused:
        build(package, on_step=edit_before_the_plan)
    assert str(refused.value) == (
        "an input file changed while the build was reading it; the previous database was left as it was. Run the build again."
    )
    assert db.read_bytes() == old
    assert build(package).built  # the second edit is picked up by the next build


@pytest.mark.slow
def test_an_incremental_build_killed_at_any_step_leaves_the_old_database_identical(
    package, tmp_path
):
    db = build(package).path
    set_cell(package, "figures", "f000-02", "note", "edited after the first build")
    assert_killed_before_each_step(package, INCREMENTAL_STEPS, force=False, db=db)
    result = build_in_child(package, "no such step", force=False)
    assert result.stdout.decode().split() == ["incremental"]
    assert not any((package / "build").glob(".staging-*"))
    assert_same_as_a_full_build(package, tmp_path)


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(package, monkeypatch):
    monkeypatch.setattr(cakupan.fingerprint, "STILL_NS", 0)  # remember every file's hash at once
    build(package)
    assert json.loads((package / "build" / ".input-hashes.json").read_text())
    path = package / "data" / "figures.csv"
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"kurang lebih 112.000", b"kurang lebih 113.000"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(BuildError) as refused:  # the quote no longer matches its article
        build(package)
    assert refused.value.problems == validate(package, with_frictionless=False).problems
    assert {p.check for p in refused.value.problems} == {"quote-mismatch", "value-in-quote"}


def test_a_stale_or_foreign_previous_build_is_not_trusted(package, tmp_path):
    build(package)
    zip_path = package / "build" / ZIP_NAME
    zip_path.write_bytes(zip_path.read_bytes() + b"tampered")
    set_cell(package, "figures", "f000-02", "note", "edited")
    result = build(package)
    assert (result.mode, result.full_reason) == (
        "full",
        f"{zip_path} is not the zip built with {package / 'build' / 'cakupan.db'}",
    )
    assert_same_as_a_full_build(package, tmp_path)


def test_a_database_edited_since_its_build_is_not_updated_but_built_again(package, tmp_path):
    # checked beside the copy an update starts from, and before anything is written to it
    build(package)
    db = package / "build" / "cakupan.db"
    raw = db.read_bytes()
    at = raw.index(b"43 persen")
    db.write_bytes(raw[:at] + b"93 persen" + raw[at + len(b"43 persen") :])
    set_cell(package, "figures", "f000-02", "note", "edited")
    result = build(package)
    assert (result.mode, result.full_reason) == ("full", f"{db} was changed after it was built")
    assert b"93 persen" not in db.read_bytes()
    assert_same_as_a_full_build(package, tmp_path)


def test_the_command_line_says_what_was_rebuilt(package):
    from click.testing import CliRunner

    from cakupan.cli import cli

    build(package)
    set_cell(package, "figures", "f000-02", "note", "edited")
    result = CliRunner().invoke(cli, ["build", "--root", str(package)])
    assert result.exit_code == 0
    assert (
        " (incremental: 1 article rebuilt; data/figures.csv: 1 row changed): 4 sources, 553 regions,"
        in result.output
    )


def test_the_package_zip_is_byte_for_byte_what_zipfile_writes(package):
    """With most members copied compressed from the previous zip, the zip is still the plain one
    zipfile writes afresh, and any unzip reads it."""
    build(package)
    set_cell(package, "figures", "f000-02", "note", "edited")
    assert build(package).mode == "incremental"  # so that most members were reused
    descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as zf:
        for name in [*input_paths(descriptor), "README.md"]:
            data = (
                HOW_TO_CITE.format(
                    title=descriptor["title"], version=descriptor["version"]
                ).encode()
                if name == "README.md"
                else zipped_descriptor(descriptor, file_hashes(package, descriptor))
                if name == "datapackage.json"
                else (package / name).read_bytes()
            )
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    written = (package / "build" / ZIP_NAME).read_bytes()
    assert written == expected.getvalue()
    with zipfile.ZipFile(io.BytesIO(written)) as zf:
        assert zf.testzip() is None


def test_the_incremental_checks_catch_a_broken_key_in_the_rows_written(package):
    db = build(package).path
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("update figures set region_code = '99.99' where figure_id = 'f000-02'")
    [(rowid,)] = conn.execute("select rowid from figures where figure_id = 'f000-02'")
    mine = "source_id IN (SELECT value FROM json_each(:affected))"
    check_database(conn, {"figures": mine}, [BENGKULU])  # another article's rows: not looked at
    with pytest.raises(BuildError) as refused:
        check_database(conn, {"figures": mine}, [SARO])
    assert str(refused.value) == f"foreign key check failed: [('figures', {rowid}, 'regions')]"


def test_a_table_file_gone_missing_is_reported_by_the_validation(package):
    db = build(package).path
    old = db.read_bytes()
    (package / "data" / "figures.csv").unlink()
    with pytest.raises(BuildError) as refused:
        build(package)
    assert [(p.file, p.found, p.check) for p in refused.value.problems] == [
        ("data/figures.csv", "no such file", "file")
    ]
    assert db.read_bytes() == old


def test_a_torn_zip_beside_an_unchanged_database_is_built_again(package):
    build(package)
    zip_path = package / "build" / ZIP_NAME
    whole = zip_path.read_bytes()
    zip_path.write_bytes(whole[: len(whole) // 2])  # as a power cut after the rename might leave it
    result = build(package)
    assert (result.built, result.mode) == (True, "full")
    assert zip_path.read_bytes() == whole


def test_an_upgraded_library_builds_everything(package, monkeypatch):
    build(package)
    set_cell(package, "figures", "f000-02", "note", "edited")
    real = cakupan.fingerprint.version
    monkeypatch.setattr(
        cakupan.fingerprint,
        "version",
        lambda name: "99" if name == "markdown-it-py" else real(name),
    )
    result = build(package)
    assert (result.mode, result.full_reason) == (
        "full",
        f"cakupan or a library it builds with changed since {package / 'build' / 'cakupan.db'} was built",
    )
