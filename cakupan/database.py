"""The tables of cakupan.db made from the package: the curated tables from their Table Schemas,
citations, and the full-text indexes; and the staging connection they are written through.

Both kinds of build use these: the full build (build_steps.py) on an empty staging file, and the
incremental one (incremental.py) on a copy of the previous database. The articles table is in
articles_table.py, the _build record in build_record.py, the checks in build_checks.py.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .citation_contexts import FIGURE_JOINS, contexts
from .citations import apa, newsroom_en, newsroom_id
from .package import Package, Table
from .problems import BuildError
from .search import FTS_TOKENIZE, create_search_entries

if TYPE_CHECKING:  # imported where a table is created: an incremental build never needs it
    import sqlite_utils

SAFE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
# A Table Schema "number" is declared ANY, which in a table that is not STRICT has NUMERIC
# affinity: "112000" is stored as the integer 112000 and "89.3" as a real, so an integer-valued
# figure reads back, and downloads, as 112000 and not 112000.0. (sqlite-utils has no NUMERIC.)
SQLITE_TYPES = {"string": str, "integer": int, "number": "ANY", "date": str}
SEARCHED = (("articles", "text"), ("figures", "quote"))  # FTS5 tables <table>_fts over <column>

# A staging file needs no crash safety of its own: the rename is what publishes it. A 32 MiB
# page cache keeps the primary-key index and the sorts that build the foreign-key indexes in
# memory instead of spilling them to the file (about a third off the load step at 100,000 rows).
STAGING_PRAGMAS = (
    "PRAGMA journal_mode = DELETE",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -32768",
)


def staging_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in STAGING_PRAGMAS:
        conn.execute(pragma)
    return conn


def checked_identifier(name: str, what: str) -> str:
    if not SAFE_IDENTIFIER.fullmatch(name):
        raise BuildError(
            f"unsafe {what} name {name!r}: expected lower-case letters, digits and _ ({SAFE_IDENTIFIER.pattern})"
        )
    return name


def load_tables(db: sqlite_utils.Database, package: Package, release: bool = False) -> None:
    """Every curated table: created from its schema, loaded, then indexed (the build's load step).

    With `release`, each table's parsed cells are dropped once loaded: from then on the
    database holds them, and a build at 100,000 figures need not hold them twice."""
    for table in package.tables.values():
        create_table(db, table)
        load_rows(db.conn, table)
        create_indexes(db, table)
        if release:
            table.release()


def create_table(db: sqlite_utils.Database, table: Table) -> None:
    schema = table.schema
    columns = {
        checked_identifier(f["name"], "column"): SQLITE_TYPES[f["type"]] for f in schema["fields"]
    }
    not_null = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    foreign_keys = []
    for fk in schema.get("foreignKeys", []):
        ref_table = fk["reference"]["resource"] or table.name
        foreign_keys.append(
            (fk["fields"], checked_identifier(ref_table, "table"), fk["reference"]["fields"])
        )
    db[checked_identifier(table.name, "table")].create(
        columns,
        pk=schema["primaryKey"],
        not_null=not_null,
        foreign_keys=foreign_keys,
        column_order=list(columns),
    )


def create_indexes(db: sqlite_utils.Database, table: Table) -> None:
    """An index per foreign-key column, made after the load: building it once is cheaper than
    keeping it sorted through 100,000 inserts."""
    for fk in table.schema.get("foreignKeys", []):
        db[table.name].create_index([fk["fields"]], find_unique_name=True)


def load_rows(conn: sqlite3.Connection, table: Table) -> None:
    """Insert the validated cells with one prepared statement.

    The cells go in as text and SQLite's declared column types convert them ("43" in a number
    column is stored as the integer 43, "43.5" as a real; "15.10" in a TEXT column stays
    "15.10"), and NULLIF turns an empty cell into NULL inside SQLite: the package has been
    validated, so converting each cell in Python would only repeat that work. sqlite-utils'
    insert_all re-derives columns per batch; one executemany keeps the load near bare sqlite3.
    """
    names = table.field_names
    # a valid package has its columns in schema order, so the parsed cell lists go in as they are
    rows = table.cells if table.header == names else _reordered(table, names)
    columns = ", ".join(f"[{n}]" for n in names)
    # a required cell of a valid package is never empty, so only optional ones need NULLIF
    required = {
        f["name"] for f in table.schema["fields"] if f.get("constraints", {}).get("required")
    }
    values = ", ".join("?" if n in required else "NULLIF(?, '')" for n in names)
    conn.executemany(f"INSERT INTO [{table.name}] ({columns}) VALUES ({values})", rows)


def _reordered(table: Table, names: list[str]) -> list[tuple[str, ...]]:
    positions = [table.header.index(n) for n in names]
    return [tuple(cells[i] for i in positions) for cells in table.cells]


# Every figure with who said it, where, and a ready citation sentence. A view, not a table:
# every join is by key (the citations themselves are a table the build fills), so a lookup by
# figure_id costs a few index seeks, and the file does not hold every quote and citation twice.
FIGURE_CITATIONS_VIEW = (
    """CREATE VIEW figure_citations AS
SELECT f.figure_id, f.value, f.unit, f.qualifier, f.qualifier_text, f.region_code, r.name AS region_name,
       f.indicator_id, i.name_id AS indicator_name_id, i.name_en AS indicator_name_en,
       f.as_of, f.target_year, p.name AS speaker, po.post AS speaker_post, f.attribution,
       s.outlet, s.headline, s.published, s.event_date, s.url, f.source_id,
       f.quote, f.quote_start, f.quote_end,
       c.citation_id AS citation, c.citation_en, c.apa"""
    + FIGURE_JOINS
    + "LEFT JOIN citations c ON c.figure_id = f.figure_id"
)


def create_citations(db: sqlite_utils.Database) -> None:
    """The styles the views show (BibTeX and CSL-JSON are made on request from the same
    context), and the figure_citations view over them."""
    db["citations"].create(
        {"figure_id": str, "citation_id": str, "citation_en": str, "apa": str},
        pk="figure_id",
        foreign_keys=[("figure_id", "figures", "figure_id")],
    )
    db.execute(FIGURE_CITATIONS_VIEW)


def insert_citations(conn: sqlite3.Connection, source_ids: list[str] | None = None) -> None:
    """Citations of every figure, or of the figures of the given articles."""
    found = contexts(conn, source_ids=source_ids, stream=True)
    rows = ((c["figure_id"], newsroom_id(c), newsroom_en(c), apa(c)) for c in found)
    conn.executemany("INSERT INTO citations VALUES (?, ?, ?, ?)", rows)


def create_search(conn: sqlite3.Connection) -> None:
    """FTS5 over article text and figure quotes, made by sqlite-utils (so Datasette finds them),
    with its triggers: an incremental build's deletes and inserts keep them in step."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for table, column in SEARCHED:
        db[table].enable_fts([column], tokenize=FTS_TOKENIZE, create_triggers=True)
    create_search_entries(conn)
