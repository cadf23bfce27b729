"""deploy/: Debian's nginx as a caching, compressing proxy in front of real `cakupan serve`
replicas (deploy/cluster.py), tried as a maintainer would before national traffic comes: what the
cache keeps and refuses, what is compressed, and what readers see while a replica dies, while a
new build rolls out and while a replica's database goes bad. Every request in the load loops is
checked; none may fail."""

from __future__ import annotations

import gzip
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import ROOT, copy_site, free_port, set_cell

from cakupan.build import build

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not os.access(NGINX, os.X_OK):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's nginx for the deployment tests: .ci/run installs it")
    pytest.skip("Debian's nginx is not installed (apt-get install nginx)", allow_module_level=True)

# deploy/ is a directory of files to run, not a package
spec = importlib.util.spec_from_file_location("deploy_cluster", ROOT / "deploy" / "cluster.py")
cluster_module = sys.modules["deploy_cluster"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cluster_module)
Cluster = cluster_module.Cluster

BUILD_LINK = re.compile(r'href="/-/build/([0-9a-f]{16})/cakupan-datapackage\.zip"')
LOAD_SECONDS = 20
MAX_REQUESTS = 200_000  # the loops stop at this count even if the clock misbehaves


@contextmanager
def running_cluster(root: Path, **options):
    lines: list[str] = []
    options = {"replicas": 2, "grace": 5.0, "check_interval": 0.2, **options}
    cluster = Cluster(root, port=free_port(), out=lines.append, **options)
    with cluster:
        cluster.lines = lines
        yield cluster


def built_site(path: Path) -> Path:
    root = copy_site(path)
    build(root)
    return root


def fetch(port: int, path: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers with lower-case names, body) of one request to the proxy."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Load:
    """Reader threads, each on its own keep-alive connection, asking `ask(reader, n)` for what to
    fetch and checking every answer with `check`; a problem is any error, status or failed check.

    Like a browser (and RFC 9112, 9.3.1), a reader sends a GET again, once, on a new connection
    when a kept-alive connection closes before any byte of the answer: a server may close an idle
    connection at any moment (nginx does on every reload), and the request may cross the close.
    Those are counted as `retries`; anything else that fails, or a retry that fails, is a problem.
    """

    def __init__(self, port: int, ask, check=None, readers: int = 4):
        self.port, self.ask, self.check = port, ask, check
        self.done = threading.Event()
        self.count = self.retries = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.read, args=(i,)) for i in range(readers)]

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def answer(self, connection, path: str, reused: bool):
        """(connection, response): sent again on a new connection if a reused one was closed."""
        try:
            connection.request("GET", path)
            return connection, connection.getresponse()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            if not reused:
                raise
        connection.close()
        with self.lock:
            self.retries += 1
        connection = self.connect()
        connection.request("GET", path)
        return connection, connection.getresponse()

    def read(self, reader: int) -> None:
        connection, reused = self.connect(), False
        n = 0
        while not self.done.is_set() and self.count < MAX_REQUESTS:
            path = self.ask(reader, n)
            n += 1
            try:
                connection, response = self.answer(connection, path, reused)
                body = response.read()
                reused = True
                headers = {k.lower(): v for k, v in response.getheaders()}
                problem = None
                if response.status != 200:
                    problem = f"{path}: {response.status} {body[:200]!r}"
                elif self.check is not None:
                    problem = self.check(path, headers, body)
            except (OSError, http.client.HTTPException) as e:
                problem = f"{path}: {type(e).__name__}: {e}"
                connection.close()
                connection, reused = self.connect(), False
            with self.lock:
                self.count += 1
                if problem:
                    self.problems.append(problem)
        connection.close()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=60)


def uncached(reader: int, n: int) -> str:
    """A new URL each time: the proxy cannot answer it, a replica must."""
    return f"/cakupan/figures.json?_size=5&_reader={reader}&_n={n}"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    root = built_site(tmp_path_factory.mktemp("deploy") / "pkg")
    with running_cluster(root) as cluster:
        yield cluster


def test_the_second_request_for_a_public_page_is_a_cache_hit(proxy):
    first = fetch(proxy.port, "/-/gaps?hit=1")
    second = fetch(proxy.port, "/-/gaps?hit=1")
    assert (first[0], first[1]["x-cache-status"]) == (200, "MISS")
    assert (second[0], second[1]["x-cache-status"]) == (200, "HIT")
    assert second[2] == first[2]
    assert second[1]["etag"] == first[1]["etag"]


