"""cakupan/site/: the composed layers, the one response cache, downloads, and the holes a hostile
client found (issue 10, items 1-12). Each test fails on the code before the fix."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3

import pytest
from helpers import copy_site

from cakupan.build import build
from cakupan.site import disconnect, pages, response_cache
from cakupan.site.app import make_datasette
from cakupan.site.layers import LAYERS
from cakupan.site.response_cache import Entry, ResponseCache, cache_key


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = copy_site(tmp_path_factory.mktemp("site") / "pkg")
    build(root)
    return root


@pytest.fixture
def site(root):
    return make_datasette(root)  # a fresh instance: a fresh cache


async def get(site, path, **headers):
    return await site.client.get(path, headers=headers)


def scope(path: str, query: bytes = b"", **headers) -> dict:
    return {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"localhost")]
        + [(k.encode(), v.encode()) for k, v in headers.items()],
    }


# 1: replacing an entry counted its body twice, until every new entry was evicted at once
def test_storing_the_same_url_again_counts_its_bytes_once():
    cache = ResponseCache(max_total=1000)
    for _ in range(50):  # fifty concurrent misses of one URL, each storing it
        cache.put("k", Entry([], b"x" * 100, b'"e"'))
    cache.put("other", Entry([], b"y" * 100, b'"f"'))
    assert (cache.total, list(cache.entries)) == (200, ["k", "other"])


def test_the_cache_is_bounded_in_bytes_as_well_as_entries():
    cache = ResponseCache(max_total=250, max_entries=100)
    for i in range(10):
        cache.put(str(i), Entry([], b"z" * 100, b'"e"'))
    assert (list(cache.entries), cache.total) == (["8", "9"], 200)


# 2: parameters a page does not read make no new entry; 404s are not stored per URL
def test_the_key_keeps_only_what_a_page_reads():
    assert cache_key(scope("/-/gaps", b"utm_source=x&province=15&_x=1")) == cache_key(
        scope("/-/gaps", b"province=15")
    )
    assert cache_key(scope("/-/cite/f000-02", b"anything=1")) == cache_key(scope("/-/cite/f000-02"))
    assert cache_key(scope("/cakupan/figures", b"_x=wrk&_size=5")) == cache_key(
        scope("/cakupan/figures", b"_size=5")
    )
    assert cache_key(scope("/cakupan/figures", b"region_code=15")) != cache_key(
        scope("/cakupan/figures")
    )
    assert cache_key(scope("/-/gaps", cookie="a=b")) is None


async def test_junk_urls_leave_nothing_in_the_cache(site):
    for i in range(30):
        assert (await get(site, f"/-/cite/{'x' * 1000}{i}")).status_code == 404
        assert (await get(site, f"/-/gaps?junk={i}")).status_code == 200
        assert (await get(site, f"/cakupan/no_table_{i}")).status_code == 404
    cached = list(response_cache.CACHES[site].entries)
    assert cached == ["http://localhost/-/gaps?"]


# one ETag scheme, on cakupan's pages and Datasette's, from the first answer on
@pytest.mark.parametrize("path", ["/-/gaps", "/-/cite/f000-02", "/cakupan/figures", "/"])
async def test_every_page_has_one_etag_and_revalidates(site, path):
    first = await get(site, path)
    again = await get(site, path)
    assert first.headers.get_list("etag") == again.headers.get_list("etag")
    assert len(first.headers.get_list("etag")) == 1
    etag = first.headers["etag"]
    assert etag == '"' + hashlib.sha256(first.content).hexdigest()[:32] + '"'
    revalidated = await get(site, path, **{"if-none-match": f'W/{etag}, "other"'})
    assert (revalidated.status_code, revalidated.content) == (304, b"")
    # the layers outside the cache still apply to what it answers
    assert revalidated.headers["x-content-type-options"] == "nosniff"


# the order of the layers is the one written in layers.py, and the only ASGI wrapper
def test_the_layers_are_composed_in_one_declared_order():
    assert [name for name, _ in LAYERS] == [
        "safe_redirects",
        "security_headers",
        "request_limits",
        "response_cache",
        "disconnect",
        "html_lang",
        "sql_queue",
    ]


async def test_no_other_plugin_wraps_requests(site):
    from datasette.plugins import pm

    wrappers = [impl.plugin_name for impl in pm.hook.asgi_wrapper.get_hookimpls()]
    assert [w.rsplit("/", 1)[-1] for w in wrappers] == ["web_layer.py"]


async def test_a_refusal_and_a_cache_hit_both_carry_the_security_headers(site):
    refused = await get(site, "/-/gaps?" + "x=" + "y" * 9000)
    assert (refused.status_code, refused.headers["x-frame-options"]) == (414, "DENY")
    await get(site, "/-/awards")
    hit = await get(site, "/-/awards")
    assert '<html lang="id">' in hit.text and "content-security-policy" in hit.headers


# 3: a request whose client has gone stops its work
async def test_a_request_whose_client_left_is_cancelled():
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def slow_app(scope, receive, send):
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await started.wait()
        return {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(disconnect.wrap(slow_app)(scope("/x"), receive, send), timeout=5)
    assert cancelled.is_set() and sent == []


async def test_a_request_whose_client_stays_is_answered_whole(site):
    response = await get(site, "/-/cite/f000-02")
    assert response.status_code == 200 and response.text.rstrip().endswith("</html>")


# 4 and 7: downloads stream from disk in bounded chunks, each with one ETag that revalidates
@pytest.mark.parametrize("path", ["/cakupan.db", "/-/download/cakupan-datapackage.zip"])
async def test_downloads_stream_with_one_etag(site, root, path):
    name = "cakupan.db" if path.endswith(".db") else "cakupan-datapackage.zip"
    on_disk = (root / "build" / name).read_bytes()
    chunks = []

    async def send(message):
        chunks.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    await site.app()({**scope(path), "raw_path": path.encode()}, receive, send)
    start, bodies = chunks[0], [m["body"] for m in chunks[1:]]
    etags = [v for k, v in start["headers"] if k.lower() == b"etag"]
    assert start["status"] == 200 and b"".join(bodies) == on_disk
    assert max(map(len, bodies)) <= 64 * 1024
    assert etags == [f'"{hashlib.sha256(on_disk).hexdigest()}"'.encode()]
    revalidated = await get(site, path, **{"if-none-match": etags[0].decode()})
    assert (revalidated.status_code, revalidated.content) == (304, b"")


async def test_a_zip_that_does_not_belong_to_the_database_is_not_served(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    zip_path = root / "build" / "cakupan-datapackage.zip"
    zip_path.write_bytes(zip_path.read_bytes() + b"tampered")
    response = await make_datasette(root).client.get("/-/download/cakupan-datapackage.zip")
    assert response.status_code == 503
    assert "was not built with this database" in response.text


# 5: a query cut by the time limit is the visitor's 400, never a 500
SLOW = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"


@pytest.mark.parametrize(
    "path, params",
    [("/cakupan.csv", {"sql": SLOW, "_timelimit": "20"}), ("/cakupan.json", {"sql": SLOW, "_timelimit": "20"})],
)  # fmt: skip
async def test_a_query_over_the_time_limit_answers_400(site, path, params):
    response = await site.client.get(path, params=params)
    assert response.status_code == 400
    assert "etag" not in response.headers


# 6: a CSV of broken SQL is an error, not an empty 200 that a cache keeps
async def test_a_csv_of_invalid_sql_is_a_400_with_sqlites_message(site):
    for _ in range(2):
        response = await get(site, "/cakupan.csv?sql=select+nope+from+figures")
        assert (response.status_code, response.text) == (400, "Invalid SQL: no such column: nope")
        assert "etag" not in response.headers
    good = await get(site, "/cakupan.csv?sql=select+count(*)+as+n+from+figures")
    assert (good.status_code, good.text) == (200, "n\r\n18\r\n")


# 9 and 10: what tells a stranger about the server's memory and files
@pytest.mark.parametrize("arguments", ["'simple'", "'simple', x'00'"])
async def test_fts3_tokenizer_gives_no_address(site, arguments):
    response = await site.client.get(
        "/cakupan.json", params={"sql": f"select hex(fts3_tokenizer({arguments}))"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "user-defined function raised exception"


@pytest.mark.parametrize(
    "path",
    ["/-/threads", "/-/threads.json", "/-/allow-debug", "/-/databases.json", "/-/actor.json"],
)
async def test_debug_pages_are_not_public(site, path):
    assert (await get(site, path)).status_code == 404


@pytest.mark.parametrize(
    "sql", ["select * from pragma_database_list", 'select file from "PRAGMA_DATABASE_LIST"']
)
async def test_the_database_path_is_not_public(site, sql):
    response = await site.client.get("/cakupan.json", params={"sql": sql})
    assert (response.status_code, response.text) == (
        400,
        "pragma_database_list is not available here.",
    )


async def test_the_database_page_still_works(site):
    assert (await get(site, "/cakupan")).status_code == 200


# pages: paginated, bounded, and every query of a request reads by key or a bounded range
async def test_list_pages_paginate(site, monkeypatch):
    monkeypatch.setattr(pages, "CARDS_PAGE_SIZE", 2)  # three regions, each at its latest figure
    first = (await get(site, "/-/gaps")).text
    second = (await get(site, "/-/gaps?halaman=2")).text
    assert first.count('<li class="card"') == 2 and second.count('<li class="card"') == 1
    assert 'href="/-/gaps?halaman=2"' in first and 'href="/-/gaps"' in second
    assert "Halaman 1 dari 2" in first
    assert (await get(site, "/-/gaps?halaman=3")).status_code == 404
    assert (await get(site, "/-/gaps?halaman=dua")).status_code == 400


BIG_TABLES = {
    "figures", "coverage_gaps", "consistency_checks", "consistency_check_figures",
    "figure_citations", "time_series", "articles", "sources", "posts", "award_rankings",
    "figure_conflicts", "awards", "citations", "search_entries", "releases", "release_records",
    "release_changes", "corrections",
}  # fmt: skip
PAGES = [
    "/-/gaps", "/-/gaps?province=15", "/-/gaps?level=regency", "/-/gaps?province=15&level=regency",
    "/-/awards", "/-/awards?tahun=2024", "/-/articles", "/-/articles/000_0dc850caf364129e",
    "/-/cite/f000-02", "/-/cite/f000-03", "/-/cite/nope", "/-/conflicts", "/",
    "/-/search?q=jambi", "/-/search?q=paritrana&jenis=penghargaan", "/-/search?q=pekerja&jenis=angka",
    "/-/wilayah/15", "/-/wilayah/15.03", "/-/wilayah/ID", "/-/releases", "/-/changes.atom",
    "/-/cite-award/a002-1", "/-/cite-award/nope", "/robots.txt", "/sitemap.xml",
    "/sitemap-angka-1.xml", "/sitemap-artikel-1.xml", "/-/cite/f000-01.jsonld",
    "/-/annotations.jsonld",
]  # fmt: skip


async def test_no_page_query_scans_a_table(site, root, page_queries):
    seen = page_queries
    for path in PAGES:
        assert (await get(site, path)).status_code in (200, 404), path
    conn = sqlite3.connect(root / "build" / "cakupan.db")
    scans = []
    for sql, params in seen:
        plan = conn.execute("explain query plan " + sql, params).fetchall()
        # a full-text match drives its query: the first loop of its level, not one per row
        for _, parent, _, detail in plan:
            loops = [d for _, p, _, d in plan if p == parent and d.split()[0] in ("SCAN", "SEARCH")]
            if "VIRTUAL TABLE" in detail and loops and loops[0] != detail:
                scans.append((detail, sql.split()[:6]))
        for *_, detail in plan:
            words = detail.split()
            if words[0] == "SCAN" and words[1] in BIG_TABLES and "INDEX" not in detail:
                scans.append((detail, sql.split()[:6]))
            # a walk along an index is bounded only when the query has a LIMIT
            bounded = "limit" in sql.lower() or "count(*)" in sql.lower()
            if words[0] == "SCAN" and words[1] in BIG_TABLES and not bounded:
                scans.append((detail, sql.split()[:6]))
    assert len(seen) > len(PAGES) and scans == []


# 8: a database edited in place at the same size is not "up to date"
def test_a_database_edited_in_place_is_built_again(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    db = root / "build" / "cakupan.db"
    raw = db.read_bytes()
    quote = b"43 persen"
    at = raw.index(quote)
    db.write_bytes(raw[:at] + b"93 persen" + raw[at + len(quote) :])
    result = build(root)
    assert result.built and db.read_bytes().count(b"93 persen") == raw.count(b"93 persen")
    assert json.loads((root / "build" / "inspect.json").read_text())["cakupan"]["hash"] == (
        hashlib.sha256(db.read_bytes()).hexdigest()
    )


class RecordingTransport:
    def __init__(self):
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str):
        return ("127.0.0.1", 8001) if name == "sockname" else None


async def test_a_responses_head_and_body_reach_the_socket_in_one_write():
    """A replica killed between the two would leave the proxy a 200 without its body."""
    from cakupan.site.whole_writes import TurnWriter

    transport = RecordingTransport()
    writer = TurnWriter(transport, asyncio.get_running_loop())
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
    writer.write(b"body")
    assert transport.writes == []  # held until this turn of the event loop ends
    await asyncio.sleep(0)
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody"]
    assert writer.get_extra_info("sockname") == ("127.0.0.1", 8001)  # the rest is the transport's
    writer.write(b"last")
    writer.close()  # what is held goes out before the close
    assert (transport.writes[1:], transport.closed) == ([b"last"], True)


def test_the_server_runs_uvicorn_with_whole_writes_a_bounded_shutdown_and_a_frozen_heap(
    monkeypatch,
):
    import gc

    import uvicorn
    from datasette import cli

    from cakupan.site import server
    from cakupan.site.whole_writes import WholeWritesProtocol

    given = {}

    def run(app, **kwargs):
        given.update(kwargs, frozen=gc.get_freeze_count())

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(cli.cli, "main", lambda argv, prog_name: uvicorn.run(None, port=1))
    gc.unfreeze()
    try:
        server.main(["serve"])
    finally:
        gc.unfreeze()
    # what was loaded before serving (Datasette, plugins, templates' environment) is left out
    # of the collector's full passes, which otherwise land on whichever request comes next
    frozen = given.pop("frozen")
    assert frozen > 10_000
    assert given == {
        "timeout_graceful_shutdown": server.GRACE_SECONDS,
        "http": WholeWritesProtocol,
        "port": 1,
    }
