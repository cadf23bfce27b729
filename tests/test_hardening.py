"""The published site against an attacker: headers, hostile text, redirects, SQL, sizes, errors.

Most tests use Datasette's test client on a built copy of the package; a few need a real server
(raw request targets the client would normalise, the server's own memory) or a real browser
(does the Content-Security-Policy let Datasette's scripts run and stop everything else?).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import importlib.util
import json
import re
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import hostile
import pytest
from helpers import ROOT, read_rows, serving
from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.build import DB_NAME, build
from cakupan.site import safe_redirects
from cakupan.site.app import make_datasette


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    root = hostile.copy_site(tmp_path_factory.mktemp("hardening") / "pkg")
    build(root)
    return root


@pytest.fixture(scope="module")
def site(site_root):
    return make_datasette(site_root)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = hostile.build(tmp_path_factory.mktemp("hostile") / "pkg")
    build(root)
    return make_datasette(root)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 1. security headers -------------------------------------------------------------------

HTML_PAGES = {
    "/": 200,
    "/cakupan": 200,
    "/cakupan/figures": 200,
    "/cakupan/figures/f000-01": 200,
    "/cakupan?sql=select+1": 200,
    "/-/gaps": 200,
    "/-/cite/f000-02": 200,
    "/no/such/page": 404,
}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def policy_of(response) -> dict[str, list[str]]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in (d.strip() for d in directives)}


def hash_source(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@pytest.mark.parametrize("path, status", HTML_PAGES.items())
async def test_every_html_page_sends_a_strict_policy_and_the_security_headers(site, path, status):
    response = await site.client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    script_src = policy["script-src"]
    # scripts from this site, plus Datasette's four fixed inline scripts by hash; no other inline one
    assert script_src[0] == "'self'"
    assert len(script_src[1:]) == 4 and all(s.startswith("'sha256-") for s in script_src[1:])
    # every inline script Datasette put on this page is one the policy lets run
    for script in INLINE_SCRIPT.findall(response.text):
        assert hash_source(script) in script_src, script[:60]


async def test_cakupans_own_pages_have_no_inline_script_at_all(site):
    for path in ("/-/gaps", "/-/cite/f000-02", "/-/articles", "/-/awards"):
        assert INLINE_SCRIPT.findall((await site.client.get(path)).text) == [], path


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/cakupan/figures.json", "application/json; charset=utf-8"),
        ("/cakupan/figures.csv", "text/plain; charset=utf-8"),
        ("/cakupan/figures.csv?_dl=1", "text/csv; charset=utf-8"),
        (
            "/cakupan/figures.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("/-/download/cakupan-datapackage.zip", "application/zip"),
    ],
)
async def test_downloads_are_never_sniffed_as_html(site, path, content_type):
    response = await site.client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (200, content_type)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


# --- 2./3. hostile text stays inert ----------------------------------------------------------

DATASETTE_SCRIPT_PATHS = (
    "/-/static/table.js",
    "/-/static/sql-formatter-2.3.3.min.js",
    "/-/static/codemirror-5.57.0.min.js",
    "/-/static/codemirror-5.57.0-sql.min.js",
    "/-/static/cm-resize-1.0.1.min.js",
    "/assets/copy.js",
)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg"}
CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


class Audit(HTMLParser):
    """Everything in a page that could run: scripts, handlers, URLs, embedding elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, str]] = []
        self.styles: list[str] = []
        self.data_blocks: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                # what a browser would follow: entities decoded, whitespace and controls dropped
                url = CONTROL_OR_SPACE.sub("", html.unescape(value)).lower()
                if url.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                same_site = url.startswith("/") and not url.startswith("//")
                if url.startswith("//") or (name in ("src", "action") and not same_site):
                    self.problems.append(f"off-site <{tag} {name}={value!r}>")
        own_svg = tag == "svg" and (
            dict(attrs).get("role") in ("img", "group") or dict(attrs).get("aria-hidden") == "true"
        )
        if tag in FORBIDDEN_ELEMENTS and not own_svg:
            # svg: only the site's own icons and bars, which carry role="img" or, decorative
            # beside their numbers in text, aria-hidden="true", and the region page's chart,
            # role="group" (its points are links)
            self.problems.append(f"<{tag}>")
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script" and dict(attrs).get("type") == "application/ld+json":
                self._in = "data"  # a data block: never run, checked as JSON below
                self.data_blocks.append("")
            elif tag == "script":
                self.scripts.append((dict(attrs).get("src"), ""))
            else:
                self.styles.append("")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data):
        if self._in == "data":
            self.data_blocks[-1] += data
        elif self._in == "script":
            src, body = self.scripts[-1]
            self.scripts[-1] = (src, body + data)
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)


