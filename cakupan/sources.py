"""Adding an article to the package: stored in one form, recorded, never rewriting other rows.

One policy for an article's bytes: it is stored as UTF-8 without a byte-order mark, with LF
line endings (a BOM is removed, CRLF and a bare CR become LF) and with no control character but
tab and LF (refused, naming the line and column). Only that form is hashed, offsets count in it,
and a duplicate is the same text in that form: the same article saved with CRLF or a BOM is
refused as a copy. When the bytes received differ, the row's `note` records their size, SHA-256
and how they differed, so the original can still be matched.

Everything is written in one locked, journalled commit (package_write): the article, the new
sources.csv (its old bytes plus one row) and datapackage.json (one more resource), or nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from . import package_write
from .package import (
    DESCRIPTOR,
    Table,
    UnreadableFile,
    cell_problems,
    decode_text,
    parse_table,
)
from .package import read_regular_file as read_limited
from .problems import shorten
from .provenance import MAX_ARTICLE_BYTES, article_form_problems, date_order_problems
from .render import MAX_ARTICLE_CHARS
from .schema import cast, check_cells

# what makes a table file unsafe to append to (other problems are for cakupan validate to name)
STRUCTURAL = {
    "encoding",
    "line-endings",
    "missing-column",
    "extra-column",
    "column-order",
    "row-width",
}


class SourceError(Exception):
    """The article was not added; nothing was written."""


@dataclass(frozen=True)
class Origin:
    url: str = ""
    outlet: str = ""
    title: str = ""
    published: str = ""
    accessed: str = ""


def rights_text(outlet: str) -> str:
    holder = outlet or "its original publisher (not named in the received text)"
    return f"Text © {holder}; kept unchanged only so that quotations can be verified. Not covered by the CC BY 4.0 licence of the curated data."


@dataclass(frozen=True)
class Article:
    received: bytes  # the file as given
    text: str  # as stored: no BOM, LF line endings

    @property
    def stored(self) -> bytes:
        return self.text.encode("utf-8")

    def note(self) -> str:
        """What the stored form changed, for the sources row: empty when nothing."""
        changes = []
        if self.received.startswith(b"\xef\xbb\xbf"):
            changes.append("a UTF-8 byte-order mark (removed)")
        if b"\r\n" in self.received:
            changes.append("CRLF line endings (stored as LF)")
        if re.search(rb"\r(?!\n)", self.received):
            changes.append("CR line endings (stored as LF)")
        if not changes:
            return ""
        digest = hashlib.sha256(self.received).hexdigest()
        return f"Received as {len(self.received)} bytes (SHA-256 {digest}) with {' and '.join(changes)}."


def read_article_file(path: Path) -> Article:
    """The article in its stored form; SourceError naming the file for anything unusable.

    Size and kind are checked before reading: /dev/zero, a FIFO or a 200 MB file is refused at once."""
    try:
        raw = read_limited(path, MAX_ARTICLE_BYTES, "article")
    except UnreadableFile as e:
        raise SourceError(f"{path}: {e}") from None
    text, problems = decode_text(raw, str(path))
    if text is None:
        raise SourceError(
            f"{path}: found {problems[0].found}; expected UTF-8 text (save the article as UTF-8 and try again)"
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SourceError(f"{path}: found an empty file; expected the article's text")
    if len(text) > MAX_ARTICLE_CHARS:
        raise SourceError(
            f"{path}: found {len(text)} characters; expected at most {MAX_ARTICLE_CHARS} for one article"
        )
    for _line, _field, found, expected, _check in article_form_problems(text):
        raise SourceError(f"{path}: found {found}; expected {expected}")
    return Article(raw, text)


def check_origin(origin: Origin, text: str, path: Path) -> None:
    """The origin may only say what the article prints, or what the curator knows (URL, dates)."""
    for name, value in (
        ("--url", origin.url),
        ("--outlet", origin.outlet),
        ("--title", origin.title),
        ("--published", origin.published),
        ("--accessed", origin.accessed),
    ):
        for problem in cell_problems("", None, None, value):
            raise SourceError(f"{name}: found {problem.found}; expected {problem.expected}")
    for name, value in (("--outlet", origin.outlet), ("--title", origin.title)):
        if value and value not in text:
            raise SourceError(
                f"{path}: {name} {shorten(value)} does not appear in the article; expected words printed in it (leave it out when the article does not print it)"
            )
    if origin.url:
        try:
            cast("string", origin.url, "uri")
        except ValueError:
            raise SourceError(
                f"--url {shorten(origin.url)}: expected an http:// or https:// address"
            ) from None
    for name, value in (("--published", origin.published), ("--accessed", origin.accessed)):
        if value:
            try:
                cast("date", value)
            except ValueError:
                raise SourceError(
                    f"{name} {shorten(value)}: expected a date as YYYY-MM-DD"
                ) from None
    accessed = origin.accessed or date.today().isoformat()
    for _field, found, expected, _check in date_order_problems(
        {"published": origin.published, "date_accessed": accessed}
    ):
        given = "--accessed" if origin.accessed else "--accessed (today, by default)"
        raise SourceError(
            f"{given} {found}: expected {expected.replace('the date published', '--published')}"
        )


def next_source_id(rows: list[dict], digest: str) -> str:
    numbers = [int(m.group(1)) for r in rows if (m := re.match(r"(\d+)_", r["source_id"]))]
    return f"{max(numbers, default=-1) + 1:03d}_{digest[:16]}"


def add_source(root: Path, file: Path, origin: Origin, report=None) -> str:
    """Add the article; return its new source_id. Raises SourceError, or package_write.WriteError,
    and then nothing was written. `report` gets a line for anything said while waiting or recovering."""
    root, file = Path(root), Path(file)
    article = read_article_file(file)
    check_origin(origin, article.text, file)
    if not (root / DESCRIPTOR).is_file():
        raise SourceError(
            f"{root / DESCRIPTOR}: found no such file; expected the package's descriptor"
        )
    with package_write.package_lock(root, f"add-source {file}", report=report):
        descriptor, resource, old_csv = _read_sources(root)
        table, problems = parse_table(resource, old_csv)
        problems = [p for p in problems if p.check in STRUCTURAL]
        if problems:
            raise SourceError(
                f"{resource['path']} cannot take a new row: {problems[0]}; fix it first (cakupan validate lists every problem)"
            )
        stored = article.stored
        digest = hashlib.sha256(stored).hexdigest()
        for row in table.rows:
            if row.get("sha256") == digest:
                same = (
                    "same SHA-256"
                    if stored == article.received
                    else "same text once its line endings and byte-order mark are normalised; SHA-256"
                )
                raise SourceError(
                    f"{file}: already in the catalogue as source {row['source_id']} ({same} {digest})"
                )
        source_id = next_source_id(table.rows, digest)
        path = f"sources/{source_id}.txt"
        existing = root / path
        if (existing.exists() or existing.is_symlink()) and not _same_file(existing, stored):
            raise SourceError(
                f"{existing}: found a file that no row of {resource['path']} records; expected no file there "
                "(perhaps left by an interrupted older cakupan): remove it and run add-source again"
            )
        row = {
            "source_id": source_id, "path": path, "sha256": digest, "bytes": str(len(stored)),
            "headline": origin.title, "outlet": origin.outlet, "byline": "", "dateline": "",
            "published": origin.published, "published_as_printed": "", "event_date": "", "event_date_as_printed": "",
            "language": "id", "url": origin.url, "date_accessed": origin.accessed or date.today().isoformat(),
            "rights": rights_text(origin.outlet), "note": article.note(),
        }  # fmt: skip
        cells = [row.get(name, "") for name in table.header]
        new_csv = package_write.appended(old_csv, [cells])
        _check_new_row(resource, new_csv, len(table.cells), cells)
        descriptor["resources"].append(
            {
                "name": f"article-{source_id}",
                "title": origin.title or origin.outlet or source_id,
                "description": (
                    "Article text as received, its line endings and byte-order mark normalised (see its note in sources.csv). "
                    if row["note"]
                    else "Article text exactly as received. "
                )
                + row["rights"],
                "path": path,
                "format": "txt",
                "mediatype": "text/plain",
                "encoding": "utf-8",
                "hash": f"sha256:{digest}",
                "bytes": len(stored),
            }
        )
        new_descriptor = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
        package_write.commit(
            root,
            {path: stored, resource["path"]: new_csv, DESCRIPTOR: new_descriptor.encode("utf-8")},
        )
    return source_id


def _read_sources(root: Path) -> tuple[dict, dict, bytes]:
    from .package import read_descriptor

    descriptor, problems = read_descriptor(root)
    if descriptor is None:
        raise SourceError(f"cannot add a source: {problems[0]}")
    resource = next((r for r in descriptor["resources"] if r.get("name") == "sources"), None)
    if resource is None or "schema" not in resource:
        raise SourceError(f"{DESCRIPTOR}: found no resource 'sources'; expected the sources table")
    try:
        raw = read_limited(root / resource["path"], 1 << 30, "CSV of resource 'sources'")
    except UnreadableFile as e:
        raise SourceError(f"{resource['path']}: {e}") from None
    return descriptor, resource, raw


def _check_new_row(resource: dict, new_csv: bytes, old_count: int, cells: list[str]) -> None:
    """The new row reads back as written, as the last row, and passes the schema's cell checks."""
    table, problems = parse_table(resource, new_csv)
    if len(table.cells) != old_count + 1 or table.cells[-1] != cells:
        raise SourceError(
            f"{resource['path']}: found a last row that does not end where a row should (an unclosed quote?); "
            "expected a valid CSV file: run cakupan validate"
        )
    number = old_count + 2
    problems = [p for p in problems if p.row == number]
    last = Table(resource["name"], resource["path"], resource["schema"], table.header, [cells])
    # the schema's types, patterns and required cells, on this row only
    problems += [replace(p, row=number) for p in check_cells(last) if p.row == 2]
    if problems:
        raise SourceError(f"cannot record the article: {problems[0]}")


def _same_file(path: Path, data: bytes) -> bool:
    """Whether an unrecorded file already holds exactly these bytes (a symlink never does)."""
    return (
        not path.is_symlink()
        and path.is_file()
        and path.stat().st_size == len(data)
        and path.read_bytes() == data
    )
