"""Reading the data package from disk: descriptor, CSV tables and article texts.

Reading is strict on purpose: the canonical CSV is UTF-8 without a byte-order mark and with
LF line endings, so a file re-saved by a spreadsheet is caught before it is trusted.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .problems import Problem, shorten

DESCRIPTOR = "datapackage.json"


@dataclass
class Table:
    name: str
    path: str
    schema: dict
    header: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)  # raw cells, in header order
    sha256: str = ""  # of the file as read, so a build can tell it is the file it fingerprinted

    @cached_property
    def rows(self) -> list[dict[str, str]]:
        """The rows keyed by header name, made on first use: the load step reads `cells` and
        never pays for 100,000 dicts; the checks, which look cells up by name, do."""
        header = self.header
        with gc_paused():
            return [dict(zip(header, cells, strict=True)) for cells in self.cells]

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]

    def numbered(self):
        """(frictionless-style row number, row): the first data row is row 2."""
        return enumerate(self.rows, start=2)


@dataclass
class Package:
    root: Path
    descriptor: dict
    tables: dict[str, Table]
    problems: list[Problem]

    def table(self, name: str) -> Table:
        return self.tables[name]

    def file_resources(self) -> list[dict]:
        return [r for r in self.descriptor["resources"] if "schema" not in r]

    def read_as_hashed(self, hashes: dict[str, tuple[str, int]]) -> bool:
        """Whether the tables read, and the articles their sources rows vouch for, are the
        files whose SHA-256 the build recorded: false when a file was edited mid-build."""

        def hashed(path: str) -> str:
            return hashes.get(path, ("", 0))[0]

        sources = self.tables.get("sources")
        return all(t.sha256 == hashed(t.path) for t in self.tables.values()) and all(
            row["sha256"] == hashed(row["path"])
            for row in (sources.rows if sources else [])
            if row.get("path")
        )


def read_descriptor(root: Path) -> tuple[dict | None, list[Problem]]:
    path = root / DESCRIPTOR
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [
            Problem(
                DESCRIPTOR, None, None, "no such file", "a data package descriptor", "descriptor"
            )
        ]
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        found = f"byte {raw[e.start]:#04x} at byte {e.start}"
        return None, [Problem(DESCRIPTOR, None, None, found, "UTF-8 JSON", "descriptor")]
    except json.JSONDecodeError as e:
        found = f"invalid JSON at line {e.lineno} column {e.colno} ({e.msg})"
        return None, [Problem(DESCRIPTOR, e.lineno, None, found, "valid JSON", "descriptor")]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return None, [
            Problem(
                DESCRIPTOR,
                None,
                "resources",
                "no resources list",
                "a list of resources",
                "descriptor",
            )
        ]
    return descriptor, []


def decode_text(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode strictly as UTF-8 and name the line and byte of the first bad byte."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        found = f"byte {raw[e.start]:#04x} at byte offset {e.start} (line {line})"
        return None, [Problem(path, line, None, found, "UTF-8 text", "encoding")]


def read_table(root: Path, resource: dict) -> tuple[Table, list[Problem]]:
    path = resource["path"]
    try:
        raw = (root / path).read_bytes()
    except FileNotFoundError:
        table = Table(resource["name"], path, resource["schema"])
        return table, [
            Problem(path, None, None, "no such file", f"the CSV of resource {table.name!r}", "file")
        ]
    return parse_table(resource, raw)


def parse_table(resource: dict, raw: bytes) -> tuple[Table, list[Problem]]:
    """A table from the bytes of its CSV file, strictly: UTF-8, no BOM, LF line endings."""
    path = resource["path"]
    table = Table(resource["name"], path, resource["schema"])
    # hashlib lets go of the GIL on large inputs, so the hash is taken while the csv module parses
    hashing = _HASHER.submit(lambda: hashlib.sha256(raw).hexdigest())
    try:
        problems = _parse_into(table, raw)
    finally:
        table.sha256 = hashing.result()
    return table, problems


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cakupan-hash")


def _parse_into(table: Table, raw: bytes) -> list[Problem]:
    path = table.path
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(path, None, None, "a UTF-8 byte-order mark", "UTF-8 without BOM", "encoding")
        )
        raw = raw[3:]
    if b"\r" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\r")) + 1
        problems.append(
            Problem(path, line, None, "CRLF or CR line ending", "LF line endings", "line-endings")
        )
    # decoded as it is parsed: a StringIO of the whole file would hold it again at 4 bytes a character
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline=""))
    try:
        with gc_paused():
            table.header = next(reader, [])
            table.cells = list(reader)
    except UnicodeDecodeError:
        table.header, table.cells = [], []
        return problems + decode_text(raw, path)[1]  # names the line and byte
    problems += _header_problems(table)
    problems += row_width_problems(table)
    return problems


@contextmanager
def gc_paused():
    """A list per row makes the cyclic collector re-scan every row read so far, again and again;
    rows hold only strings, so there is nothing for it to find until the reading is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def row_width_problems(table: Table) -> list[Problem]:
    rows, width = table.cells, len(table.header)
    if set(map(len, rows)) <= {width}:  # the common case, checked without a Python loop
        return []
    problems: list[Problem] = []
    for index, cells in enumerate(rows):
        if len(cells) != width:
            found, expected = f"{len(cells)} cells", f"{width} cells, one per column"
            problems.append(Problem(table.path, index + 2, None, found, expected, "row-width"))
            rows[index] = (cells + [""] * width)[:width]
    return problems


def _header_problems(table: Table) -> list[Problem]:
    expected = table.field_names
    found = table.header
    problems = []
    for name in expected:
        if name not in found:
            problems.append(
                Problem(
                    table.path,
                    1,
                    name,
                    "no such column",
                    f"column {name!r} of the schema",
                    "missing-column",
                )
            )
    for name in found:
        if name not in expected:
            problems.append(
                Problem(
                    table.path,
                    1,
                    name,
                    f"column {shorten(name)}",
                    f"only the schema's columns: {', '.join(expected)}",
                    "extra-column",
                )
            )
    if not problems and found != expected:
        problems.append(
            Problem(
                table.path,
                1,
                None,
                ", ".join(found),
                f"columns in schema order: {', '.join(expected)}",
                "column-order",
            )
        )
    return problems


def load_package(root: Path) -> Package:
    """Read everything once; problems found while reading are kept, not raised."""
    root = Path(root)
    descriptor, problems = read_descriptor(root)
    if descriptor is None:
        return Package(root, {"resources": []}, {}, problems)
    tables = {}
    for resource in descriptor["resources"]:
        if "schema" in resource:
            table, found = read_table(root, resource)
            tables[table.name] = table
            problems += found
    return Package(root, descriptor, tables, problems)


def read_article(root: Path, path: str) -> str:
    return (Path(root) / path).read_bytes().decode("utf-8")
