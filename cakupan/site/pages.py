"""What every cakupan page shares: database access with a time limit, pagination, the headers of
a page, and the 4xx page.

Pages read what the build computed (cakupan/derived.sql), by key or by a bounded index range,
through their own two threads and connections rather than Datasette's shared SQL threads: a
journalist's page must not wait behind someone's one-second query in the SQL editor. Each query
has a time limit; past it the page answers 503 instead of holding a thread. Caching and ETags
are the response cache's (cakupan/site/response_cache.py), for these pages as for Datasette's.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup

from .response_cache import PAGE_PARAMETERS, parameters_of

DATABASE = "cakupan"
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=3600"
PAGE_TIME_LIMIT = 1.0  # seconds for any one query of a page
PROGRESS_STEPS = 1000  # SQLite VM steps between time checks
PAGE_SIZE = 50
# list pages whose every row is a dense card (a chart, several figures, a history): ten keep a
# phone's page short and the page's work near what the same page costs on a small catalogue
CARDS_PAGE_SIZE = 10

PAGE_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cakupan-pages")
_local = threading.local()


class PageTooSlow(Exception):
    pass


def _connection(path: str) -> sqlite3.Connection:
    connections = _local.__dict__.setdefault("connections", {})
    if path not in connections:
        # immutable=1: the served file never changes under a running server (builds rename a
        # new one in, and `cakupan serve` serves a pinned copy)
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        connections[path] = conn
    return connections[path]


def _timed(path: str, read, what: str):
    """read(conn) on this thread's connection, stopped by the page time limit."""
    conn = _connection(path)
    deadline = time.monotonic() + PAGE_TIME_LIMIT
    conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    try:
        return read(conn)
    except sqlite3.OperationalError as e:
        if str(e) == "interrupted":
            raise PageTooSlow(what) from e
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _query(path: str, sql: str, params) -> list[dict]:
    return _timed(path, lambda conn: [dict(r) for r in conn.execute(sql, params)], sql)


def database_path(datasette) -> str:
    return datasette.get_database(DATABASE).path


async def rows(datasette, sql: str, params: dict | tuple = ()) -> list[dict]:
    path = database_path(datasette)
    return await asyncio.get_running_loop().run_in_executor(PAGE_THREADS, _query, path, sql, params)


async def read(datasette, function, *args):
    """function(conn, *args) for a library reader (cakupan/releases.py), on the pages' threads
    and under the same time limit as rows()."""
    path = database_path(datasette)

    def run():
        return _timed(path, lambda conn: function(conn, *args), function.__name__)

    return await asyncio.get_running_loop().run_in_executor(PAGE_THREADS, run)


def arg(request, name: str) -> str:
    """A query parameter of a cakupan page: only those the response cache keys on."""
    assert name in parameters_of(request.path), f"{request.path} does not read {name}"
    return request.args.get(name, "")


@dataclass
class Pagination:
    number: int  # 1-based
    total: int  # rows in all pages
    size: int = field(default_factory=lambda: PAGE_SIZE)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, request, number: int) -> str:
        names = [n for n in PAGE_PARAMETERS.get(request.path, ()) if n != "halaman"]
        args = {n: request.args.get(n) for n in names if request.args.get(n)}
        if number > 1:
            args["halaman"] = str(number)
        return request.path + ("?" + urlencode(args) if args else "")

    def context(self, request) -> dict:
        return {
            "number": self.number,
            "pages": self.pages,
            "total": self.total,
            "first": self.offset + 1 if self.total else 0,
            "last": min(self.offset + self.size, self.total),
            "previous": self.link(request, self.number - 1) if self.number > 1 else "",
            "next": self.link(request, self.number + 1) if self.number < self.pages else "",
        }


def page_number(request) -> int | None:
    """?halaman=N, 1 when absent; None when it is not a positive whole number."""
    raw = arg(request, "halaman")
    if raw == "":
        return 1
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 1_000_000 else None


async def not_a_page_number(datasette, request, back_label: str) -> tuple[int, str]:
    """The 400 of a ?halaman= that page_number() refused."""
    return await message_page(
        datasette,
        request,
        400,
        "Nomor halaman tidak dikenali.",
        "The page number is not a whole number.",
        request.path,
        back_label,
    )


