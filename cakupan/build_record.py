"""What a build records about itself: _build (versions, commit, checksums, hashes),
_build_inputs (the SHA-256 of every input file) and inspect.json (what `datasette inspect`
writes), and the content hash of the data."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .fingerprint import DESCRIPTOR, FileHashes, file_sha256
from .package import Package


def content_digest(hashes: FileHashes) -> str:
    """A hash of the data itself: every table and article file's SHA-256, by path.

    Equal inputs give an equal hash; unlike the input hash it ignores cakupan's own code and the
    wording of datapackage.json.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in hashes if p != DESCRIPTOR):
        digest.update(f"{path}\0{hashes[path][0]}\n".encode())
    return digest.hexdigest()


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def record_build(
    conn: sqlite3.Connection, package: Package, facts: dict[str, str], hashes: FileHashes
) -> None:
    """_build: what was built from what; _build_inputs: the SHA-256 of every input file.

    Written anew by both kinds of build; the source checksums are read back from the sources
    table, so they are the ones the database actually holds.
    """
    checksums = dict(conn.execute("SELECT source_id, sha256 FROM sources ORDER BY source_id"))
    facts = {
        **facts,
        "package_name": package.descriptor.get("name", ""),
        "package_version": package.descriptor.get("version", ""),
        "cakupan_version": __version__,
        "git_commit": git_commit(package.root),
        "source_checksums": json.dumps(checksums, sort_keys=True),
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_build'").fetchone():
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        db["_build"].create({"key": str, "value": str}, pk="key")
        db["_build_inputs"].create({"path": str, "sha256": str, "bytes": int}, pk="path")
    conn.execute("DELETE FROM _build")
    conn.execute("DELETE FROM _build_inputs")
    conn.executemany("INSERT INTO _build VALUES (?, ?)", sorted(facts.items()))
    conn.executemany(
        "INSERT INTO _build_inputs VALUES (?, ?, ?)",
        sorted((path, sha, size) for path, (sha, size) in hashes.items()),
    )


def recorded_inputs(conn: sqlite3.Connection) -> FileHashes:
    return {path: (sha, size) for path, sha, size in conn.execute("SELECT * FROM _build_inputs")}


def inspect_data(staged: Path, target: Path) -> dict:
    """What `datasette inspect` writes (file hash, size, row counts), named for the target.

    Computed here rather than through Datasette's inspect_, which leaves its connections to the
    staged file open for the life of the process.
    """
    with closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        counts = {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in names
        }
    tables = {name: {"count": count} for name, count in counts.items()}
    return {
        target.stem: {
            "hash": file_sha256(staged),
            "size": staged.stat().st_size,
            "file": str(target),
            "tables": tables,
        }
    }
