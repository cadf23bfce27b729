"""The site's one response cache, for cakupan's pages and Datasette's alike, with one ETag scheme.

The database is served immutable and the site has no logins, so a GET response depends only on
its normalised URL: the first 200 answer is kept and replayed, and every cacheable answer carries
an ETag (the SHA-256 of its body) so that browsers and shared caches revalidate with a 304.

Bounded twice, in entries and in bytes, so that crawlers and junk URLs cannot grow the server:
- the key is the normalised URL: for cakupan's pages only the parameters the page reads (see
  PAGE_PARAMETERS), for Datasette's pages every parameter but the underscore ones Datasette does
  not know, sorted, so `?_x=1` or `?utm_source=` make no new entry on cakupan's pages;
- only 200s of at most MAX_BODY bytes are stored; 404s and other errors are not stored at all,
  so a million distinct junk URLs cost nothing but their own requests;
- replacing an entry (concurrent misses on one URL each store it) first takes the old entry's
  size off the total.
Not cached: requests with cookies or credentials, anything but GET and HEAD, responses that set
cookies or say `Cache-Control: no-store` or `private` (the health check's answer must be fresh).
Datasette's Host-dependent absolute links make the Host part of the key.

For shared caches (the proxy in deploy/, a CDN): what this cache stores is, by the rules above,
the same for every reader, so a stored 200 that says nothing about caching (Datasette's home page
and CSV) is sent `Cache-Control: public, max-age=<default_cache_ttl>`, the lifetime Datasette
gives its other pages; a proxy that honours Cache-Control then keeps it too. And every answer
says which build it comes from (`X-Cakupan-Build`, the first 16 hex digits of the database's
SHA-256, which starts the ETag of /cakupan.db): a reader, a test or an operator can tell a page of
one build from another's, and fetch that build's downloads by it (deploy/README.md).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode
from weakref import WeakKeyDictionary

MAX_BODY = 1024 * 1024  # the largest page the site makes is well under this (tests check)
MAX_TOTAL = 16 * 1024 * 1024
MAX_ENTRIES = 2048
PRIVATE_HEADERS = {b"cookie", b"authorization"}
NOT_STORED = (b"no-store", b"private")  # Cache-Control directives that keep an answer out
DEFAULT_TTL = 300  # Datasette's default_cache_ttl, when no Datasette says otherwise
BUILD_HEADER = b"x-cakupan-build"

# cakupan's pages that read query parameters, and which; any other /-/ path reads none
PAGE_PARAMETERS = {
    "/-/gaps": ("province", "level", "halaman"),
    "/-/articles": ("halaman",),
    "/-/awards": ("tahun", "halaman"),
    "/-/conflicts": ("halaman",),
    "/-/search": ("q", "jenis", "halaman"),
    "/-/releases": ("halaman",),
}
# pages under a prefix that read parameters: a cite page can show the figure as in a release, a
# region's page its figures a page at a time
PREFIX_PARAMETERS = {"/-/cite/": ("rilis",), "/-/wilayah/": ("halaman",)}
# the underscore parameters Datasette 0.65 reads; others are ignored by it, and by the key
DATASETTE_PARAMETERS = {
    "_col", "_nocol", "_dl", "_facet", "_facet_array", "_facet_date", "_facet_size", "_header",
    "_json", "_json_infinity", "_labels", "_nolabels", "_next", "_nocount", "_nofacet",
    "_nosuggest", "_search", "_searchmode", "_shape", "_size", "_sort", "_sort_desc", "_stream",
    "_through", "_timelimit", "_trace", "_ttl", "_where", "_hash", "_extra", "_context",
}  # fmt: skip


@dataclass
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class ResponseCache:
    def __init__(self, max_total: int = MAX_TOTAL, max_entries: int = MAX_ENTRIES):
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.total = 0
        self.max_total, self.max_entries = max_total, max_entries

    def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.total -= old.size
        self.entries[key] = entry
        self.total += entry.size
        while self.total > self.max_total or len(self.entries) > self.max_entries:
            _, dropped = self.entries.popitem(last=False)
            self.total -= dropped.size


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 weak comparison against a list of entity tags, or '*'."""
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == etag:
            return True
    return False


def parameters_of(path: str) -> tuple[str, ...]:
    """The query parameters a cakupan page (a /-/ path) reads."""
    return PAGE_PARAMETERS.get(path) or next(
        (names for prefix, names in PREFIX_PARAMETERS.items() if path.startswith(prefix)), ()
    )


