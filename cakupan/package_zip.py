"""The whole data package as one zip download, written beside the database by every build.

Members have fixed timestamps and deflate level 1, so equal inputs give a byte-identical zip.
A rebuild after a small edit reuses the previous zip: members whose files are unchanged are
copied compressed, as they are, and only the changed ones are deflated again. The result is the
same bytes as writing the whole zip afresh (tests/test_incremental.py compares them).
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
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

    The zip is assembled from pieces: each member's local header and compressed bytes, then
    the central directory of their records. A reused member's pieces are the previous zip's,
    with only its offset changed; a new one's are cut from what zipfile writes for it alone.
    Every member read from disk is checked against `hashes`, so the zip holds exactly the files
    the build fingerprinted, or the build stops.
    """
    members = input_paths(descriptor) + [README]
    if len(members) >= 0xFFFF:  # more than a plain zip can count: zipfile writes zip64 itself
        return _write_with_zipfile(root, path, descriptor, hashes, members)
    old = Pieces.read(previous) if previous and reusable else Pieces()
    with open(path, "wb") as out:
        directory = []
        for name in members:
            if name in reusable and name in old.local:
                local, central = old.local[name], old.central[name]
            else:
                local, central = _deflated(name, _member_bytes(root, name, descriptor, hashes))
            directory.append(central[:42] + struct.pack("<L", out.tell()) + central[46:])
            out.write(local)
        start = out.tell()
        out.write(b"".join(directory))
        size = out.tell() - start
        out.write(END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), size, start, 0))


def _write_with_zipfile(root, path, descriptor, hashes, members) -> None:
    write_members(path, ((n, _member_bytes(root, n, descriptor, hashes)) for n in members))


def write_members(path: Path, members) -> None:
    """A zip of (name, bytes) members, in that order, as every cakupan zip is written: fixed
    timestamps and deflate level 1 (most of deflate's saving on news text at a fraction of its
    time), so equal members give equal bytes."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _member_bytes(root: Path, name: str, descriptor: dict, hashes: FileHashes) -> bytes:
    if name == README:
        title, version = descriptor.get("title", ""), descriptor.get("version", "")
        return HOW_TO_CITE.format(title=title, version=version).encode()
    data = (root / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != hashes[name][0]:
        raise ChangedWhileBuilding(name)
    if name == DESCRIPTOR:
        return zipped_descriptor(descriptor, hashes)
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


def _deflated(name: str, data: bytes) -> tuple[bytes, bytes]:
    """One member as zipfile writes it (level 1: most of deflate's saving on news text at a
    fraction of its time): its local header and data, and its central directory record."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo(name, date_time=STAMP)
        zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        end = zf.start_dir
    whole = buffer.getvalue()
    return whole[:end], whole[end : whole.rindex(b"PK\x05\x06")]


class Pieces:
    """A zip written by write_package_zip, as each member's bytes and central directory record."""

    def __init__(self):
        self.local: dict[str, bytes] = {}
        self.central: dict[str, bytes] = {}

    @classmethod
    def read(cls, path: Path) -> Pieces:
        pieces, data = cls(), path.read_bytes()
        _, _, _, _, count, size, start, _ = END.unpack(data[-END.size :])
        offsets, at = [], start
        for _ in range(count):
            fields = CENTRAL.unpack_from(data, at)
            length = CENTRAL.size + fields[10] + fields[11] + fields[12]
            name = data[at + CENTRAL.size : at + CENTRAL.size + fields[10]].decode("utf-8")
            pieces.central[name] = data[at : at + length]
            offsets.append((fields[16], name))
            at += length
        ends = [offset for offset, _ in offsets[1:]] + [start]  # members lie one after another
        for (offset, name), end in zip(offsets, ends, strict=True):
            pieces.local[name] = data[offset:end]
        return pieces


END = struct.Struct("<4s4H2LH")  # end of central directory record, without its comment
CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory record, before name, extra, comment


LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... CRC, sizes, name and extra lengths


def read_member(path: Path, name: str) -> bytes:
    """One member of a zip this module wrote, found by walking its local headers from the start.

    The tables are written right after datapackage.json, so this reads a few headers instead
    of the central directory of 10,000 articles; anything unexpected falls back to zipfile.
    """
    with open(path, "rb") as f:
        while True:
            header = f.read(LOCAL_HEADER.size)
            if len(header) < LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                break
            _, _, flags, method, _, _, crc, packed, size, name_length, extra = LOCAL_HEADER.unpack(
                header
            )
            found = f.read(name_length).decode("utf-8", "replace")
            if flags & 0x08 or packed == 0xFFFFFFFF:  # sizes after the data, or zip64
                break
            f.seek(extra, 1)
            if found != name:
                f.seek(packed, 1)
                continue
            data = f.read(packed)
            if method == zipfile.ZIP_DEFLATED:
                data = zlib.decompress(data, -15)
            if zlib.crc32(data) == crc and len(data) == size:
                return data
            break
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def reusable_members(old_hashes: FileHashes, hashes: FileHashes) -> set[str]:
    """Files whose bytes equal those the previous zip was written from."""
    return {
        path
        for path, value in hashes.items()
        if path != DESCRIPTOR and old_hashes.get(path) == value
    }
