"""A CSV file as lines of bytes: what changed between two versions, and the rows naming some
articles, without parsing 100,000 rows to find ten.

This holds only for files in the shape cakupan writes: UTF-8 without a byte-order mark, LF line
endings, no blank lines, and no quoted line breaks, so that every line is one row. `simple`
says whether a file has that shape; the incremental build parses any other file whole, or
leaves it to the full build.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable


class CsvLines:
    def __init__(self, raw: bytes):
        self.raw = raw
        self.header_line = raw[: raw.find(b"\n")] if b"\n" in raw else raw

    @property
    def simple(self) -> bool:
        return self._shaped() and _whole(self.raw)

    def _shaped(self) -> bool:
        raw = self.raw
        return (
            raw.endswith(b"\n")
            and not raw.startswith(b"\n")
            and b"\n\n" not in raw
            and b"\r" not in raw
            and not raw.startswith(b"\xef\xbb\xbf")
        )

    @property
    def header(self) -> list[str]:
        return parse([self.header_line])[0]

    @property
    def row_count(self) -> int:
        return self.raw.count(b"\n") - 1

    def simple_lines(self, lines: list[bytes]) -> bool:
        """Whether some lines of this file are whole rows: true of every line of a simple file;
        of a file not otherwise simple, when it has the shape and these lines hold no quoted
        line break. (The lines an earlier version shares with a new one are whole rows
        already, so only the differing ones need a look.)"""
        return self._shaped() and _whole(b"\n".join(lines))

    def stretch(self, old: CsvLines) -> tuple[list[bytes], list[bytes]]:
        """The lines of this file and of `old` between their shared start and shared end: the
        new file is the shared start, its lines, the shared end; the old one the same start, its
        lines, the same end. Both are whole lines in both files; a row only moved or pasted twice
        is inside, and row_diff.py tells it from an edit."""
        new, was = self.raw, old.raw
        start = _common_prefix(new, was)
        start = new.rfind(b"\n", 0, start) + 1  # back to a line start (the same in both files)
        tail = _common_suffix(new, was, min(len(new), len(was)) - start)
        if not (_line_starts(new, len(new) - tail) and _line_starts(was, len(was) - tail)):
            # on to the next line start inside the shared ending, which is then one in both
            after = new.find(b"\n", len(new) - tail)
            tail = 0 if after < 0 else len(new) - after - 1
        return new[start : len(new) - tail].split(b"\n")[:-1], was[start : len(was) - tail].split(
            b"\n"
        )[:-1]

    def rows_naming(self, column: int, values: set[str]) -> list[list[str]]:
        """The parsed rows whose cell in `column` is one of `values`, in file order."""
        raw, starts = self.raw, set()
        header_end = len(self.header_line)
        for value in values:
            needle = value.encode("utf-8")
            if not needle:
                raise ValueError("rows_naming needs non-empty values to search for")
            at = raw.find(needle, header_end)
            while at >= 0:
                starts.add(raw.rfind(b"\n", 0, at) + 1)
                at = raw.find(needle, at + len(needle))
        lines = [raw[s : raw.find(b"\n", s)] for s in sorted(starts)]
        return [cells for cells in parse(lines) if len(cells) > column and cells[column] in values]


def _line_starts(raw: bytes, at: int) -> bool:
    return at == 0 or raw[at - 1 : at] == b"\n"


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes two files share, by halving: memcmp does the work, not Python."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """How many trailing bytes two files share, at most `limit`."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


_ALL_BUT_QUOTES_AND_LINE_ENDS = bytes(b for b in range(256) if b not in b'"\n')


def _whole(raw: bytes) -> bool:
    """No line ends inside a quoted field, that is no line holds an odd number of double quotes.

    Kept to its quotes and line ends, each line is a run of quotes; dropping them in pairs
    leaves a quote only where a run was odd. All of it in C: no loop over 100,000 lines."""
    return b'"' not in raw.translate(None, _ALL_BUT_QUOTES_AND_LINE_ENDS).replace(b'""', b"")


def parse(lines: Iterable[bytes]) -> list[list[str]]:
    """Rows from whole lines; UnicodeDecodeError when one is not UTF-8."""
    return list(csv.reader([line.decode("utf-8") for line in lines]))
