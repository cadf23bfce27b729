"""The request wrappers of the site, composed here and only here, in this order (outermost first).

Why this order:
1. safe_redirects: a path with a backslash or dot segment is refused before anything else sees
   it, and an off-site Location made by any layer below is replaced.
2. security_headers: every response gets them, refusals, 304s and cache hits included.
3. request_limits: refuse what the site never serves (POST, huge query strings, debug pages)
   before it costs a cache lookup.
4. response_cache: a hit is answered here, before any work.
5. disconnect: a miss whose client leaves is cancelled, also while it waits in the SQL queue.
6. html_lang: inside the cache, so the stored page already carries lang="id".
7. sql_queue: innermost, so only user SQL that really runs holds a place in the queue.
"""

from __future__ import annotations

from . import (
    disconnect,
    html_lang,
    request_limits,
    response_cache,
    safe_redirects,
    security_headers,
    sql_queue,
)

LAYERS = (
    ("safe_redirects", safe_redirects.wrap),
    ("security_headers", security_headers.wrap),
    ("request_limits", request_limits.wrap),
    ("response_cache", response_cache.wrap),
    ("disconnect", disconnect.wrap),
    ("html_lang", html_lang.wrap),
    ("sql_queue", sql_queue.wrap),
)


def compose(app, datasette):
    """Datasette's app inside every layer, LAYERS[0] outermost."""
    for _, wrap in reversed(LAYERS):
        app = wrap(app, datasette)
    return app
