"""The provenance promise, checked: each article is the file we hold, and each quote is where we say.

Offsets follow the W3C TextPositionSelector: Unicode code points into the article decoded as
UTF-8, end exclusive, so ``text[quote_start:quote_end] == quote`` in Python and in any
language that indexes by code point. When a quote occurs more than once, ``quote_prefix`` /
``quote_suffix`` (TextQuoteSelector) say which occurrence is meant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

from .package import (
    CONTROL,
    Package,
    Table,
    UnreadableFile,
    control_name,
    decode_text,
    has_control_bytes,
)
from .package import read_regular_file as read_limited
from .problems import Problem, shorten
from .render import MAX_ARTICLE_CHARS
from .schema import cast

# checked before an article is read; MAX_ARTICLE_CHARS is checked once it is decoded
MAX_ARTICLE_BYTES = 2 * 1024 * 1024

QUOTED_TABLES = ("figures", "awards", "posts", "regulations")
AS_PRINTED = (
    "headline",
    "outlet",
    "byline",
    "dateline",
    "published_as_printed",
    "event_date_as_printed",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""


def locate(text: str, quote: str, near: int = 0) -> Span:
    """Where a quote stands, with the shortest prefix that makes it unique when it repeats.

    Raises ValueError when the quote is not in the text. ``near`` picks the occurrence at or
    after that offset, for a curator who knows which one is meant.
    """
    start = text.find(quote, near)
    if start < 0:
        start = text.find(quote)
    if start < 0:
        raise ValueError(f"quote not found in the article: {shorten(quote)}")
    end = start + len(quote)
    if text.count(quote) == 1:
        return Span(start, end)
    for width in range(1, start + 1):
        prefix = text[start - width : start]
        if text.count(prefix + quote) == 1:
            return Span(start, end, prefix=prefix)
    # the first occurrence has no prefix that tells it apart: use what follows instead
    for width in range(1, len(text) - end + 1):
        suffix = text[end : end + width]
        if text.count(quote + suffix) == 1:
            return Span(start, end, suffix=suffix)
    raise ValueError(f"quote cannot be told apart from its repeats: {shorten(quote)}")


def check_quote(text: str, row: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(field, found, expected, check) for each way a row's quote fails to anchor in text."""
    quote = row.get("quote", "")
    try:
        start, end = int(row.get("quote_start", "")), int(row.get("quote_end", ""))
    except ValueError:
        return []  # the schema check has already named the bad offset
    if start >= end:
        return [("quote_end", str(end), f"greater than quote_start ({start})", "quote-offsets")]
    if end > len(text):
        return [
            (
                "quote_end",
                str(end),
                f"at most the article's length ({len(text)} code points)",
                "quote-offsets",
            )
        ]
    found = text[start:end]
    if found != quote:
        where = text.find(quote)
        hint = (
            f"; the quote is at {where}-{where + len(quote)}"
            if where >= 0
            else "; the quote is nowhere in the article"
        )
        return [
            (
                "quote",
                f"{shorten(found)} at {start}-{end}",
                f"{shorten(quote)}{hint}",
                "quote-mismatch",
            )
        ]
    problems = []
    prefix, suffix = row.get("quote_prefix", ""), row.get("quote_suffix", "")
    if prefix and text[max(0, start - len(prefix)) : start] != prefix:
        problems.append(
            (
                "quote_prefix",
                shorten(text[max(0, start - len(prefix)) : start]),
                shorten(prefix),
                "quote-prefix",
            )
        )
    if suffix and text[end : end + len(suffix)] != suffix:
        problems.append(
            (
                "quote_suffix",
                shorten(text[end : end + len(suffix)]),
                shorten(suffix),
                "quote-suffix",
            )
        )
    if not problems and text.count(quote) > 1 and text.count(prefix + quote + suffix) > 1:
        found = f"{text.count(quote)} occurrences of the quote"
        problems.append(
            (
                "quote_prefix",
                found,
                "a quote_prefix or quote_suffix that picks one",
                "quote-ambiguous",
            )
        )
    return problems


