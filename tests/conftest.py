"""Shared fixtures: a private copy of the real package for each test to break."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_PARTS = ("datapackage.json", "data", "sources")


def copy_package(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def package(tmp_path) -> Path:
    return copy_package(tmp_path / "pkg")


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(root: Path, table: str, key: str, field: str, value: str) -> None:
    """Change one cell of the row whose first column is `key`."""
    path = root / "data" / f"{table}.csv"
    rows = read_rows(path)
    first = next(iter(rows[0]))
    matches = [r for r in rows if r[first] == key]
    assert len(matches) == 1, f"no single row {key} in {table}"
    matches[0][field] = value
    write_rows(path, rows)
