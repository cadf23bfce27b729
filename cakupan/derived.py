"""The derived tables (coverage_gaps, consistency_checks, award_rankings, time_series,
figure_conflicts): computed by the build, region by region, from derived.sql. (The view
figure_citations is made with the citations table: database.py.)

A page then reads a row by key or a bounded index range; nothing on a request path scans
`figures`. Both kinds of build use `refresh`: the full build for every region, the incremental
one for the regions whose figures or awards an edit added, changed or removed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import cache
from importlib.resources import files

STEP = re.compile(r"^-- step: (.+)$", re.M)
DERIVED_TABLES = (
    "coverage_gaps",
    "consistency_checks",
    "consistency_check_figures",
    "award_rankings",
    "time_series",
    "figure_conflicts",
)


@cache
def steps() -> list[tuple[str, str]]:
    """(name, SQL) of each step of derived.sql, in order."""
    text = files("cakupan").joinpath("derived.sql").read_text("utf-8")
    parts = STEP.split(text)[1:]
    return [(name.strip(), sql.strip()) for name, sql in zip(parts[::2], parts[1::2], strict=True)]


def _statements(sql: str) -> list[str]:
    out, current = [], []
    for line in sql.splitlines():
        current.append(line)
        if sqlite3.complete_statement("\n".join(current)):
            out.append("\n".join(current))
            current = []
    return out


def create(conn: sqlite3.Connection) -> None:
    """The tables and indexes (idempotent: `IF NOT EXISTS`)."""
    for name, sql in steps():
        if not name.startswith("fill "):
            for statement in _statements(sql):
                conn.execute(statement)


def refresh(conn: sqlite3.Connection, regions: list[str] | None = None) -> None:
    """Compute the derived rows of `regions` (every region when None) inside the caller's
    transaction: their old rows are deleted, then the fill statements insert them again."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS derived_scope (region_code TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.derived_scope")
    if regions is None:
        conn.execute("INSERT INTO temp.derived_scope SELECT region_code FROM regions")
    else:
        conn.execute(
            "INSERT OR IGNORE INTO temp.derived_scope SELECT value FROM json_each(?)",
            (json.dumps(sorted(regions)),),
        )
        for table in DERIVED_TABLES:
            conn.execute(
                f"DELETE FROM [{table}] WHERE region_code IN (SELECT region_code FROM temp.derived_scope)"
            )
    for name, sql in steps():
        if name.startswith("fill "):
            conn.execute(sql)
    link_checks_to_figures(conn)


def link_checks_to_figures(conn: sqlite3.Connection) -> None:
    """consistency_check_figures: a row per figure a check in scope rests on. Split here, not in
    SQL: a recursive CTE over the comma lists takes several times longer."""
    checks = conn.execute(  # streamed: SQLite reads one table while this inserts into another
        "SELECT check_kind, figure_ids, region_code FROM consistency_checks "
        "WHERE region_code IN (SELECT region_code FROM temp.derived_scope)"
    )
    conn.executemany(
        "INSERT OR IGNORE INTO consistency_check_figures VALUES (?, ?, ?, ?)",
        (
            (figure_id, kind, ids, region)
            for kind, ids, region in checks
            for figure_id in ids.split(",")
        ),
    )


def regions_of(conn: sqlite3.Connection, source_ids: list[str]) -> set[str]:
    """The regions the figures and awards of these articles are about, as the file has them now."""
    ids = (json.dumps(source_ids),)
    found = conn.execute(
        "SELECT region_code FROM figures WHERE source_id IN (SELECT value FROM json_each(?)) "
        "UNION SELECT region_code FROM awards WHERE source_id IN (SELECT value FROM json_each(?))",
        ids * 2,
    )
    return {code for (code,) in found}
