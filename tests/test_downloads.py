"""Downloads a spreadsheet cannot turn against its user: the canonical CSV stays exact, and every
table, view and query is also an .xlsx whose text cells are text, never formulas."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from urllib.parse import quote

import hostile
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import ROOT, read_rows, set_cell
from openpyxl.utils.escape import unescape

from cakupan.build import DB_NAME, build
from cakupan.checks import FORMULA_STARTS
from cakupan.cli import cli
from cakupan.site.app import make_datasette

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = hostile.copy_site(tmp_path_factory.mktemp("downloads") / "pkg")
    build(root)
    return make_datasette(root)


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    root = hostile.build(tmp_path_factory.mktemp("hostile-downloads") / "pkg")
    build(root)
    return root


@pytest.fixture(scope="module")
def hostile_site(hostile_root):
    return make_datasette(hostile_root)


async def xlsx(datasette, path: str) -> openpyxl.Workbook:
    response = await datasette.client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (200, XLSX)
    for name in zipfile.ZipFile(io.BytesIO(response.content)).namelist():
        if name.startswith("xl/worksheets/"):
            # no formula element anywhere in the file, whatever openpyxl makes of it on reading
            assert b"<f>" not in zipfile.ZipFile(io.BytesIO(response.content)).read(name)
    return openpyxl.load_workbook(io.BytesIO(response.content))


def cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows()]


def values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def test_the_csv_stays_canonical_byte_for_byte(hostile_site, hostile_root):
    """No apostrophes, no byte-order mark: the CSV is the data, formula-like cells included."""
    response = await hostile_site.client.get("/cakupan/figures.csv?_size=max")
    with sqlite3.connect(hostile_root / "build" / DB_NAME) as db:
        cursor = db.execute("select * from figures order by figure_id")
        expected = io.StringIO()
        writer = csv.writer(expected)  # Python's csv, as Datasette writes it: CRLF, minimal quoting
        writer.writerow([column[0] for column in cursor.description])
        writer.writerows(cursor)
    assert response.content == expected.getvalue().encode("utf-8")
    assert (
        b'"=HYPERLINK(""javascript:alert(1)"",""<script>alert(1)</script>"")"' in response.content
    )


async def test_every_table_view_and_query_offers_an_xlsx_download(site):
    database = site.get_database("cakupan")
    names = [
        n for n in await database.table_names() + await database.view_names() if "_fts" not in n
    ]
    assert "figures" in names and "coverage_gaps" in names
    for name in names:
        page = (await site.client.get(f"/cakupan/{name}")).text
        assert f'<a href="/cakupan/{name}.xlsx' in page, name
    canned = (await site.client.get("/cakupan/figures_for_region?region=Jambi")).text
    assert '<a href="/cakupan/figures_for_region.xlsx?region=Jambi">xlsx</a>' in canned
    query = (await site.client.get("/cakupan?sql=select+1")).text
    assert '<a href="/cakupan.xlsx?sql=select+1">xlsx</a>' in query


@pytest.mark.parametrize(
    "path",
    [
        "/cakupan/coverage_gaps.{}?_size=max",
        "/cakupan/regions.{}?_size=max",
        "/cakupan/figures_for_region.{}?region=Sarolangun",
        "/cakupan.{}?sql=" + quote("select figure_id, value, quote from figures order by value"),
    ],
)
async def test_the_xlsx_holds_what_the_json_holds_cell_for_cell(site, path):
    json_rows = (await site.client.get(path.format("json") + "&_shape=array")).json()
    sheet = (await xlsx(site, path.format("xlsx"))).worksheets[0]
    header, *rows = cells(sheet)
    assert [c.value for c in header] == list(json_rows[0])
    assert [[c.value for c in row] for row in rows] == [list(r.values()) for r in json_rows]
    for row, json_row in zip(rows, json_rows, strict=True):
        for cell, value in zip(row, json_row.values(), strict=True):
            expected_type = {str: "s", int: "n", float: "n", type(None): "n"}[type(value)]
            assert cell.data_type == expected_type, (cell.coordinate, value)


async def test_the_xlsx_expands_labels_like_the_csv(site):
    sheet = (await xlsx(site, "/cakupan/figures.xlsx?_labels=on&_size=max")).worksheets[0]
    csv_text = (await site.client.get("/cakupan/figures.csv?_labels=on&_size=max")).text
    csv_rows = list(csv.reader(io.StringIO(csv_text)))
    assert values(sheet)[0] == csv_rows[0]
    assert "region_code_label" in csv_rows[0]
    first = dict(zip(csv_rows[0], values(sheet)[1], strict=True))
    assert (first["figure_id"], first["region_code"], first["region_code_label"]) == (
        "f000-01",
        "15.03",
        "Kabupaten Sarolangun",
    )
    assert first["value"] == 112000


async def test_hostile_text_in_the_xlsx_is_text_never_a_formula(hostile_site):
    book = await xlsx(hostile_site, "/cakupan/figures.xlsx?_size=max")
    sheet = book["figures"]
    header, *rows = cells(sheet)
    column = {c.value: i for i, c in enumerate(header)}
    by_id = {row[column["figure_id"]].value: row for row in rows}
    formula = by_id["f900-02"]
    for name, text in (("quote", hostile.FORMULA_QUOTE), ("note", hostile.FORMULA_NOTE)):
        cell = formula[column[name]]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    quoted = by_id["f900-01"]
    assert quoted[column["quote"]].value == hostile.FIGURE_QUOTE  # zero-width space kept
    assert quoted[column["note"]].value == "<img src=x onerror=alert(1)> “catatan” – 43 × 2"
    assert (quoted[column["value"]].value, quoted[column["value"]].data_type) == (43, "n")
    assert [
        c.coordinate
        for s in book.worksheets
        for row in s.iter_rows()
        for c in row
        if c.data_type == "f"
    ] == []


AWKWARD = {
    "equals": ("'=1+1'", "=1+1"),
    "plus": ("'+62 812 555'", "+62 812 555"),
    "minus": ("'-5 persen'", "-5 persen"),
    "at": ("'@SUM(A1:A9)'", "@SUM(A1:A9)"),
    "tab": ("char(9) || '=1+1'", "\t=1+1"),
    "cr": ("char(13) || '=1+1'", "\r=1+1"),
    "error_code": ("'#N/A'", "#N/A"),
    "escape_lookalike": ("'_x0041_'", "_x0041_"),
    "control": ("'a' || char(11) || 'b'", "a\x0bb"),
    "indonesian": (
        "'Cakupan “43 persen” – naik 2 × lipat'",
        "Cakupan “43 persen” – naik 2 × lipat",
    ),
    "big_integer": ("9007199254740993", "9007199254740993"),
    "blob": ("x'00ff'", "<Binary: 2 bytes>"),
}


async def test_awkward_text_round_trips_as_text(site):
    sql = "select " + ", ".join(f"{expr} as {name}" for name, (expr, _) in AWKWARD.items())
    sql += ", 43 as whole, 0.5 as part, null as empty"
    sheet = (await xlsx(site, "/cakupan.xlsx?sql=" + quote(sql))).worksheets[0]
    header, row = cells(sheet)
    got = dict(zip((c.value for c in header), row, strict=True))
    for name, (_, text) in AWKWARD.items():
        cell = got[name]
        # what Excel shows: the OOXML escapes (_x000D_, _x005F_) decoded
        assert (unescape(cell.value), cell.data_type) == (text, "s"), name
        assert cell.quotePrefix == text.startswith(FORMULA_STARTS), name
    assert [(got[n].value, got[n].data_type) for n in ("whole", "part", "empty")] == [
        (43, "n"),
        (0.5, "n"),
        (None, "n"),
    ]


async def test_text_longer_than_an_excel_cell_is_cut_visibly(hostile_site, hostile_root):
    with sqlite3.connect(hostile_root / "build" / DB_NAME) as db:
        (text,) = db.execute(
            "select text from articles where source_id = ?", (hostile.SOURCE_ID,)
        ).fetchone()
    assert len(text) > 50_000
    sheet = (await xlsx(hostile_site, "/cakupan/articles.xlsx?_size=max")).worksheets[0]
    header, *rows = values(sheet)
    row = next(r for r in rows if r[0] == hostile.SOURCE_ID)
    assert row[header.index("text")] == text[:32_766] + "…"


@pytest.mark.parametrize(
    "size, rows, complete",
    [
        ("5", 5, "no: more rows exist; add ?_size=max or use the CSV"),
        ("max", len(read_rows(ROOT / "data" / "figures.csv")), "yes"),
    ],
)
async def test_the_about_sheet_says_where_the_rows_came_from(site, size, rows, complete):
    book = await xlsx(site, f"/cakupan/figures.xlsx?_size={size}")
    assert book.sheetnames == ["figures", "about"]
    about = dict(values(book["about"]))
    assert about["source"] == f"http://localhost/cakupan/figures.xlsx?_size={size}"
    assert about["sql"].startswith("select figure_id, source_id, region_code")
    assert (about["rows"], about["complete"]) == (rows, complete)
    assert about["licence"] == "CC BY 4.0 (data); article texts © their outlets"
    assert len(values(book["figures"])) == rows + 1


async def test_the_xlsx_is_a_named_attachment_and_a_bad_query_is_a_400(site):
    response = await site.client.get("/cakupan/coverage_gaps.xlsx")
    assert response.headers["content-disposition"] == 'attachment; filename="coverage_gaps.xlsx"'
    bad = await site.client.get("/cakupan.xlsx?sql=select+*+from+nope")
    assert (bad.status_code, bad.text) == (400, "no such table: nope")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_validate_warns_about_a_formula_like_cell(package, start):
    note = f'{start}HYPERLINK("http://evil.example","klik")'
    set_cell(package, "figures", "f000-01", "note", note)
    row = 2 + [r["figure_id"] for r in read_rows(package / "data" / "figures.csv")].index("f000-01")
    result = CliRunner().invoke(cli, ["validate", "--root", str(package), "--no-frictionless"])
    assert result.exit_code == 0  # a warning, not an error: such text may be legitimate
    assert (
        f"warning: data/figures.csv row {row} field note: found {note!r}; expected text that does "
        "not start with = + - @ tab or CR (a spreadsheet would run it) [formula-like]"
    ) in result.output.splitlines()
