"""The published build in build/: its file names, and whether it is current and whole (the
database records the fingerprint of these inputs, the zip beside it is the one it records, and
its own SHA-256 is the one inspect.json records). Cheap enough to ask before importing the build.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from . import fingerprint
from .fingerprint import file_sha256, save_cache, stat_key

DB_NAME = "cakupan.db"
INSPECT_NAME = "inspect.json"
ZIP_NAME = "cakupan-datapackage.zip"
OUTPUT_HASH_CACHE_NAME = ".output-hashes.json"  # the published database's own hash


def recorded_facts(db_path: Path) -> dict[str, str]:
    """The _build table of an existing database, or nothing."""
    if not db_path.exists():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            return dict(conn.execute("SELECT key, value FROM _build"))
    except sqlite3.Error:
        return {}


def published(out_dir: Path, fingerprint: str) -> str | None:
    """The content hash when the published build is of exactly these inputs, and whole: its
    database records this fingerprint, the zip beside it is the one it records, and the
    database's own SHA-256 is the one inspect.json records (read again whenever the file's size,
    times or inode changed: an edit in place at the same size is caught). A build killed between
    its renames, a zip torn by a power cut, or a database edited by hand fails this and is built
    again."""
    facts = recorded_facts(out_dir / DB_NAME)
    if not facts or facts.get("input_hash") != fingerprint:
        return None
    try:
        zipped = file_sha256(out_dir / ZIP_NAME)
    except OSError:
        return None
    if zipped != facts.get("package_zip_sha256") or not database_is_as_built(out_dir):
        return None
    return facts.get("content_hash", "")


def database_is_as_built(out_dir: Path) -> bool:
    """The published database's SHA-256 is the one inspect.json recorded when it was built."""
    try:
        inspect = json.loads((out_dir / INSPECT_NAME).read_text("utf-8"))
        recorded = next(iter(inspect.values()))["hash"]
        return known_sha256(out_dir / DB_NAME, out_dir / OUTPUT_HASH_CACHE_NAME) == recorded
    except (OSError, ValueError, StopIteration, KeyError, TypeError):
        return False


def known_sha256(path: Path, cache_path: Path) -> str:
    """A file's SHA-256, read again only when its size, mtime, ctime or inode changed."""
    st = os.stat(path)
    key = stat_key(st)
    try:
        cache = json.loads(cache_path.read_text("utf-8"))
    except (OSError, ValueError):
        cache = {}
    known = cache.get(path.name)
    if known and known[:4] == key:
        return known[4]
    digest = file_sha256(path)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > fingerprint.STILL_NS:
        save_cache(cache_path, {path.name: [*key, digest]})
    return digest
