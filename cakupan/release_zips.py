"""One zip per release: the data package as it stood in that release, for /-/releases.

Made by the build from what the package records, never committed:
- the release's rows (its snapshot in release_records, see releases.py) as the curated CSV
  files, each table in primary-key order;
- the article files those rows cite, byte for byte: an article never changes, and the released
  sources row holds its SHA-256, so a file that no longer matches it makes the release's zip
  unavailable, with the reason, rather than a zip with other text;
- releases, release_records and release_changes up to that release, and the corrections dated
  on or before it, so the zip is a package `cakupan validate` and frictionless accept;
- the descriptor, with each table's schema cut to the fields the release's rows have, the
  `hash` and `bytes` of every file, and a `cakupan:release` property naming the release.

A release's rows never change, so its zip is written once. Its file name carries a key of
everything the zip is made from (the release's content hash, the descriptor, this module's
format), and a build that finds a file of that name in build/releases/ keeps it, with the
SHA-256 the published database recorded for it. New zips are
written in the build's staging directory and published with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .fingerprint import DESCRIPTOR, FileHashes, file_sha256
from .package import Table, parse_table, without_article_files
from .package_write import csv_line, fsync_path
from .package_zip import HOW_TO_CITE, README, hashed_bytes, write_members, zipped_descriptor
from .published import DB_NAME
from .releases import NOT_SNAPSHOT, state_at
from .schema import key_fields

DIRECTORY = "releases"  # under build/
FORMAT = "1"  # change it when what a release zip holds changes: every zip is then made again
RELEASE_NOTE = """
Rilis / Release {release_id} ({released_on}): the data as released, rows in primary-key order.
A figure changed since is listed with its reason in the current package's data/corrections.csv.
"""


@dataclass
class ReleaseZip:
    release_id: str
    file: str  # its name under build/releases/; "" when it cannot be made
    sha256: str = ""
    bytes: int = 0
    problem: str = ""  # why there is no zip


class Unavailable(Exception):
    """The release's zip cannot be made from this package (the message says why)."""


def file_name(release: dict[str, str], descriptor: dict) -> str:
    """The zip's name: the release id and a key of what the zip is made from. The descriptor's
    list of article files is left out of the key (it grows with every article added, and a
    released article never changes)."""
    tables = json.dumps(without_article_files(descriptor), sort_keys=True, ensure_ascii=False)
    key = "\n".join([FORMAT, release["release_id"], release["content_sha256"], tables])
    return f"{release['release_id']}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.zip"


def write_release_zips(
    root: Path, descriptor: dict, hashes: FileHashes, out_dir: Path, staging: Path
) -> list[ReleaseZip]:
    """Every release's zip: kept from build/releases/ when made before, else written into
    staging/releases/ for `publish`."""
    known = recorded(out_dir / DB_NAME)
    tables = _ReleaseTables(root, descriptor, hashes)
    releases = tables.get("releases")
    if releases is None:
        return []
    made = []
    for position, release in enumerate(releases.rows):
        name = file_name(release, descriptor)
        kept, new = out_dir / DIRECTORY / name, staging / DIRECTORY / name
        if kept.is_file():
            made.append(_described(release, kept, known))
            continue
        try:
            members = _members(root, descriptor, hashes, tables, position)
        except Unavailable as e:
            made.append(ReleaseZip(release["release_id"], "", problem=str(e)))
            continue
        new.parent.mkdir(exist_ok=True)
        write_members(new, members)
        made.append(_described(release, new, known))
    return made


def publish(staging: Path, out_dir: Path) -> None:
    """Move new zips into build/releases/ (before the database that lists them)."""
    new = staging / DIRECTORY
    if not new.is_dir():
        return
    target = out_dir / DIRECTORY
    target.mkdir(exist_ok=True)
    for path in sorted(new.iterdir()):
        fsync_path(path)
        os.replace(path, target / path.name)
    fsync_path(target)


def remove_unlisted(out_dir: Path, zips: list[ReleaseZip]) -> None:
    """Remove zips the published database does not list (of a release no longer recorded, or
    made for an earlier descriptor)."""
    listed = {z.file for z in zips}
    directory = out_dir / DIRECTORY
    if directory.is_dir():
        for path in directory.iterdir():
            if path.name not in listed:
                path.unlink(missing_ok=True)


def recorded(db: Path) -> dict[str, tuple[str, int]]:
    """The zips the published database lists: file name -> (SHA-256, bytes); none without one."""
    if not db.exists():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            found = conn.execute("SELECT file, sha256, bytes FROM _release_zips WHERE file != ''")
            return {file: (sha256, size) for file, sha256, size in found}
    except sqlite3.Error:  # a database from before release zips, or not ours
        return {}


