"""The incremental build: after an edit to a few articles, bring a copy of the previous
database up to date instead of building it again from nothing.

Why this is safe. Every check cakupan makes of a row looks only at that row, at its own article
(the text, its sources row, the posts, figures and awards quoting it), and at the shared tables
(regions, indicators, people); the shared tables are referenced, never referencing. So when the
previous build was valid and an edit touches the rows of some articles, re-checking those
articles' rows against the whole shared tables, plus key uniqueness over the whole of every
edited file, finds a problem exactly when checking everything would. The same holds for what is
derived from a row: an article's rendered text, its search entries and its figures' citations
depend on that article and the shared tables alone.

An edit that could reach further falls back to the full build:
- a shared table whose rows changed or went away (rows added are fine: nothing refers to them
  yet);
- any change to datapackage.json beyond its list of article files (a schema, the version);
- cakupan's own code changed, or the previous build or its zip is missing or not what it says;
- more than a quarter of the articles touched (the full build is then about as quick);
- any problem found: the full validation then reports every problem with its row number.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .database import (
    SEARCHED,
    file_sha256,
    insert_articles,
    insert_citations,
    load_rows,
    recorded_inputs,
)
from .fingerprint import DESCRIPTOR, FileHashes
from .package import Package, Table, parse_table, read_table
from .package_zip import ZIP_NAME
from .validate import check_package

ARTICLE_PATH = re.compile(r"sources/([^/]+)\.txt")
MAX_SHARE = 0.25  # beyond this share of the articles touched, build everything


@dataclass
class Previous:
    """The last published build: its database, its zip, and the inputs both were made from."""

    db: Path
    zip: Path
    hashes: FileHashes
    descriptor: dict

    @classmethod
    def read(cls, out_dir: Path, db: Path, code: str) -> Previous | None:
        old_zip = out_dir / ZIP_NAME
        if not db.exists() or not old_zip.exists():
            return None
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                facts = dict(conn.execute("SELECT key, value FROM _build"))
                hashes = recorded_inputs(conn)
        except sqlite3.Error:
            return None  # a database from before _build_inputs, or not ours
        if facts.get("code_hash") != code or facts.get("package_zip_sha256") != file_sha256(
            old_zip
        ):
            return None
        with zipfile.ZipFile(old_zip) as zf:
            descriptor = json.loads(zf.read(DESCRIPTOR).decode("utf-8"))
        return cls(db, old_zip, hashes, descriptor)

    def old_table(self, resource: dict) -> Table:
        with zipfile.ZipFile(self.zip) as zf:
            return parse_table(resource, zf.read(resource["path"]))[0]


@dataclass
class Plan:
    package: Package  # the shared tables whole; the per-article tables cut to `affected`
    texts: dict[str, str]  # the affected articles' texts
    affected: list[str]  # source ids whose rows, text or file entry changed
    per_article: list[Table]  # the affected articles' rows, table by table
    added: list[Table]  # rows added to shared tables

    @property
    def written(self) -> list[str]:
        """Every table the update touches, for the foreign-key check."""
        names = {t.name for t in self.per_article + self.added}
        return sorted(names | {"articles", "citations"})


def article_column(resource: dict) -> int | None:
    """Where a table's rows name their article, or None for a shared table."""
    schema = resource["schema"]
    names = [f["name"] for f in schema["fields"]]
    if "source_id" not in names:
        return None
    points_to_sources = any(
        fk["fields"] == "source_id" and fk["reference"]["resource"] == "sources"
        for fk in schema.get("foreignKeys", [])
    )
    if resource["name"] == "sources" or points_to_sources:
        return names.index("source_id")
    return None


def _without_files(descriptor: dict) -> dict:
    return {**descriptor, "resources": [r for r in descriptor["resources"] if "schema" in r]}


def _files(descriptor: dict) -> dict[str, dict]:
    return {r["path"]: r for r in descriptor["resources"] if "schema" not in r}


