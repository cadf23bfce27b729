"""The database and the package zip, streamed from disk with an ETag, never read whole.

Both files are opened once, when the server starts, and read by offset (os.pread) from those
open descriptors: a build that renames new files into build/ while the server runs changes
nothing the server sends, so a page and the downloads it links always come from one build.
The zip is checked at start against the SHA-256 the database records for it
(_build.package_zip_sha256); a zip that does not belong to the database is never served.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass

from .response_cache import matches

CHUNK = 64 * 1024  # what one slow reader can hold in memory at a time, besides the socket's buffer
READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cakupan-downloads")


@dataclass
class PinnedFile:
    fd: int
    size: int
    etag: bytes
    content_type: bytes
    filename: str

    @classmethod
    def open(cls, path: str, sha256: str, content_type: str) -> PinnedFile:
        fd = os.open(path, os.O_RDONLY)
        return cls(
            fd,
            os.fstat(fd).st_size,
            f'"{sha256}"'.encode(),
            content_type.encode(),
            os.path.basename(path),
        )

    async def send(self, scope, send) -> None:
        headers = [
            (b"etag", self.etag),
            (b"cache-control", b"public, max-age=3600"),
            (b"content-disposition", f'attachment; filename="{self.filename}"'.encode()),
        ]
        if matches(dict(scope.get("headers", [])).get(b"if-none-match", b""), self.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", self.content_type),
            (b"content-length", str(self.size).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        loop = asyncio.get_running_loop()
        offset = 0
        while offset < self.size:
            chunk = await loop.run_in_executor(READERS, os.pread, self.fd, CHUNK, offset)
            if not chunk:
                break
            offset += len(chunk)
            # send() waits while the client's socket buffer is full: a slow reader holds one chunk
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": offset < self.size}
            )
        if offset < self.size or self.size == 0:
            await send({"type": "http.response.body", "body": b""})


def file_sha256_of_fd(fd: int) -> str:
    """The SHA-256 of the open file, from its start, leaving `fd` open (its readers use pread,
    which ignores the shared file offset)."""
    with os.fdopen(os.dup(fd), "rb") as f:
        f.seek(0)
        return hashlib.file_digest(f, "sha256").hexdigest()


@dataclass
class Downloads:
    database: PinnedFile
    package_zip: PinnedFile | None  # None: missing, or not the zip this database was built with
    problem: str = ""

    @classmethod
    def pin(cls, db_path: str, db_sha256: str, zip_path: str) -> Downloads:
        database = PinnedFile.open(db_path, db_sha256, "application/vnd.sqlite3")
        with closing(sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)) as conn:
            found = conn.execute(
                "select value from _build where key = 'package_zip_sha256'"
            ).fetchone()
        expected = found[0] if found else ""
        zipped, problem = open_verified(zip_path, expected)
        return cls(database, zipped, problem)


def open_verified(path: str, sha256: str, filename: str = "") -> tuple[PinnedFile | None, str]:
    """A zip pinned for sending (as `filename`, else its own name) when its bytes have the
    SHA-256 the database records for it, else None and the reason: missing, or not the zip
    this database was built with. The reason names the file, not where the server keeps it."""
    name = os.path.basename(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None, f"{name} is missing: run `cakupan build`"
    actual = file_sha256_of_fd(fd)
    if actual != sha256:
        os.close(fd)
        return None, f"{name} was not built with this database: run `cakupan build`"
    size = os.fstat(fd).st_size
    return PinnedFile(fd, size, f'"{actual}"'.encode(), b"application/zip", filename or name), ""
