"""/cakupan.db and /-/download/cakupan-datapackage.zip, streamed from the files pinned at start-up.

Datasette's own /cakupan.db route is replaced (plugin routes come first): it sent two ETags and
ignored If-None-Match. See cakupan/site/downloads.py for why the files are pinned."""

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from cakupan.fingerprint import ZIP_NAME
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
    downloads = pinned(datasette)
    if downloads.package_zip is None:
        return Response.text(
            f"The data package zip cannot be served: {downloads.problem}.", status=503
        )
    await downloads.package_zip.send(scope, send)


@hookimpl
def startup(datasette):
    pinned(datasette)  # at start, before any rebuild can rename new files in


@hookimpl
def register_routes():
    return [
        (rf"^/{DATABASE}\.db$", database_file),
        (r"^/-/download/cakupan-datapackage\.zip$", package_zip),
    ]
