"""Reading the data package from disk: descriptor, CSV tables and article texts.

Reading is strict on purpose: the canonical CSV is UTF-8 without a byte-order mark and with
LF line endings, so a file re-saved by a spreadsheet is caught before it is trusted. No cell
may hold a control character other than tab and line feed (a NUL makes git call the file
binary, an ESC reaches a curator's terminal), nor more than MAX_CELL_CHARS characters.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .fingerprint import DESCRIPTOR
from .problems import Problem, shorten

# Python's csv module refuses a longer field (its default field_size_limit), so that is the limit
MAX_CELL_CHARS = 131_072
MAX_TABLE_BYTES = 1 << 30  # checked before a table is read: far above 100,000 figures
# C0 and C1 control characters except tab and line feed, as text and as UTF-8 bytes
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# bytes that are never a C0 control or DEL: deleting them leaves only those (fast, in C)
_NOT_C0 = bytes(b for b in range(256) if not (b < 0x20 and b not in (0x09, 0x0A) or b == 0x7F))
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")  # a C1 control in UTF-8


def has_control_bytes(raw: bytes) -> bool:
    """Whether UTF-8 bytes hold a control character other than tab and LF; a few ms per 50 MB."""
    return bool(raw.translate(None, _NOT_C0)) or (b"\xc2" in raw and bool(_C1_BYTES.search(raw)))


_CONTROL_NAMES = {0x00: "NUL", 0x0D: "carriage return", 0x1B: "ESC", 0x7F: "DEL"}


@dataclass
class Table:
    name: str
    path: str
    schema: dict
    header: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)  # raw cells, in header order
    sha256: str = ""  # of the file as read, so a build can tell it is the file it fingerprinted
    # whether reading looked for control characters and long cells (parse_table does; a table
    # made of rows parsed elsewhere, like the incremental build's, is checked by unchecked_cells)
    cells_checked: bool = False

    @cached_property
    def rows(self) -> list[dict[str, str]]:
        """The rows keyed by header name, made on first use: the load step reads `cells` and
        never pays for 100,000 dicts; the checks, which look cells up by name, do."""
        header = self.header
        with gc_paused():
            return [dict(zip(header, cells, strict=True)) for cells in self.cells]

    def release_row_dicts(self) -> None:
        """Drop the dictionaries the checks read (made again on the next use of `rows`)."""
        self.__dict__.pop("rows", None)

    def release(self) -> None:
        """Drop the parsed rows (the build, once they are in the database)."""
        self.cells = []
        self.release_row_dicts()

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


def without_article_files(descriptor: dict) -> dict:
    """The descriptor but for its list of article files, which grows with every article added."""
    return {**descriptor, "resources": [r for r in descriptor["resources"] if "schema" in r]}


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


class UnreadableFile(Exception):
    """A file that is not read at all: missing, not a regular file, or over its size limit.

    The message reads "found ...; expected ..." after the file's name."""

    def __init__(self, found: str, expected: str):
        super().__init__(f"found {found}; expected {expected}")
        self.found, self.expected = found, expected


