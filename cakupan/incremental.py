"""The incremental build: after an edit to a few articles, bring a copy of the previous
database up to date instead of building it again from nothing.

Why this is safe. Every check cakupan makes of a row looks only at that row, at its own article
(the text, its sources row, the posts, figures and awards quoting it), and at the shared tables
(regions, indicators, people); the shared tables are referenced, never referencing. So when the
previous build was valid and an edit touches the rows of some articles, re-checking those
articles' rows against the whole shared tables finds a problem exactly when checking everything
would. The one check that spans articles, a primary key used twice, is made by SQLite itself:
the update inserts into tables that declare the keys, and a clash sends the build to the full
validation. What is derived from a row follows the same lines: an article's rendered text, its
search entries and its figures' citations depend on that article and the shared tables alone.
An edited article is found by comparing each edited file with the previous build's copy, table
by table: the rows where the two differ (csv_lines.py finds that stretch by comparing bytes, so
100,000 unchanged rows are never parsed) are parsed and diffed by primary key (row_diff.py); each
row added, changed, removed or moved names an article. The affected articles' other rows are
then found by their article id in the file's bytes and checked by parsing (CsvLines.rows_naming);
SAFE_ID keeps that search exact, as an id of letters, digits and . _ - is written verbatim in CSV.

An edit that could reach further falls back to the full build, raising FullBuild with the reason
`cakupan build` prints ("full build: data/regions.csv row 15.03 changed (a shared table)"):
- a shared table whose rows changed or went away (rows added are fine: nothing refers to them
  yet);
- any change to datapackage.json beyond its list of article files (a schema, the version);
- cakupan's own code changed, or SQLite, markdown-it-py or sqlite-utils was upgraded, or the
  previous build or its zip is missing or not what it says;
- more than a quarter of the articles touched (the full build is then about as quick);
- any problem found: the full validation then reports every problem with its row number.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
import zipfile
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import derived
from .articles_table import insert_articles
from .build_record import recorded_inputs
from .csv_lines import CsvLines, parse
from .database import insert_citations, load_rows
from .fingerprint import DESCRIPTOR, FileHashes, file_sha256
from .package import (
    Package,
    Table,
    parse_table,
    read_table,
    row_width_problems,
    without_article_files,
)
from .package_write import fsync_path
from .package_zip import unzipped_descriptor
from .published import ZIP_NAME, database_is_as_built, recorded_facts
from .row_diff import DuplicateKey, diff_rows
from .schema import key_fields
from .search import fill_search_entries
from .validate import check_package

ARTICLE_PATH = re.compile(r"sources/([^/]+)\.txt")
SAFE_ID = re.compile(r"[A-Za-z0-9_.-]+")  # found in CSV bytes as written, never quoted or escaped
MAX_SHARE = 0.25  # beyond this share of the articles touched, build everything


class FullBuild(Exception):
    """Why only a full build will do; `cakupan build` prints it as "full build: <reason>"."""


@dataclass
class Previous:
    """The last published build: its database, its zip, and the inputs both were made from."""

    db: Path
    zip: Path
    hashes: FileHashes

    @classmethod
    def read(cls, out_dir: Path, db: Path, code: str) -> Previous:
        """The last build, if an update may start from it; FullBuild says why not. Whether its
        database is still the file that build published is check_as_built(), run later."""
        old_zip = out_dir / ZIP_NAME
        if not db.exists() or not old_zip.exists():
            raise FullBuild(f"no earlier build in {out_dir}")
        facts = recorded_facts(db)
        if facts.get("code_hash") != code:  # other code, or a database that is not ours
            raise FullBuild(f"cakupan or a library it builds with changed since {db} was built")
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                hashes = recorded_inputs(conn)
        except sqlite3.Error as e:
            raise FullBuild(f"{db} cannot be read ({e})") from e
        # the zip is the previous build's copy of its inputs, if it is the one built with it
        if facts.get("package_zip_sha256") != file_sha256(old_zip):
            raise FullBuild(f"{old_zip} is not the zip built with {db}")
        return cls(db, old_zip, hashes)

    def check_as_built(self) -> None:
        """FullBuild unless the database is the file its build published (the SHA-256 that
        inspect.json records): a file edited in place is never the start of an update. The
        build runs this beside the copy of the file (build_steps.begin_copy) and waits for both
        before the update: hashing a just-published database reads all of it again, as long as
        the copy takes, and on the way to the copy it was most of an incremental build's start."""
        if not database_is_as_built(self.db.parent):
            raise FullBuild(f"{self.db} was changed after it was built")

    def member(self, path: str) -> bytes:
        """A file as the previous build read it; KeyError when it had no such file."""
        return self._zipped.read(path)

    @cached_property
    def _zipped(self) -> zipfile.ZipFile:
        # opened once: reading the central directory of 10,000 articles is the costly part
        return zipfile.ZipFile(self.zip)

    def close(self) -> None:
        """Close the zip, if it was opened (a build that fails must not hold a file open)."""
        if "_zipped" in self.__dict__:
            self.__dict__.pop("_zipped").close()

    def descriptor(self) -> dict:
        # the zip's copy carries its tables' hash and bytes, which the package's does not
        return unzipped_descriptor(json.loads(self.member(DESCRIPTOR).decode("utf-8")))

    def table(self, resource: dict) -> Table:
        return parse_table(resource, self.member(resource["path"]))[0]