def test_a_request_with_a_cookie_or_credentials_is_never_stored(proxy):
    for headers in ({"Cookie": "ds_actor=x"}, {"Authorization": "Bearer x"}):
        path = f"/-/awards?private={sorted(headers)[0]}"
        assert fetch(proxy.port, path, headers)[1]["x-cache-status"] == "BYPASS"
        assert fetch(proxy.port, path, headers)[1]["x-cache-status"] == "BYPASS"
        # what a reader with a cookie was sent was never stored for the next reader
        assert fetch(proxy.port, path)[1]["x-cache-status"] == "MISS"


def test_an_answer_that_says_no_store_is_not_kept(proxy):
    statuses = [fetch(proxy.port, "/-/health")[1]["x-cache-status"] for _ in range(2)]
    assert statuses == ["MISS", "MISS"]


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/-/articles", "text/html; charset=utf-8"),
        ("/cakupan/figures.json?_size=max&_shape=array", "application/json; charset=utf-8"),
        ("/cakupan/figures.csv?_size=max&_dl=1", "text/csv; charset=utf-8"),
    ],
)
def test_text_is_gzipped_for_readers_that_accept_it(proxy, path, content_type):
    status, headers, body = fetch(proxy.port, path, {"Accept-Encoding": "gzip, deflate, br"})
    plain_status, plain_headers, plain = fetch(proxy.port, path)
    assert (status, headers["content-type"], headers["content-encoding"]) == (
        200,
        content_type,
        "gzip",
    )
    assert gzip.decompress(body) == plain
    assert (plain_status, plain_headers.get("content-encoding")) == (200, None)
    assert len(body) < len(plain)
    assert "Accept-Encoding" in headers["vary"]


def test_every_answer_names_its_build_and_pages_link_that_builds_downloads(proxy):
    status, headers, body = fetch(proxy.port, "/")
    build_id = headers["x-cakupan-build"]
    assert BUILD_LINK.findall(body.decode()) == [build_id, build_id]  # the home and the footer
    zipped = fetch(proxy.port, f"/-/build/{build_id}/cakupan-datapackage.zip", method="HEAD")
    assert (zipped[0], zipped[1]["x-cakupan-build"]) == (200, build_id)
    gone = fetch(proxy.port, "/-/build/0123456789abcdef/cakupan.db")
    assert gone[0] == 410
    assert b"is no longer served" in gone[2]


def test_killing_a_replica_under_load_loses_no_request(tmp_path):
    root = built_site(tmp_path / "pkg")
    with running_cluster(root) as cluster, Load(cluster.port, uncached) as load:
        time.sleep(LOAD_SECONDS / 4)  # load running before the kill
        victim = cluster.members[0]
        os.kill(victim.pid, signal.SIGKILL)
        time.sleep(LOAD_SECONDS * 3 / 4)
        proxy_errors = (cluster.prefix / "error.log").read_text(errors="replace")
    # on failure, what the proxy saw of the replica's death (its error log) says where it broke
    assert load.problems == [], proxy_errors[-4000:]
    assert load.count > 100
    assert (
        f"replica {victim.index} ({victim.address}): out of rotation: the process exited (status -9)"
        in cluster.lines
    )
    assert f"replica {victim.index}: restarted, pid {victim.pid}" in cluster.lines


def test_a_rolling_update_under_load_gives_no_error_and_no_mixed_build_pair(tmp_path):
    root = built_site(tmp_path / "pkg")
    builds_seen: set[str] = set()

    def page_then_its_download(path, headers, body):
        """The download the page links comes from the build that made the page."""
        if path != "/":
            return None
        page_build = headers["x-cakupan-build"]
        builds_seen.add(page_build)
        linked = set(BUILD_LINK.findall(body.decode()))
        if linked != {page_build}:
            return f"page of build {page_build} links downloads of {sorted(linked)}"
        status, download, _ = fetch(
            cluster.port, f"/-/build/{page_build}/cakupan-datapackage.zip", method="HEAD"
        )
        if (status, download.get("x-cakupan-build")) != (200, page_build):
            return f"page of build {page_build}, its download: {status} {download}"
        return None

    with running_cluster(root) as cluster:
        old = cluster.members[0].build
        paths = ["/", "/-/gaps", "/-/awards"]
        ask = lambda reader, n: paths[n % 3] if n % 4 else uncached(reader, n)  # noqa: E731
        with Load(cluster.port, ask, page_then_its_download) as load:
            time.sleep(2)
            set_cell(root, "figures", "f000-01", "note", "Catatan baru untuk rilis berikutnya.")
            new = cluster.rolling_update()
            time.sleep(2)  # readers meet the new build after the update too
        lines = cluster.lines
        builds_after = {r.build for r in cluster.members}
    assert load.problems == []
    assert new != old
    assert builds_seen == {old, new}
    assert builds_after == {new}
    assert f"serving build {new}" in lines


