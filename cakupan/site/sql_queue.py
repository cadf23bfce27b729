"""One arbitrary SQL query at a time, so user SQL cannot take both cores from the journalists' pages.

A query from the SQL editor is CPU-bound until the time limit cuts it. On this two-core machine,
three at once left the event loop that serves cakupan's pages too little CPU (p99 620 ms in
benchmarks/load.py). Queries written by users (`?sql=` on the database) now run one at a time and
wait their turn in the event loop, costing no thread; past MAX_WAITING the answer is 429 with
Retry-After. Datasette's own table pages and the canned queries are not affected.
Measured alternatives that made it worse: renicing the SQL threads (priority inversion on the
GIL) and num_sql_threads=1 (pages then waited behind the next queued query).

A CSV of user SQL is checked first: Datasette 0.65 answers `/cakupan.csv?sql=select nope from
figures` with 200 and an empty body (the error goes only to its log), which a cache would then
keep. The statement is prepared (EXPLAIN, which runs nothing) on Datasette's own connection, and
an error is answered 400 with SQLite's message."""

import asyncio
import sqlite3
from urllib.parse import parse_qs

MAX_RUNNING = 1
MAX_WAITING = 8
DATABASE_PATHS = ("/cakupan", "/cakupan.json", "/cakupan.csv", "/cakupan.xlsx")


def is_user_sql(scope) -> bool:
    if scope["type"] != "http" or scope["path"] not in DATABASE_PATHS:
        return False
    return "sql" in parse_qs(scope.get("query_string", b"").decode("latin-1"))


async def csv_sql_error(datasette, scope) -> str | None:
    """SQLite's error for the SQL of a CSV request, or None when it prepares."""
    if not scope["path"].endswith(".csv"):
        return None
    params = {
        k: v[0]
        for k, v in parse_qs(scope.get("query_string", b"").decode("utf-8", "replace")).items()
    }
    sql = params.pop("sql", "")
    try:
        await datasette.get_database(scope["path"][1:-4]).execute(f"explain {sql}", params)
    except sqlite3.ProgrammingError:
        return None  # a parameter left for the SQL editor's form to ask for
    except sqlite3.Error as e:
        return str(e)
    return None


def wrap(app, datasette=None):
    running = asyncio.Semaphore(MAX_RUNNING)
    waiting = 0

    async def wrapped(scope, receive, send):
        nonlocal waiting
        if not is_user_sql(scope):
            return await app(scope, receive, send)
        if waiting >= MAX_WAITING:
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"5")]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send(
                {
                    "type": "http.response.body",
                    "body": b"Too many SQL queries are waiting; try again in a few seconds.",
                }
            )
            return
        error = await csv_sql_error(datasette, scope)
        if error is not None:
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": f"Invalid SQL: {error}".encode()})
            return
        waiting += 1
        try:
            await running.acquire()
        finally:
            waiting -= 1
        try:
            return await app(scope, receive, send)
        finally:
            running.release()

    return wrapped