def read_regular_file(path: Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most max_bytes, checked before reading anything.

    Opened without blocking, so a FIFO cannot hang us, and stat-ed on the open descriptor,
    so the file checked is the file read; /dev/zero or a huge file costs nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UnreadableFile("no such file", f"the {what}") from None
    except OSError as e:
        raise UnreadableFile(f"a file that cannot be opened ({e.strerror})", f"the {what}") from e
    with open(fd, "rb", closefd=True) as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(_file_kind(info.st_mode), f"a regular file ({what})")
        if info.st_size > max_bytes:
            found = f"{info.st_size:,} bytes"
            raise UnreadableFile(found, f"at most {max_bytes:,} bytes for one {what}")
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            raise UnreadableFile(f"a read error ({e.strerror})", f"the {what}") from e
    if len(data) > max_bytes:  # it grew after the stat
        raise UnreadableFile(f"more than {max_bytes:,} bytes", f"at most {max_bytes:,} bytes")
    return data


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_table(
    root: Path, resource: dict, replaced: dict[str, bytes] | None = None
) -> tuple[Table, list[Problem]]:
    path = resource["path"]
    if replaced and path in replaced:
        return parse_table(resource, replaced[path])
    try:
        raw = read_regular_file(
            root / path, MAX_TABLE_BYTES, f"CSV of resource {resource['name']!r}"
        )
    except UnreadableFile as e:
        table = Table(resource["name"], path, resource["schema"])
        return table, [Problem(path, None, None, e.found, e.expected, "file")]
    return parse_table(resource, raw)


def parse_table(resource: dict, raw: bytes) -> tuple[Table, list[Problem]]:
    """A table from the bytes of its CSV file, strictly: UTF-8, no BOM, LF line endings."""
    path = resource["path"]
    table = Table(resource["name"], path, resource["schema"])
    # hashlib lets go of the GIL on large inputs, so the hash is taken while the csv module parses
    hashing = _HASHER.submit(lambda: hashlib.sha256(raw).hexdigest())
    try:
        problems = _parse_into(table, raw)
        table.cells_checked = True
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
    header, cells, found = read_cells(raw, path)
    if header is None:
        return problems + found
    table.header, table.cells = header, cells
    problems += found
    if b"\r" in raw and raw.count(b"\r") > sum(c.count("\r") for r in cells for c in r):
        # a CR outside the cells: a CRLF or CR line ending (a CR in a cell is reported there)
        first = raw.find(b"\r\n") if b"\r\n" in raw else raw.index(b"\r")
        line = raw.count(b"\n", 0, first) + 1
        problems.append(
            Problem(path, line, None, "CRLF or CR line ending", "LF line endings", "line-endings")
        )
    problems += _header_problems(table)
    problems += row_width_problems(table)
    return problems


def read_cells(raw: bytes, path: str) -> tuple[list[str] | None, list[list[str]], list[Problem]]:
    """Header, rows and the cell problems of CSV bytes (no BOM); header None when not UTF-8.

    The common case costs one C-level parse and one bytes search: cells are looked at one by one
    only when the file holds a control character or a cell longer than MAX_CELL_CHARS."""
    try:
        header, cells = _parse(raw, MAX_CELL_CHARS)
        too_long = False
    except UnicodeDecodeError:
        return None, [], decode_text(raw, path)[1]  # names the line and byte
    except csv.Error:  # a field over the csv module's limit: read again without it, then say where
        header, cells = _parse(raw, len(raw) + 1)
        too_long = True
    if too_long or has_control_bytes(raw):
        return header, cells, _cell_problems_of(path, header, cells)
    return header, cells, []


def _parse(raw: bytes, limit: int) -> tuple[list[str], list[list[str]]]:
    # decoded as it is parsed: a StringIO of the whole file would hold it again at 4 bytes a character
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline=""))
    # set each time: the limit is global to the process and frictionless raises it when imported
    old = csv.field_size_limit(limit)
    try:
        with gc_paused():
            return next(reader, []), list(reader)
    finally:
        csv.field_size_limit(old)


def unchecked_cells(table: Table) -> list[Problem]:
    """Control characters and long cells in a table whose rows were not read by parse_table."""
    return [] if table.cells_checked else _cell_problems_of(table.path, table.header, table.cells)


def _cell_problems_of(path: str, header: list[str], cells: list[list[str]]) -> list[Problem]:
    problems = []
    for number, row in enumerate([header, *cells], start=1):
        for index, cell in enumerate(row):
            if len(cell) > MAX_CELL_CHARS or CONTROL.search(cell):
                name = header[index] if number > 1 and index < len(header) else None
                problems += cell_problems(path, number, name, cell)
    return problems


def cell_problems(path: str, row: int | None, field: str | None, cell: str) -> list[Problem]:
    """What is wrong with one cell of a curated table: too long, or a control character."""
    problems = []
    if len(cell) > MAX_CELL_CHARS:
        found = f"a cell of {len(cell):,} characters"
        expected = f"at most {MAX_CELL_CHARS:,} characters in a cell"
        problems.append(Problem(path, row, field, found, expected, "cell-length"))
    bad = CONTROL.search(cell)
    if bad:
        found = f"{control_name(bad.group())} at character {bad.start()} of {shorten(cell)}"
        expected = "text without control characters (tab and line feed are allowed)"
        problems.append(Problem(path, row, field, found, expected, "control-character"))
    return problems


def control_name(char: str) -> str:
    code = ord(char)
    name = _CONTROL_NAMES.get(code)
    return f"control character U+{code:04X}" + (f" ({name})" if name else "")


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


def load_package(root: Path, replaced: dict[str, bytes] | None = None) -> Package:
    """Read everything once; problems found while reading are kept, not raised.

    `replaced` maps table paths to bytes read instead of the file: the package as a write
    would leave it, checked before anything is written. A write that was interrupted after
    its commit point is finished first (package_write), so a reader never sees half of it.
    """
    root = Path(root)
    problems = _finish_interrupted_write(root)
    descriptor, found = read_descriptor(root)
    problems += found
    if descriptor is None:
        return Package(root, {"resources": []}, {}, problems)
    tables = {}
    for resource in descriptor["resources"]:
        if "schema" in resource:
            table, found = read_table(root, resource, replaced)
            tables[table.name] = table
            problems += found
    return Package(root, descriptor, tables, problems)


def _finish_interrupted_write(root: Path) -> list[Problem]:
    from . import package_write

    if not (root / package_write.JOURNAL_NAME).exists():
        return []
    try:
        with package_write.package_lock(root, "recover"):
            pass  # taking the lock recovers
    except (package_write.WriteError, OSError) as e:
        found = f"the journal of an interrupted write that could not be finished ({e})"
        expected = "no interrupted write: run any cakupan command where the package can be written"
        return [
            Problem(package_write.JOURNAL_NAME, None, None, found, expected, "interrupted-write")
        ]
    return []
