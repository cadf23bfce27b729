"""Curation: the review file a curator edits, and accepting its reviewed rows into the package.

A review file has the columns of data/figures.csv, then the candidate columns, then the
columns only data/awards.csv has. Each row's `candidate_kind` says where it goes: `percent`
and `number` rows are figures (data/figures.csv), `award` rows are awards (data/awards.csv,
taking that row's awards columns), `repeat` and `not-a-figure` rows are never written.

`accept` adds the reviewed rows in one locked, journalled commit (package_write), and only
when the whole package, with them, still validates. Every problem it reports names the
review file and the row the curator is editing there, not a row of data/.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import package_write
from .checks import formula_cells
from .package import (
    UnreadableFile,
    cell_problems,
    decode_text,
    load_package,
    read_cells,
    read_descriptor,
    read_regular_file,
)
from .problems import Problem, shorten
from .validate import check_package

CANDIDATE_COLUMNS = ["candidate_kind", "candidate_text", "number_start", "number_end", "why"]
FIGURE_KINDS = ("percent", "number")
AWARD_KINDS = ("award",)
SKIPPED_KINDS = ("repeat", "not-a-figure")
MAX_REVIEW_BYTES = 64 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


def plain_number(value) -> str:
    """A Decimal as the package writes numbers: no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def review_header(figure_columns: list[str], award_columns: list[str]) -> list[str]:
    """Figures' columns, the candidate columns, then the columns only awards.csv has."""
    header = list(figure_columns) + [c for c in CANDIDATE_COLUMNS if c not in figure_columns]
    return header + [c for c in award_columns if c not in header]


def review_csv(rows: list[dict], figure_columns: list[str], award_columns: list[str]) -> str:
    """The review file's text: a cell a candidate lacks is empty, a key no column names is
    added at the end (never dropped), and a cell holding CR or LF is quoted."""
    header = review_header(figure_columns, award_columns)
    for row in rows:
        header += [key for key in row if key not in header]
    lines = [package_write.csv_line(header)]
    lines += [package_write.csv_line([str(row.get(c, "")) for c in header]) for row in rows]
    return "".join(lines)


class ReviewFileError(Exception):
    """The review file was not written."""


def write_review_file(root: Path, out: Path, text: str, *, force: bool = False) -> None:
    """Write a review file outside the package's data: never into data/ or sources/, never over
    the descriptor, never over an existing file unless `force` (then atomically)."""
    root = Path(root)
    target = Path(os.path.abspath(out))
    resolved = target.resolve()
    for protected in ("data", "sources"):
        inside = (root / protected).resolve()
        if resolved == inside or inside in resolved.parents:
            raise ReviewFileError(
                f"--out {out}: found a path inside {protected}/; expected a review file outside "
                "data/ and sources/ (for example review.csv): accept copies reviewed rows into data/"
            )
    if resolved == (root / "datapackage.json").resolve():
        raise ReviewFileError(f"--out {out}: found the package's descriptor; expected a new file")
    if not target.parent.is_dir():
        raise ReviewFileError(
            f"--out {out}: found no directory {target.parent}; expected a file in an existing directory"
        )
    data = text.encode("utf-8")
    try:
        if force:  # beside the old file, then renamed over it: the old one stays whole until then
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            writing = Path(name)
        else:  # O_EXCL: never over a file, even one created a moment ago
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            writing = target
    except FileExistsError:
        raise ReviewFileError(
            f"--out {out}: found an existing file (a review you may be editing); expected a new "
            "file: choose another name, or add --force to replace it"
        ) from None
    except OSError as e:
        raise ReviewFileError(f"--out {out}: cannot write it ({e.strerror})") from e
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(writing, target)
    except OSError as e:
        writing.unlink(missing_ok=True)
        left = "the old file is unchanged" if force else "nothing was left"
        raise ReviewFileError(f"--out {out}: cannot write it ({e.strerror}); {left}") from e


