"""The checks a staged database passes before it is published: SQLite's integrity and
foreign-key checks, over the whole file or over the rows an incremental build wrote."""

from __future__ import annotations

import json
import sqlite3

from .database import SEARCHED, checked_identifier
from .problems import BuildError


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
            _expect_ok(conn, f"quick_check({checked_identifier(table, 'table')})")
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
