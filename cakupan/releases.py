"""Releases, corrections and retractions: what a citation of a figure can rely on over time.

A release is recorded by `cakupan release` in three append-only tables in data/ (Table Schema
resources of the package, so the build loads them, the zip carries them and frictionless checks
them; they sit beside the curated tables so that every copy of the package has them):

- data/releases.csv: one row per release, `release_id` = release date + the first 8 hex
  digits of the SHA-256 of the curated rows released (their canonical form, `content_sha256`);
- data/release_records.csv: the snapshot, stored as its changes: a line per curated row a release
  added, changed or removed, holding the whole row as released (JSON). The row as it stood in
  release R is its latest line at or before R, so a snapshot is never rewritten and a row
  unchanged for many releases is stored once;
- data/release_changes.csv: the changelog against the previous release, field by field.

Lines are only ever appended, in release order, so the row order of releases.csv is the order
of releases (the database keeps it as the rowid).

A released figure or award whose value, region, indicator, date, qualifier or quote differs from
the latest release needs rows in data/corrections.csv leading from the released value to the
current one; `check_corrections` reports each change that has none. An article is retracted by
`retracted_on` and `retraction_reason` in sources.csv: its rows stay, marked, and the derived
gaps and rankings leave them out (derived.sql).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
from pathlib import Path

from . import package_write
from .package import Package, load_package
from .problems import Problem, shorten
from .query_rows import dict_rows
from .schema import key_fields

RELEASE_TABLES = ("releases", "release_records", "release_changes")
NOT_SNAPSHOT = {"corrections", *RELEASE_TABLES}
# the fields a correction must explain, per table ("value, region, indicator, date, qualifier
# or quote"; an award's rank is its value and its ceremony date its date)
GOVERNED = {
    "figures": ("value", "region_code", "indicator_id", "as_of", "qualifier", "quote"),
    "awards": ("rank", "region_code", "award_year", "ceremony_date", "quote"),
}
CORRECTIONS = "data/corrections.csv"

Key = tuple[str, str]  # (table, record id)


class ReleaseError(Exception):
    pass


def current_rows(package: Package) -> dict[Key, dict[str, str]]:
    """Every curated row now, by (table, primary key joined by |), cells in schema order."""
    rows: dict[Key, dict[str, str]] = {}
    for name, table in package.tables.items():
        if name in NOT_SNAPSHOT:
            continue
        keys = key_fields(table.schema["primaryKey"])
        names = table.field_names
        for row in table.rows:
            cells = {n: row.get(n, "") for n in names}
            rows[(name, "|".join(cells[k] for k in keys))] = cells
    return rows


def content_sha256(rows: dict[Key, dict[str, str]]) -> str:
    """SHA-256 of the rows' canonical form: one JSON line [table, key, row] per row, sorted."""
    digest = hashlib.sha256()
    for key in sorted(rows):
        line = json.dumps([key[0], key[1], rows[key]], ensure_ascii=False, sort_keys=True)
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def released_state(package: Package) -> tuple[str | None, dict[Key, dict[str, str]], dict]:
    """The latest release id, its rows, and its releases.csv row (None, {}, {} before any)."""
    releases = package.tables.get("releases")
    records = package.tables.get("release_records")
    if releases is None or records is None or not releases.rows:
        return None, {}, {}
    last = releases.rows[-1]
    return last["release_id"], state_at(releases.rows, records.rows), last


def state_at(
    releases: list[dict[str, str]], records: list[dict[str, str]], upto: int | None = None
) -> dict[Key, dict[str, str]]:
    """The curated rows as released by the release on line `upto` of releases.csv (counted from
    0), or by the latest one with the lines of unknown releases too (check_corrections reports
    those): each row's latest line at or before that release."""
    order = {r["release_id"]: i for i, r in enumerate(releases)}
    last = len(order) if upto is None else upto
    state: dict[Key, dict[str, str]] = {}
    lines = sorted((order.get(r["release_id"], len(order)), n, r) for n, r in enumerate(records))
    for position, _, r in lines:
        if position > last:
            break
        key = (r["table_name"], r["record_id"])
        if r["status"] == "removed":
            state.pop(key, None)
        else:
            try:
                state[key] = json.loads(r["row_json"])
            except ValueError:
                continue  # reported by check_corrections
    return state