def check_sources(package: Package) -> tuple[dict[str, str], list[Problem]]:
    """Verify each article file against its origin row; return the texts that can be trusted."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    table = package.tables.get("sources")
    if table is None:
        return texts, problems
    declared = {r["path"]: r for r in package.file_resources()}
    for number, row in table.numbered():
        path = row.get("path", "")
        if not path:
            continue
        at = partial(Problem, table.path, number)  # a Problem on this row

        expected_path = f"sources/{row.get('source_id', '')}.txt"
        if path != expected_path:
            problems.append(at("path", repr(path), repr(expected_path), "source-path"))
        try:
            raw = read_limited(package.root / path, MAX_ARTICLE_BYTES, "article")
        except UnreadableFile as e:
            if e.found in ("no such file", "a directory"):
                problems.append(
                    at("path", repr(path), "an article file in sources/", "source-missing")
                )
            else:
                problems.append(at("path", f"{path}: {e.found}", e.expected, "source-file"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != row.get("sha256"):
            problems.append(
                at(
                    "sha256",
                    digest,
                    f"{row.get('sha256')} (the article was changed after it was recorded)",
                    "source-checksum",
                )
            )
        if str(len(raw)) != row.get("bytes"):
            problems.append(at("bytes", str(len(raw)), row.get("bytes", ""), "source-bytes"))
        resource = declared.get(path)
        if resource is None:
            problems.append(
                at(
                    "path",
                    repr(path),
                    "a file resource with this path in datapackage.json",
                    "source-resource",
                )
            )
        elif resource.get("hash") != f"sha256:{row.get('sha256')}" or resource.get("bytes") != len(
            raw
        ):
            problems.append(
                at(
                    "sha256",
                    f"{resource.get('hash')} / {resource.get('bytes')} bytes in datapackage.json",
                    f"sha256:{digest} / {len(raw)} bytes",
                    "source-resource",
                )
            )
        text, bad = decode_text(raw, path)
        problems += bad
        if text is None:
            continue
        if (
            len(text) > MAX_ARTICLE_CHARS
        ):  # the site's SQL length limit and renderer are sized for news
            problems.append(
                at(
                    "bytes",
                    f"{len(text)} characters",
                    f"at most {MAX_ARTICLE_CHARS} characters for one article",
                    "article-size",
                )
            )
            continue
        if raw.startswith(b"\xef\xbb\xbf") or has_control_bytes(raw):  # a fast test first
            problems += [Problem(path, *p) for p in article_form_problems(text)]
        for field in AS_PRINTED:
            value = row.get(field, "")
            if value and value not in text:
                problems.append(
                    at(field, shorten(value), "words printed in the article", "as-printed")
                )
        problems += [at(*p) for p in date_order_problems(row)]
        texts[row["source_id"]] = text
    return texts, problems


def article_form_problems(text: str) -> list[tuple[int, None, str, str, str]]:
    """(line, field, found, expected, check) for an article not stored in the package's one form:
    UTF-8 without a byte-order mark, LF line endings, no control character but tab and LF.

    add-source stores every article in that form (it removes a BOM and turns CRLF and CR into
    LF), so a quote never starts with a BOM and the same text is never two sources."""
    problems = []
    if text.startswith("\ufeff"):
        expected = "an article without a byte-order mark (add-source removes it)"
        problems.append((1, None, "a byte-order mark", expected, "article-bom"))
    for match in CONTROL.finditer(text):
        offset = match.start()
        line = text.count("\n", 0, offset) + 1
        where = f"at line {line}, column {offset - text.rfind(chr(10), 0, offset)}"
        if match.group() == "\r":
            found = f"a CR or CRLF line ending {where}"
            expected = "LF line endings (add-source turns CRLF and CR into LF)"
            problems.append((line, None, found, expected, "article-line-endings"))
        else:
            found = f"{control_name(match.group())} {where}"
            expected = "text without control characters (tab and line breaks are allowed)"
            problems.append((line, None, found, expected, "article-control-character"))
        break  # the first one says what to fix; one problem per article
    return problems


def date_order_problems(row: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(field, found, expected, check) when the text was obtained before it was published."""
    published, accessed = row.get("published", ""), row.get("date_accessed", "")
    try:
        if published and accessed and cast("date", accessed) < cast("date", published):
            expected = f"a date on or after the date published ({published})"
            return [("date_accessed", accessed, expected, "date-order")]
    except ValueError:
        pass  # the schema check names a malformed date
    return []


def check_quotes(package: Package, texts: dict[str, str]) -> list[Problem]:
    problems = []
    for name in QUOTED_TABLES:
        table: Table | None = package.tables.get(name)
        if table is None:
            continue
        for number, row in table.numbered():
            text = texts.get(row.get("source_id", ""))
            if text is None:
                continue  # a missing or unreadable source is reported where it is
            for field, found, expected, check in check_quote(text, row):
                problems.append(Problem(table.path, number, field, found, expected, check))
    return problems
