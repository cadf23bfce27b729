"""The whole data package as one zip download, written beside the database by every build.

Members have fixed timestamps and deflate level 1, so equal inputs give a byte-identical zip.
A rebuild after a small edit reuses the previous zip: members whose files are unchanged are
copied compressed, as they are, and only the changed ones are deflated again. The result is the
same bytes as writing the whole zip afresh (tests/test_incremental.py compares them).
"""

from __future__ import annotations

import copy
import hashlib
import struct
import zipfile
from pathlib import Path

from .fingerprint import DESCRIPTOR, FileHashes, input_paths

ZIP_NAME = "cakupan-datapackage.zip"
README = "README.md"
STAMP = (2020, 1, 1, 0, 0, 0)
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the zip local file header, before name and extra

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


class ChangedWhileBuilding(Exception):
    """A file's bytes are not the ones the build hashed: it was edited during the build."""


def write_package_zip(
    root: Path,
    path: Path,
    descriptor: dict,
    hashes: FileHashes,
    previous: Path | None = None,
    reusable: set[str] = frozenset(),
) -> None:
    """Write the package zip; members named in `reusable` are copied from the `previous` zip.

    Every member read from disk is checked against `hashes`, so the zip holds exactly the files
    the build fingerprinted, or the build stops.
    """
    old = zipfile.ZipFile(previous) if previous and reusable else None
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name in input_paths(descriptor):
                if old is not None and name in reusable:
                    _copy_compressed(old, zf, name)
                    continue
                data = (root / name).read_bytes()
                if hashlib.sha256(data).hexdigest() != hashes[name][0]:
                    raise ChangedWhileBuilding(name)
                _deflate(zf, name, data)
            _deflate(zf, README, HOW_TO_CITE.format(version=descriptor.get("version", "")).encode())
    finally:
        if old is not None:
            old.close()


def _deflate(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    # level 1: most of the size saving of deflate at a fraction of its time on 60 MB of text
    info = zipfile.ZipInfo(name, date_time=STAMP)
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _copy_compressed(old: zipfile.ZipFile, new: zipfile.ZipFile, name: str) -> None:
    """Copy one member's local header and compressed bytes unchanged; only its offset moves.

    zipfile has no public call for this, so it appends to the writer's member list the way
    ZipFile.writestr does (CPython 3.11); the central directory is then written by close().
    """
    info = old.getinfo(name)
    old.fp.seek(info.header_offset)
    header = old.fp.read(LOCAL_HEADER.size)
    fields = LOCAL_HEADER.unpack(header)
    name_length, extra_length = fields[-2], fields[-1]
    rest = old.fp.read(name_length + extra_length + info.compress_size)
    moved = copy.copy(info)
    new.fp.seek(new.start_dir)
    moved.header_offset = new.fp.tell()
    new.fp.write(header + rest)
    new.filelist.append(moved)
    new.NameToInfo[name] = moved
    new.start_dir = new.fp.tell()
    new._didModify = True


def reusable_members(old_hashes: FileHashes, hashes: FileHashes) -> set[str]:
    """Files whose bytes equal those the previous zip was written from."""
    return {
        path
        for path, value in hashes.items()
        if path != DESCRIPTOR and old_hashes.get(path) == value
    }