@dataclass
class Plan:
    package: Package  # the shared tables whole; the per-article tables cut to `affected`
    texts: dict[str, str]  # the affected articles' texts
    affected: list[str]  # source ids whose rows, text or file entry changed
    per_article: list[Table]  # the affected articles' rows, table by table
    added: list[Table]  # rows added to shared tables
    changes: list[str]  # what changed, table by table ("data/figures.csv: 1 row changed")

    @property
    def written(self) -> dict[str, str]:
        """Every table the update writes, with an SQL condition selecting the rows it wrote."""
        mine = "source_id IN (SELECT value FROM json_each(:affected))"
        written = {t.name: mine for t in self.per_article}
        written |= {t.name: "1" for t in self.added}  # shared tables are small: all their rows
        written["articles"] = mine
        written["citations"] = f"figure_id IN (SELECT figure_id FROM figures WHERE {mine})"
        refreshed = "region_code IN (SELECT region_code FROM temp.derived_scope)"
        written |= {table: refreshed for table in derived.DERIVED_TABLES}
        return written


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


def _files(descriptor: dict) -> dict[str, dict]:
    return {r["path"]: r for r in descriptor["resources"] if "schema" not in r}


def plan(root: Path, descriptor: dict, hashes: FileHashes, previous: Previous) -> Plan:
    """What an incremental build would change, checked; FullBuild when only a full build will do."""
    changed = _changed_paths(descriptor, hashes, previous)
    resources = [r for r in descriptor["resources"] if "schema" in r]
    affected: set[str] = set()
    for path in changed - {r["path"] for r in resources}:
        match = ARTICLE_PATH.fullmatch(path)
        if not match:
            raise FullBuild(f"{path} changed, a file that is neither a table nor an article")
        affected.add(match[1])
    tables: dict[str, Table] = {}
    article_files: dict[str, tuple[dict, int, CsvLines]] = {}
    added: list[Table] = []
    changes: list[str] = []  # what changed, table by table, for `cakupan build` to say
    path = ""
    try:
        for resource in resources:
            path, column = resource["path"], article_column(resource)
            if column is None:  # a shared table: small, read whole
                table, problems = read_table(root, resource)
                if problems:
                    raise FullBuild(f"{path} has problems (the validation names them)")
                new_rows = _added_rows(table, previous, resource) if path in changed else []
                tables[table.name] = table
                added += [_cut(table, new_rows)] if new_rows else []
                changes += [f"{path}: {len(new_rows)} rows added"] if new_rows else []
                continue
            try:
                lines = CsvLines((root / path).read_bytes())
            except OSError as e:  # a missing table: the full validation says so
                raise FullBuild(f"{path} cannot be read ({e.strerror})") from e
            if not lines.simple:
                raise FullBuild(
                    f"{path} is not one row a line (a byte-order mark, CR line endings, blank"
                    " lines or a quoted line break)"
                )
            if path in changed:
                edited, summary = _edited_articles(lines, previous, resource)
                affected |= edited
                changes += [f"{path}: {summary}"] if summary else []
            article_files[resource["name"]] = (resource, column, lines)
    # bad bytes or a cell over the csv module's limit in an edit; a table the last build lacked:
    # the full validation names the problem
    except (UnicodeDecodeError, csv.Error) as e:
        raise FullBuild(f"{path} cannot be read as CSV ({e})") from e
    except KeyError as e:
        raise FullBuild(f"{path} is not in the last build") from e

    sources = article_files.get("sources")
    total = sources[2].row_count if sources else 0
    limit = max(1, total * MAX_SHARE) if sources else 0
    if len(affected) > limit:
        raise FullBuild(f"{len(affected)} articles to rebuild, more than a quarter of the {total}")
    unsafe = sorted(a for a in affected if not SAFE_ID.fullmatch(a))
    if unsafe:
        raise FullBuild(f"article id {unsafe[0]!r} is not letters, digits and . _ -")
    per_article = []
    for name, (resource, column, lines) in article_files.items():
        digest = hashlib.sha256(lines.raw).hexdigest()
        table = Table(name, resource["path"], resource["schema"], lines.header, [], digest)
        table.cells = lines.rows_naming(column, affected)
        per_article.append(table)
    tables.update((t.name, t) for t in per_article)
    package = Package(Path(root), descriptor, {r["name"]: tables[r["name"]] for r in resources}, [])
    package.problems = [p for t in per_article for p in row_width_problems(t)]
    problems, texts = check_package(package)
    if problems:
        raise FullBuild(
            f"the edited rows have {len(problems)} problem(s) (the validation names them)"
        )
    if not package.read_as_hashed(hashes):
        raise FullBuild("an input file changed while the build read it")
    return Plan(package, texts, sorted(affected), per_article, added, changes)


