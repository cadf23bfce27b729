"""Is this replica still serving the database it was started with? The answer of /-/health.

A replica serves one build, immutable, and its inspect file records the database's SHA-256. A disk
that flips bits, a volume restored from the wrong snapshot or a hand edit would make it serve
pages the build never made; hashing the file again and comparing is the integrity check (a build
runs `PRAGMA integrity_check` before it publishes, so a file whose SHA-256 is the recorded one is
a sound database). deploy/cluster.py asks each replica every second and takes one that answers
anything but 200 out of the proxy's rotation; a container platform's readiness probe does the same.

Hashing a large database on every probe would cost a core, so a verified answer is remembered
against the file's size, inode and change times (any write or rename changes one of them), and
the whole file is hashed again at least every FULL_CHECK_SECONDS whatever its times say. The
answer never names the file's path (a stranger may read it).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field

FULL_CHECK_SECONDS = 300


@dataclass
class Verdict:
    ok: bool
    problem: str = ""


@dataclass
class DatabaseCheck:
    path: str
    expected_sha256: str
    clock: object = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _verified: tuple | None = None  # the stat of the file last found sound
    _verified_at: float = 0.0

    def run(self) -> Verdict:
        """Hashes the file when it may have changed; one check at a time (probes can overlap)."""
        with self._lock:
            try:
                st = os.stat(self.path)
            except OSError as e:
                self._verified = None
                return Verdict(False, f"the database file cannot be read: {e.strerror}")
            stamp = (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
            fresh = self.clock() - self._verified_at < FULL_CHECK_SECONDS
            if stamp == self._verified and fresh:
                return Verdict(True)
            with open(self.path, "rb") as f:
                actual = hashlib.file_digest(f, "sha256").hexdigest()
            if actual != self.expected_sha256:
                self._verified = None
                return Verdict(
                    False,
                    f"the database file has SHA-256 {actual[:16]}, "
                    f"expected {self.expected_sha256[:16]}: "
                    "it is no longer the database this replica was started with",
                )
            self._verified, self._verified_at = stamp, self.clock()
            return Verdict(True)
