"""A bounded in-memory cache of Datasette's own GET responses.

Measured: Datasette 0.65 deep-copies the whole metadata on every metadata() lookup, about 1,800
times for the home page, so the home page served 9 requests/s and the table page under 30. The
database is immutable and the site has no logins, so a response depends only on its URL: the first
answer is kept and replayed, with an ETag so browsers and CDNs can revalidate with a 304.
Not cached: cakupan's own /-/ pages (they have their own cache), requests carrying cookies or
credentials, anything but a 200, responses that set cookies, bodies over MAX_BODY.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from datasette import hookimpl

MAX_BODY = 512 * 1024
MAX_TOTAL = 64 * 1024 * 1024
MAX_ENTRIES = 2048
PRIVATE_HEADERS = {b"cookie", b"authorization"}


class ResponseCache:
    def __init__(self):
        self.entries: OrderedDict[str, tuple[list, bytes, bytes]] = OrderedDict()
        self.total = 0

    def get(self, key: str):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, headers: list, body: bytes) -> None:
        etag = b'"' + hashlib.sha256(body).hexdigest()[:20].encode() + b'"'
        self.entries[key] = (headers + [(b"etag", etag)], body, etag)
        self.total += len(body)
        while self.total > MAX_TOTAL or len(self.entries) > MAX_ENTRIES:
            _, (_, dropped, _) = self.entries.popitem(last=False)
            self.total -= len(dropped)


def cacheable_request(scope) -> bool:
    if (
        scope["type"] != "http"
        or scope["method"] not in ("GET", "HEAD")
        or scope["path"].startswith("/-/")
    ):
        return False
    return not any(name.lower() in PRIVATE_HEADERS for name, _ in scope.get("headers", []))


def cache_responses(app):
    cache = ResponseCache()

    async def wrapped(scope, receive, send):
        if not cacheable_request(scope):
            return await app(scope, receive, send)
        # the Host is part of the key: Datasette builds absolute alternate links from it, and a
        # forged Host must not end up in everyone's copy of a page
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        key = f"{scope.get('scheme', 'http')}://{host}{scope['path']}?{scope.get('query_string', b'').decode('latin-1')}"
        hit = cache.get(key)
        if hit is not None:
            headers, body, etag = hit
            match = dict(scope.get("headers", [])).get(b"if-none-match", b"")
            if etag in match:
                await send(
                    {"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]}
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send(
                {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
            )
            return
        captured = {
            "status": None,
            "headers": [],
            "chunks": [],
            "size": 0,
            "keep": scope["method"] == "GET",
        }

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"
                ]
                if message["status"] != 200 or any(
                    k.lower() == b"set-cookie" for k, _ in captured["headers"]
                ):
                    captured["keep"] = False
            elif message["type"] == "http.response.body" and captured["keep"]:
                captured["size"] += len(message.get("body", b""))
                if captured["size"] > MAX_BODY:
                    captured["keep"], captured["chunks"] = False, []
                else:
                    captured["chunks"].append(message.get("body", b""))
                if not message.get("more_body") and captured["keep"]:
                    cache.put(key, captured["headers"], b"".join(captured["chunks"]))
            await send(message)

        await app(scope, receive, capture)

    return wrapped


@hookimpl
def asgi_wrapper():
    return cache_responses
