"""The one search: articles, quotes, people, awards and regions, as the site's /-/search asks.

Articles and figure quotes are searched through their own full-text tables (articles_fts,
figures_fts). People with their posts, award results and region names are small tables of short
strings, so they share one table, `search_entries`, with one row per thing a hit links to and its
full-text index made by sqlite-utils. Every index folds diacritics ("Dumisake", "dumisake",
"Dumisaké" find the same words).

Hits come back as FTS5 snippets. The text is untrusted, so the snippet marks its words with
private-use sentinels; `marked()` escapes everything and only then turns them into <mark>.

The full-text match drives every query: search_entries is joined with CROSS JOIN, which fixes
SQLite's join order. Left to the planner, the kind's index came first and every entry of a kind
was matched one by one, hundreds of milliseconds for a short word. The kind itself is matched in
the index (`_entries_of`), not filtered after it, so a group counts and ranks its own hits only.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from html import escape

import sqlite_utils

from .query_rows import dict_rows

FTS_TOKENIZE = "unicode61 remove_diacritics 2"
OPEN, CLOSE = "\ue010", "\ue011"  # distinct from render.py's article sentinels
MAX_TERMS = 12  # a search box is not a query language; more words only slow the match
MAX_QUERY_CHARS = 200

# (kind, rows as (key, title, body)): one entry per row of what a hit links to
ENTRY_SQL = {
    "tokoh": """
        select p.person_id, p.name,
               p.name_as_printed || coalesce(' · ' || group_concat(ps.post || ', ' || ps.organisation, ' · '), '')
        from people p left join (select * from posts order by person_id, source_id, post) ps
          on ps.person_id = p.person_id
        group by p.person_id order by p.person_id""",
    "penghargaan": """
        select a.award_id, a.award || ' ' || a.award_year || ' · ' || r.name,
               'peringkat ' || a.rank || ' · ' || coalesce(a.category, '') || ' · ' || a.quote
        from awards a join regions r on r.region_code = a.region_code order by a.award_id""",
    "wilayah": """
        select r.region_code, r.name, r.level || ' · ' || r.region_code || coalesce(' · ' || p.name, '')
        from regions r left join regions p on p.region_code = r.parent_code
        order by r.region_code""",
}


def create_search_entries(conn: sqlite3.Connection) -> None:
    """The search_entries table and its full-text index (sqlite-utils' naming and triggers)."""
    db = sqlite_utils.Database(conn)
    db["search_entries"].create(
        {"entry_id": int, "kind": str, "key": str, "title": str, "body": str},
        pk="entry_id",
        not_null={"kind", "key", "title"},
    )
    db["search_entries"].create_index(["kind", "key"], unique=True)
    fill_search_entries(conn)
    db["search_entries"].enable_fts(
        ["kind", "title", "body"], tokenize=FTS_TOKENIZE, create_triggers=True
    )


def fill_search_entries(conn: sqlite3.Connection) -> None:
    """Every entry anew, in key order (so an incremental build equals a full one): these tables
    are small, and an edit to any of them can rename many entries."""
    conn.execute("DELETE FROM search_entries")
    for kind, sql in ENTRY_SQL.items():
        conn.execute(
            f"INSERT INTO search_entries (kind, key, title, body) SELECT ?, * FROM ({sql})", (kind,)
        )


def fts_query(text: str) -> str:
    """The words of a search box as an FTS5 query: every word must match, the last as a prefix.

    Each word is quoted, so nothing a reader types is FTS5 syntax (AND, NEAR, column filters,
    an unbalanced quote): "BPJS-TK" is two words, not a syntax error.
    """
    words = re.findall(r"\w+", text[:MAX_QUERY_CHARS])[:MAX_TERMS]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def marked(snippet: str) -> str:
    """An FTS5 snippet made with OPEN/CLOSE as safe HTML, its matched words in <mark>."""
    return escape(snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


@dataclass(frozen=True)
class Group:
    kind: str  # the ?jenis= value
    label_id: str
    label_en: str
    matches_sql: str  # the matching rows, for a count (:q)
    hits_sql: str  # :q, :limit, :offset; snippet() made with OPEN/CLOSE

    @property
    def count_sql(self) -> str:
        """How many rows match, counted up to COUNTED_UP_TO + 1: past that a page says "more
        than", and a word in nearly every quote costs what a rarer one does."""
        return f"select count(*) as n from ({self.matches_sql} limit {COUNTED_UP_TO + 1})"

    @property
    def unranked_sql(self) -> str:
        """The hits in the catalogue's order: for a word in nearly every row, ranking them all
        by relevance (bm25) takes longer than a page may, and says little."""
        return re.sub(r"order by (\w+)\.rank", r"order by \1.rowid", self.hits_sql)


def _snippet(table: str, column: int, tokens: int) -> str:
    return f"snippet({table}, {column}, '{OPEN}', '{CLOSE}', '…', {tokens})"


def _entries_of(kind: str) -> str:
    """The match of :q in the title or body of one kind's entries. The kind is a column of the
    full-text index, so the index keeps only that kind's matches, and only those are ranked:
    a word in many people's posts ("Tengah") costs the region group nothing."""
    return f"search_entries_fts match 'kind : {kind} AND {{title body}} : (' || :q || ')'"


GROUPS = [
    Group(
        "artikel",
        "Artikel",
        "Articles",
        "select 1 from articles_fts where articles_fts match :q",
        f"""select s.source_id as key, coalesce(s.headline, '(tanpa judul / untitled)') as title,
                  s.outlet, coalesce(s.published, s.event_date) as date,
                  {_snippet("articles_fts", 0, 28)} as snippet
           from articles_fts join sources s on s.rowid = articles_fts.rowid
           where articles_fts match :q order by articles_fts.rank limit :limit offset :offset""",
    ),
    Group(
        "angka",
        "Angka dan kutipan",
        "Figures and quotes",
        "select 1 from figures_fts where figures_fts match :q",
        f"""select f.figure_id as key, r.name as title, i.name_id as indicator_id_name,
                  i.name_en as indicator_en_name, f.value, f.unit, f.qualifier, f.as_of as date,
                  {_snippet("figures_fts", 0, 24)} as snippet
           from figures_fts join figures f on f.rowid = figures_fts.rowid
           join regions r on r.region_code = f.region_code
           join indicators i on i.indicator_id = f.indicator_id
           where figures_fts match :q order by figures_fts.rank limit :limit offset :offset""",
    ),
    *(
        Group(
            kind,
            label_id,
            label_en,
            f"select 1 from search_entries_fts where {_entries_of(kind)}",
            f"""select e.key, {_snippet("search_entries_fts", 1, 12)} as title_marked,
                      {_snippet("search_entries_fts", 2, 20)} as snippet, a.source_id
               from search_entries_fts cross join search_entries e on e.entry_id = search_entries_fts.rowid
               left join awards a on e.kind = 'penghargaan' and a.award_id = e.key
               where {_entries_of(kind)}
               order by search_entries_fts.rank limit :limit offset :offset""",
        )
        for kind, label_id, label_en in [
            ("wilayah", "Wilayah", "Regions"),
            ("tokoh", "Tokoh", "People"),
            ("penghargaan", "Penghargaan", "Awards"),
        ]
    ),
]
GROUP_BY_KIND = {g.kind: g for g in GROUPS}
# Past this many hits a group says "more than", lists them unranked (Group.unranked_sql) and pages
# through the first this many only: a reader narrows a search of thousands, not pages it.
COUNTED_UP_TO = 1000


def group_hits(
    conn: sqlite3.Connection, group: Group, query: str, limit: int, offset: int
) -> tuple[int, list[dict]]:
    """(count, rows) of one group: the count up to COUNTED_UP_TO + 1 (which means "more than
    COUNTED_UP_TO"), and the rows limit/offset of the first COUNTED_UP_TO hits, ranked by
    relevance unless there are more than that."""
    [count] = conn.execute(group.count_sql, {"q": query}).fetchone()
    sql = group.hits_sql if count <= COUNTED_UP_TO else group.unranked_sql
    limit = min(limit, COUNTED_UP_TO - offset)
    if not count or limit <= 0:
        return count, []
    return count, list(dict_rows(conn.execute(sql, {"q": query, "limit": limit, "offset": offset})))
