"""Releases: an id of date and content hash, an append-only snapshot and a field-by-field
changelog; the site reads a figure as it was in any release, by key."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import urllib.request
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import read_rows, set_cell

from cakupan.build import build
from cakupan.cli import cli
from cakupan.package import load_package
from cakupan.releases import as_released, content_sha256, current_rows, history


def release(root, on):
    return CliRunner().invoke(cli, ["release", "--root", str(root), "--on", on])


def test_release_then_nothing_changed_records_nothing(package):
    digest = content_sha256(current_rows(load_package(package)))
    first = release(package, "2026-12-01")
    assert first.exit_code == 0, first.output
    release_id = f"2026-12-01-{digest[:8]}"
    assert first.output.splitlines()[-1] == f"released {release_id}"
    rows = read_rows(package / "data/releases.csv")
    counted = len(current_rows(load_package(package)))
    assert rows == [
        {
            "release_id": release_id,
            "released_on": "2026-12-01",
            "content_sha256": digest,
            "previous_release_id": "",
            "added": str(counted),
            "changed": "0",
            "removed": "0",
        }
    ]
    before = {p.name: p.read_bytes() for p in (package / "data").iterdir()}
    again = release(package, "2026-12-02")
    assert again.exit_code == 0
    assert again.output == f"nothing changed since release {release_id}; nothing was recorded\n"
    assert {p.name: p.read_bytes() for p in (package / "data").iterdir()} == before


def test_changelog_field_by_field_and_rows_as_released(package):
    first_id = release(package, "2026-12-01").output.split()[-1]
    set_cell(package, "figures", "f000-01", "note", "checked again")
    set_cell(package, "figures", "f000-01", "attribution", "reported_speech")
    second = release(package, "2026-12-05")
    assert second.exit_code == 0, second.output
    second_id = second.output.split()[-1]
    changes = [
        r for r in read_rows(package / "data/release_changes.csv") if r["release_id"] == second_id
    ]
    assert changes == [
        {
            "release_id": second_id,
            "table_name": "figures",
            "record_id": "f000-01",
            "change": "changed",
            "field": "attribution",
            "old_value": "direct_quote",
            "new_value": "reported_speech",
        },
        {
            "release_id": second_id,
            "table_name": "figures",
            "record_id": "f000-01",
            "change": "changed",
            "field": "note",
            "old_value": "",
            "new_value": "checked again",
        },
    ]
    assert read_rows(package / "data/releases.csv")[1]["previous_release_id"] == first_id
    db = build(package).path
    with closing(sqlite3.connect(db)) as conn:
        old, new = as_released(conn, "f000-01", first_id), as_released(conn, "f000-01", second_id)
        assert as_released(conn, "f000-01", "2020-01-01-00000000") is None
        assert as_released(conn, "nope", second_id) is None
        assert history(conn, "f000-01") == []
    figure = next(r for r in read_rows(package / "data/figures.csv") if r["figure_id"] == "f000-01")
    assert new == figure
    assert old == {**figure, "note": "", "attribution": "direct_quote"}


async def test_releases_page_and_feed_escape_and_read_by_key(tmp_path, page_queries):
    from xml.etree import ElementTree

    from helpers import copy_site

    from cakupan.site.app import make_datasette

    root = copy_site(tmp_path / "pkg")
    first = release(root, "2026-12-01").output.split()[-1]
    set_cell(root, "figures", "f000-01", "note", "<script>alert(1)</script> & more")
    second = release(root, "2026-12-05").output.split()[-1]
    build(root)
    seen = page_queries
    site = make_datasette(root)
    page = await site.client.get("/-/releases")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "note:  → &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page.text
    assert f'id="{first}"' in page.text and f'id="{second}"' in page.text
    assert page.text.index(second) < page.text.index(f'id="{first}"')  # newest first
    # The first release adds every row: those lines are folded, after the field changes.
    first_card = page.text[page.text.index(f'id="{first}"') :]
    assert "<ul>" not in first_card[: first_card.index("<details>")]
    assert '<a href="/-/cite/f000-01">f000-01</a>:\n    ditambahkan' in first_card
    feed = await site.client.get("/-/changes.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(feed.content).findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id") for e in entries] == [
        f"urn:cakupan:release:{second}",
        f"urn:cakupan:release:{first}",
    ]
    assert entries[0].findtext(f"{atom}content") == (
        "figures f000-01: note:  → <script>alert(1)</script> & more"
    )
    with closing(sqlite3.connect(root / "build" / "cakupan.db")) as conn:
        plans = [
            detail
            for sql, params in seen
            for *_, detail in conn.execute("explain query plan " + sql, params)
        ]
    assert [p for p in plans if p.startswith("SCAN release_changes")] == []
    by_kind = (
        "SEARCH release_changes USING INDEX release_changes_by_kind (release_id=? AND change=?)"
    )
    by_release = (
        "SEARCH release_changes USING INDEX sqlite_autoindex_release_changes_1 (release_id=?)"
    )
    # The page: field changes, then rows added or removed, for each release; then the feed.
    assert [p for p in plans if "release_changes" in p] == [by_kind] * 4 + [by_release] * 2


async def test_the_published_catalogue_is_released_and_its_permalinks_work(tmp_path):
    """The repository records a release of the rows it holds, so a journalist's
    ?rilis= permalink to any published figure answers with that figure as released."""
    from helpers import copy_site

    from cakupan.site.app import make_datasette

    root = copy_site(tmp_path / "pkg", released=True)
    releases = read_rows(root / "data/releases.csv")
    assert releases, "the repository has no release"
    latest = releases[-1]["release_id"]
    assert release(root, "2099-01-01").output.splitlines()[-1] == (
        f"nothing changed since release {latest}; nothing was recorded"
    )
    build(root)
    site = make_datasette(root)
    for figure in read_rows(root / "data/figures.csv"):
        page = await site.client.get(f"/-/cite/{figure['figure_id']}?rilis={latest}")
        assert page.status_code == 200, figure["figure_id"]
        assert f"Sebagaimana dalam rilis {latest}" in page.text


def unzipped(content: bytes, dest: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        zf.extractall(dest)
    return dest


def rows_by_key(path: Path) -> dict[str, dict[str, str]]:
    rows = read_rows(path)
    first = next(iter(rows[0])) if rows else ""
    return {r[first]: r for r in rows}


def listed_zips(root: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(root / "build" / "cakupan.db")) as conn:
        return conn.execute(
            "select release_id, file, problem from _release_zips order by rowid"
        ).fetchall()


@pytest.mark.slow
async def test_each_release_has_a_zip_of_the_package_as_it_was_released(tmp_path):
    from helpers import copy_site, serving

    from cakupan.serve import pin_build
    from cakupan.site.app import make_datasette
    from cakupan.validate import validate

    root = copy_site(tmp_path / "pkg")
    first = release(root, "2026-12-01").output.split()[-1]
    as_first = {
        t: rows_by_key(root / f"data/{t}.csv") for t in ("figures", "sources", "regions", "awards")
    }
    set_cell(root, "figures", "f000-01", "note", "ditambahkan sesudah rilis pertama")
    second = release(root, "2026-12-05").output.split()[-1]
    assert build(root).mode == "full"
    zips = listed_zips(root)
    assert [(r, p) for r, _, p in zips] == [(first, ""), (second, "")]
    site = make_datasette(root)
    page = (await site.client.get("/-/releases")).text
    for release_id in (first, second):
        assert (
            f'<a href="/-/releases/{release_id}.zip" download>Paket data rilis ini (zip, ' in page
        )

    response = await site.client.get(f"/-/releases/{first}.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response.headers["content-disposition"] == (
        f'attachment; filename="cakupan-datapackage-{first}.zip"'
    )
    first_zip = unzipped(response.content, tmp_path / "first")
    for table, rows in as_first.items():  # every curated row as released, the later note absent
        assert rows_by_key(first_zip / f"data/{table}.csv") == rows, table
    assert [r["release_id"] for r in read_rows(first_zip / "data/releases.csv")] == [first]
    assert sorted(p.name for p in (first_zip / "sources").iterdir()) == sorted(
        p.name for p in (root / "sources").iterdir()
    )
    descriptor = json.loads((first_zip / "datapackage.json").read_text("utf-8"))
    assert descriptor["cakupan:release"]["release_id"] == first
    assert f"version {descriptor['version']}, release {first}" in (
        first_zip / "README.md"
    ).read_text("utf-8")
    assert validate(first_zip).problems == []  # ours and frictionless' checks

    second_zip = unzipped(
        (await site.client.get(f"/-/releases/{second}.zip")).content, tmp_path / "2"
    )
    assert rows_by_key(second_zip / "data/figures.csv") == rows_by_key(root / "data/figures.csv")
    assert [r["release_id"] for r in read_rows(second_zip / "data/releases.csv")] == [first, second]

    unknown = await site.client.get("/-/releases/2020-01-01-00000000.zip")
    assert (unknown.status_code, unknown.text.splitlines()[0]) == (
        404,
        "Zip rilis 2020-01-01-00000000 tidak tersedia; the zip of release 2020-01-01-00000000"
        " is not available: rilis ini tidak ada (no such release).",
    )

    # A release's zip is written once: later builds, incremental or full, keep the file.
    kept = {name: (root / "build/releases" / name).stat().st_ino for _, name, _ in zips}
    set_cell(root, "figures", "f000-02", "note", "catatan lain")
    assert build(root).mode == "incremental"
    assert build(root, force=True).mode == "full"
    assert listed_zips(root) == zips
    assert {n: (root / "build/releases" / n).stat().st_ino for n in kept} == kept
    # A server reads the zips of the build it pinned, whatever the next build does in build/:
    # what a zip is made from besides the release's rows (the descriptor's tables) makes new
    # ones, and the build removes the zips no database lists.
    with serving(root, build=pin_build(root / "build")) as (base, _, _):
        descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
        descriptor["title"] += " (uji)"
        (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False))
        build(root)
        rebuilt = listed_zips(root)
        assert [r for r, _, _ in rebuilt] == [first, second]
        assert sorted(p.name for p in (root / "build/releases").iterdir()) == sorted(
            n for _, n, _ in rebuilt
        )
        assert not set(kept) & {n for _, n, _ in rebuilt}
        with urllib.request.urlopen(f"{base}/-/releases/{first}.zip") as served:
            assert served.read() == response.content


async def test_a_release_whose_article_has_changed_since_has_no_zip_and_says_why(tmp_path):
    from helpers import copy_site, replace_article

    from cakupan.site.app import make_datasette

    root = copy_site(tmp_path / "pkg")
    first = release(root, "2026-12-01").output.split()[-1]
    source = read_rows(root / "data/sources.csv")[0]
    article = root / source["path"]
    replace_article(root, source["source_id"], article.read_bytes() + b"\n")
    build(root)
    why = f"{source['path']} is no longer in the package as this release had it (SHA-256 {source['sha256']})"
    assert listed_zips(root) == [(first, "", why)]
    site = make_datasette(root)
    page = (await site.client.get("/-/releases")).text
    assert (
        f'Zip rilis ini tidak tersedia <span lang="en">This release\'s zip is not available</span>: {why}'
        in page.replace("&#39;", "'")
    )
    response = await site.client.get(f"/-/releases/{first}.zip")
    assert (response.status_code, response.text.splitlines()[0]) == (
        404,
        f"Zip rilis {first} tidak tersedia; the zip of release {first} is not available: {why}.",
    )
