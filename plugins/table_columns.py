"""Datasette's table and row pages for journalists: the figures and awards tables show what a
reader came for first (value, region, indicator, quote; rank, region, award, quote), and every
column of cakupan's tables is headed in Indonesian with its name beside it.

Only the order on the page changes: the table, its SQL and every download keep the package's
column order. templates/_table.html and templates/table.html (the phone cards' labels) read
the order through the `column_order` filter, one list of positions per page."""

from datasette import hookimpl

FIRST = {
    "figures": ("value", "unit", "qualifier", "region_code", "indicator_id", "quote"),
    "awards": ("rank", "region_code", "award", "award_year", "category", "quote"),
}

LABELS = {
    "figure_id": "id angka",
    "award_id": "id penghargaan",
    "source_id": "artikel",
    "region_code": "wilayah",
    "indicator_id": "indikator",
    "value": "nilai",
    "unit": "satuan",
    "qualifier": "ketepatan",
    "qualifier_text": "kata ketepatan",
    "as_of": "per tanggal",
    "as_of_basis": "dasar tanggal",
    "target_year": "tahun target",
    "speaker_id": "narasumber",
    "attribution": "jenis kutipan",
    "quote": "kutipan",
    "quote_start": "awal kutipan",
    "quote_end": "akhir kutipan",
    "quote_prefix": "sebelum kutipan",
    "quote_suffix": "sesudah kutipan",
    "note": "catatan",
    "award": "penghargaan",
    "award_year": "tahun",
    "level": "tingkat",
    "organising_region_code": "wilayah penyelenggara",
    "category": "kategori",
    "rank": "peringkat",
    "ceremony_date": "tanggal upacara",
    "name": "nama",
    "parent_code": "wilayah induk",
}


def column_order(columns, table: str | None) -> list[int]:
    """Positions of `columns` (Datasette's display_columns) in the order the page shows them:
    the table's FIRST columns that are present, then the others as the table has them."""
    names = [c["name"] for c in columns]
    first = [names.index(n) for n in FIRST.get(table or "", ()) if n in names]
    return first + [i for i in range(len(names)) if i not in first]


def column_label(name: str) -> str:
    """The Indonesian heading of a column, or '' when it has none."""
    return LABELS.get(name, "")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["column_order"] = column_order
    env.filters["column_label"] = column_label