def normalised_query(path: str, query_string: bytes) -> str:
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if path.startswith("/-/"):
        wanted = parameters_of(path)
        kept = [(k, v) for k, v in params if k in wanted]
    else:
        kept = [(k, v) for k, v in params if not k.startswith("_") or k in DATASETTE_PARAMETERS]
    return urlencode(sorted(kept))


def cache_key(scope) -> str | None:
    """The key of a cacheable request, or None."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    headers = dict(scope.get("headers", []))
    if any(name.lower() in PRIVATE_HEADERS for name in headers):
        return None
    host = headers.get(b"host", b"").decode("latin-1")
    query = normalised_query(scope["path"], scope.get("query_string", b""))
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}?{query}"


async def send_entry(send, scope, entry: Entry) -> None:
    if matches(dict(scope.get("headers", [])).get(b"if-none-match", b""), entry.etag):
        keep = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": keep})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send(
        {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body}
    )


def storable(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {k for k, _ in headers}
    if b"set-cookie" in names or b"etag" in names:
        return False
    control = b",".join(v for k, v in headers if k == b"cache-control").lower()
    return not any(d.strip().split(b"=")[0] in NOT_STORED for d in control.split(b","))


def shared_cache_headers(headers: list[tuple[bytes, bytes]], ttl: int) -> list[tuple[bytes, bytes]]:
    """A stored answer's headers, with a Cache-Control a shared cache can act on."""
    if ttl > 0 and not any(k == b"cache-control" for k, _ in headers):
        return [*headers, (b"cache-control", f"public, max-age={ttl}".encode())]
    return headers


def build_of(datasette) -> bytes | None:
    """The first 16 hex digits of the served database's SHA-256, from its inspect file."""
    inspected = (getattr(datasette, "inspect_data", None) or {}).get("cakupan") or {}
    digest = inspected.get("hash")
    return digest[:16].encode() if isinstance(digest, str) else None


def with_build(send, build: bytes | None):
    if build is None:
        return send

    async def send_with_build(message):
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers") or [] if k.lower() != BUILD_HEADER]
            message = {**message, "headers": [*headers, (BUILD_HEADER, build)]}
        await send(message)

    return send_with_build


CACHES: WeakKeyDictionary = WeakKeyDictionary()  # each Datasette's cache, for tests and tools


def wrap(app, datasette=None):
    cache = ResponseCache()
    ttl = DEFAULT_TTL
    if datasette is not None:
        CACHES[datasette] = cache
        ttl = int(datasette.setting("default_cache_ttl"))

    build = build_of(datasette)  # a server serves one build: read once, not per request

    async def wrapped(scope, receive, send):
        if scope["type"] == "http":
            send = with_build(send, build)
        key = cache_key(scope)
        if key is None:
            return await app(scope, receive, send)
        hit = cache.get(key)
        if hit is not None:
            return await send_entry(send, scope, hit)
        # A 200 is held back until it is whole (or past MAX_BODY), so that its ETag can go in
        # its headers; anything else passes straight through.
        state = {"start": None, "chunks": [], "size": 0, "held": False}

        async def release():
            await send(state["start"])
            for chunk in state["chunks"]:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            state["held"], state["chunks"] = False, []

        async def capture(message):
            if message["type"] == "http.response.start":
                headers = [(k.lower(), v) for k, v in message.get("headers") or []]
                if message["status"] == 200 and storable(headers):
                    headers = [(k, v) for k, v in headers if k != b"content-length"]
                    state["start"] = {**message, "headers": headers}
                    state["held"] = True
                    return None
                return await send(message)
            if not state["held"]:
                return await send(message)
            body = message.get("body", b"")
            state["size"] += len(body)
            if state["size"] > MAX_BODY:  # too large to keep: send what was held, then stream
                await release()
                return await send(message)
            state["chunks"].append(body)
            if message.get("more_body"):
                return None
            whole = b"".join(state["chunks"])
            etag = etag_of(whole)
            headers = shared_cache_headers(state["start"]["headers"], ttl)
            entry = Entry([*headers, (b"etag", etag)], whole, etag)
            state["held"] = False
            if scope["method"] == "GET":
                cache.put(key, entry)
            await send_entry(send, scope, entry)

        await app(scope, receive, capture)
        if state["held"]:  # the app ended without a last body message
            await release()

    return wrapped
