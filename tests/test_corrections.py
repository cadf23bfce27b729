"""Corrections: a released figure or award changed only with a row explaining it; retractions."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

from click.testing import CliRunner
from helpers import copy_site, read_rows, set_cell, write_rows

from cakupan.build import build
from cakupan.cli import cli
from cakupan.releases import as_released, history
from cakupan.site.app import make_datasette
from cakupan.validate import validate


def release(root, on):
    result = CliRunner().invoke(cli, ["release", "--root", str(root), "--on", on])
    assert result.exit_code == 0, result.output
    return result.output.split()[-1]


def add_correction(root, **row):
    path = root / "data/corrections.csv"
    rows = read_rows(path) + [row]
    write_rows(
        path, rows, ["record_id", "corrected_on", "field", "old_value", "new_value", "reason"]
    )


def test_an_unexplained_change_is_refused_naming_record_field_and_release(package):
    release_id = release(package, "2026-12-01")
    set_cell(package, "figures", "f000-01", "as_of", "2024-10-01")
    set_cell(package, "awards", "a002-1", "region_code", "15.05")
    problems = [str(p) for p in validate(package, with_frictionless=False).problems]
    assert problems == [
        "data/awards.csv row 2 field region_code: found '15.05', changed from '15.08' in release "
        f"{release_id}; expected the change of record a002-1 field region_code explained in "
        "data/corrections.csv (record_id a002-1, field region_code, old_value '15.08', new_value "
        "'15.05', and a reason) [unexplained-change]",
        "data/figures.csv row 2 field as_of: found '2024-10-01', changed from '2024-10-02' in release "
        f"{release_id}; expected the change of record f000-01 field as_of explained in "
        "data/corrections.csv (record_id f000-01, field as_of, old_value '2024-10-02', new_value "
        "'2024-10-01', and a reason) [unexplained-change]",
    ]


def test_an_explained_correction_validates_and_has_a_history(package):
    first = release(package, "2026-12-01")
    set_cell(package, "figures", "f000-01", "as_of", "2024-10-01")
    add_correction(
        package,
        record_id="f000-01",
        corrected_on="2026-12-03",
        field="as_of",
        old_value="2024-10-02",
        new_value="2024-10-01",
        reason="the event was the day before",
    )
    assert validate(package, with_frictionless=False).problems == []
    second = release(package, "2026-12-04")
    with closing(sqlite3.connect(build(package).path)) as conn:
        assert history(conn, "f000-01") == [
            {
                "date": "2026-12-03",
                "field": "as_of",
                "old": "2024-10-02",
                "new": "2024-10-01",
                "reason": "the event was the day before",
                "release_id": second,
            }
        ]
        assert as_released(conn, "f000-01", first)["as_of"] == "2024-10-02"
        assert as_released(conn, "f000-01", second)["as_of"] == "2024-10-01"


def test_a_correction_of_no_row_and_a_half_recorded_retraction(package):
    add_correction(
        package,
        record_id="f999-01",
        corrected_on="2026-12-03",
        field="value",
        old_value="1",
        new_value="2",
        reason="x",
    )
    set_cell(package, "sources", "002_ad03d7ffec287ddd", "retracted_on", "2026-12-01")
    problems = [str(p) for p in validate(package, with_frictionless=False).problems]
    assert problems == [
        "data/corrections.csv row 2 field record_id: found 'f999-01'; expected the figure_id or "
        "award_id of a released or current row [correction-record]",
        "data/sources.csv row 4 field retraction_reason: found ''; expected a reason when "
        "retracted_on is given [retraction]",
    ]


def test_a_retracted_article_leaves_gaps_and_rankings_but_keeps_its_rows(package):
    set_cell(package, "sources", "002_ad03d7ffec287ddd", "retracted_on", "2026-12-01")
    set_cell(
        package, "sources", "002_ad03d7ffec287ddd", "retraction_reason", "withdrawn by the outlet"
    )
    with closing(sqlite3.connect(build(package).path)) as conn:
        kept = conn.execute("SELECT count(*) FROM awards WHERE source_id = '002_ad03d7ffec287ddd'")
        assert kept.fetchone()[0] == 3
        ranked = conn.execute(
            "SELECT count(*) FROM award_rankings WHERE source_id = '002_ad03d7ffec287ddd'"
        )
        assert ranked.fetchone()[0] == 0
        gaps = conn.execute(
            "SELECT count(*) FROM coverage_gaps WHERE '002_ad03d7ffec287ddd' IN (actual_source_id, target_source_id)"
        )
        assert gaps.fetchone()[0] == 0


async def test_a_retracted_articles_page_says_so_and_why(tmp_path):
    root = copy_site(tmp_path / "pkg")
    set_cell(root, "sources", "002_ad03d7ffec287ddd", "retracted_on", "2026-12-01")
    set_cell(root, "sources", "002_ad03d7ffec287ddd", "retraction_reason", "ditarik oleh media <b>")
    build(root)
    html = (await make_datasette(root).client.get("/-/articles/002_ad03d7ffec287ddd")).text
    [note] = re.findall(r'<p class="warn retracted" role="note">(.*?)</p>', html, re.S)
    assert re.sub(r"<[^>]+>", "", note) == (
        "Artikel ini ditarik pada 1 Desember 2026: ditarik oleh media &lt;b&gt;. Angka-angkanya "
        "tetap tampil untuk rujukan, tetapi tidak dipakai dalam kesenjangan dan peringkat. This "
        "article was retracted on 1 December 2026: ditarik oleh media &lt;b&gt;. Its figures stay "
        "visible for reference but have left the gaps and rankings."
    )


async def test_a_cite_page_shows_its_corrections_and_the_figure_as_in_each_release(tmp_path):
    root = copy_site(tmp_path / "pkg")
    first = release(root, "2026-12-01")
    set_cell(root, "figures", "f000-01", "as_of", "2024-10-01")
    add_correction(
        root,
        record_id="f000-01",
        corrected_on="2026-12-03",
        field="as_of",
        old_value="2024-10-02",
        new_value="2024-10-01",
        reason="peristiwanya sehari sebelumnya <i>",
    )
    second = release(root, "2026-12-04")
    build(root)
    site = make_datasette(root)

    def text_of(html: str, pattern: str) -> list[str]:
        found = re.findall(pattern, html, re.S)
        cells = [re.sub(r"</t[dh]>", " ", f) for f in found]  # a table's cells read apart
        return [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells]

    now = (await site.client.get("/-/cite/f000-01")).text
    assert text_of(now, r'<ul class="history">(.*?)</ul>') == [
        "diubah changed 3 Desember 2026: as_of 2024-10-02 → 2024-10-01; alasan reason: "
        f"peristiwanya sehari sebelumnya &lt;i&gt; (rilis {second})"
    ]
    assert f'href="http://localhost/-/cite/f000-01?rilis={second}"' in now
    then = (await site.client.get(f"/-/cite/f000-01?rilis={first}&utm_source=x")).text
    assert text_of(then, r'<tr class="changed">(.*?)</tr>') == [
        "as_of 2024-10-02 2024-10-01 diubah changed"
    ]
    assert f"Sebagaimana dalam rilis {first}" in then
    assert "Sebagaimana dalam rilis" not in (await site.client.get("/-/cite/f000-01")).text
    missing = await site.client.get("/-/cite/f000-01?rilis=2020-01-01-nope")
    assert missing.status_code == 404
    assert "tidak ada dalam rilis &#39;2020-01-01-nope&#39;" in missing.text