def audit(response) -> Audit:
    page = Audit()
    page.feed(response.text)
    page.close()
    allowed = policy_of(response)["script-src"]
    for src, body in page.scripts:
        if src is not None:
            if src not in DATASETTE_SCRIPT_PATHS or body.strip():
                page.problems.append(f"<script src={src!r}>")
        elif hash_source(body) not in allowed or "alert" in body:
            page.problems.append(f"inline <script>{body[:60]!r}")
    page.problems += [f"<style>{s[:60]!r}" for s in page.styles if "display: none" in s]
    for block in page.data_blocks:  # JSON-LD: valid JSON, and nothing in it can end the element
        try:
            json.loads(block)
        except ValueError:
            page.problems.append(f"JSON-LD that is not JSON: {block[:60]!r}")
        if "<" in block:
            page.problems.append(f"JSON-LD with a raw '<': {block[:60]!r}")
    return page


HOSTILE_PAGES = {
    f"/-/articles/{hostile.SOURCE_ID}": [
        hostile.HEADLINE,
        hostile.OUTLET,
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](javascript:alert(1))",
        "[d](data:text/html;base64,PHNjcmlwdD4=)",
        '<div onclick="alert(1)">',
        '<iframe src="https://evil.example/"></iframe>',
        "<style>body { display: none }</style>",
        "mengatakan f900-01" + hostile.FIGURE_QUOTE,
        hostile.FORMULA_QUOTE,
        "Nama berkas \u202eexe.txt dan kata\u200bsandi.",
        hostile.LONG_LINE,
    ],
    "/-/articles": [hostile.HEADLINE, hostile.OUTLET],
    "/-/cite/f900-01": [
        hostile.FIGURE_QUOTE,
        f"{hostile.NAME}, {hostile.POST}",
        "<img src=x onerror=alert(1)> “catatan” – 43 × 2",
        hostile.HEADLINE,
    ],
    "/-/cite/f900-02": [hostile.FORMULA_QUOTE, hostile.FORMULA_NOTE],
    "/-/gaps": [],
    "/-/wilayah/15.03": [hostile.FIGURE_QUOTE],  # its figures' list is rendered apart (render_part)
    "/-/awards": [hostile.CATEGORY, f"“{hostile.AWARD_QUOTE}”"],
    "/cakupan/figures": [hostile.METADATA_TEXT, hostile.FIGURE_QUOTE, hostile.FORMULA_NOTE],
    "/cakupan/figures/f900-01": [
        hostile.FIGURE_QUOTE,
        "<img src=x onerror=alert(1)> “catatan” – 43 × 2",
    ],
    "/cakupan/people/hostile": [hostile.NAME, hostile.POST_QUOTE],
    f"/cakupan/articles/{hostile.SOURCE_ID}": [
        hostile.HEADLINE,
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; Cakupan UCJ di Sarolangun</p>",
    ],
    "/cakupan?sql=" + quote("select quote from figures"): [
        hostile.FIGURE_QUOTE,
        hostile.FORMULA_QUOTE,
    ],
    "/cakupan/figures_for_region?region=Sarolangun": [hostile.METADATA_TEXT],
    "/-/metadata": ["<script>alert('metadata')</script>"],
    "/": [hostile.METADATA_TEXT],
}


@pytest.mark.parametrize("path", HOSTILE_PAGES)
async def test_hostile_text_is_shown_as_text_and_never_runs(hostile_site, path):
    response = await hostile_site.client.get(path)
    assert response.status_code == 200
    page = audit(response)
    assert page.problems == []
    shown = "".join(page.text)
    for text in HOSTILE_PAGES[path]:
        assert text in shown, text[:80]


