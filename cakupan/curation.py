"""Curation: the review file a curator edits, and accepting its reviewed rows into the package."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

from .sources import replace_atomically

CANDIDATE_COLUMNS = ["candidate_kind", "candidate_text", "number_start", "number_end"]


def plain_number(value) -> str:
    """A Decimal as the package writes numbers: no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_csv(rows: list[dict], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, header + CANDIDATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


class AcceptError(Exception):
    def __init__(self, message: str, problems=()):
        super().__init__(message)
        self.problems = list(problems)


def accept(root: Path, review_file: Path) -> list[str]:
    """Append reviewed figure rows to data/figures.csv if the package then validates; return their ids."""
    from .validate import validate

    root = Path(root)
    figures_csv = root / "data" / "figures.csv"
    header = next(csv.reader(io.StringIO(figures_csv.read_text("utf-8"))))
    reviewed = list(csv.DictReader(io.StringIO(Path(review_file).read_text("utf-8"))))
    rows = [r for r in reviewed if r.get("candidate_kind", "") != "rank"]
    if not rows:
        raise AcceptError(
            f"{review_file}: no figure rows to accept (rank candidates belong in data/awards.csv)"
        )
    missing = [c for c in header if c not in reviewed[0]]
    if missing:
        raise AcceptError(
            f"{review_file}: missing columns {', '.join(missing)}; expected the columns of data/figures.csv"
        )
    lines = io.StringIO()
    csv.writer(lines, lineterminator="\n").writerows([[r[c] for c in header] for r in rows])
    new_bytes = figures_csv.read_bytes() + lines.getvalue().encode("utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "package"
        shutil.copytree(root / "data", trial / "data")
        shutil.copy2(root / "datapackage.json", trial / "datapackage.json")
        (trial / "sources").symlink_to((root / "sources").resolve())
        (trial / "data" / "figures.csv").write_bytes(new_bytes)
        report = validate(trial, with_frictionless=False)
    if not report.ok:
        raise AcceptError(
            f"{review_file}: not accepted, the package would be invalid ({len(report.problems)} problem(s)); data/figures.csv is unchanged",
            report.problems,
        )
    replace_atomically(figures_csv, new_bytes)
    return [r["figure_id"] for r in rows]
