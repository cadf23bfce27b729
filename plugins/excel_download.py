"""Every table, view and query as a real Excel file: /cakupan/figures.xlsx, beside Datasette's CSV.

Datasette's CSV stays canonical and untouched, byte for byte. Opened in a spreadsheet, a CSV
cell such as `=HYPERLINK(...)` runs as a formula (OWASP "CSV injection"); the usual remedy, a
leading apostrophe, changes the data: a quote starting with "-" would no longer equal
text[quote_start:quote_end], and tools other than Excel show the apostrophe. So there is one
spreadsheet download, and it is .xlsx, whose cells carry their type: text is written as text,
so it is never a formula, whatever it starts with, and no apostrophe is added to the value.
Formula-like text also gets Excel's quotePrefix style, so editing the cell keeps it text. Excel
reads .xlsx as Unicode, so no byte-order mark or encoding guess is needed for "persen" or “ ” – ×.

What a spreadsheet cannot hold exactly is written so Excel shows the original:
- control characters XML cannot carry (and CR, which XML would turn into LF) as OOXML escapes
  (_x000D_), and a literal "_x0041_" in the text as "_x005F_x0041_", so Excel does not decode it;
- integers beyond 2^53 and non-finite floats as text, since Excel would round or reject them;
- blobs as "<Binary: N bytes>", as on Datasette's pages;
- text past Excel's 32,767 characters per cell is cut there, ending in "…"; the CSV and JSON
  carry it whole. The "about" sheet says where the rows came from and whether there are more.
"""

from __future__ import annotations

import io
import math
import re

from datasette import hookimpl
from datasette.utils.asgi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cakupan.checks import FORMULA_STARTS
from cakupan.site.public_url import base_url

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_CELL_CHARS = 32_767
EXACT_INTEGERS = 2**53
# what XML 1.0 cannot carry, CR (XML parsers turn it into LF), and text that looks like an escape
NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")
FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def ooxml_escape(text: str) -> str:
    return NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def fitted(text: str) -> str:
    """The escaped text, cut to what one Excel cell holds (openpyxl would cut it silently)."""
    escaped = ooxml_escape(text)
    keep = EXCEL_CELL_CHARS - 1
    while len(escaped) > EXCEL_CELL_CHARS:
        escaped = ooxml_escape(text[:keep]) + "…"
        keep -= len(escaped) - EXCEL_CELL_CHARS
    return escaped


def text_cell(sheet, text: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=fitted(text))
    cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error cell
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def value_cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int) and abs(value) < EXACT_INTEGERS:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, bytes):
        return text_cell(sheet, f"<Binary: {len(value):,} bytes>")
    return text_cell(sheet, str(value))


def with_labels(columns, rows) -> tuple[list[str], list[list]]:
    """Rows as lists; a foreign key that ?_labels=on expanded to {"value", "label"} becomes two
    columns, `region_code` and `region_code_label`, as in Datasette's CSV."""
    rows = [[row.get(c) for c in columns] if isinstance(row, dict) else list(row) for row in rows]
    labelled = {i for row in rows for i, v in enumerate(row) if isinstance(v, dict)}
    header = []
    for i, column in enumerate(columns):
        header += [column, f"{column}_label"] if i in labelled else [column]
    table = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if i not in labelled:
                cells.append(v)
            else:
                cells += [v.get("value"), v.get("label")] if isinstance(v, dict) else [v, None]
        table.append(cells)
    return header, table


def workbook_bytes(title, columns, rows, about) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME_UNSAFE.sub("_", title)[:31] or "data")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header, table = with_labels(columns, rows)
    sheet.append([text_cell(sheet, str(c), bold) for c in header])
    for values in table:
        sheet.append([value_cell(sheet, v) for v in values])
    notes = workbook.create_sheet("about")
    for key, value in about:
        notes.append([text_cell(notes, key, bold), value_cell(notes, value)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_xlsx(datasette, request, database, table, query_name, columns, rows, sql, data):
    if data.get("error"):
        return Response.text(str(data["error"]), status=400)
    title = table or query_name or database
    more = data.get("next") or data.get("truncated")
    about = [
        ("source", base_url(datasette, request) + request.full_path),
        ("sql", sql),
        ("rows", len(rows)),
        ("complete", "no: more rows exist; add ?_size=max or use the CSV" if more else "yes"),
        ("licence", datasette.metadata("license")),
    ]
    body = workbook_bytes(title, columns, rows, about)
    filename = FILE_NAME_UNSAFE.sub("_", title) + ".xlsx"
    return Response(
        body,
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@hookimpl
def register_output_renderer():
    return {"extension": "xlsx", "render": render_xlsx, "can_render": lambda: True}
