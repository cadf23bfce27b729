"""Where the package becomes build/cakupan.db: validated, loaded in one transaction, checked, renamed.

Never publish half a database: everything is written into a staging directory beside the
target and moved over the old file with one rename, after integrity and foreign-key checks and
an fsync. A failure or a kill at any moment leaves the previous database byte for byte; the
next build removes any staging directory a killed build left behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import sqlite_utils

from . import __version__
from .citations import apa, contexts, newsroom_en, newsroom_id
from .fingerprint import DB_NAME, INSPECT_NAME, input_hash, recorded
from .package import Package, Table
from .problems import Problem
from .render import Highlight, render_article
from .validate import validate

ZIP_NAME = "cakupan-datapackage.zip"
SAFE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
SQLITE_TYPES = {"string": str, "integer": int, "number": float, "date": str}
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


class BuildError(Exception):
    """The build was refused or failed; the previous database is untouched."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class BuildResult:
    path: Path
    built: bool  # False when the inputs had not changed since the last build
    content_hash: str
    counts: dict[str, int]
    seconds: float


class Progress:
    """A progress line on a terminal, shown only once a build has run a couple of seconds."""

    def __init__(self, total: int, stream=None, after: float = 2.0):
        self.stream = stream or sys.stderr
        self.total, self.done, self.after, self.start = total, 0, after, time.monotonic()
        self.shown = False
        self.enabled = self.stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled and time.monotonic() - self.start >= self.after:
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label:<30}")
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")


