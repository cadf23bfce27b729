"""Requests that would make one page cost many queries, or crash a view, answered 4xx first.

- only GET and HEAD (405 otherwise): the site is read-only, with no logins and no writable
  canned queries; Datasette 0.65 answers a POST to a read-only canned query with a 500.
- at most 8 KB of query string (414): every link the site makes is far shorter, and the SQL
  editor's longest canned query is under 1 KB; without a bound, one URL can carry megabytes of
  SQL or thousands of filters.
- at most 5 facet parameters (_facet, _facet_array, _facet_date together; 400): each is one more
  query per page view, and the tables' own facets from metadata.yml are not counted.
- no ?_where= (400): Datasette splices it, as SQL, into the table page's row query, its count
  query and every facet query, so one expression is run up to seven times per page, each time
  with its own time limit. Anyone can still run the same SQL once, on the same read-only
  connection, through the SQL editor (/cakupan?sql=...), which the site's links use.
- ?_timelimit= must be a positive whole number and ?_through= a JSON object naming table, column
  and value (400): Datasette 0.65 answers anything else with a 500. _timelimit can only lower
  sql_time_limit_ms, never raise it (Datasette takes the smaller of the two).
- Datasette's debugging pages that tell a stranger about the server (/-/threads, /-/databases
  with the file's path, /-/allow-debug, /-/permissions, /-/messages, /-/actor) answer 404, and
  SQL naming pragma_database_list (the database file's path on this machine) answers 400.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

MAX_QUERY_STRING = 8 * 1024
MAX_FACETS = 5
FACET_PARAMETERS = {"_facet", "_facet_array", "_facet_date"}
PRIVATE_PAGES = re.compile(
    r"/-/(threads|databases|allow-debug|permissions|messages|actor)(\.json)?/?"
)
# quotes and brackets are how SQL spells an identifier either way: "pragma_database_list"
IDENTIFIER_QUOTES = str.maketrans("", "", "\"'`[]")


def refusal(query_string: bytes) -> tuple[int, str] | None:
    """(status, reason) when the query string is refused, else None."""
    if len(query_string) > MAX_QUERY_STRING:
        return 414, f"The query string is longer than {MAX_QUERY_STRING} bytes."
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in params]
    if sum(name in FACET_PARAMETERS for name in names) > MAX_FACETS:
        return 400, f"At most {MAX_FACETS} facets at a time."
    if "_where" in names:
        return 400, "_where is not accepted here; run the SQL in the SQL editor (/cakupan?sql=...)."
    for name, value in params:
        if name == "sql" and "pragma_database_list" in value.lower().translate(IDENTIFIER_QUOTES):
            return 400, "pragma_database_list is not available here."
        if name == "_timelimit" and not (value.isdecimal() and int(value) > 0):
            return 400, "_timelimit must be a positive whole number of milliseconds."
        if name == "_through" and not _valid_through(value):
            return 400, '_through must be JSON like {"table": ..., "column": ..., "value": ...}.'
    return None


def _valid_through(value: str) -> bool:
    try:
        through = json.loads(value)
    except ValueError:
        return False
    return (
        isinstance(through, dict)
        and isinstance(through.get("table"), str)
        and isinstance(through.get("column"), str)
        and isinstance(through.get("value"), str | int | float)
    )


def wrap(app, datasette=None):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http":
            refused = refusal(scope.get("query_string", b""))
            if scope["method"] not in ("GET", "HEAD"):
                refused = 405, "This site is read-only: GET and HEAD only."
            elif PRIVATE_PAGES.fullmatch(scope["path"]):
                refused = 404, "Not found"
            if refused:
                status, reason = refused
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]
                        + ([(b"allow", b"GET, HEAD")] if status == 405 else []),
                    }
                )
                await send({"type": "http.response.body", "body": reason.encode()})
                return
        return await app(scope, receive, send)

    return wrapped