def plan(root: Path, descriptor: dict, hashes: FileHashes, previous: Previous) -> Plan | None:
    """What an incremental build would change, checked; None when only a full build will do."""
    if _without_files(descriptor) != _without_files(previous.descriptor):
        return None
    old_files, new_files = _files(previous.descriptor), _files(descriptor)
    changed = {
        p for p in hashes.keys() | previous.hashes.keys() if hashes.get(p) != previous.hashes.get(p)
    }
    changed |= {
        p for p in old_files.keys() | new_files.keys() if old_files.get(p) != new_files.get(p)
    }
    changed.discard(DESCRIPTOR)

    affected: set[str] = set()
    for path in changed & (old_files.keys() | new_files.keys()):
        match = ARTICLE_PATH.fullmatch(path)
        if not match:
            return None
        affected.add(match[1])

    tables, added = {}, []
    for resource in (r for r in descriptor["resources"] if "schema" in r):
        table, problems = read_table(root, resource)
        if problems:
            return None  # the full validation reports them
        tables[table.name] = table
        if resource["path"] not in changed:
            continue
        old, column = previous.old_table(resource), article_column(resource)
        if old.header != table.header:
            return None
        old_rows, new_rows = Counter(map(tuple, old.cells)), Counter(map(tuple, table.cells))
        gone, new = old_rows - new_rows, new_rows - old_rows
        if column is None:
            if gone:
                return None
            added.append(_cut(table, [c for c in table.cells if tuple(c) in new]))
        else:
            affected |= {row[column] for row in (gone + new)}
            if _has_duplicate_keys(table):
                return None

    sources = tables.get("sources")
    if sources is None or len(affected) > max(1, len(sources.cells) * MAX_SHARE):
        return None
    cut, per_article = {}, []
    for resource in (r for r in descriptor["resources"] if "schema" in r):
        table, column = tables[resource["name"]], article_column(resource)
        if column is not None:
            table = _cut(table, [c for c in table.cells if c[column] in affected])
            per_article.append(table)
        cut[table.name] = table
    package = Package(Path(root), descriptor, cut, [])
    problems, texts = check_package(package)
    if problems or not package.read_as_hashed(hashes):
        return None
    return Plan(package, texts, sorted(affected), per_article, added)


def _cut(table: Table, cells: list[list[str]]) -> Table:
    return Table(table.name, table.path, table.schema, table.header, cells, table.sha256)


def _has_duplicate_keys(table: Table) -> bool:
    key = table.schema.get("primaryKey", [])
    positions = [table.header.index(k) for k in ([key] if isinstance(key, str) else key)]
    keys = [tuple(c[i] for i in positions) for c in table.cells]
    return len(set(keys)) != len(keys)


def copy_previous(previous: Previous, staged: Path) -> None:
    """A new file, never the published one changed in place: a server reading it keeps its file."""
    shutil.copyfile(previous.db, staged)


def apply(conn: sqlite3.Connection, plan: Plan) -> None:
    """Replace the affected articles' rows and everything derived from them, in one transaction
    that the caller opens and commits."""
    ids = (json.dumps(plan.affected),)
    affected = "(SELECT value FROM json_each(?))"
    conn.execute(
        f"DELETE FROM citations WHERE figure_id IN (SELECT figure_id FROM figures WHERE source_id IN {affected})",
        ids,
    )
    for table, column in SEARCHED:  # external-content FTS5 forgets a row only when told its text
        conn.execute(
            f"INSERT INTO [{table}_fts] ([{table}_fts], rowid, [{column}]) "
            f"SELECT 'delete', rowid, [{column}] FROM [{table}] WHERE source_id IN {affected}",
            ids,
        )
    conn.execute(f"DELETE FROM articles WHERE source_id IN {affected}", ids)
    for table in plan.per_article:
        conn.execute(f"DELETE FROM [{table.name}] WHERE source_id IN {affected}", ids)
    for table in plan.added + plan.per_article:
        load_rows(conn, table)
    insert_articles(conn, plan.package, plan.texts)
    for table, column in SEARCHED:
        conn.execute(
            f"INSERT INTO [{table}_fts] (rowid, [{column}]) "
            f"SELECT rowid, [{column}] FROM [{table}] WHERE source_id IN {affected}",
            ids,
        )
    insert_citations(conn, source_ids=plan.affected)