async def beyond_last_page(datasette, request, pagination: Pagination, back_label: str):
    """The 404 of ?halaman= past the last page, or None when the page exists."""
    if pagination.number <= pagination.pages:
        return None
    return await message_page(
        datasette,
        request,
        404,
        f"Halaman {pagination.number} tidak ada; halaman terakhir {pagination.pages}.",
        f"There is no page {pagination.number}; the last is {pagination.pages}.",
        request.path,
        back_label,
    )


@dataclass
class Listing:
    rows: list[dict]
    pagination: dict  # Pagination.context(): what cakupan_pagination.html shows


async def paginated(
    datasette, request, count_sql: str, params: dict, back_label: str, size: int | None = None
) -> Pagination | tuple[int, str]:
    """The ?halaman= page of the rows `count_sql` counts (as n), or the 400/404 page of a page
    number that is not one."""
    number = page_number(request)
    if number is None:
        return await not_a_page_number(datasette, request, back_label)
    [count] = await rows(datasette, count_sql, params)
    pagination = Pagination(number, count["n"], size or PAGE_SIZE)
    return await beyond_last_page(datasette, request, pagination, back_label) or pagination


async def one_page_of(
    datasette,
    request,
    source: str,
    order: str,
    back_label: str,
    params=None,
    columns="*",
    size: int | None = None,
) -> Listing | tuple[int, str]:
    """The ?halaman= page of `select columns from source order` (`size` rows a page, PAGE_SIZE
    unless given), or the 400/404 page of a page number that is not one. `source` is a table
    and its WHERE: an index range."""
    params = params or {}
    count_sql = f"select count(*) as n from {source}"
    pagination = await paginated(datasette, request, count_sql, params, back_label, size)
    if not isinstance(pagination, Pagination):
        return pagination
    found = await rows(
        datasette,
        f"select {columns} from {source} {order} limit :size offset :offset",
        {**params, "size": pagination.size, "offset": pagination.offset},
    )
    return Listing(found, pagination.context(request))


_SYNCHRONOUS = weakref.WeakKeyDictionary()  # Datasette's Jinja environment -> its synchronous twin


def render_part(datasette, template: str, context: dict) -> Markup:
    """A page's long list (a `_cakupan_*.html` template) rendered by Jinja's synchronous renderer,
    for the page's own template to place with {{ part }}. Datasette's environment renders
    asynchronously, and there every piece a loop writes passes through a chain of coroutines:
    about twice the work for a list of cards. A part uses the site's filters and includes only,
    nothing that must be awaited; its twin shares the environment's loader, filters and
    autoescaping, and compiles the part once."""
    environment = datasette.jinja_env
    if environment not in _SYNCHRONOUS:
        _SYNCHRONOUS[environment] = environment.overlay(enable_async=False)
    return Markup(_SYNCHRONOUS[environment].get_template(template).render(context))


async def page(datasette, request, render) -> Response:
    """A page's response: render() gives (status, html)."""
    try:
        status, html = await render()
    except PageTooSlow:
        status, html = await message_page(
            datasette,
            request,
            503,
            "Halaman ini terlalu lama disiapkan; coba lagi sebentar lagi.",
            "This page took too long to prepare; please try again shortly.",
            "/",
            "Beranda / Home",
        )
    headers = {"Cache-Control": CACHE_CONTROL if status == 200 else "no-store"}
    return Response.html(html, status=status, headers=headers)


TITLES = {
    400: ("Permintaan tidak dikenali", "Bad request"),
    404: ("Tidak ditemukan", "Not found"),
    503: ("Coba lagi", "Try again"),
}


async def message_page(
    datasette, request, status: int, what_id: str, what_en: str, back: str, back_label: str
) -> tuple[int, str]:
    """A 4xx/5xx page that says, in both languages, what went wrong and links back."""
    title_id, title_en = TITLES[status]
    context = {
        "title_id": title_id,
        "title_en": title_en,
        "what_id": what_id,
        "what_en": what_en,
        "back": back,
        "back_label": back_label,
    }
    return status, await datasette.render_template("cakupan_message.html", context, request=request)