class AcceptError(Exception):
    def __init__(self, message: str, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class Accepted:
    figures: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.figures or not self.awards:
            parts.append(f"{len(self.figures)} figure(s): {', '.join(self.figures)}")
        if self.awards:
            parts.append(f"{len(self.awards)} award(s): {', '.join(self.awards)}")
        return "accepted " + "; ".join(parts)


@dataclass
class _Target:
    """A table that reviewed rows go to: its resource, bytes before, and the rows added."""

    resource: dict
    old: bytes
    columns: list[str]
    kinds: tuple[str, ...]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (review row, cells)

    @property
    def path(self) -> str:
        return self.resource["path"]


def read_review(review_file: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a review file: UTF-8, with or without a BOM, LF or CRLF."""
    name = str(review_file)
    try:
        raw = read_regular_file(Path(review_file), MAX_REVIEW_BYTES, "review file")
    except UnreadableFile as e:
        raise AcceptError(f"{name}: {e}") from None
    raw = raw.removeprefix(BOM)
    text, problems = decode_text(raw, name)
    if text is None:
        raise AcceptError(
            f"{name}: found {problems[0].found}, which is not UTF-8; expected a UTF-8 CSV file, "
            "with or without a byte-order mark (in a spreadsheet, save as “CSV UTF-8”)"
        )
    header, cells, problems = read_cells(raw, name)
    if problems:
        raise AcceptError(f"{name}: not accepted, {len(problems)} problem(s)", problems)
    if not header:
        raise AcceptError(f"{name}: found an empty file; expected a review file with its header")
    return header, cells


def accept(root: Path, review_file: Path, report=None) -> Accepted:
    """Add the review file's figure and award rows to the package if it then validates."""
    root = Path(root)
    name = str(review_file)
    header, rows = read_review(review_file)
    with package_write.package_lock(root, f"accept {review_file}", report=report):
        targets = _targets(root)
        problems = _sort_rows(name, header, rows, targets)
        if problems:
            raise AcceptError(
                f"{name}: not accepted, {len(problems)} problem(s); nothing was written", problems
            )
        chosen = [t for t in targets if t.rows]
        if not chosen:
            raise AcceptError(
                f"{name}: found no figure or award rows (only repeat and not-a-figure rows are left); "
                "expected at least one row to accept"
            )
        new = {
            t.path: package_write.appended(t.old, [cells for _, cells in t.rows]) for t in chosen
        }
        package = load_package(root, replaced=new)
        for t in chosen:  # each row reads back as written, at the end (no unclosed quote before)
            cells = [c for _, c in t.rows]
            if (
                next(x for x in package.tables.values() if x.path == t.path).cells[-len(cells) :]
                != cells
            ):
                raise AcceptError(
                    f"{t.path}: found a last row that does not end where a row should (an unclosed "
                    "quote?); expected a valid CSV file: run cakupan validate; nothing was written"
                )
        found, _texts = check_package(package)
        mapped, elsewhere = _in_review_rows(name, sorted(set(found)), package, chosen)
        if mapped or elsewhere:
            unchanged = " and ".join(t.path for t in targets)
            raise AcceptError(
                f"{name}: not accepted, the package would be invalid ({len(mapped) + len(elsewhere)} problem(s): "
                f"{len(mapped)} in the review file's rows, {len(elsewhere)} already in the package); {unchanged} unchanged",
                mapped + elsewhere,
            )
        warnings, _ = _in_review_rows(name, formula_cells(package), package, chosen)
        package_write.commit(root, new)
    done = Accepted(warnings=warnings)
    for t in chosen:
        key = t.columns.index(t.resource["schema"]["primaryKey"])
        (done.awards if t.kinds == AWARD_KINDS else done.figures).extend(c[key] for _, c in t.rows)
    return done


def _targets(root: Path) -> list[_Target]:
    descriptor, problems = read_descriptor(root)
    if descriptor is None:
        raise AcceptError(f"cannot accept: {problems[0]}")
    resources = {r.get("name"): r for r in descriptor["resources"] if "schema" in r}
    targets = []
    for table, kinds in (("figures", FIGURE_KINDS), ("awards", AWARD_KINDS)):
        resource = resources.get(table)
        if resource is None:
            raise AcceptError(
                f"datapackage.json: found no resource {table!r}; expected the {table} table"
            )
        try:
            old = read_regular_file(root / resource["path"], 1 << 30, f"CSV of resource {table!r}")
        except UnreadableFile as e:
            raise AcceptError(f"{resource['path']}: {e}") from None
        columns = [f["name"] for f in resource["schema"]["fields"]]
        targets.append(_Target(resource, old, columns, kinds))
    return targets


def _sort_rows(
    name: str, header: list[str], rows: list[list[str]], targets: list[_Target]
) -> list[Problem]:
    """Route each review row to its table by candidate_kind; the problems that stop it."""
    problems = []
    width = len(header)
    index = {column: i for i, column in enumerate(header)}
    kinds = {k: t for t in targets for k in t.kinds}
    known = ", ".join([*kinds, *SKIPPED_KINDS])
    missing_reported: set[str] = set()
    for number, cells in enumerate(rows, start=2):
        if len(cells) != width:
            found, expected = f"{len(cells)} cells", f"{width} cells, one per column of the header"
            problems.append(Problem(name, number, None, found, expected, "row-width"))
            continue
        kind = cells[index["candidate_kind"]] if "candidate_kind" in index else "number"
        if kind in SKIPPED_KINDS:
            continue
        target = kinds.get(kind)
        if target is None:
            expected = f"one of {known}"
            problems.append(
                Problem(name, number, "candidate_kind", shorten(kind), expected, "candidate-kind")
            )
            continue
        absent = [c for c in target.columns if c not in index]
        for column in absent:
            if column not in missing_reported:
                missing_reported.add(column)
                expected = f"the column {column!r} of {target.path} (for {kind} rows)"
                problems.append(
                    Problem(name, 1, column, "no such column", expected, "missing-column")
                )
        if absent:
            continue
        row = [cells[index[c]] for c in target.columns]
        for column, cell in zip(target.columns, row, strict=True):
            problems += cell_problems(name, number, column, cell)
        target.rows.append((number, row))
    return problems


_FIRST_USED = re.compile(r"first used in row (\d+)")


def _in_review_rows(name: str, problems, package, chosen: list[_Target]):
    """Problems on the new rows, renamed to the review file's rows; and all the others."""
    mapped, elsewhere = [], []
    spans = {}
    for t in chosen:
        table = next(x for x in package.tables.values() if x.path == t.path)
        first_new = len(table.cells) - len(t.rows) + 2
        spans[t.path] = (first_new, [number for number, _ in t.rows])

    def review_row(path: str, row: int | None) -> int | None:
        if path not in spans or row is None:
            return None
        first_new, numbers = spans[path]
        return numbers[row - first_new] if 0 <= row - first_new < len(numbers) else None

    for p in problems:
        number = review_row(p.file, p.row)
        if number is None:
            elsewhere.append(p)
            continue
        expected = p.expected
        if p.check == "primary-key":

            def where(m, path=p.file):
                other = review_row(path, int(m.group(1)))
                return (
                    f"first used in {name} row {other}"
                    if other
                    else f"first used in {path} row {m.group(1)}"
                )

            expected = _FIRST_USED.sub(where, expected)
        mapped.append(replace(p, file=name, row=number, expected=expected))
    return mapped, elsewhere
