"""What a proxy, a CDN and another site's script rely on from one replica, in-process: every answer
names its build, stored answers say how long a shared cache may keep them, JSON and CSV may be read
across origins (HTML may not), the build-addressed downloads, and /-/health."""

from __future__ import annotations

import json
import sqlite3

import pytest
from helpers import copy_site

from cakupan.build import build
from cakupan.site.app import make_datasette
from cakupan.site.health import DatabaseCheck


@pytest.fixture
def site(root):
    return make_datasette(root)


@pytest.fixture(scope="module")
def build_id(root):
    return json.loads((root / "build" / "inspect.json").read_text())["cakupan"]["hash"][:16]


@pytest.mark.parametrize(
    "path",
    ["/", "/-/gaps", "/cakupan/figures", "/cakupan/figures.json", "/-/cite/nope", "/cakupan.db"],
)
async def test_every_answer_names_the_build_it_comes_from(site, build_id, path):
    response = await site.client.get(path)
    assert response.headers.get_list("x-cakupan-build") == [build_id]


async def test_a_stored_answer_tells_a_shared_cache_how_long_to_keep_it(site):
    pages = {}
    for path in ("/.json", "/cakupan/figures.csv", "/-/gaps"):
        first, second = [await site.client.get(path) for _ in range(2)]
        pages[path] = (first.headers["cache-control"], second.headers["cache-control"])
    assert pages == {
        "/.json": ("public, max-age=300", "public, max-age=300"),  # Datasette said nothing
        "/cakupan/figures.csv": ("public, max-age=300", "public, max-age=300"),
        "/-/gaps": (  # cakupan's pages say it themselves
            "public, max-age=300, stale-while-revalidate=3600",
            "public, max-age=300, stale-while-revalidate=3600",
        ),
    }


async def test_a_datasette_page_has_the_same_etag_on_every_replica(root):
    """Two servers (two replicas) render a table page byte for byte alike, so a proxy's
    If-None-Match revalidates against either (Datasette's footer timed the queries)."""
    path = "/cakupan/figures?_sort=figure_id"
    first, second = [await make_datasette(root).client.get(path) for _ in range(2)]
    assert first.headers["etag"] == second.headers["etag"]
    assert "Queries took" not in first.text


async def test_a_request_with_a_cookie_is_not_marked_public(site):
    response = await site.client.get("/", cookies={"ds_actor": "x"})
    assert "public" not in response.headers.get("cache-control", "")


@pytest.mark.parametrize(
    "path, readable",
    [
        ("/cakupan/figures.json", True),
        ("/cakupan/figures.csv", True),
        ("/cakupan.json?sql=select+1", True),
        ("/cakupan/figures", False),
        ("/-/cite/f000-01", False),
        ("/", False),
    ],
)
async def test_json_and_csv_can_be_read_from_another_origin_and_html_cannot(site, path, readable):
    response = await site.client.get(path)
    assert response.status_code == 200
    allowed = response.headers.get_list("access-control-allow-origin")
    assert allowed == (["*"] if readable else [])


async def test_pages_link_the_downloads_of_their_own_build(site, build_id):
    html = (await site.client.get("/")).text
    assert html.count(f'href="/-/build/{build_id}/cakupan-datapackage.zip"') == 2
    database = (await site.client.get("/cakupan")).text
    assert f'href="/-/build/{build_id}/cakupan.db"' in database


async def test_a_build_addressed_download_is_the_builds_file(site, root, build_id):
    direct = await site.client.get("/-/download/cakupan-datapackage.zip")
    addressed = await site.client.get(f"/-/build/{build_id}/cakupan-datapackage.zip")
    assert (addressed.status_code, addressed.content) == (200, direct.content)
    assert addressed.headers["etag"] == direct.headers["etag"]
    db = await site.client.get(f"/-/build/{build_id}/cakupan.db")
    assert db.content == (root / "build" / "cakupan.db").read_bytes()


async def test_another_builds_download_is_gone_and_says_so(site):
    response = await site.client.get("/-/build/0123456789abcdef/cakupan.db")
    assert (response.status_code, response.text) == (
        410,
        "Build 0123456789abcdef tidak disajikan lagi; muat ulang halaman untuk unduhan build "
        "terbaru. (Build 0123456789abcdef is no longer served: reload the page for the current "
        "build's downloads.)\n",
    )


async def test_health_is_ok_and_never_stored(site, build_id):
    answers = [await site.client.get("/-/health") for _ in range(2)]
    assert [(a.status_code, a.json(), a.headers["cache-control"]) for a in answers] == [
        (200, {"ok": True, "build": build_id}, "no-store")
    ] * 2
    assert "etag" not in answers[1].headers  # the response cache did not keep it


def flip_a_byte(path, offset: int = 200) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_a_changed_database_fails_the_check_and_the_answer_names_no_path(tmp_path, root):
    db = tmp_path / "cakupan.db"
    db.write_bytes((root / "build" / "cakupan.db").read_bytes())
    expected = json.loads((root / "build" / "inspect.json").read_text())["cakupan"]["hash"]
    check = DatabaseCheck(str(db), expected)
    assert check.run().ok
    flip_a_byte(db)
    verdict = check.run()
    assert verdict.ok is False
    assert verdict.problem.startswith("the database file has SHA-256 ")
    assert verdict.problem.endswith(
        f", expected {expected[:16]}: it is no longer the database this replica was started with"
    )
    assert str(tmp_path) not in verdict.problem
    db.unlink()
    assert check.run().problem == "the database file cannot be read: No such file or directory"


async def test_health_fails_when_the_served_database_changes(tmp_path):
    root = copy_site(tmp_path / "pkg")
    build(root)
    site = make_datasette(root)
    assert (await site.client.get("/-/health")).status_code == 200
    with sqlite3.connect(root / "build" / "cakupan.db") as conn:  # a hand edit
        conn.execute("update figures set note = 'edited by hand' where figure_id = 'f000-01'")
    response = await site.client.get("/-/health")
    assert response.status_code == 503
    assert response.json()["problem"].startswith("the database file has SHA-256 ")
