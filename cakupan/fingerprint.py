"""The fingerprint of a build's inputs: every input file's SHA-256 and cakupan's own code, and
which files changed. Cheap enough to ask before importing the build itself (published.py asks
whether the published build has this fingerprint).

Every input file is hashed (SHA-256). The hashes are remembered in build/.input-hashes.json
against each file's size, modification and change times and inode, the way git's index does, so
an unchanged rebuild stats 10,000 articles instead of reading them. An entry is only remembered
once its file has been still for a couple of seconds: a file written again within the same clock
tick would otherwise keep its old stat and hash (git's "racy clean" problem).

The fingerprint also covers cakupan's own code, so a new view or citation style rebuilds too.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from . import __version__

LIBRARIES = ("markdown-it-py", "sqlite-utils")
HASH_CACHE_NAME = ".input-hashes.json"
DESCRIPTOR = "datapackage.json"
STILL_NS = 2_000_000_000  # a file changed more recently than this is hashed every time
MISSING = ("<missing>", -1)

FileHashes = dict[str, tuple[str, int]]  # path relative to the root -> (sha256, bytes)


def input_paths(descriptor: dict) -> list[str]:
    """Every file the database is made from, relative to the root, in a stable order."""
    return [DESCRIPTOR] + [r["path"] for r in descriptor.get("resources", [])]


def file_sha256(path: Path | str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def file_hashes(root: Path, descriptor: dict, cache_dir: Path | None = None) -> FileHashes:
    """SHA-256 and size of every input file; files whose stat is unchanged are not read again."""
    cache_path = cache_dir / HASH_CACHE_NAME if cache_dir else None
    try:
        cache = json.loads(cache_path.read_text("utf-8")) if cache_path else {}
    except (OSError, ValueError):
        cache = {}
    now, fresh, hashes = time.time_ns(), {}, {}
    base = os.fspath(root) + os.sep  # plain strings: pathlib costs more than the stat itself
    for path in input_paths(descriptor):
        try:
            st = os.stat(base + path)
        except OSError:
            hashes[path] = MISSING
            continue
        key = stat_key(st)
        known = cache.get(path)
        if known and known[:4] == key:
            digest = known[4]
        else:
            try:
                digest = file_sha256(base + path)
            except OSError:
                hashes[path] = MISSING
                continue
        hashes[path] = (digest, st.st_size)
        if now - max(st.st_mtime_ns, st.st_ctime_ns) > STILL_NS:
            fresh[path] = [*key, digest]
    if cache_path and fresh != cache:
        save_cache(cache_path, fresh)
    return hashes


def save_cache(path: Path, cache: dict) -> None:
    """Best effort: without the cache the next build only reads more."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(cache, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def code_hash() -> str:
    """cakupan's version, the code that shapes the database (.py and .sql files), and the
    versions of what else shapes it: SQLite (FTS5), markdown-it-py (rendering), sqlite-utils.
    After an upgrade every article is built again, never half with the old and half the new."""
    versions = [f"cakupan {__version__}", f"sqlite {sqlite3.sqlite_version}"]
    versions += [f"{name} {version(name)}" for name in LIBRARIES]
    digest = hashlib.sha256("; ".join(versions).encode())
    for code in sorted(Path(str(files("cakupan"))).glob("*.[ps][yq]*")):
        digest.update(code.read_bytes())
    return digest.hexdigest()


def input_hash(hashes: FileHashes, code: str | None = None) -> str:
    """One hash of every input file's content and of the code."""
    digest = hashlib.sha256((code or code_hash()).encode())
    for path, (sha, size) in hashes.items():
        digest.update(f"{path}\0{sha}\0{size}\n".encode())
    return digest.hexdigest()


def read_descriptor_quietly(root: Path) -> tuple[dict | None, str]:
    """datapackage.json parsed, or None, and the SHA-256 of the bytes that were parsed."""
    try:
        raw = (Path(root) / DESCRIPTOR).read_bytes()
        descriptor = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None, ""
    return (descriptor if isinstance(descriptor, dict) else None), hashlib.sha256(raw).hexdigest()
