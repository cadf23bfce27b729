"""How cakupan is served: the exact Datasette command, shared by `cakupan serve`, the README and
tests, and the pinned copy of the build a server reads. No Datasette import here: the site's
code is in cakupan/site/."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from . import release_zips
from .build import DB_NAME, INSPECT_NAME, build_lock
from .fingerprint import file_sha256
from .published import OUTPUT_HASH_CACHE_NAME, ZIP_NAME, known_sha256, recorded_facts

SERVING = "serving"  # build/serving/<sha>/: what running servers read

# Settings that keep a public site responsive: short query time limits that a URL cannot raise,
# no facet suggestions (slow on every table page), bounded result pages.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "max_returned_rows": 1000,
    "suggest_facets": False,
    "default_cache_ttl": 300,
    "max_csv_mb": 50,
}


def setting_arg(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def datasette_args(
    root: Path, host: str = "127.0.0.1", port: int = 8001, build: Path | None = None
) -> list[str]:
    """The `datasette serve` arguments of the site; `build` is the directory of the files to
    serve (build/ itself, or the pinned copy `cakupan serve` makes)."""
    root = Path(root)
    build = Path(build) if build is not None else root / "build"
    args = [
        "serve",
        "-i", str(build / DB_NAME),
        "--inspect-file", str(build / INSPECT_NAME),
        "-m", str(root / "metadata.yml"),
        "--plugins-dir", str(root / "plugins"),
        "--template-dir", str(root / "templates"),
        "--static", f"assets:{root / 'static'}",
        "-h", host,
        "-p", str(port),
    ]  # fmt: skip
    for name, value in SETTINGS.items():
        args += ["--setting", name, setting_arg(value)]
    return args


class ServeError(Exception):
    pass


PUBLIC_URL_ENV = "CAKUPAN_PUBLIC_URL"  # read by the server (cakupan/site/public_url.py)


def check_public_url(url: str) -> str:
    """The public base URL every absolute link of the site is written with, without a trailing
    slash; an error naming what was given and what is expected otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ServeError(
            f"public URL {url!r}: expected an http(s) address such as https://cakupan.example.org"
        )
    return url.rstrip("/")


def pin_build(out_dir: Path) -> Path:
    """The published database, its inspect.json, its zip and the releases' zips, hard-linked into
    build/serving/<sha>/ and checked to belong together; the directory to serve from.

    A build that renames new files into build/ while the server runs then changes nothing the
    server reads: every page and every download of one server comes from one build. The links
    are made under the build lock (no build is half published) and checked after linking (their
    inodes are fixed). The server holds a shared lock on its directory for its whole life;
    directories no server holds are removed when the next server starts.
    """
    out_dir = Path(out_dir)
    serving = out_dir / SERVING
    try:
        serving.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".pin-", dir=serving))
    except OSError:
        # a read-only build/ (an immutable image): no build can replace the files under the
        # server there, so it reads them in place, once checked to belong together
        _check_belong_together(out_dir, out_dir)
        return out_dir
    try:
        with build_lock(out_dir):
            for name in (DB_NAME, INSPECT_NAME, ZIP_NAME):
                if not (out_dir / name).exists():
                    raise ServeError(f"{out_dir / name} is missing: run `cakupan build`")
                os.link(out_dir / name, staging / name)
            _link_release_zips(out_dir, staging)
        sha = _check_belong_together(staging, out_dir)
        pinned = serving / sha[:16]
        with contextlib.suppress(OSError):  # another server pinned this build first: share it
            staging.rename(pinned)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _hold(pinned)
    _remove_unheld(serving, keep=pinned)
    return pinned


def _link_release_zips(out_dir: Path, staging: Path) -> None:
    """The releases' zips beside the pinned database, as /-/releases/<id>.zip reads them (each
    is checked against the SHA-256 the database records when it is first sent)."""
    zips = out_dir / release_zips.DIRECTORY
    if zips.is_dir():
        (staging / release_zips.DIRECTORY).mkdir()
        for path in zips.iterdir():
            os.link(path, staging / release_zips.DIRECTORY / path.name)


def _check_belong_together(pinned: Path, out_dir: Path) -> str:
    db = pinned / DB_NAME
    inspect = json.loads((pinned / INSPECT_NAME).read_text("utf-8"))
    recorded = next(iter(inspect.values()))["hash"]
    actual = known_sha256(db, out_dir / OUTPUT_HASH_CACHE_NAME)
    if actual != recorded:
        raise ServeError(
            f"{out_dir / DB_NAME} is not the database {INSPECT_NAME} describes "
            f"(SHA-256 {actual[:12]}, recorded {recorded[:12]}): run `cakupan build --force`"
        )
    if file_sha256(pinned / ZIP_NAME) != recorded_facts(db).get("package_zip_sha256"):
        raise ServeError(
            f"{out_dir / ZIP_NAME} was not built with {out_dir / DB_NAME}: run `cakupan build --force`"
        )
    return actual


HELD: list = []  # the open lock files of the directories this process serves


def _hold(pinned: Path) -> None:
    lock = open(pinned / ".lock", "a")  # noqa: SIM115 - held for the life of the process
    fcntl.flock(lock, fcntl.LOCK_SH)
    os.set_inheritable(lock.fileno(), True)  # kept across the exec into the server
    HELD.append(lock)


def _remove_unheld(serving: Path, keep: Path) -> None:
    for other in serving.iterdir():
        if other == keep or not other.is_dir():
            continue
        try:
            with open(other / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            continue  # held by a running server, or already gone


def exec_server(args: list[str]) -> None:  # pragma: no cover - replaces the process
    os.execv(sys.executable, [sys.executable, "-m", "cakupan.site.server", *args])
