"""/-/health: 200 while the database this replica serves is the one it was started with, else
503 naming the problem (cakupan/site/health.py says how it checks). Never cached, here or by a
proxy: an old "ok" would keep a broken replica in rotation."""

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from cakupan.site.health import DatabaseCheck
from cakupan.site.pages import DATABASE

CHECKS: dict = {}  # Datasette instance -> DatabaseCheck


def check_of(datasette) -> DatabaseCheck | None:
    if datasette not in CHECKS:
        inspected = (datasette.inspect_data or {}).get(DATABASE) or {}
        if "hash" not in inspected:
            return None
        CHECKS[datasette] = DatabaseCheck(datasette.get_database(DATABASE).path, inspected["hash"])
    return CHECKS[datasette]


async def health(datasette):
    check = check_of(datasette)
    headers = {"Cache-Control": "no-store"}
    if check is None:
        body = {"ok": False, "problem": "started without an inspect file: nothing to check against"}
        return Response.json(body, status=503, headers=headers)
    verdict = await asyncio.get_running_loop().run_in_executor(None, check.run)
    body = {"ok": verdict.ok, "build": check.expected_sha256[:16]}
    if not verdict.ok:
        body["problem"] = verdict.problem
    return Response.json(body, status=200 if verdict.ok else 503, headers=headers)


@hookimpl
def register_routes():
    return [(r"^/-/health$", health)]
