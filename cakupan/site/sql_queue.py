"""One arbitrary SQL query at a time, so user SQL cannot take both cores from the journalists' pages.

A query from the SQL editor is CPU-bound until the time limit cuts it. On this two-core machine,
three at once left the event loop that serves cakupan's pages too little CPU (p99 620 ms in
benchmarks/load.py). Queries written by users (`?sql=` on the database) now run one at a time and
wait their turn in the event loop, costing no thread; past MAX_WAITING the answer is 429 with
Retry-After. Datasette's own table pages and the canned queries are not affected.
Measured alternatives that made it worse: renicing the SQL threads (priority inversion on the
GIL) and num_sql_threads=1 (pages then waited behind the next queued query)."""

import asyncio
from urllib.parse import parse_qs

from datasette import hookimpl

MAX_RUNNING = 1
MAX_WAITING = 8
DATABASE_PATHS = ("/cakupan", "/cakupan.json", "/cakupan.csv", "/cakupan.xlsx")


def is_user_sql(scope) -> bool:
    if scope["type"] != "http" or scope["path"] not in DATABASE_PATHS:
        return False
    return "sql" in parse_qs(scope.get("query_string", b"").decode("latin-1"))


def queue_user_sql(app):
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


@hookimpl
def asgi_wrapper():
    return queue_user_sql
