"""/cakupan.db and /-/download/cakupan-datapackage.zip, streamed from the files pinned at start-up;
the same files under their build's own address, /-/build/<build>/...; each release's zip at
/-/releases/<release>.zip, pinned when first asked; and the CSV link of every table and view
page, which downloads every row.

Pages link the build-addressed downloads (`cakupan_downloads` in every template): behind a proxy
with replicas of two builds during a rolling update (deploy/), the download a page links is the
one of the build that made the page, or a 410 that says so, never the other build's file.

Datasette's own /cakupan.db route is replaced (plugin routes come first): it sent two ETags and
ignored If-None-Match. See cakupan/site/downloads.py for why the files are pinned."""

import asyncio
from pathlib import Path

from datasette import hookimpl
from datasette.utils import path_with_format
from datasette.utils.asgi import Response

from cakupan.published import ZIP_NAME
from cakupan.release_zips import DIRECTORY
from cakupan.site import response_cache
from cakupan.site.downloads import Downloads, PinnedFile, open_verified
from cakupan.site.pages import DATABASE, PAGE_THREADS, rows

PINNED: dict = {}  # Datasette instance -> Downloads
RELEASES_PINNED: dict = {}  # (Datasette instance, release id) -> PinnedFile


def pinned(datasette) -> Downloads:
    if datasette not in PINNED:
        path = datasette.get_database(DATABASE).path
        sha256 = datasette.inspect_data[DATABASE]["hash"]
        PINNED[datasette] = Downloads.pin(path, sha256, str(Path(path).parent / ZIP_NAME))
    return PINNED[datasette]


async def database_file(datasette, scope, send):
    await pinned(datasette).database.send(scope, send)


async def package_zip(datasette, scope, send):
    await send_zip(pinned(datasette), scope, send)


def build_of(datasette) -> str:
    """The build this server serves, as X-Cakupan-Build names it; "" without an inspect file."""
    return (response_cache.build_of(datasette) or b"").decode()


async def build_download(datasette, request, scope, send):
    build, name = request.url_vars["build"], request.url_vars["name"]
    if build != build_of(datasette):
        response = Response.text(
            f"Build {build} tidak disajikan lagi; muat ulang halaman untuk unduhan build terbaru. "
            f"(Build {build} is no longer served: reload the page for the current build's "
            "downloads.)\n",
            status=410,
        )
        return await response.asgi_send(send)
    downloads = pinned(datasette)
    if name == ZIP_NAME:
        return await send_zip(downloads, scope, send)
    await downloads.database.send(scope, send)


async def send_zip(downloads: Downloads, scope, send):
    if downloads.package_zip is None:
        response = Response.text(
            f"The data package zip cannot be served: {downloads.problem}.", status=503
        )
        return await response.asgi_send(send)
    await downloads.package_zip.send(scope, send)


async def release_zip(datasette, request, scope, send):
    """A release's zip, as the build recorded it in _release_zips (looked up by release id)."""
    release_id = request.url_vars["release_id"]
    found = await rows(
        datasette,
        "select file, sha256, problem from _release_zips where release_id = :id",
        {"id": release_id},
    )
    if not found or found[0]["problem"]:
        why = found[0]["problem"] if found else "rilis ini tidak ada (no such release)"
        response = Response.text(
            f"Zip rilis {release_id} tidak tersedia; the zip of release {release_id} is not "
            f"available: {why}.\nSemua rilis / all releases: /-/releases\n",
            status=404,
        )
        return await response.asgi_send(send)
    pinned_zip = await _pinned_release(datasette, release_id, found[0])
    if isinstance(pinned_zip, str):
        return await Response.text(f"{pinned_zip}\n", status=503).asgi_send(send)
    await pinned_zip.send(scope, send)


async def _pinned_release(datasette, release_id: str, row: dict) -> PinnedFile | str:
    """The release's zip, opened and checked against its recorded SHA-256 once per server (on
    the pages' threads: hashing reads the whole file); the reason when it cannot be served."""
    key = (datasette, release_id)
    if key not in RELEASES_PINNED:
        path = str(Path(datasette.get_database(DATABASE).path).parent / DIRECTORY / row["file"])
        name = f"cakupan-datapackage-{release_id}.zip"
        loop = asyncio.get_running_loop()
        found, problem = await loop.run_in_executor(
            PAGE_THREADS, open_verified, path, row["sha256"], name
        )
        if found is None:
            return problem
        RELEASES_PINNED.setdefault(key, found)
    return RELEASES_PINNED[key]


@hookimpl
def startup(datasette):
    pinned(datasette)  # at start, before any rebuild can rename new files in


@hookimpl
def register_routes():
    return [
        (rf"^/{DATABASE}\.db$", database_file),
        (r"^/-/download/cakupan-datapackage\.zip$", package_zip),
        (r"^/-/releases/(?P<release_id>[0-9A-Za-z-]{1,64})\.zip$", release_zip),
        (r"^/-/build/(?P<build>[0-9a-f]{16})/(?P<name>cakupan\.db|cakupan-datapackage\.zip)$",
         build_download),
    ]  # fmt: skip


# Datasette's own CSV link asks for `_size=max`, which stops at max_returned_rows with no marker,
# and is sent as text/plain to be read in the browser. `_stream=on` pages through the whole table
# or view (bounded by max_csv_mb, past which Datasette ends the file with a message saying so),
# `_dl=1` makes it a download. The page's filters and sort are kept.
FULL_CSV = {"_size": "max", "_stream": "on", "_dl": "1"}


@hookimpl
def extra_template_vars(view_name, request, datasette):
    build = build_of(datasette)
    base = f"/-/build/{build}" if build else "/-/download"
    found = {
        "cakupan_downloads": {
            "build": build,
            "database": f"{base}/{DATABASE}.db" if build else f"/{DATABASE}.db",
            "package_zip": f"{base}/{ZIP_NAME}",
        }
    }
    if view_name == "table" and request is not None:
        url = path_with_format(request=request, format="csv", extra_qs=FULL_CSV)
        found["url_csv"] = datasette.urls.path(url)
    return found
