"""`_search` on a table or view without full-text search answers 400 instead of every row.

Datasette 0.65 ignores `_search` where no FTS table is configured, so a visitor searching
awards or a view silently got the whole table. The site has one search, at /-/search."""

from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import BadRequest


def message(terms: str) -> str:
    return (
        "Tabel ini tidak mendukung pencarian teks; gunakan /-/search?q="
        f"{quote(terms)} . This table has no full-text search; use /-/search?q={quote(terms)}"
    )


@hookimpl
def filters_from_request(request, database, table, datasette):
    terms = [request.args[k] for k in request.args if k == "_search" or k.startswith("_search_")]
    if not terms:
        return None

    async def inner():
        metadata = datasette.table_metadata(database, table)
        if metadata.get("fts_table"):
            return None
        db = datasette.get_database(database)
        if await db.fts_table(table):
            return None
        raise BadRequest(message(terms[0]))

    return inner