@contextmanager
def build_lock(out_dir: Path):
    """One build at a time per build directory, so staging leftovers are always stale."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def remove_stale_staging(out_dir: Path) -> None:
    for stale in out_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def build(
    root: Path, out_dir: Path | None = None, *, force: bool = False, progress_stream=None
) -> BuildResult:
    root = Path(root)
    out_dir = Path(out_dir) if out_dir else root / "build"
    target = out_dir / DB_NAME
    started = time.monotonic()
    try:
        with build_lock(out_dir):
            return _build_locked(root, out_dir, target, force, progress_stream, started)
    except OSError as e:
        where = f"{e.strerror}: {e.filename}" if e.filename else str(e.strerror or e)
        raise BuildError(
            f"cannot write the build in {out_dir} ({where}); the previous database was left as it was"
        ) from e
    except sqlite3.Error as e:  # a full disk surfaces here as "database or disk is full"
        raise BuildError(
            f"cannot write the build in {out_dir} ({e}); the previous database was left as it was"
        ) from e


def _build_locked(root, out_dir, target, force, progress_stream, started) -> BuildResult:
    remove_stale_staging(out_dir)
    descriptor = (
        json.loads((root / "datapackage.json").read_text("utf-8"))
        if (root / "datapackage.json").exists()
        else {}
    )
    fingerprint = input_hash(root, descriptor) if descriptor else None
    if (
        not force
        and fingerprint
        and recorded(target, "input_hash") == fingerprint
        and (out_dir / INSPECT_NAME).exists()
    ):
        content = recorded(target, "content_hash") or ""
        return BuildResult(target, False, content, {}, time.monotonic() - started)

    report = validate(root, with_frictionless=False)
    if not report.ok:
        raise BuildError(
            f"the package is invalid ({len(report.problems)} problem(s)); {target} was left as it was",
            report.problems,
        )

    package = report.package
    progress = Progress(total=len(package.tables) + 5, stream=progress_stream)
    staging = out_dir / f".staging-{os.getpid()}"
    staging.mkdir()
    try:
        staged = staging / DB_NAME
        content = write_database(staged, package, report.texts, fingerprint, progress)
        write_package_zip(package.root, staging / ZIP_NAME)
        inspect = inspect_data(staged, target)
        progress.step("inspect")
        (staging / INSPECT_NAME).write_text(json.dumps(inspect, indent=2), encoding="utf-8")
        _fsync(staged)
        _fsync(staging / INSPECT_NAME)
        os.replace(staged, target)  # the moment of publication: atomic on POSIX
        os.replace(staging / INSPECT_NAME, out_dir / INSPECT_NAME)
        os.replace(staging / ZIP_NAME, out_dir / ZIP_NAME)
        _fsync_dir(out_dir)
        progress.step("published")
    finally:
        progress.close()
        shutil.rmtree(staging, ignore_errors=True)
    counts = {name: len(t.cells) for name, t in package.tables.items()}
    return BuildResult(target, True, content, counts, time.monotonic() - started)


# A staging file needs no crash safety of its own: the rename is what publishes it. A 128 MB
# page cache keeps the primary-key index and the sorts that build the foreign-key indexes in
# memory instead of spilling them to the file (about a third off the load step at 100,000 rows).
STAGING_PRAGMAS = (
    "PRAGMA journal_mode = DELETE",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -131072",
)


def staging_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in STAGING_PRAGMAS:
        conn.execute(pragma)
    return conn


def write_database(
    path: Path, package: Package, texts: dict[str, str], fingerprint: str | None, progress: Progress
) -> str:
    conn = staging_connection(path)
    try:
        conn.execute("BEGIN")
        db = sqlite_utils.Database(conn)
        load_tables(db, package, progress)
        content = content_digest(package, texts)
        load_articles(db, package, texts)
        load_citations(db)
        progress.step("citations")
        create_search(conn)
        create_views(conn)
        progress.step("views and search")
        record_build(db, package, content, fingerprint)
        conn.execute("COMMIT")
        check_database(conn)
        progress.step("checks")
    except BaseException:
        conn.close()
        raise
    conn.close()
    return content


def _checked(name: str, what: str) -> str:
    if not SAFE_IDENTIFIER.fullmatch(name):
        raise BuildError(
            f"unsafe {what} name {name!r}: expected lower-case letters, digits and _ ({SAFE_IDENTIFIER.pattern})"
        )
    return name


def load_tables(
    db: sqlite_utils.Database, package: Package, progress: Progress | None = None
) -> None:
    """Every curated table: created from its schema, loaded, then indexed (the build's load step)."""
    for table in package.tables.values():
        create_table(db, table)
        load_rows(db.conn, table)
        create_indexes(db, table)
        if progress:
            progress.step(f"table {table.name}")


def create_table(db: sqlite_utils.Database, table: Table) -> None:
    schema = table.schema
    columns = {_checked(f["name"], "column"): SQLITE_TYPES[f["type"]] for f in schema["fields"]}
    not_null = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    foreign_keys = []
    for fk in schema.get("foreignKeys", []):
        ref_table = fk["reference"]["resource"] or table.name
        foreign_keys.append((fk["fields"], _checked(ref_table, "table"), fk["reference"]["fields"]))
    db[_checked(table.name, "table")].create(
        columns,
        pk=schema["primaryKey"],
        not_null=not_null,
        foreign_keys=foreign_keys,
        column_order=list(columns),
    )


def create_indexes(db: sqlite_utils.Database, table: Table) -> None:
    """An index per foreign-key column, made after the load: building it once is cheaper than
    keeping it sorted through 100,000 inserts."""
    for fk in table.schema.get("foreignKeys", []):
        db[table.name].create_index([fk["fields"]], find_unique_name=True)


def load_rows(conn: sqlite3.Connection, table: Table) -> None:
    """Insert the validated cells with one prepared statement.

    The cells go in as text and SQLite's declared column types convert them ("43" in a REAL
    column is stored as 43.0; "15.10" in a TEXT column stays "15.10"), and NULLIF turns an empty
    cell into NULL inside SQLite: the package has been validated, so converting each cell in
    Python would only repeat that work. sqlite-utils' insert_all re-derives columns per batch;
    one executemany keeps the load near bare sqlite3.
    """
    names = table.field_names
    # a valid package has its columns in schema order, so the parsed cell lists go in as they are
    rows = table.cells if table.header == names else _reordered(table, names)
    columns = ", ".join(f"[{n}]" for n in names)
    # a required cell of a valid package is never empty, so only optional ones need NULLIF
    required = {
        f["name"] for f in table.schema["fields"] if f.get("constraints", {}).get("required")
    }
    values = ", ".join("?" if n in required else "NULLIF(?, '')" for n in names)
    conn.executemany(f"INSERT INTO [{table.name}] ({columns}) VALUES ({values})", rows)


def _reordered(table: Table, names: list[str]) -> list[tuple[str, ...]]:
    positions = [table.header.index(n) for n in names]
    return [tuple(cells[i] for i in positions) for cells in table.cells]


def content_digest(package: Package, texts: dict[str, str]) -> str:
    """A hash of the data itself: each table's validated file and each article, in a fixed order.

    Equal inputs give an equal hash; unlike input_hash it ignores cakupan's own code.
    """
    digest = hashlib.sha256()
    for table in package.tables.values():
        digest.update(table.name.encode() + b"\0" + (package.root / table.path).read_bytes())
    for source_id in sorted(texts):
        digest.update(source_id.encode() + b"\0" + texts[source_id].encode("utf-8"))
    return digest.hexdigest()


def article_highlights(package: Package) -> dict[str, list[Highlight]]:
    """Every cited passage of each article: figures link to their cite page, ranks to the awards."""
    marks: dict[str, list[Highlight]] = {}
    for name, key_field, href in (
        ("figures", "figure_id", "/-/cite/{}"),
        ("awards", "award_id", "/-/awards#{}"),
    ):
        table = package.tables.get(name)
        for row in table.rows if table else []:
            key = row[key_field]
            mark = Highlight(
                int(row["quote_start"]), int(row["quote_end"]), key, href.format(key), key
            )
            marks.setdefault(row["source_id"], []).append(mark)
    return marks


PARALLEL_RENDER_FROM = 500  # below this, starting worker processes costs more than it saves


def _render(job: tuple[str, str, list[Highlight]]) -> tuple[str, str, int, str]:
    source_id, text, marks = job
    return source_id, text, len(text), render_article(text, marks)


def load_articles(db: sqlite_utils.Database, package: Package, texts: dict[str, str]) -> None:
    """Article texts, and their HTML rendered once here rather than on every request.

    Rendering is pure CPU and independent per article, so a large corpus uses every core.
    """
    db["articles"].create(
        {"source_id": str, "text": str, "chars": int, "html": str},
        pk="source_id",
        not_null={"text", "html"},
        foreign_keys=[("source_id", "sources", "source_id")],
    )
    marks = article_highlights(package)
    jobs = [(sid, texts[sid], marks.get(sid, [])) for sid in sorted(texts)]
    if len(jobs) >= PARALLEL_RENDER_FROM and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
            rows = list(pool.map(_render, jobs, chunksize=64))
    else:
        rows = [_render(job) for job in jobs]
    db.conn.executemany(
        "INSERT INTO articles (source_id, text, chars, html) VALUES (?, ?, ?, ?)", rows
    )


def load_citations(db: sqlite_utils.Database) -> None:
    """The styles the views show; BibTeX and CSL-JSON are made on request from the same context."""
    db["citations"].create(
        {"figure_id": str, "citation_id": str, "citation_en": str, "apa": str},
        pk="figure_id",
        foreign_keys=[("figure_id", "figures", "figure_id")],
    )
    rows = ((c["figure_id"], newsroom_id(c), newsroom_en(c), apa(c)) for c in contexts(db.conn))
    db.conn.executemany("INSERT INTO citations VALUES (?, ?, ?, ?)", rows)


def create_search(conn: sqlite3.Connection) -> None:
    """FTS5 over article text and figure quotes, in sqlite-utils' naming so Datasette finds them."""
    for table, column in (("articles", "text"), ("figures", "quote")):
        conn.execute(
            f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ([{column}], content=[{table}], tokenize='{FTS_TOKENIZE}')"
        )
        conn.execute(
            f"INSERT INTO [{table}_fts] (rowid, [{column}]) SELECT rowid, [{column}] FROM [{table}]"
        )


def view_statements() -> list[str]:
    statements, current = [], []
    for line in files("cakupan").joinpath("views.sql").read_text("utf-8").splitlines():
        current.append(line)
        if sqlite3.complete_statement("\n".join(current)):
            statements.append("\n".join(current))
            current = []
    return statements


def create_views(conn: sqlite3.Connection) -> None:
    for statement in view_statements():
        conn.execute(statement)


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def record_build(
    db: sqlite_utils.Database, package: Package, content_hash: str, fingerprint: str | None
) -> None:
    checksums = {r["source_id"]: r["sha256"] for r in package.tables["sources"].rows}
    facts = {
        "package_name": package.descriptor.get("name", ""),
        "package_version": package.descriptor.get("version", ""),
        "cakupan_version": __version__,
        "git_commit": git_commit(package.root),
        "content_hash": content_hash,
        "input_hash": fingerprint or "",
        "source_checksums": json.dumps(checksums, sort_keys=True),
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    db["_build"].create({"key": str, "value": str}, pk="key")
    db.conn.executemany("INSERT INTO _build VALUES (?, ?)", sorted(facts.items()))


def check_database(conn: sqlite3.Connection) -> None:
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        raise BuildError(f"integrity check failed: {integrity[:5]}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BuildError(f"foreign key check failed: {broken[:5]}")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "delete":  # a WAL file would show no tables when served immutable
        raise BuildError(f"journal mode is {mode}, expected delete")


def inspect_data(staged: Path, target: Path) -> dict:
    """What `datasette inspect` writes (file hash, size, row counts), named for the target.

    Computed here rather than through Datasette's inspect_, which leaves its connections to the
    staged file open for the life of the process.
    """
    with open(staged, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    with closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        counts = {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in names
        }
    tables = {name: {"count": count} for name, count in counts.items()}
    return {
        target.stem: {
            "hash": digest,
            "size": staged.stat().st_size,
            "file": str(target),
            "tables": tables,
        }
    }


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync(path)


HOW_TO_CITE = """# cakupan data package

Figures on BPJS Ketenagakerjaan coverage (Universal Coverage Jamsostek) reported by Indonesian
regional news. Every row of data/figures.csv carries the exact quote and its position in the
article under sources/: text[quote_start:quote_end] == quote (Unicode code points, UTF-8).

How to cite / Cara mengutip:
  cakupan curators, "cakupan: UCJ coverage figures from Indonesian news", data package
  version {version}, CC BY 4.0. Cite the figure's own article too: data/figures.csv gives
  its source_id, and data/sources.csv the outlet, headline and dates.

Licence: curated data CC BY 4.0. Article texts in sources/ keep their outlets' rights and are
included only so that quotations can be verified.
Validate: frictionless validate datapackage.json
"""


def write_package_zip(root: Path, path: Path) -> None:
    """The package as one download; fixed timestamps so equal inputs give an equal zip."""
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    members = ["datapackage.json"] + [r["path"] for r in descriptor["resources"]]
    # level 1: most of the size saving of deflate at a fraction of its time on 60 MB of text
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(
                info,
                (root / name).read_bytes(),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=1,
            )
        info = zipfile.ZipInfo("README.md", date_time=(2020, 1, 1, 0, 0, 0))
        zf.writestr(info, HOW_TO_CITE.format(version=descriptor.get("version", "")))