async def test_markdown_images_in_an_article_load_nothing_from_elsewhere(hostile_site):
    # the article has ![e](https://evil.example/pixel.png): it becomes a plain link, not an <img>
    html_page = (await hostile_site.client.get(f"/-/articles/{hostile.SOURCE_ID}")).text
    assert '!<a href="https://evil.example/pixel.png">e</a>' in html_page
    assert "<img" not in html_page


async def test_the_outlet_link_keeps_the_hostile_url_inside_its_attribute(hostile_site):
    html_page = (await hostile_site.client.get(f"/-/articles/{hostile.SOURCE_ID}")).text
    assert (
        '<a href="https://evil.example/&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" rel="nofollow noopener">'
        in html_page
    )


async def test_a_forged_host_header_does_not_change_the_permanent_link_others_see(site):
    """cakupan's pages are cached in memory; the cite page's permanent link comes from Host."""
    permalink = re.compile(r'Permanent link</span>: <a href="([^"]+)"')
    forged = await site.client.get("/-/cite/f001-01", headers={"host": "evil.example"})
    assert permalink.findall(forged.text) == ["http://evil.example/-/cite/f001-01"]
    honest = await site.client.get("/-/cite/f001-01")
    assert permalink.findall(honest.text) == ["http://localhost/-/cite/f001-01"]


# --- 4. Datasette's known holes --------------------------------------------------------------

# open redirects: paths a browser reads as another site once the trailing "/" is redirected away
OFF_SITE_PATHS = [
    b"//evil.example/",
    b"/\\evil.example/",
    b"/%5Cevil.example/",
    b"/-/..//evil.example",
]


