"""What goes into cakupan.db, and how: tables from the Table Schemas, rendered articles,
citations, full-text search, the _build record, and the checks run before publication.

Both kinds of build use these: the full build (build.py) on an empty staging file, and the
incremental one (incremental.py) on a copy of the previous database.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import subprocess
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .citations import apa, contexts, newsroom_en, newsroom_id
from .fingerprint import DESCRIPTOR, FileHashes, file_sha256
from .package import Package, Table
from .problems import BuildError
from .render import Highlight, render_article
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


def _checked(name: str, what: str) -> str:
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
    columns = {_checked(f["name"], "column"): SQLITE_TYPES[f["type"]] for f in schema["fields"]}
    not_null = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    foreign_keys = []
    for fk in schema.get("foreignKeys", []):
        ref_table = fk["reference"]["resource"] or table.name
        foreign_keys.append((fk["fields"], _checked(ref_table, "table"), fk["reference"]["fields"]))
    db[_checked(table.name, "table")].create(
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


def content_digest(hashes: FileHashes) -> str:
    """A hash of the data itself: every table and article file's SHA-256, by path.

    Equal inputs give an equal hash; unlike the input hash it ignores cakupan's own code and the
    wording of datapackage.json.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in hashes if p != DESCRIPTOR):
        digest.update(f"{path}\0{hashes[path][0]}\n".encode())
    return digest.hexdigest()


Marks = dict[str, list[Highlight]]


def article_highlights(package: Package) -> Marks:
    """Every cited passage of each article: figures link to their cite page, ranks to the awards.
    Read from the cells by column position, so no row dictionaries are made for it."""
    marks: Marks = {}
    for name, key_field, href in (
        ("figures", "figure_id", "/-/cite/{}"),
        ("awards", "award_id", "/-/awards#{}"),
    ):
        table = package.tables.get(name)
        if table is None:
            continue
        at = {
            n: table.header.index(n) for n in (key_field, "quote_start", "quote_end", "source_id")
        }
        for cells in table.cells:
            key = cells[at[key_field]]
            start, end = int(cells[at["quote_start"]]), int(cells[at["quote_end"]])
            mark = Highlight(start, end, key, href.format(key), key)
            marks.setdefault(cells[at["source_id"]], []).append(mark)
    return marks


PARALLEL_RENDER_FROM = 500  # below this, starting worker processes costs more than it saves


def _render(job: tuple[str, str, list[Highlight]]) -> tuple[str, str, int, str]:
    source_id, text, marks = job
    return source_id, text, len(text), render_article(text, marks)


def create_articles(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {"source_id": str, "text": str, "chars": int, "html": str},
        pk="source_id",
        not_null={"text", "html"},
        foreign_keys=[("source_id", "sources", "source_id")],
    )


RENDER_BATCH = 512  # articles rendered and inserted at a time: memory stays bounded by a batch


def insert_articles(
    conn: sqlite3.Connection, package: Package, texts: dict[str, str], marks: Marks | None = None
) -> None:
    """Article texts, and their HTML rendered once here rather than on every request.

    Rendering is pure CPU and independent per article, so a large corpus uses every core. The
    workers are started by a fork server, not forked from this process: a fork would start as
    large as the whole package in memory. Articles go through in batches, so the rendered
    HTML of the whole corpus is never held at once.
    """
    marks = article_highlights(package) if marks is None else marks
    ids = sorted(texts)
    sql = "INSERT INTO articles (source_id, text, chars, html) VALUES (?, ?, ?, ?)"
    batches = [ids[i : i + RENDER_BATCH] for i in range(0, len(ids), RENDER_BATCH)]
    if len(ids) >= PARALLEL_RENDER_FROM and (os.cpu_count() or 1) > 1:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
            for batch in batches:
                jobs = [(sid, texts[sid], marks.get(sid, [])) for sid in batch]
                conn.executemany(sql, pool.map(_render, jobs, chunksize=32))
    else:
        for sid in ids:
            conn.execute(sql, _render((sid, texts[sid], marks.get(sid, []))))


