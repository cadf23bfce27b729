"""One shape for every validation finding, so the CLI, the build and the tests agree on wording."""

from __future__ import annotations

import re
from dataclasses import dataclass

# what must never reach a terminal raw: C0/C1 controls but tab and line feed (ESC starts the
# terminal's own commands) and the bidirectional controls that reorder what is shown
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """Text safe to print on a terminal: each control character shown as a \\uXXXX escape."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """A finding that names where it is and what was found against what was expected.

    ``row`` counts like frictionless' rowNumber: the header is row 1, the first data row is row 2.
    """

    file: str
    row: int | None
    field: str | None
    found: str
    expected: str
    check: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field {self.field}"
        return printable(f"{where}: found {self.found}; expected {self.expected} [{self.check}]")


def shorten(value: str, limit: int = 80) -> str:
    """Quote a found value for a message, cut so one bad cell cannot flood the report."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)


class BuildError(Exception):
    """The build was refused or failed; the previous database is untouched."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []
