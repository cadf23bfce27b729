"""What changed in a table between two versions, row by row, by primary key.

The incremental build hands this the parsed rows of the stretch where two versions of a file
differ (csv_lines.py finds it) and learns which rows were added, removed, changed or moved, each
named by its key: the articles those rows belong to are the ones it rebuilds, and `cakupan build`
says what it found ("data/figures.csv: 1 row changed"). Rows with the same key and cells in the
same order on both sides are unchanged, however far apart the edits around them.

A moved row counts: the order of an article's rows decides how its passages are marked, and a
full build inserts rows in file order. A key that appears twice on one side cannot be diffed by
key; DuplicateKey says which, and the full validation then names the rows.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field


class DuplicateKey(ValueError):
    """A key found on two rows of one version."""


@dataclass
class RowDiff:
    added: list[list[str]] = field(default_factory=list)
    removed: list[list[str]] = field(default_factory=list)
    changed: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (old, new)
    moved: list[list[str]] = field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """Every row on either side of a change: each names an article to rebuild."""
        return [
            *self.added,
            *self.removed,
            *(r for pair in self.changed for r in pair),
            *self.moved,
        ]

    def summary(self) -> str:
        """ "1 row changed, 2 added"; "" when nothing changed."""
        counts = [
            (len(self.changed), "changed"),
            (len(self.added), "added"),
            (len(self.removed), "removed"),
            (len(self.moved), "moved"),
        ]
        parts = [f"{n} {what}" for n, what in counts if n]
        if not parts:
            return ""
        first = parts[0].split(" ", 1)
        parts[0] = f"{first[0]} row{'' if first[0] == '1' else 's'} {first[1]}"
        return ", ".join(parts)


def keyed(rows: list[list[str]], key: list[int]) -> dict[tuple[str, ...], list[str]]:
    """Rows by their key cells, in order; DuplicateKey when a key repeats."""
    by_key: dict[tuple[str, ...], list[str]] = {}
    for cells in rows:
        k = tuple(cells[i] if i < len(cells) else "" for i in key)
        if k in by_key:
            raise DuplicateKey(", ".join(k))
        by_key[k] = cells
    return by_key


def diff_rows(old: list[list[str]], new: list[list[str]], key: list[int]) -> RowDiff:
    """How `new` differs from `old`, both in file order, rows matched by the cells at `key`."""
    before, after = keyed(old, key), keyed(new, key)
    diff = RowDiff(
        added=[cells for k, cells in after.items() if k not in before],
        removed=[cells for k, cells in before.items() if k not in after],
        changed=[(before[k], cells) for k, cells in after.items() if k in before and before[k] != cells],
    )  # fmt: skip
    same = [k for k in after if before.get(k) == after[k]]
    unchanged = set(same)
    position = {k: i for i, k in enumerate(k for k in before if k in unchanged)}
    kept = _longest_increasing([position[k] for k in same])
    diff.moved = [after[k] for k in same if position[k] not in kept]
    return diff


def _longest_increasing(values: list[int]) -> set[int]:
    """The values of one longest increasing run, not necessarily adjacent (patience sorting;
    values are distinct): the rows that kept their order. The others moved."""
    tail_values: list[int] = []  # tail_values[n]: the smallest last value of a run of n + 1
    tail_at: list[int] = []  # where in `values` that last value is
    before: list[int | None] = []  # the value before each one in its run
    for i, v in enumerate(values):
        n = bisect_left(tail_values, v)
        before.append(tail_at[n - 1] if n else None)
        if n == len(tail_values):
            tail_values.append(v)
            tail_at.append(i)
        else:
            tail_values[n], tail_at[n] = v, i
    kept, at = set(), tail_at[-1] if tail_at else None
    while at is not None:
        kept.add(values[at])
        at = before[at]
    return kept
