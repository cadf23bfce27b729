"""The arithmetic journalists ask for, as Python and as SQL functions.

The views in views.sql spell the same formulas in plain SQL so the published database works in
any SQLite client; tests/test_build.py checks view and function agree on every row. Datasette
registers these functions (plugins/sql_functions.py) so they can be used in the SQL editor.
"""

from __future__ import annotations

from datetime import date

DAYS_PER_YEAR = 365.25


def gap_pp(actual_pct: float | None, target_pct: float | None) -> float | None:
    """Percentage points still missing: target minus actual."""
    if actual_pct is None or target_pct is None:
        return None
    return round(target_pct - actual_pct, 2)


def workers_to_enrol(
    workers: float | None, actual_pct: float | None, target_pct: float | None
) -> int | None:
    """Workers to enrol to close the gap, given the region's count of workers."""
    gap = gap_pp(actual_pct, target_pct)
    if workers is None or gap is None:
        return None
    return round(workers * gap / 100)


def years_left(as_of: str | None, target_year: int | None) -> float | None:
    """Years from the as-of date to the end of the target year (a target for 2025 runs to 31 Dec)."""
    if not as_of or target_year is None:
        return None
    days = (date(int(target_year), 12, 31) - date.fromisoformat(as_of)).days
    return round(days / DAYS_PER_YEAR, 2)


def pace_needed(actual_pct, target_pct, as_of, target_year) -> float | None:
    """Percentage points per year the coverage must rise to meet the target in time."""
    gap = gap_pp(actual_pct, target_pct)
    if gap is None or not as_of or target_year is None:
        return None
    days = (date(int(target_year), 12, 31) - date.fromisoformat(as_of)).days
    if days <= 0:
        return None
    return round(gap / (days / DAYS_PER_YEAR), 1)


def share_pct(part: float | None, whole: float | None) -> float | None:
    """part as a percentage of whole: 580 ribu of 1,3 juta is 44.6."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def implied_total(count: float | None, pct: float | None) -> int | None:
    """The whole a count stands for at a rate: 782 ribu at 55 % implies about 1,42 juta."""
    if count is None or not pct:
        return None
    return round(count * 100.0 / pct)


SQL_FUNCTIONS = {
    "gap_pp": (gap_pp, 2),
    "workers_to_enrol": (workers_to_enrol, 3),
    "years_left": (years_left, 2),
    "pace_needed": (pace_needed, 4),
    "share_pct": (share_pct, 2),
    "implied_total": (implied_total, 2),
}


def register(conn) -> None:
    """Make the functions callable from SQL on a sqlite3 connection."""
    for name, (fn, arity) in SQL_FUNCTIONS.items():
        conn.create_function(name, arity, fn, deterministic=True)