async def asgi_get(datasette, raw_path: bytes, query: bytes = b"") -> tuple[int, dict[str, str]]:
    """One request with exactly this raw path: httpx would normalise it, or refuse a long URL."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    await datasette.app()(scope, receive, send)
    start = messages[0]
    return start["status"], {k.decode().lower(): v.decode("latin-1") for k, v in start["headers"]}


def off_site(location: str) -> bool:
    """Would a browser leave the site? It treats "\\" like "/" and drops tabs and newlines."""
    browser_reads = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return not re.fullmatch(r"/(?!/)[^\x00-\x20]*", browser_reads)


@pytest.mark.parametrize("raw_path", OFF_SITE_PATHS)
async def test_no_path_redirects_off_site(site, raw_path):
    status, headers = await asgi_get(site, raw_path)
    assert (status, headers.get("location")) == (404, None)


async def test_trailing_slash_redirects_still_work_on_site(site):
    status, headers = await asgi_get(site, b"/cakupan/figures/")
    assert (status, headers["location"]) == (302, "/cakupan/figures")


async def test_any_off_site_redirect_is_replaced_by_a_404(site):  # site: loads the plugins
    """The last line of defence, whatever code produced the redirect."""
    guard = safe_redirects.wrap
    for location in (b"//evil.example", b"/\\evil.example", b"https://evil.example/", b"/\tx"):

        async def redirecting_app(scope, receive, send, location=location):
            await send(
                {"type": "http.response.start", "status": 302, "headers": [(b"location", location)]}
            )
            await send({"type": "http.response.body", "body": b"moved"})

        sent = []

        async def send(message, sent=sent):
            sent.append(message)

        scope = {"type": "http", "path": "/x", "raw_path": b"/x"}
        await guard(redirecting_app)(scope, None, send)
        assert [m.get("status") for m in sent] == [404, None]
        assert sent[1]["body"] == b"Not found"


ALL_FIGURES = len(read_rows(ROOT / "data" / "figures.csv"))


@pytest.mark.parametrize(
    "query, figure_ids",
    [
        ("value__gt=1)%20or%201=1--", []),
        ("figure_id=f000-01%27%20or%20%271%27=%271", []),
        ("figure_id__in=f000-01,x%27)%20or%20(%271%27=%271", ["f000-01"]),
        ("figure_id__contains=%25%27%20or%201=1--", []),
        # column names are quoted, whatever quotes or brackets they hold: no such column, or
        # (Datasette quotes a name with "]" in double quotes) a string that equals nothing
        ("x%22%20or%201%3D1%20or%20%22y=1", 'x" or 1=1 or "y'),
        ("x%22%5D%20or%201%3D1%20or%20%5B%22y=1", []),
        ("figure_id%5D%20%3D%20figure_id%20or%20%5Bfigure_id=x", []),
        ("_next=%27%20or%201=1--", "all"),  # a nonsense page token: the first page, no more
    ],
)
async def test_filter_parameters_cannot_inject_sql(site, query, figure_ids):
    url = "/cakupan/figures.json?_shape=array&_size=max"
    response = await site.client.get(f"{url}&{query}")
    if isinstance(figure_ids, str) and figure_ids != "all":
        assert response.status_code == 400
        assert response.json()["error"] == f"no such column: {figure_ids}"
        return
    assert response.status_code == 200
    found = [row["figure_id"] for row in response.json()]
    if figure_ids == "all":
        figure_ids = [row["figure_id"] for row in (await site.client.get(url)).json()]
        assert len(figure_ids) == ALL_FIGURES
    assert found == figure_ids


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("_sort=value%5D%20or%201=1--", 400, "Cannot sort table by value] or 1=1--"),
        ("_sort_desc=nope", 400, "Cannot sort table by nope"),
        ("_sort=value&_sort_desc=value", 400, "Cannot use _sort and _sort_desc at the same time"),
        ("_col=nope", 400, "_col=nope - invalid columns"),
        ("_facet=nope", 400, None),
        ("_timelimit=abc", 400, "_timelimit must be a positive whole number of milliseconds."),
        ("_timelimit=-5", 400, "_timelimit must be a positive whole number of milliseconds."),
        ("_through=nope", 400, None),
        ("_through=%7B%22table%22:%22x%22%7D", 400, None),
        (
            "_through=%7B%22table%22:%22regions%22,%22column%22:%22level%22,%22value%22:%22city%22%7D",
            400,
            "Invalid _through - could not find corresponding foreign key",
        ),
        ("_where=1=1", 400, None),
    ],
)
# Datasette leaves its facet coroutines unawaited when a facet is refused: its noise, not ours
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_bad_table_parameters_are_a_400_not_a_500(site, query, status, message):
    response = await site.client.get(f"/cakupan/figures?{query}")
    assert response.status_code == status
    if message:
        assert html.escape(message, quote=False) in response.text


async def test_where_is_refused_but_the_same_sql_runs_in_the_sql_editor(site, site_root):
    refused = await site.client.get("/cakupan/figures.json?_where=value%3E100000")
    assert refused.status_code == 400
    assert (
        refused.text
        == "_where is not accepted here; run the SQL in the SQL editor (/cakupan?sql=...)."
    )
    sql = "select figure_id from figures where value > 100000 order by figure_id"
    editor = await site.client.get("/cakupan.json", params={"sql": sql, "_shape": "array"})
    with sqlite3.connect(site_root / "build" / DB_NAME) as db:
        expected = [{"figure_id": figure_id} for (figure_id,) in db.execute(sql)]
    assert expected and editor.json() == expected


async def test_a_post_is_refused_on_a_read_only_site(site):
    # Datasette 0.65 answers a POST to a read-only canned query with a 500
    response = await site.client.post("/cakupan/figures_for_region", data={"region": "Jambi"})
    assert (response.status_code, response.headers["allow"], response.text) == (
        405,
        "GET, HEAD",
        "This site is read-only: GET and HEAD only.",
    )


WRITES = [
    "update figures set value = 0",
    "insert into people values ('x', 'x', 'x')",
    "delete from figures",
    "drop table figures",
    "attach database '{root}/attack.db' as attack",
    "pragma writable_schema=1",
    "pragma journal_mode=wal",
    "select load_extension('x')",
    "with x as (select 1) delete from figures",
    "select 1; delete from figures",
    "create table attack(x)",
    "vacuum",
    "replace into people values ('x', 'x', 'x')",
]


@pytest.mark.parametrize("sql", WRITES)
async def test_the_sql_editor_refuses_every_write(site, site_root, sql):
    db = site_root / "build" / DB_NAME
    before = sha256_file(db)
    response = await site.client.get("/cakupan.json", params={"sql": sql.format(root=site_root)})
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert sha256_file(db) == before
    assert not (site_root / "attack.db").exists()
    count = await site.client.get(
        "/cakupan.json", params={"sql": "select count(*) as n from figures", "_shape": "array"}
    )
    assert count.json() == [{"n": ALL_FIGURES}]


async def run_sql(datasette, sql: str, **params) -> tuple[object, float]:
    started = time.monotonic()
    # a broken limit must fail the test, not hang it
    response = await asyncio.wait_for(
        datasette.client.get("/cakupan.json", params={"sql": sql, **params}), timeout=60
    )
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    "sql, error",
    [
        ("select zeroblob(1000000000)", "string or blob too big"),
        ("select randomblob(500000000)", "string or blob too big"),
        (
            "with recursive c(x) as (select 1 union all select x + 1 from c) "
            "select length(group_concat(printf('%.100c', 'x'))) from c",
            "SQL query took too long",
        ),
        ("select zeroblob(999999) from regions", "the result is larger than 20,000,000 bytes"),
        (
            "select randomblob(900000) from regions, regions",
            "the result is larger than 20,000,000 bytes",
        ),
    ],
)
@pytest.mark.slow
async def test_huge_results_are_refused_quickly(site, sql, error):
    response, seconds = await run_sql(site, sql)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert seconds < 5  # the time limit is 1 s; unguarded, these took 30 s and a gigabyte


CHEAP_AGAIN = [
    # SQLite 3.40 writes all 1e9 characters of the precision before giving up: ~10 s, unstoppable
    ("select printf('%.*c', 1000000000, 'x') as v", None),
    ("select format('%*d', 2000000000, 1) as v", None),
    # O(text × pattern) inside one function call: about 10 s each at 1 MB, unstoppable
    ("select instr(printf('%.*c', 999999, 'a'), printf('%.*c', 499999, 'a') || 'b') as v", 0),
    (
        "select length(replace(printf('%.*c', 999999, 'a'), printf('%.*c', 499999, 'a') || 'b', 'x')) as v",
        999999,
    ),
    ("select length(rtrim(printf('%.*c', 999999, 'a'), printf('%.*c', 5000, 'b') || 'a')) as v", 0),
    ("select length(ltrim(printf('%.*c', 999999, 'a'), printf('%.*c', 5000, 'b') || 'a')) as v", 0),
    ("select length(trim(printf('%.*c', 999999, 'a'), printf('%.*c', 5000, 'b') || 'a')) as v", 0),
    ("select printf('%.*c', 999999, 'a') like '%' || printf('%.*c', 198, 'a') || 'b' as v", 0),
]


@pytest.mark.parametrize("sql, value", CHEAP_AGAIN)
async def test_functions_that_the_time_limit_cannot_stop_answer_quickly(site, sql, value):
    response, seconds = await run_sql(site, sql, _shape="array")
    assert response.json() == [{"v": value}]
    assert seconds < 3


async def test_a_like_pattern_longer_than_200_characters_is_refused(site):
    response, _ = await run_sql(site, "select 'a' like printf('%.*c', 201, 'a')")
    assert (response.status_code, response.json()["error"]) == (
        400,
        "LIKE or GLOB pattern too complex",
    )


GUARDED_CALLS = [
    "printf('%5.2f|%-4d|%s|%%|%c|%q|%Q|%w', 3.14159, 42, 'x', 'yz', 'it''s', 'a', 'b\"c')",
    "printf('%*d|%-*d|%.*s|%.*f|%,d', 5, 42, 3, 9, 'persen', 2, 2.71828, 1234567)",
    "printf('%s %s', 'only one')",
    "printf(NULL)",
    "printf(43)",
    "format('%03d kali %!.3g', 7, 1.0e20)",
    "instr('43 persen', 'persen')",
    "instr('43 persen', '')",
    "instr(x'00ff00', x'ff')",
    "instr(12345, 34)",
    "instr(NULL, 'a')",
    "replace('43 persen', 'persen', '%')",
    "replace('abc', '', 'x')",
    "replace(12.5, '.', ',')",
    "replace('a', 'a', NULL)",
    "trim('xxaxx', 'x')",
    "ltrim('..a..', '.')",
    "rtrim('..a..', '.')",
    "trim('“kutipan”', '“”')",
    "trim(123, 1)",
    "trim('a', NULL)",
    "instr('“43” persen kata\u200bsandi', 'sandi')",
    "replace('Cakupan “43 persen”', '”', '»')",
    "trim('ääxyzää', 'ä')",
    "trim('abcxyzcba', 'abcdefghijklmnopqrstuvwABCDEFGHIJKLMNOP')",
]


@pytest.mark.parametrize("call", GUARDED_CALLS)
async def test_guarded_functions_give_sqlites_own_answers(site, call):
    expected = sqlite3.connect(":memory:").execute(f"select {call}").fetchone()[0]
    response, _ = await run_sql(site, f"select {call} as v", _shape="array")
    assert response.json() == [{"v": expected}]


def guarded_connection() -> sqlite3.Connection:
    spec = importlib.util.spec_from_file_location("sql_guard", ROOT / "plugins" / "sql_guard.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    conn = sqlite3.connect(":memory:")
    guard.limit(conn)
    guard.guard_functions(conn)
    return conn


TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, pattern=TEXT, replacement=TEXT.filter(lambda t: len(t) < 5))
def test_guarded_string_functions_agree_with_sqlite_on_any_text(text, pattern, replacement):
    calls = [
        ("instr(?, ?)", (text, pattern)),
        ("replace(?, ?, ?)", (text, pattern, replacement)),
        ("trim(?, ?)", (text, pattern)),
        ("ltrim(?, ?)", (text, pattern)),
        ("rtrim(?, ?)", (text, pattern)),
    ]
    for call, args in calls:
        ours = GUARDED.execute(f"select {call}", args).fetchone()[0]
        sqlites = NATIVE.execute(f"select {call}", args).fetchone()[0]
        assert ours == sqlites, (call, args)


GUARDED, NATIVE = guarded_connection(), sqlite3.connect(":memory:")


async def test_the_result_budget_is_per_query(site):
    # 15 MB each: under the 20 MB budget one at a time, over it together
    sql = "select zeroblob(999999) as b from regions limit 15"
    for _ in range(2):
        response, _ = await run_sql(site, sql)
        assert (response.status_code, len(response.json()["rows"])) == (200, 15)


@pytest.mark.slow
async def test_runaway_queries_stop_at_the_time_limit_which_a_url_cannot_raise(site):
    runaway = (
        "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    )
    for params in ({}, {"_timelimit": "999999"}):
        response, seconds = await run_sql(site, runaway, **params)
        assert response.status_code == 400
        assert response.json()["title"] == "SQL Interrupted"
        assert 0.9 < seconds < 5  # sql_time_limit_ms is 1000


async def test_a_url_can_lower_the_time_limit(site):
    runaway = (
        "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    )
    response, seconds = await run_sql(site, runaway, _timelimit="50")
    assert response.json()["title"] == "SQL Interrupted"
    assert seconds < 0.9


async def test_many_facets_are_refused(site):
    columns = ["indicator_id", "region_code", "qualifier", "attribution", "unit"]
    five = "&".join(f"_facet={c}" for c in columns)
    assert (await site.client.get(f"/cakupan/figures?{five}")).status_code == 200
    fifty = "&".join(["_facet=unit"] * 50)
    response = await site.client.get(f"/cakupan/figures?{fifty}")
    assert (response.status_code, response.text) == (400, "At most 5 facets at a time.")
    mixed = five + "&_facet_array=unit"
    assert (await site.client.get(f"/cakupan/figures?{mixed}")).status_code == 400


async def test_huge_query_strings_are_refused(site):
    at_limit = await site.client.get("/cakupan/figures.json?x=" + "a" * (8 * 1024 - 2))
    assert at_limit.status_code == 200
    over = await site.client.get("/cakupan/figures.json?x=" + "a" * (8 * 1024 - 1))
    assert (over.status_code, over.text) == (414, "The query string is longer than 8192 bytes.")
    # 100 KB is more than httpx will send, so it goes straight to the app
    hundred_kb = b"sql=select+1" + b"+" * (100 * 1024)
    assert (await asgi_get(site, b"/cakupan", hundred_kb))[0] == 414


TRACEBACK_SIGNS = ("Traceback", 'File "', "locals", "│", "site-packages")


async def test_error_pages_show_no_traceback_and_log_none(site, capfd):
    not_found = await site.client.get("/cakupan/no_such_table")
    bad_sql = await site.client.get("/cakupan", params={"sql": "select * from no_such_table"})
    # quiet_errors.py: without it rich prints a boxed traceback with local variables on stdout
    logged = "".join(capfd.readouterr())
    assert not [sign for sign in TRACEBACK_SIGNS[:4] if sign in logged]
    too_big = await site.client.get("/cakupan", params={"sql": "select zeroblob(1000000000)"})
    assert [r.status_code for r in (not_found, bad_sql, too_big)] == [404, 400, 400]
    assert "no such table: no_such_table" in bad_sql.text
    assert "string or blob too big" in too_big.text
    for response in (not_found, bad_sql, too_big):
        assert not [sign for sign in TRACEBACK_SIGNS if sign in response.text]


async def test_error_pages_are_cheap(site):
    started = time.monotonic()
    for n in range(20):
        assert (await site.client.get(f"/cakupan/no_such_table_{n}")).status_code == 404
    # with rich's traceback-with-locals each 404 cost about a second
    assert time.monotonic() - started < 3


# --- with a real server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site_root):
    with serving(site_root) as (_, process, port):
        yield process, port


def raw_request(port: int, target: bytes) -> tuple[int, dict[str, str]]:
    """Send the request target byte for byte, as an attacker's link would arrive."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(":", 1) for line in head[1:])
    return int(head[0].split()[1]), {k.lower(): v.strip() for k, v in headers.items()}