def changelog(old: dict[Key, dict], new: dict[Key, dict]) -> tuple[list, list, dict[str, int]]:
    """records.csv lines, changes.csv lines (without the release id) and the counts."""
    records, changes = [], []
    counts = {"added": 0, "changed": 0, "removed": 0}
    for key in sorted(old.keys() | new.keys()):
        table, record = key
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None:
            status = "added"
            changes.append([table, record, "added", "", "", ""])
        elif after is None:
            status = "removed"
            changes.append([table, record, "removed", "", "", ""])
        else:
            status = "changed"
            for field in list(after) + [f for f in before if f not in after]:
                if before.get(field, "") != after.get(field, ""):
                    changes += [
                        [
                            table,
                            record,
                            "changed",
                            field,
                            before.get(field, ""),
                            after.get(field, ""),
                        ]
                    ]
        counts[status] += 1
        row_json = (
            "" if after is None else json.dumps(after, ensure_ascii=False, separators=(",", ":"))
        )
        records.append([table, record, status, row_json])
    return records, changes, counts


def release(root: Path, on: datetime.date | None = None, report=None) -> str | None:
    """Record a release of the package at `root`; its id, or None when nothing changed.

    Refuses an invalid package (ReleaseError naming the problems' count): a release is what a
    citation relies on, so it must be what `cakupan validate` accepts.
    """
    from .validate import check_package

    root = Path(root)
    on = on or datetime.datetime.now(datetime.UTC).date()
    with package_write.package_lock(root, "release", report=report):
        package = load_package(root)
        problems, _ = check_package(package)
        if problems:
            raise ReleaseError(
                f"the package has {len(problems)} problem(s); run cakupan validate. Nothing was released"
            )
        previous_id, previous, last = released_state(package)
        rows = current_rows(package)
        digest = content_sha256(rows)
        if last and last["content_sha256"] == digest:
            return None
        release_id = f"{on.isoformat()}-{digest[:8]}"
        if previous_id is not None:
            known = {r["release_id"] for r in package.tables["releases"].rows}
            if release_id in known:
                raise ReleaseError(f"release {release_id} exists already; nothing was released")
            if on.isoformat() < last["released_on"]:
                raise ReleaseError(
                    f"{on.isoformat()} is before the last release ({previous_id}); nothing was released"
                )
        records, changes, counts = changelog(previous, rows)
        paths = {t: package.tables[t].path for t in RELEASE_TABLES}
        files = {}
        for table, lines in (
            (
                "releases",
                [
                    [
                        release_id,
                        on.isoformat(),
                        digest,
                        previous_id or "",
                        *map(str, counts.values()),
                    ]
                ],
            ),
            ("release_records", [[release_id, *line] for line in records]),
            ("release_changes", [[release_id, *line] for line in changes]),
        ):
            old = (root / paths[table]).read_bytes()
            files[paths[table]] = package_write.appended(old, lines)
        package_write.commit(root, files)
    return release_id


def check_corrections(package: Package) -> list[Problem]:
    """Every released figure or award changed without corrections explaining it, every
    correction naming no released or current row, and every half-recorded retraction."""
    problems: list[Problem] = []
    problems += _retraction_problems(package)
    release_id, released, _ = released_state(package)
    corrections = package.tables.get("corrections")
    chains: dict[tuple[str, str], list[dict]] = {}
    for row in sorted(corrections.rows if corrections else [], key=lambda r: r["corrected_on"]):
        chains.setdefault((row["record_id"], row["field"]), []).append(row)
    records = package.tables.get("release_records")
    for number, row in records.numbered() if records else []:
        if row["status"] != "removed":
            try:
                if not isinstance(json.loads(row["row_json"]), dict):
                    raise ValueError
            except ValueError:
                found = shorten(row["row_json"])
                problems.append(
                    Problem(records.path, number, "row_json", found, "a JSON object", "release-row")
                )
    if release_id is None and not chains:
        return problems
    seen: set[str] = set()
    for name, fields in GOVERNED.items():
        table = package.tables.get(name)
        if table is None:
            continue
        key = key_fields(table.schema["primaryKey"])[0]
        for number, row in table.numbered():
            record = row[key]
            seen.add(record)
            old = released.get((name, record))
            if old is None:
                continue
            for field in fields:
                was, now = old.get(field, ""), row.get(field, "")
                if was == now:
                    continue
                value = was
                for c in chains.get((record, field), []):
                    if c["old_value"] == value:
                        value = c["new_value"]
                if value != now:
                    found = f"{shorten(now)}, changed from {shorten(was)} in release {release_id}"
                    expected = (
                        f"the change of record {record} field {field} explained in {CORRECTIONS}"
                        f" (record_id {record}, field {field}, old_value {shorten(was)},"
                        f" new_value {shorten(now)}, and a reason)"
                    )
                    problems.append(
                        Problem(table.path, number, field, found, expected, "unexplained-change")
                    )
    seen |= {k[1] for k in released if k[0] in GOVERNED}
    for number, row in corrections.numbered() if corrections else []:
        if row["record_id"] not in seen:
            found = shorten(row["record_id"])
            expected = "the figure_id or award_id of a released or current row"
            problems.append(
                Problem(corrections.path, number, "record_id", found, expected, "correction-record")
            )
    return problems


