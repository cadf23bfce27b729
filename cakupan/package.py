"""Reading the data package from disk: descriptor, CSV tables and article texts.

Reading is strict on purpose: the canonical CSV is UTF-8 without a byte-order mark and with
LF line endings, so a file re-saved by a spreadsheet is caught before it is trusted.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, shorten

DESCRIPTOR = "datapackage.json"


@dataclass
class Table:
    name: str
    path: str
    schema: dict
    header: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # raw cells, keyed by header name

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
    table = Table(resource["name"], path, resource["schema"])
    try:
        raw = (root / path).read_bytes()
    except FileNotFoundError:
        return table, [
            Problem(path, None, None, "no such file", f"the CSV of resource {table.name!r}", "file")
        ]
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
    text, bad = decode_text(raw, path)
    if text is None:
        return table, problems + bad
    reader = csv.reader(io.StringIO(text, newline=""))
    table.header = next(reader, [])
    problems += _header_problems(table)
    width, header, rows = len(table.header), table.header, table.rows
    for number, cells in enumerate(reader, start=2):
        if len(cells) != width:
            problems.append(
                Problem(
                    path,
                    number,
                    None,
                    f"{len(cells)} cells",
                    f"{width} cells, one per column",
                    "row-width",
                )
            )
            cells = (cells + [""] * width)[:width]
        rows.append(dict(zip(header, cells, strict=False)))  # widths were made equal above
    return table, problems


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
