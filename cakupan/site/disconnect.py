"""A request whose client has gone stops its work.

Without this, every request a load test or an impatient reader abandoned stayed queued and ran
to the end after the client left, and readers who came next waited behind that dead work.
The site is GET and HEAD only (request_limits answers anything else first), so a request has no
body: its one http.request message is read here and handed to the app, and this layer then waits
on the server for http.disconnect. When that comes before the app has finished, the app's task
is cancelled: it stops waiting for a SQL thread, a queue place or the rest of its rendering. (A
SQLite statement already running in a thread ends at its time limit.)
"""

from __future__ import annotations

import asyncio
import contextlib


def wrap(app, datasette=None):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        first = await receive()
        if first["type"] == "http.disconnect":
            return None
        gone = asyncio.Event()

        async def app_receive():
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            await gone.wait()
            return {"type": "http.disconnect"}

        async def watch():
            message = first
            while message["type"] == "http.request" and message.get("more_body"):
                message = await receive()  # a GET's empty body, sent in parts by some clients
            # a server answers this receive only when the client goes (or the response is done)
            if (await receive())["type"] == "http.disconnect":
                gone.set()

        work = asyncio.ensure_future(app(scope, app_receive, send))
        watcher = asyncio.ensure_future(watch())
        try:
            await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if not work.done() and not gone.is_set():
                await asyncio.wait({work})  # the watcher had nothing to say: just finish
        finally:
            watcher.cancel()
            if not work.done():
                work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await work

    return wrapped
