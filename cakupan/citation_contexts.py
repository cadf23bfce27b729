"""What a citation needs, read from a built database: the figure with its region, indicator,
speaker and article, one query shared by the build (the citations table), the cite page and
`cakupan cite`. citations.py turns a context into each style."""

from __future__ import annotations

import json

from .query_rows import dict_rows

# A figure with its region, indicator, article, speaker and the speaker's post in that article,
# every join by key: for the citations here and the figure_citations view (database.py).
FIGURE_JOINS = """
FROM figures f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
JOIN sources s ON s.source_id = f.source_id
LEFT JOIN people p ON p.person_id = f.speaker_id
LEFT JOIN posts po ON po.person_id = f.speaker_id AND po.source_id = f.source_id
"""

CONTEXT_SQL = (
    """
SELECT f.figure_id, f.value, f.unit, f.qualifier, f.as_of, f.target_year, f.quote, f.quote_start,
       f.quote_end, f.source_id, f.attribution, r.name AS region_name, r.level AS region_level,
       i.name_id AS indicator_name_id, i.name_en AS indicator_name_en, p.name AS speaker,
       po.post AS speaker_post, s.outlet, s.headline, s.byline, s.published, s.url, s.date_accessed"""
    + FIGURE_JOINS
)


def contexts(
    conn, figure_id: str | None = None, source_ids: list[str] | None = None, stream: bool = False
):
    """Everything a citation needs, from a built database: one figure's, the figures of some
    articles', or every figure's; a list, or with `stream` an iterator (the build's 100,000)."""
    if figure_id:
        sql, params = CONTEXT_SQL + " WHERE f.figure_id = ?", (figure_id,)
    elif source_ids is not None:
        sql = (
            CONTEXT_SQL
            + " WHERE f.source_id IN (SELECT value FROM json_each(?)) ORDER BY f.figure_id"
        )
        params = (json.dumps(source_ids),)
    else:
        sql, params = CONTEXT_SQL + " ORDER BY f.figure_id", ()
    found = dict_rows(conn.execute(sql, params))
    return found if stream else list(found)
