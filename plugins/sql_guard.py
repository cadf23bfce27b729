"""Bounds on what one SQL query can cost: the SQL editor is public, and so is every table page.

sql_time_limit_ms stops a query only *between* SQLite virtual-machine steps. It cannot stop one
function call that runs for seconds, and it says nothing about memory. So every connection gets:

- SQLITE_LIMIT_LENGTH of 1 MB: no string or blob, stored or computed, may be longer. The largest
  value the site stores is an article's HTML (4.3 KB today; the renderer cuts articles at
  200,000 characters, which for Indonesian text stays well under 1 MB). It caps the memory of one
  value (`zeroblob(1e9)`, `randomblob(5e8)` fail at once instead of allocating a gigabyte) and the
  cost of SQLite's string functions whose time grows with their arguments' lengths.
- SQLITE_LIMIT_LIKE_PATTERN_LENGTH of 200: LIKE and GLOB cost up to text length × pattern length
  in one uninterruptible call; 1 MB × 200 measured about half a second. 200 characters still
  fit any region name, or any quote in the package (the longest has 156) pasted into a filter.
- a budget of 20 MB for one query's whole result, counted row by row as SQLite hands rows over:
  1 MB values × max_returned_rows (1000) would otherwise be a gigabyte in well under the time
  limit. 20 MB is more than twice a full 1000-row page of articles (text and HTML, about 8 KB
  a row), the largest result a visitor has a reason to ask for.
- printf/format, instr, replace and the two-argument trim, ltrim and rtrim replaced by versions
  that give SQLite's own answer but cannot run for seconds: SQLite 3.40 takes ~10 s for
  `printf('%.*c', 1e9, 'x')` (it writes every character of the precision even after the result
  has become too long), and about (text × pattern) steps for instr/replace/trim, 10 s each at
  1 MB. On text, instr, replace and trim are Python's str methods, which give the same answer
  in linear time (SQLite compares UTF-8 characters, Python code points: the same thing). printf
  and calls on numbers or blobs go to SQLite's own function on a private in-memory connection,
  after a check: a printf width or %c precision past MAX_LENGTH answers NULL at once (SQLite's
  own answer, seconds later; a '*' argument given as text is read generously, so '1e9' counts as
  a billion), and a costly call on blobs is refused.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl

MAX_LENGTH = 1_000_000
MAX_LIKE_PATTERN = 200
RESULT_BUDGET = 20_000_000
# blob length × pattern length below which SQLite's own instr/replace/trim takes < 0.1 s
CHEAP = 10_000_000
SHORT_SET = 32  # trim characters that str.strip, which compares with each of them, handles fast


class ResultTooLarge(sqlite3.OperationalError):
    """An OperationalError, so Datasette answers it like any other bad query: a 400 page."""


def limit(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)


def _size(value) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def budgeted_rows(budget: int = RESULT_BUDGET):
    """A row factory giving Datasette its usual sqlite3.Row while counting the current cursor's
    bytes. A connection runs one query at a time, each on a new cursor; holding the last one
    keeps its identity from being reused by the next."""
    current = {"cursor": None, "used": 0}

    def row_factory(cursor, values):
        if current["cursor"] is not cursor:
            current["cursor"], current["used"] = cursor, 0
        current["used"] += sum(map(_size, values))
        if current["used"] > budget:
            raise ResultTooLarge(
                f"the result is larger than {budget:,} bytes; ask for fewer rows or shorter values"
            )
        return sqlite3.Row(cursor, values)

    return row_factory


# printf's conversions: %[flags][width][.precision][l|ll]type; '*' takes the next argument
_SPEC = re.compile(r"%([-+ 0#,!]*)(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.?)", re.DOTALL)
_LEADING_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _magnitude(value) -> float:
    """How large SQLite would take a '*' argument to be, erring on the large side."""
    if isinstance(value, int | float):
        return abs(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        number = _LEADING_NUMBER.match(value)
        return abs(float(number.group(0))) if number else 0
    return 0


def _printf_too_long(args) -> bool:
    """True when a width or a %c precision asks for more than MAX_LENGTH characters.

    SQLite's answer is then NULL anyway (the result would be too long); for %c it only takes
    seconds to get there."""
    if not args or not isinstance(args[0], str):
        return False
    rest = list(args[1:])
    for _flags, width, precision, kind in _SPEC.findall(args[0]):
        if kind == "%":
            continue
        sizes = []
        for part in (width, precision):
            if part == "*":
                sizes.append(_magnitude(rest.pop(0)) if rest else 0)
            else:
                sizes.append(int(part) if part else 0)
        if sizes[0] > MAX_LENGTH or (kind == "c" and sizes[1] > MAX_LENGTH):
            return True
        if kind not in ("n", "") and rest:
            rest.pop(0)
    return False


def _texts(*values) -> bool:
    return all(isinstance(v, str) for v in values)


def _strip(text: str, chars: str, left: bool, right: bool) -> str:
    """trim(text, chars) in linear time: SQLite compares each character with every one in chars."""
    if len(chars) <= SHORT_SET:
        if left and right:
            return text.strip(chars)
        return text.lstrip(chars) if left else text.rstrip(chars)
    members, start, end = set(chars), 0, len(text)
    while left and start < end and text[start] in members:
        start += 1
    while right and end > start and text[end - 1] in members:
        end -= 1
    return text[start:end]


def _checked_length(text: str) -> str:
    if len(text.encode("utf-8")) > MAX_LENGTH:
        raise ResultTooLarge("string or blob too big")
    return text


def guard_functions(conn: sqlite3.Connection) -> None:
    # SQLite's own functions, on a connection no query can reach; used by this thread only
    native = sqlite3.connect(":memory:", check_same_thread=False)
    limit(native)

    def call(name: str, args) -> object:
        placeholders = ", ".join("?" * len(args))
        return native.execute(f"select {name}({placeholders})", args).fetchone()[0]

    def printf(name):
        def guarded(*args):
            return None if _printf_too_long(args) else call(name, args)

        return guarded

    def native_if_cheap(name: str, args):
        if _size(args[0]) * _size(args[1]) > CHEAP:
            raise ResultTooLarge(f"{name}() on values this long would take too long")
        return call(name, args)

    def instr(haystack, needle):
        if _texts(haystack, needle):
            return haystack.find(needle) + 1
        return native_if_cheap("instr", (haystack, needle))

    def replace(text, pattern, replacement):
        if _texts(text, pattern, replacement):
            # SQLite gives the text back unchanged for an empty pattern; Python would insert
            return _checked_length(text.replace(pattern, replacement)) if pattern else text
        return native_if_cheap("replace", (text, pattern, replacement))

    def trim(name, left, right):
        def guarded(text, chars):
            if _texts(text, chars):
                return _strip(text, chars, left, right)
            return native_if_cheap(name, (text, chars))

        return guarded

    for name in ("printf", "format"):
        conn.create_function(name, -1, printf(name), deterministic=True)
    conn.create_function("instr", 2, instr, deterministic=True)
    conn.create_function("replace", 3, replace, deterministic=True)
    for name, left, right in (("trim", True, True), ("ltrim", True, False), ("rtrim", False, True)):
        conn.create_function(name, 2, trim(name, left, right), deterministic=True)


def refuse_fts3_tokenizer(*args):
    # fts3_tokenizer('simple') returns the address of a C struct: it defeats address-space
    # randomisation, and its two-argument form installs a tokenizer from a pointer
    raise sqlite3.OperationalError("fts3_tokenizer() is not available here")


@hookimpl
def prepare_connection(conn):
    limit(conn)
    for arity in (1, 2):
        conn.create_function("fts3_tokenizer", arity, refuse_fts3_tokenizer)
    conn.row_factory = budgeted_rows()
    guard_functions(conn)
