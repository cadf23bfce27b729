"""Datasette 0.65's own pages send <html> with no lang; screen readers and translators need one.

cakupan's own pages set lang="id" in their layout; this adds it to Datasette's pages without
forking its base template."""

PLAIN, WITH_LANG = b"<!DOCTYPE html>\n<html>", b'<!DOCTYPE html>\n<html lang="id">'


def wrap(app, datasette=None):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        state = {"html": False, "first": True}

        async def patched_send(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                state["html"] = headers.get(b"content-type", b"").startswith(b"text/html")
                if state[
                    "html"
                ]:  # the body grows: drop a stale length rather than send a wrong one
                    message["headers"] = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() != b"content-length"
                    ]
            elif message["type"] == "http.response.body" and state["html"] and state["first"]:
                state["first"] = False
                body = message.get("body", b"")
                if body.startswith(PLAIN):
                    message = {**message, "body": WITH_LANG + body[len(PLAIN) :]}
            await send(message)

        return await app(scope, receive, patched_send)

    return wrapped
