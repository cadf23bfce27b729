"""Whether build/cakupan.db is current: cheap enough to ask before importing the build itself.

The fingerprint covers every input file and cakupan's own code, so a new view or citation style
rebuilds too. `cakupan build` checks it first, so an unchanged rebuild costs one pass over the
inputs and no heavy imports.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from importlib.resources import files
from pathlib import Path

from . import __version__

DB_NAME = "cakupan.db"
INSPECT_NAME = "inspect.json"


def input_files(root: Path, descriptor: dict) -> list[Path]:
    """Every file the database is made from, in a stable order."""
    return [root / "datapackage.json"] + [root / r["path"] for r in descriptor.get("resources", [])]


def input_hash(root: Path, descriptor: dict) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in input_files(root, descriptor):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    # the code that shapes the database counts as input too: a new view or citation style rebuilds
    for code in sorted(Path(str(files("cakupan"))).glob("*.[ps][yq]*")):
        digest.update(code.read_bytes())
    return digest.hexdigest()


def recorded(db_path: Path, key: str) -> str | None:
    """A value from the _build table of an existing database, or None."""
    if not db_path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT value FROM _build WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def up_to_date(root: Path, out_dir: Path | None = None) -> str | None:
    """The content hash of the current database when nothing has changed since it was built, else None."""
    root = Path(root)
    out_dir = Path(out_dir) if out_dir else root / "build"
    target = out_dir / DB_NAME
    try:
        descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (out_dir / INSPECT_NAME).exists() or recorded(target, "input_hash") != input_hash(
        root, descriptor
    ):
        return None
    return recorded(target, "content_hash") or ""
