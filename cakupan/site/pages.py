"""What every cakupan page shares: database access, caching, ETags and the 404 page.

The database is served immutable, so a page's bytes depend only on its URL and the database
content: each page is rendered once, kept in a bounded in-memory cache, and sent with an ETag
derived from the content hash, so repeat visitors and CDNs get 304s and pages stay fast while
Datasette's three SQL threads serve the SQL editor.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from weakref import WeakKeyDictionary

from datasette.utils.asgi import Response

DATABASE = "cakupan"
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=3600"
MAX_CACHED_PAGES = 2048  # bounds memory against crawlers trying every query string


class PageCache:
    def __init__(self, limit: int = MAX_CACHED_PAGES):
        self.limit = limit
        self.pages: OrderedDict[str, tuple[int, str, str]] = OrderedDict()
        self.content_hash: str | None = None

    def get(self, key: str):
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key: str, page: tuple[int, str, str]) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.limit:
            self.pages.popitem(last=False)


# one cache per Datasette instance: tests and reloads must never see another database's pages
CACHES: WeakKeyDictionary = WeakKeyDictionary()


def cache_for(datasette) -> PageCache:
    if datasette not in CACHES:
        CACHES[datasette] = PageCache()
    return CACHES[datasette]


# cakupan's pages read through their own two threads and connections, not Datasette's shared
# SQL threads: a journalist's page must not wait behind someone's one-second query in the editor.
PAGE_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cakupan-pages")
_local = threading.local()


def _connection(path: str) -> sqlite3.Connection:
    connections = _local.__dict__.setdefault("connections", {})
    if path not in connections:
        # immutable=1: the published file never changes under a running server (builds rename a new one in)
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        connections[path] = conn
    return connections[path]


def _query(path: str, sql: str, params) -> list[dict]:
    return [dict(r) for r in _connection(path).execute(sql, params)]


async def rows(datasette, sql: str, params: dict | tuple = ()) -> list[dict]:
    path = datasette.get_database(DATABASE).path
    return await asyncio.get_running_loop().run_in_executor(PAGE_THREADS, _query, path, sql, params)


async def content_hash(datasette) -> str:
    found = await rows(datasette, "select value from _build where key = 'content_hash'")
    return found[0]["value"] if found else ""


async def cached_page(
    datasette, request, render: Callable[[], Awaitable[tuple[int, str]]]
) -> Response:
    """Serve a page from the cache, answering If-None-Match with 304."""
    cache = cache_for(datasette)
    if cache.content_hash is None:
        cache.content_hash = await content_hash(datasette)
    # the host is part of the key: the cite page's permanent link is built from the Host header,
    # and one request with a forged Host must not put its link in everyone's copy of the page
    key = f"{request.scheme}://{request.host}{request.path}?{request.query_string}"
    page = cache.get(key)
    if page is None:
        status, html = await render()
        digest = hashlib.sha256((cache.content_hash + key + html).encode()).hexdigest()[:20]
        page = (status, html, f'"{digest}"')
        cache.put(key, page)
    status, html, etag = page
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if status == 200 and etag in request.headers.get("if-none-match", ""):
        return Response("", status=304, headers=headers)
    return Response.html(html, status=status, headers=headers)


TITLES = {400: ("Permintaan tidak dikenali", "Bad request"), 404: ("Tidak ditemukan", "Not found")}


async def message_page(
    datasette, request, status: int, what_id: str, what_en: str, back: str, back_label: str
) -> tuple[int, str]:
    """A 4xx page that says, in both languages, what was not found and links back."""
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