def test_a_replica_whose_database_fails_its_integrity_check_leaves_the_rotation(tmp_path):
    root = built_site(tmp_path / "pkg")
    with running_cluster(root, restart=False) as cluster:
        healthy, doomed = cluster.members
        copy = tmp_path / "own-copy"
        shutil.copytree(doomed.build_dir, copy)
        doomed = cluster.replace(doomed, copy)
        with open(copy / "cakupan.db", "r+b") as f:  # one flipped byte, as a failing disk makes
            f.seek(200)
            byte = f.read(1)
            f.seek(200)
            f.write(bytes([byte[0] ^ 0xFF]))
        deadline = time.monotonic() + 10
        while doomed.in_rotation and time.monotonic() < deadline:
            time.sleep(0.1)
        assert doomed.in_rotation is False
        assert doomed.problem.startswith("/-/health answered 503: the database file has SHA-256")
        config = (cluster.prefix / "nginx.conf").read_text()
        assert doomed.address not in config and healthy.address in config
        answers = [fetch(cluster.port, uncached(0, n)) for n in range(20)]
        assert [status for status, _, _ in answers] == [200] * 20
        health = json.loads(fetch(doomed.port, "/-/health")[2])
        assert health["ok"] is False
        assert "/" not in health["problem"]  # the answer never names the file's path


def test_cluster_py_prints_each_process_and_stops_them_all_on_sigterm(tmp_path):
    root = built_site(tmp_path / "pkg")
    port = free_port()
    command = [sys.executable, str(ROOT / "deploy" / "cluster.py"), "--replicas", "2",
               "--port", str(port), "--root", str(root), "--grace", "1"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("cluster: pid"):
                break
        assert fetch(port, "/-/gaps")[0] == 200
        pids = [int(m) for line in lines for m in re.findall(r"pid (\d+)", line)]
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    started = [line for line in lines if "pid" in line]
    shapes = [
        r"replica 1: pid \d+, http://127\.0\.0\.1:\d+/ \(build [0-9a-f]{16}\)",
        r"replica 2: pid \d+, http://127\.0\.0\.1:\d+/ \(build [0-9a-f]{16}\)",
        rf"nginx: pid \d+, http://127\.0\.0\.1:{port}/",
        r"cluster: pid \d+; Ctrl-C or SIGTERM stops it, SIGHUP rolls out a new build",
    ]
    assert [bool(re.fullmatch(s, line)) for s, line in zip(shapes, started, strict=True)] == [
        True
    ] * 4, started
    assert process.returncode == 0
    assert rest.splitlines()[-2:] == ["stopping", "stopped"]
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []


def until_not_a_hit(port: int, path: str, seconds: float = 15) -> tuple[int, dict, bytes]:
    """The first answer that is not a plain cache HIT: the copy has expired (max-age=1)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = fetch(port, path)
        if answer[1]["x-cache-status"] != "HIT":
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{path} was still a HIT after {seconds} s")


def test_an_expired_copy_is_revalidated_and_served_stale_while_every_replica_is_down(tmp_path):
    root = built_site(tmp_path / "pkg")
    settings = {"default_cache_ttl": 1}  # Datasette's pages then say max-age=1
    with running_cluster(root, restart=False, settings=settings) as cluster:
        path = "/cakupan/figures?_sort=figure_id"
        status, headers, body = fetch(cluster.port, path)
        assert (status, headers["x-cache-status"], headers["cache-control"]) == (
            200,
            "MISS",
            "max-age=1",
        )
        expired = until_not_a_hit(cluster.port, path)
        # the expired copy is sent at once and renewed behind it, with If-None-Match: a 304
        assert (expired[0], expired[1]["x-cache-status"], expired[2]) == (200, "STALE", body)
        log = cluster.prefix / "replicas.log"
        deadline = time.monotonic() + 10
        while f'"GET {path} HTTP/1.1" 304' not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert f'"GET {path} HTTP/1.1" 304' in log.read_text()
        for replica in cluster.members:
            replica.process.kill()
            replica.process.wait()
        stale = until_not_a_hit(cluster.port, path)
        assert (stale[0], stale[1]["x-cache-status"], stale[2]) == (200, "STALE", body)
