"""Security headers on every response; a Content-Security-Policy on every HTML page.

The policy forbids inline scripts except Datasette 0.65's own fixed ones, allowed by hash: the
menu closer on every page (_close_open_menus.html), the SQL editor's CodeMirror set-up
(_codemirror_foot.html) and the table page's `DATASETTE_ALLOW_FACET = true|false;`. The hashes are
computed at startup from the templates Datasette actually renders (ours override its own), so an
upgrade that changes a script changes its hash instead of silently breaking the page. Any other
inline script, such as one smuggled in through article text, does not run. Not allowed, on
purpose: the 'SQL Interrupted' error page's one-line script that grows its textarea (it lives in
Datasette's Python code, not a template; the page works without it).

Styles keep 'unsafe-inline': Datasette writes a <style> block per table page (one CSS rule per
column name) and style="" attributes. CSS cannot run script, and every value in it is escaped.

JSON and CSV answers carry `Access-Control-Allow-Origin: *`, so a newsroom's chart or notebook in
a browser can read the open data from another origin. It is safe because the site is public and
has no logins: no answer depends on a cookie or credential (the response cache refuses to store
requests that carry them, and no page reads them), so there is nothing private to read across
origins. HTML pages get no such header: no other origin needs to read them.
"""

from __future__ import annotations

import base64
import hashlib
import re

from jinja2 import TemplateNotFound

# Datasette templates with inline scripts, and the values their placeholders can take.
SCRIPT_TEMPLATES = ("_close_open_menus.html", "_codemirror_foot.html", "table.html")
PLACEHOLDER_VALUES = {"datasette_allow_facet": ("true", "false")}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")

# What is read across origins: Datasette's .json and .csv views (its CSV is text/plain unless
# downloaded), the Web Annotations (.jsonld), and any other JSON or CSV answer by its type.
CROSS_ORIGIN_SUFFIXES = (".json", ".csv", ".jsonld")
CROSS_ORIGIN_TYPES = (b"application/json", b"application/ld+json", b"text/csv")
CORS = b"access-control-allow-origin"

COMMON = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"strict-origin-when-cross-origin",
}


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_scripts(source: str) -> list[str]:
    """Every text an inline <script> of this template source can render to."""
    scripts = []
    for body in INLINE_SCRIPT.findall(source):
        if "{%" in body:
            continue  # not a fixed script: left out, so it cannot run
        names = PLACEHOLDER.findall(body)
        if not names:
            scripts.append(body)
        elif len(names) == 1 and names[0] in PLACEHOLDER_VALUES:
            scripts += [PLACEHOLDER.sub(value, body) for value in PLACEHOLDER_VALUES[names[0]]]
    return scripts


def allowed_script_hashes(jinja_env) -> list[str]:
    hashes = []
    for name in SCRIPT_TEMPLATES:
        try:
            source, _, _ = jinja_env.loader.get_source(jinja_env, name)
        except TemplateNotFound:
            continue
        hashes += [script_hash(s) for s in inline_scripts(source)]
    return sorted(set(hashes))


def content_security_policy(hashes: list[str]) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",  # CodeMirror's resize handle is a data: SVG
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


def wrap(app, datasette):
    policy = content_security_policy(allowed_script_hashes(datasette.jinja_env)).encode()
    return add_headers(app, policy)


def readable_across_origins(path: str, content_type: bytes) -> bool:
    return path.endswith(CROSS_ORIGIN_SUFFIXES) or content_type.startswith(CROSS_ORIGIN_TYPES)


def add_headers(app, policy: bytes):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers") or []
                    if k.lower() not in COMMON
                    and k.lower() not in (b"content-security-policy", CORS)
                ]
                headers += list(COMMON.items())
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    headers.append((b"content-security-policy", policy))
                elif readable_across_origins(scope["path"], content_type.lower()):
                    headers.append((CORS, b"*"))
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped
