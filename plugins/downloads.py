"""/-/download/cakupan-datapackage.zip: the whole data package, built beside the database by `cakupan build`."""

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from cakupan.fingerprint import ZIP_NAME
from cakupan.web import DATABASE


async def package_zip(datasette, request):
    path = Path(datasette.get_database(DATABASE).path).parent / ZIP_NAME
    if not path.exists():
        return Response.text(
            "The data package zip has not been built: run `cakupan build`.", status=404
        )
    return Response(
        path.read_bytes(),
        content_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{ZIP_NAME}"',
            "Cache-Control": "public, max-age=3600",
        },
    )


@hookimpl
def register_routes():
    return [(r"^/-/download/cakupan-datapackage\.zip$", package_zip)]
