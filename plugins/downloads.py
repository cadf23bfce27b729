"""/cakupan.db and /-/download/cakupan-datapackage.zip, streamed from the files pinned at start-up;
the same files under their build's own address, /-/build/<build>/...; and the CSV link of every
table and view page, which downloads every row.

Pages link the build-addressed downloads (`cakupan_downloads` in every template): behind a proxy
with replicas of two builds during a rolling update (deploy/), the download a page links is the
one of the build that made the page, or a 410 that says so, never the other build's file.

Datasette's own /cakupan.db route is replaced (plugin routes come first): it sent two ETags and
ignored If-None-Match. See cakupan/site/downloads.py for why the files are pinned."""

from pathlib import Path

from datasette import hookimpl
from datasette.utils import path_with_format
from datasette.utils.asgi import Response

from cakupan.fingerprint import ZIP_NAME
from cakupan.site import response_cache
from cakupan.site.downloads import Downloads
from cakupan.site.pages import DATABASE

PINNED: dict = {}  # Datasette instance -> Downloads


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


@hookimpl
def startup(datasette):
    pinned(datasette)  # at start, before any rebuild can rename new files in


@hookimpl
def register_routes():
    return [
        (rf"^/{DATABASE}\.db$", database_file),
        (r"^/-/download/cakupan-datapackage\.zip$", package_zip),
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