def _changed_paths(descriptor: dict, hashes: FileHashes, previous: Previous) -> set[str]:
    """Input files whose bytes or datapackage.json entry changed; FullBuild when
    datapackage.json changed beyond its list of article files."""
    changed = {
        p for p in hashes.keys() | previous.hashes.keys() if hashes.get(p) != previous.hashes.get(p)
    }
    if DESCRIPTOR in changed:
        old = previous.descriptor()
        if without_article_files(descriptor) != without_article_files(old):
            raise FullBuild(f"{DESCRIPTOR} changed beyond its list of article files")
        old_files, new_files = _files(old), _files(descriptor)
        changed |= {
            p for p in old_files.keys() | new_files.keys() if old_files.get(p) != new_files.get(p)
        }
        changed.discard(DESCRIPTOR)
    return changed


def _added_rows(table: Table, previous: Previous, resource: dict) -> list[list[str]]:
    """A shared table's new rows; FullBuild when a row was edited or deleted, since rows
    derived from it may be anywhere."""
    old = previous.table(resource)
    new_rows = set(map(tuple, table.cells))
    gone = next((c for c in old.cells if tuple(c) not in new_rows), None)
    if gone is not None:
        key = _key_of(old, gone)
        kept = old.header == table.header and any(_key_of(table, c) == key for c in table.cells)
        raise FullBuild(
            f"{table.path} row {', '.join(key)} {'changed' if kept else 'removed'} (a shared table)"
        )
    old_rows = set(map(tuple, old.cells))
    return [c for c in table.cells if tuple(c) not in old_rows]


def _key_of(table: Table, cells: list[str]) -> tuple[str, ...]:
    """A row's primary key cells (its first cell when the schema names no key)."""
    names = key_fields(table.schema.get("primaryKey") or table.header[0])
    return tuple(cells[table.header.index(n)] for n in names if n in table.header)


def _edited_articles(lines: CsvLines, previous: Previous, resource: dict) -> tuple[set[str], str]:
    """The articles named by rows added, edited, deleted or moved in a per-article table, and
    what changed ("1 row changed"): the rows where the files differ, diffed by primary key."""
    path = resource["path"]
    old = CsvLines(previous.member(path))
    if old.header_line != lines.header_line:
        raise FullBuild(f"{path} has a new header")
    mine, theirs = lines.stretch(old)
    if not old.simple_lines(theirs):
        raise FullBuild(f"{path} in the last build is not one row a line")
    header = lines.header
    key = [header.index(n) for n in key_fields(resource["schema"].get("primaryKey", []))]
    try:
        diff = diff_rows(parse(theirs), parse(mine), key or list(range(len(header))))
    except DuplicateKey as e:
        raise FullBuild(f"{path} has the key {e} twice (the validation names the rows)") from e
    column = article_column(resource)
    rows = diff.rows()
    if any(len(cells) <= column for cells in rows):
        raise FullBuild(f"{path} has an edited row too short to name its article")
    return {cells[column] for cells in rows}, diff.summary()


def _cut(table: Table, cells: list[list[str]]) -> Table:
    return Table(table.name, table.path, table.schema, table.header, cells, table.sha256)


def copy_previous(previous: Previous, staged: Path) -> None:
    """A new file, never the published one changed in place: a server reading it keeps its file.

    Flushed to disk at once, while the update is planned, so that the fsync before publication
    has only the updated pages left to write.
    """
    shutil.copyfile(previous.db, staged)
    fsync_path(staged)


def apply(conn: sqlite3.Connection, plan: Plan) -> None:
    """Replace the affected articles' rows and everything derived from them, in one transaction
    that the caller opens and commits (the full-text tables follow by their triggers)."""
    ids = (json.dumps(plan.affected),)
    affected = "(SELECT value FROM json_each(?))"
    regions = derived.regions_of(conn, plan.affected)  # before: a figure may have moved region
    conn.execute(
        f"DELETE FROM citations WHERE figure_id IN (SELECT figure_id FROM figures WHERE source_id IN {affected})",
        ids,
    )
    conn.execute(f"DELETE FROM articles WHERE source_id IN {affected}", ids)
    for table in plan.per_article:
        conn.execute(f"DELETE FROM [{table.name}] WHERE source_id IN {affected}", ids)
    for table in plan.added + plan.per_article:
        load_rows(conn, table)
    insert_articles(conn, plan.package, plan.texts)
    insert_citations(conn, source_ids=plan.affected)
    fill_search_entries(conn)  # awards and posts are an article's rows; people and regions shared
    derived.refresh(conn, sorted(regions | derived.regions_of(conn, plan.affected)))
