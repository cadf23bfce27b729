"""The whole data package as one zip download, written beside the database by every build.

Members have fixed timestamps and deflate level 1, so equal inputs give a byte-identical zip.
A rebuild after a small edit reuses the previous zip: members whose files are unchanged are
copied compressed, as they are, and only the changed ones are deflated again. The result is the
same bytes as writing the whole zip afresh (tests/test_incremental.py compares them).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from pathlib import Path

from .fingerprint import DESCRIPTOR, FileHashes, input_paths

README = "README.md"
STAMP = (2020, 1, 1, 0, 0, 0)

HOW_TO_CITE = """# {title}

Figures on BPJS Ketenagakerjaan coverage (Universal Coverage Jamsostek) reported by Indonesian
regional news. Every row of data/figures.csv carries the exact quote and its position in the
article under sources/: text[quote_start:quote_end] == quote (Unicode code points, UTF-8).

How to cite / Cara mengutip:
  cakupan curators, "{title}", data package
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
    members = input_paths(descriptor) + [README]
    old = compressed_members(previous) if previous and reusable else {}
    with zipfile.ZipFile(path, "w") as zf:
        for name in members:
            if name in reusable and name in old:
                _append_compressed(zf, *old[name])
            else:
                _write(zf, name, _member_bytes(root, name, descriptor, hashes))


def write_members(path: Path, members) -> None:
    """A zip of (name, bytes) members, in that order, written as the package zip is."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            _write(zf, name, data)


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    # level 1: most of deflate's saving on news text at a fraction of its time
    info = zipfile.ZipInfo(name, date_time=STAMP)
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def compressed_members(path: Path) -> dict[str, tuple[zipfile.ZipInfo, bytes]]:
    """Each member of a zip as its ZipInfo and its bytes as stored (local header and compressed
    data), found through zipfile's reading of the central directory."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
        ends = [i.header_offset for i in infos[1:]] + [zf.start_dir]  # one after another
    return {
        info.filename: (info, data[info.header_offset : end])
        for info, end in zip(infos, ends, strict=True)
    }


def _append_compressed(zf: zipfile.ZipFile, info: zipfile.ZipInfo, stored: bytes) -> None:
    """Add a member already compressed, as another zip stored it. zipfile has no public way to
    do this; it writes the central directory from `filelist` at close, so the member is written
    where zipfile would write it and its entry added there (CPython 3.11's zipfile)."""
    info = copy.copy(info)
    info.header_offset = zf.fp.tell()
    zf.fp.write(stored)
    zf.filelist.append(info)
    zf.NameToInfo[info.filename] = info
    zf.start_dir = zf.fp.tell()
    zf._didModify = True


def _member_bytes(root: Path, name: str, descriptor: dict, hashes: FileHashes) -> bytes:
    if name == README:
        title, version = descriptor.get("title", ""), descriptor.get("version", "")
        return HOW_TO_CITE.format(title=title, version=version).encode()
    data = hashed_bytes(root, name, hashes)
    if name == DESCRIPTOR:
        return zipped_descriptor(descriptor, hashes)
    return data


def hashed_bytes(root: Path, path: str, hashes: FileHashes) -> bytes:
    """A file's bytes, if they are the ones the build hashed (else ChangedWhileBuilding)."""
    data = (root / path).read_bytes()
    if hashlib.sha256(data).hexdigest() != hashes[path][0]:
        raise ChangedWhileBuilding(path)
    return data


def zipped_descriptor(descriptor: dict, hashes: FileHashes) -> bytes:
    """The zip's datapackage.json: the package's, with the `hash` and `bytes` of every table as
    zipped, so a reader of the download can check each file. The repository's own descriptor
    leaves them out: every curation would have to rewrite it."""
    resources = []
    for resource in descriptor.get("resources", []):
        if "schema" in resource and resource.get("path") in hashes:
            sha256, size = hashes[resource["path"]]
            resource = {**resource, "hash": f"sha256:{sha256}", "bytes": size}
        resources.append(resource)
    text = json.dumps({**descriptor, "resources": resources}, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def unzipped_descriptor(zipped: dict) -> dict:
    """The package's datapackage.json from the zip's (zipped_descriptor undone)."""
    resources = [
        {k: v for k, v in r.items() if k not in ("hash", "bytes")} if "schema" in r else r
        for r in zipped.get("resources", [])
    ]
    return {**zipped, "resources": resources}


def reusable_members(old_hashes: FileHashes, hashes: FileHashes) -> set[str]:
    """Files whose bytes equal those the previous zip was written from."""
    return {
        path
        for path, value in hashes.items()
        if path != DESCRIPTOR and old_hashes.get(path) == value
    }
