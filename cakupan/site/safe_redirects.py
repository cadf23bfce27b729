"""No redirect off the site, whatever the path.

Datasette 0.65 answers an unknown path ending in "/" with a redirect to the same path without it.
0.65.2 collapses leading slashes (`//evil.example/` -> `/evil.example`), but `/\\evil.example/`
still becomes `Location: /\\evil.example`, which browsers read as `//evil.example`: another site.

Two layers, both cheap:
- a path with a backslash, an empty segment (`//`) or a dot segment (`.`, `..`), raw or
  percent-encoded, is answered 404 before Datasette sees it; no page of the site has one;
- any redirect whose Location is not a plain same-site path ("/" then neither "/" nor "\\", no
  control characters) is replaced by a 404, whichever code made it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

SAME_SITE = re.compile(rb"/(?![/\\])[^\\\x00-\x20\x7f]*")
NOT_FOUND_BODY = b"Not found"


def unsafe_path(raw_path: bytes) -> bool:
    path = unquote_to_bytes(raw_path.partition(b"?")[0])
    segments = path.split(b"/")[1:]
    return (
        b"\\" in path
        or b"" in segments[:-1]  # "//" anywhere; one trailing "/" is Datasette's to redirect
        or any(segment in (b".", b"..") for segment in segments)
    )


async def not_found(send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": NOT_FOUND_BODY})


def wrap(app, datasette=None):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        if unsafe_path(raw_path):
            return await not_found(send)
        state = {"replaced": False}

        async def checked_send(message):
            if message["type"] == "http.response.start":
                location = dict((k.lower(), v) for k, v in message.get("headers") or []).get(
                    b"location"
                )
                if location is not None and not SAME_SITE.fullmatch(location):
                    state["replaced"] = True
                    return await not_found(send)
            elif state["replaced"]:
                return None  # the body of the redirect we replaced
            await send(message)

        return await app(scope, receive, checked_send)

    return wrapped