@pytest.mark.parametrize("target", [*OFF_SITE_PATHS, b"/%2F%2Fevil.example/", b"/\\/evil.example/"])
def test_no_request_target_redirects_off_site_over_a_real_socket(server, target):
    _, port = server
    status, headers = raw_request(port, target)
    location = headers.get("location")
    assert location is None or not off_site(location), (status, location)
    assert status in (400, 404)


def peak_memory_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024


def fetch(port: int, sql: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/cakupan.json?sql={quote(sql)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.slow
def test_hostile_queries_leave_the_servers_memory_where_it_was(server):
    process, port = server
    assert fetch(port, "select count(*) from figures")[0] == 200
    before = peak_memory_mb(process.pid)
    hostile_sql = [
        "select zeroblob(1000000000)",
        "select randomblob(500000000)",
        "select printf('%.*c', 1000000000, 'x')",
        "select zeroblob(999999) from regions",
        "select randomblob(999999) from regions",
        "with recursive c(x) as (select 1 union all select x + 1 from c) "
        "select length(group_concat(printf('%.*c', 100000, 'x'))) from c",
    ]
    statuses = [fetch(port, sql)[0] for sql in hostile_sql]
    assert statuses == [400, 400, 200, 400, 400, 400]
    # unguarded, the first query alone allocates a gigabyte; the result budget is 20 MB
    assert peak_memory_mb(process.pid) - before < 150


# --- in a real browser -------------------------------------------------------------------------


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.browser
def test_datasettes_own_scripts_run_under_the_policy_and_nothing_else_does(server, browser):
    _, port = server
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()

    page.goto(base + "/cakupan/figures")
    # table.js ran (a cog menu on every sortable column) and so did the inline script
    sortable = page.locator(".rows-and-columns th a").count()
    assert (
        sortable > 0
        and page.locator(".rows-and-columns th svg.dropdown-menu-icon").count() == sortable
    )
    assert page.evaluate("DATASETTE_ALLOW_FACET") is True
    assert page.evaluate("window.__violations") == []

    page.goto(base + "/cakupan?sql=select+1")
    page.wait_for_selector(".CodeMirror")  # the inline CodeMirror set-up ran
    assert page.evaluate("window.__violations") == []

    page.goto(base + "/-/cite/f000-02")
    assert page.evaluate("window.__violations") == []

    # the one inline script left out on purpose really is blocked: the policy is enforced
    runaway = "with recursive c(x) as (select 1 union all select x+1 from c) select count(*) from c"
    page.goto(base + "/cakupan?sql=" + quote(runaway))
    assert page.locator("h1").first.inner_text() == "SQL Interrupted"
    assert page.evaluate("window.__violations") == ["script-src-elem inline"]
    context.close()