def create_citations(db: sqlite_utils.Database) -> None:
    """The styles the views show; BibTeX and CSL-JSON are made on request from the same context."""
    db["citations"].create(
        {"figure_id": str, "citation_id": str, "citation_en": str, "apa": str},
        pk="figure_id",
        foreign_keys=[("figure_id", "figures", "figure_id")],
    )


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


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def record_build(
    conn: sqlite3.Connection, package: Package, facts: dict[str, str], hashes: FileHashes
) -> None:
    """_build: what was built from what; _build_inputs: the SHA-256 of every input file.

    Written anew by both kinds of build; the source checksums are read back from the sources
    table, so they are the ones the database actually holds.
    """
    checksums = dict(conn.execute("SELECT source_id, sha256 FROM sources ORDER BY source_id"))
    facts = {
        **facts,
        "package_name": package.descriptor.get("name", ""),
        "package_version": package.descriptor.get("version", ""),
        "cakupan_version": __version__,
        "git_commit": git_commit(package.root),
        "source_checksums": json.dumps(checksums, sort_keys=True),
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_build'").fetchone():
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        db["_build"].create({"key": str, "value": str}, pk="key")
        db["_build_inputs"].create({"path": str, "sha256": str, "bytes": int}, pk="path")
    conn.execute("DELETE FROM _build")
    conn.execute("DELETE FROM _build_inputs")
    conn.executemany("INSERT INTO _build VALUES (?, ?)", sorted(facts.items()))
    conn.executemany(
        "INSERT INTO _build_inputs VALUES (?, ?, ?)",
        sorted((path, sha, size) for path, (sha, size) in hashes.items()),
    )


def recorded_inputs(conn: sqlite3.Connection) -> FileHashes:
    return {path: (sha, size) for path, sha, size in conn.execute("SELECT * FROM _build_inputs")}


def check_database(
    conn: sqlite3.Connection, written: dict[str, str] | None = None, affected: list[str] = ()
) -> None:
    """Before publication: SQLite's own structural check and the foreign keys.

    A full build (`written` None) runs integrity_check and foreign_key_check over the whole
    file. An incremental one starts from a file that passed them, so it checks what it wrote:
    quick_check (the page and record checks, without comparing each index entry to its row) of
    each table it wrote and of the search indexes, and the foreign keys of the rows it wrote,
    which `written` selects table by table with SQL conditions on `:affected` (the affected
    articles' source ids as a JSON array, for json_each).
    """
    if written is None:
        _expect_ok(conn, "integrity_check")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    else:
        shadows = [
            r[0]
            for table, _ in SEARCHED
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE ?", (f"{table}_fts_%",)
            )
        ]
        for table in [*written, *shadows]:
            _expect_ok(conn, f"quick_check({_checked(table, 'table')})")
        params = {"affected": json.dumps(list(affected))}
        broken = [
            row
            for table, rows in written.items()
            for row in _broken_keys(conn, table, rows, params)
        ]
    if broken:
        raise BuildError(f"foreign key check failed: {broken[:5]}")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "delete":  # a WAL file would show no tables when served immutable
        raise BuildError(f"journal mode is {mode}, expected delete")


def _expect_ok(conn: sqlite3.Connection, pragma: str) -> None:
    found = conn.execute(f"PRAGMA {pragma}").fetchall()
    if found != [("ok",)]:
        raise BuildError(f"{pragma} failed: {found[:5]}")


def _broken_keys(conn: sqlite3.Connection, table: str, rows: str, params: dict) -> list[tuple]:
    """Like PRAGMA foreign_key_check(table), for the rows the condition `rows` selects."""
    broken = []
    for fk in conn.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
        parent, child, key = fk[2], fk[3], fk[4]
        sql = (
            f"SELECT rowid FROM [{table}] t WHERE ({rows}) AND t.[{child}] IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM [{parent}] p WHERE p.[{key}] = t.[{child}])"
        )
        broken += [(table, rowid, parent) for (rowid,) in conn.execute(sql, params)]
    return broken


def inspect_data(staged: Path, target: Path) -> dict:
    """What `datasette inspect` writes (file hash, size, row counts), named for the target.

    Computed here rather than through Datasette's inspect_, which leaves its connections to the
    staged file open for the life of the process.
    """
    with closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        counts = {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in names
        }
    tables = {name: {"count": count} for name, count in counts.items()}
    return {
        target.stem: {
            "hash": file_sha256(staged),
            "size": staged.stat().st_size,
            "file": str(target),
            "tables": tables,
        }
    }