def record(conn, zips: list[ReleaseZip]) -> None:
    """_release_zips: the zip of every release, by release id, for /-/releases."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _release_zips (release_id TEXT PRIMARY KEY, file TEXT,"
        " sha256 TEXT, bytes INTEGER, problem TEXT)"
    )
    conn.execute("DELETE FROM _release_zips")
    conn.executemany(
        "INSERT INTO _release_zips VALUES (?, ?, ?, ?, ?)",
        [(z.release_id, z.file, z.sha256, z.bytes, z.problem) for z in zips],
    )


class _ReleaseTables:
    """The package's tables, each read (and checked against the build's hashes) when first asked."""

    def __init__(self, root: Path, descriptor: dict, hashes: FileHashes):
        self.root, self.hashes = root, hashes
        self.resources = {r["name"]: r for r in descriptor.get("resources", []) if "schema" in r}
        self.read: dict[str, Table] = {}

    def get(self, name: str) -> Table | None:
        if name not in self.read and name in self.resources:
            resource = self.resources[name]
            raw = hashed_bytes(self.root, resource["path"], self.hashes)
            self.read[name] = parse_table(resource, raw)[0]
        return self.read.get(name)


def _members(
    root: Path, descriptor: dict, hashes: FileHashes, tables: _ReleaseTables, position: int
) -> list[tuple[str, bytes]]:
    releases = tables.get("releases").rows
    release = releases[position]
    records = tables.get("release_records")
    state = state_at(releases, records.rows if records else [], position)
    files: dict[str, bytes] = {}
    headers: dict[str, list[str]] = {}
    for name, resource in tables.resources.items():
        if name in NOT_SNAPSHOT:
            header, rows = _release_table(tables.get(name), releases[: position + 1], release)
        else:
            rows = [cells for (table, _), cells in state.items() if table == name]
            names = [f["name"] for f in resource["schema"]["fields"]]
            header = list(rows[0]) if rows else names
            keys = key_fields(resource["schema"].get("primaryKey", []))
            at = [header.index(k) for k in keys if k in header]
            rows = sorted(
                ([r.get(n, "") for n in header] for r in rows),
                key=lambda cells: [cells[i] for i in at],
            )
        headers[name] = header
        files[resource["path"]] = "".join(map(csv_line, [header, *rows])).encode("utf-8")
    articles = _articles(root, descriptor, hashes, state)
    zipped = {
        path: (hashlib.sha256(data).hexdigest(), len(data))
        for path, data in {**files, **articles}.items()
    }
    described = _release_descriptor(descriptor, headers, set(articles), release)
    readme = HOW_TO_CITE.format(
        title=descriptor.get("title", ""),
        version=f"{descriptor.get('version', '')}, release {release['release_id']}",
    ) + RELEASE_NOTE.format(**release)
    return [
        (DESCRIPTOR, zipped_descriptor(described, zipped)),
        *files.items(),
        *articles.items(),
        (README, readme.encode("utf-8")),
    ]


def _release_table(
    table: Table | None, released: list[dict[str, str]], release: dict[str, str]
) -> tuple[list[str], list[list[str]]]:
    """A release table (or corrections) as it stood when `release` was recorded."""
    if table is None:
        return [], []
    ids = {r["release_id"] for r in released}
    if table.name == "corrections":
        keep = [r for r in table.rows if r.get("corrected_on", "") <= release["released_on"]]
    else:
        keep = [r for r in table.rows if r.get("release_id") in ids]
    return table.header, [[r[n] for n in table.header] for r in keep]


def _articles(root: Path, descriptor: dict, hashes: FileHashes, state: dict) -> dict[str, bytes]:
    """The article files the release's sources rows name, as released (their SHA-256)."""
    described = {r["path"] for r in descriptor.get("resources", []) if "schema" not in r}
    found = {}
    for (table, _), row in state.items():
        if table != "sources":
            continue
        path, sha256 = row.get("path", ""), row.get("sha256", "")
        if path not in described or hashes.get(path, ("",))[0] != sha256:
            raise Unavailable(
                f"{path} is no longer in the package as this release had it (SHA-256 {sha256})"
            )
        found[path] = hashed_bytes(root, path, hashes)
    return dict(sorted(found.items()))


def _release_descriptor(
    descriptor: dict, headers: dict[str, list[str]], articles: set[str], release: dict
) -> dict:
    resources = []
    for resource in descriptor.get("resources", []):
        if "schema" in resource:
            resource = {
                **resource,
                "schema": _schema_cut(resource["schema"], headers[resource["name"]]),
            }
        elif resource.get("path") not in articles:
            continue
        resources.append(resource)
    about = {k: release[k] for k in ("release_id", "released_on", "content_sha256")}
    return {**descriptor, "cakupan:release": about, "resources": resources}


def _schema_cut(schema: dict, header: list[str]) -> dict:
    """The schema of the fields the release's rows have, in their order (a field added since
    is left out; one removed since comes back as a string)."""
    known = {f["name"]: f for f in schema["fields"]}
    if list(known) == header:
        return schema
    fields = [known.get(n, {"name": n, "type": "string"}) for n in header]
    cut = {**schema, "fields": fields}
    if not set(key_fields(schema.get("primaryKey", []))) <= set(header):
        cut.pop("primaryKey", None)
    keys = [
        fk for fk in schema.get("foreignKeys", []) if set(key_fields(fk["fields"])) <= set(header)
    ]
    cut["foreignKeys"] = keys
    return cut


def _described(
    release: dict[str, str], path: Path, known: dict[str, tuple[str, int]]
) -> ReleaseZip:
    """The zip's record: its SHA-256 as the published database recorded it when the file is
    the one recorded (same name, same size), so a build does not read every release's zip
    again; else read."""
    size = path.stat().st_size
    sha256, recorded_size = known.get(path.name, ("", -1))
    if recorded_size != size:
        sha256 = file_sha256(path)
    return ReleaseZip(release["release_id"], path.name, sha256, size)
