"""A query's rows as dicts keyed by column name, whatever the connection's row_factory: the
library's readers run on the build's connections and on the site's (which use sqlite3.Row)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def dict_rows(cursor: sqlite3.Cursor) -> Iterator[dict]:
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)
