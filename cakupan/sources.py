"""Adding an article to the package: copied byte for byte, recorded, never rewriting other rows.

The article file is written first under its final name (never over an existing one); then
sources.csv and datapackage.json are each replaced atomically with their old bytes plus the
new row or resource, so existing rows stay byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .package import decode_text
from .render import MAX_ARTICLE_CHARS
from .schema import cast


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


def read_article_file(path: Path) -> tuple[bytes, str]:
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read the file ({e.strerror})") from e
    text, problems = decode_text(raw, str(path))
    if text is None:
        raise SourceError(
            f"{path}: found {problems[0].found}; expected UTF-8 text (save the article as UTF-8 and try again)"
        )
    if not text.strip():
        raise SourceError(f"{path}: found an empty file; expected the article's text")
    if len(text) > MAX_ARTICLE_CHARS:
        raise SourceError(
            f"{path}: found {len(text)} characters; expected at most {MAX_ARTICLE_CHARS} for one article"
        )
    return raw, text


def check_origin(origin: Origin, text: str, path: Path) -> None:
    """The origin may only say what the article prints, or what the curator knows (URL, dates)."""
    for name, value in (("--outlet", origin.outlet), ("--title", origin.title)):
        if value and value not in text:
            raise SourceError(
                f"{path}: {name} {value!r} does not appear in the article; expected words printed in it (leave it out when the article does not print it)"
            )
    if origin.url:
        try:
            cast("string", origin.url, "uri")
        except ValueError:
            raise SourceError(
                f"--url {origin.url!r}: expected an http:// or https:// address"
            ) from None
    for name, value in (("--published", origin.published), ("--accessed", origin.accessed)):
        if value:
            try:
                cast("date", value)
            except ValueError:
                raise SourceError(f"{name} {value!r}: expected a date as YYYY-MM-DD") from None


def next_source_id(rows: list[dict], digest: str) -> str:
    numbers = [int(m.group(1)) for r in rows if (m := re.match(r"(\d+)_", r["source_id"]))]
    return f"{max(numbers, default=-1) + 1:03d}_{digest[:16]}"


def replace_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def add_source(root: Path, file: Path, origin: Origin) -> str:
    """Add the article; return its new source_id. Raises SourceError and writes nothing on bad input."""
    root, file = Path(root), Path(file)
    raw, text = read_article_file(file)
    check_origin(origin, text, file)
    sources_csv = root / "data" / "sources.csv"
    old_csv = sources_csv.read_bytes()
    rows = list(csv.DictReader(io.StringIO(old_csv.decode("utf-8"))))
    digest = hashlib.sha256(raw).hexdigest()
    for row in rows:
        if row["sha256"] == digest:
            raise SourceError(
                f"{file}: already in the catalogue as source {row['source_id']} (same SHA-256 {digest})"
            )
    source_id = next_source_id(rows, digest)
    path = f"sources/{source_id}.txt"
    row = {
        "source_id": source_id, "path": path, "sha256": digest, "bytes": str(len(raw)),
        "headline": origin.title, "outlet": origin.outlet, "byline": "", "dateline": "",
        "published": origin.published, "published_as_printed": "", "event_date": "", "event_date_as_printed": "",
        "language": "id", "url": origin.url, "date_accessed": origin.accessed or date.today().isoformat(),
        "rights": rights_text(origin.outlet), "note": "",
    }  # fmt: skip
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(
        [row[name] for name in rows[0]] if rows else list(row.values())
    )
    descriptor_path = root / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text("utf-8"))
    descriptor["resources"].append(
        {
            "name": f"article-{source_id}",
            "title": origin.title or origin.outlet or source_id,
            "description": "Article text exactly as received. " + row["rights"],
            "path": path,
            "format": "txt",
            "mediatype": "text/plain",
            "encoding": "utf-8",
            "hash": f"sha256:{digest}",
            "bytes": len(raw),
        }
    )
    with open(root / path, "xb") as f:  # "x": never overwrite an article
        f.write(raw)
    replace_atomically(sources_csv, old_csv + line.getvalue().encode("utf-8"))
    replace_atomically(
        descriptor_path,
        (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    return source_id