def _retraction_problems(package: Package) -> list[Problem]:
    sources = package.tables.get("sources")
    problems = []
    for number, row in sources.numbered() if sources else []:
        on, why = row.get("retracted_on", ""), row.get("retraction_reason", "")
        if on and not why.strip():
            expected = "a reason when retracted_on is given"
            problems.append(
                Problem(sources.path, number, "retraction_reason", "''", expected, "retraction")
            )
        if why and not on:
            expected = "the date of the retraction when a reason is given"
            problems.append(
                Problem(sources.path, number, "retracted_on", "''", expected, "retraction")
            )
    return problems


# --- read by the site, from the built database, by key -------------------------------------


def history(conn: sqlite3.Connection, record_id: str) -> list[dict]:
    """Each correction of a figure or award, oldest first: date, field, old, new, reason and
    release_id, the first release published on or after the correction (None until then)."""
    rows = conn.execute(
        "SELECT c.corrected_on, c.field, c.old_value, c.new_value, c.reason,"
        " (SELECT r.release_id FROM releases r WHERE r.released_on >= c.corrected_on"
        "  ORDER BY r.released_on, r.rowid LIMIT 1)"
        " FROM corrections c WHERE c.record_id = ? ORDER BY c.corrected_on, c.field",
        [record_id],
    ).fetchall()
    keys = ("date", "field", "old", "new", "reason", "release_id")
    # an empty cell is NULL in the database and '' in the CSV: the CSV's form, as corrected
    return [
        dict(zip(keys, (d, f, o or "", n or "", why, r), strict=True))
        for d, f, o, n, why, r in rows
    ]


def as_released(
    conn: sqlite3.Connection, record_id: str, release_id: str, table: str = "figures"
) -> dict | None:
    """The row of `table` as it was in release `release_id` (its cells as the CSV held them),
    or None when that release is unknown or did not hold the row. Later releases only append
    lines, so the answer for a release never changes."""
    row = conn.execute(
        "SELECT rr.status, rr.row_json FROM release_records rr"
        " JOIN releases rel ON rel.release_id = rr.release_id"
        " WHERE rr.table_name = ? AND rr.record_id = ?"
        " AND rel.rowid <= (SELECT rowid FROM releases WHERE release_id = ?)"
        " ORDER BY rel.rowid DESC LIMIT 1",
        [table, record_id, release_id],
    ).fetchone()
    if row is None or row[0] == "removed":
        return None
    return json.loads(row[1])


def release_list(conn: sqlite3.Connection, limit: int, offset: int = 0) -> list[dict]:
    """Releases, newest first."""
    cur = conn.execute(
        "SELECT release_id, released_on, content_sha256, previous_release_id, added, changed,"
        " removed FROM releases ORDER BY released_on DESC, rowid DESC LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return list(dict_rows(cur))


def changes_of(conn: sqlite3.Connection, release_id: str, limit: int) -> list[dict]:
    """A release's changelog lines, by table and record (the primary key's order)."""
    cur = conn.execute(
        "SELECT table_name, record_id, change, field, old_value, new_value FROM release_changes"
        " WHERE release_id = ? ORDER BY table_name, record_id, field LIMIT ?",
        [release_id, limit],
    )
    return list(dict_rows(cur))
