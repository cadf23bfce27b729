"""Where a package is validated: reading, Table Schema, provenance, meaning, and frictionless."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_awards, check_figures, formula_cells
from .frictionless_check import frictionless_problems
from .package import Package, load_package, unchecked_cells
from .problems import Problem
from .provenance import check_quotes, check_sources
from .releases import check_corrections
from .schema import check_schema

# frictionless error types that one of our checks already reports with more detail
COVERED_BY = {"hash-count": "source-checksum", "byte-count": "source-bytes"}


@dataclass
class Report:
    package: Package
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {name: len(t.cells) for name, t in self.package.tables.items()}

    def summary(self) -> str:
        c = self.counts()
        parts = ", ".join(
            f"{c.get(n, 0)} {n}" for n in ("sources", "figures", "awards", "posts", "regions")
        )
        if self.ok:
            return f"valid: {parts}"
        return f"invalid: {len(self.problems)} problem(s) in {parts}"


def validate(root: Path, *, with_frictionless: bool = True) -> Report:
    """Every problem at once, sorted by file and row; frictionless adds only what we did not see."""
    package = load_package(Path(root))
    problems, texts = check_package(package)
    if with_frictionless and not any(p.file == "datapackage.json" for p in problems):
        problems += _unreported(problems, frictionless_problems(package.root))
    problems = sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.field or "", p.check))
    return Report(package, problems, formula_cells(package), texts)


def check_package(package: Package) -> tuple[list[Problem], dict[str, str]]:
    """Our own checks of a package read from disk, and the article texts that can be trusted.

    The incremental build runs the same checks on a package cut down to the articles an edit
    touched (incremental.py).
    """
    problems = list(package.problems)
    for table in package.tables.values():
        problems += unchecked_cells(table)
    texts: dict[str, str] = {}
    if package.tables:
        problems += check_schema(package)
        texts, found = check_sources(package)
        problems += found
        problems += check_quotes(package, texts)
        problems += check_figures(package)
        problems += check_awards(package)
        problems += check_corrections(package)
    return problems, texts


def _unreported(ours: list[Problem], theirs: list[Problem]) -> list[Problem]:
    """frictionless' findings that add something: not on a row, or of a kind, we already named."""
    seen = {(p.file, p.row) for p in ours} | {(p.file, None) for p in ours}
    checks = {p.check for p in ours}
    return [
        p
        for p in theirs
        if (p.file, p.row) not in seen
        and COVERED_BY.get(p.check.removeprefix("frictionless:")) not in checks
    ]
