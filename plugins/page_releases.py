"""/-/releases: every release recorded by `cakupan release`, newest first, with its changelog
and its zip (the package as released, made by the build: cakupan/release_zips.py).

Field changes are listed; rows added or removed (every row, in a first release) are folded.
Reads releases a page at a time along its rowid (the order releases were recorded) and each
release's changelog along release_changes' primary key, a bounded number of lines each: the
full changelog is the release_changes table."""

from datasette import hookimpl

from cakupan.site.pages import Listing, one_page_of, page, rows

BACK = "Semua rilis / All releases"
SHOWN = 100  # changelog lines shown per release; the rest are in the table


def record_link(table: str, record_id: str) -> str:
    """Where a changed row is shown on the site, or '' when it has no page of its own."""
    if table == "figures":
        return f"/-/cite/{record_id}"
    if table == "sources":
        return f"/-/articles/{record_id}"
    if table == "regions":
        return f"/-/wilayah/{record_id}"
    return ""


FIELD_CHANGES = "change = 'changed'"
ROWS_IN_OR_OUT = "change in ('added', 'removed')"


async def changes(datasette, release_id: str, kind: str) -> list[dict]:
    """Up to SHOWN + 1 changelog lines of one kind (FIELD_CHANGES or ROWS_IN_OR_OUT), along
    release_changes_by_kind."""
    found = await rows(
        datasette,
        "select table_name, record_id, change, field, old_value, new_value"
        f" from release_changes where release_id = :id and {kind}"
        " order by change, table_name, record_id, field limit :n",
        {"id": release_id, "n": SHOWN + 1},
    )
    for c in found:
        c["link"] = record_link(c["table_name"], c["record_id"])
    return found


async def releases_page(datasette, request):
    async def render():
        listing = await one_page_of(
            datasette, request, "releases", "order by released_on desc, rowid desc", BACK
        )
        if not isinstance(listing, Listing):
            return listing
        latest = await rows(
            datasette,
            "select release_id from releases order by released_on desc, rowid desc limit 1",
        )
        for r in listing.rows:
            changed = await changes(datasette, r["release_id"], FIELD_CHANGES)
            rows_in_out = await changes(datasette, r["release_id"], ROWS_IN_OR_OUT)
            r["more"] = len(changed) > SHOWN or len(rows_in_out) > SHOWN
            r["changes"] = changed[:SHOWN]
            r["rows_in_out"] = rows_in_out[:SHOWN]
            r["latest"] = bool(latest) and latest[0]["release_id"] == r["release_id"]
            r["zip"] = (
                await rows(
                    datasette,
                    "select bytes, problem from _release_zips where release_id = :id",
                    {"id": r["release_id"]},
                )
                or [{"bytes": 0, "problem": "not built: run cakupan build"}]
            )[0]
        context = {"releases": listing.rows, "pagination": listing.pagination}
        return 200, await datasette.render_template(
            "cakupan_releases.html", context, request=request
        )

    return await page(datasette, request, render)


@hookimpl
def register_routes():
    return [(r"^/-/releases$", releases_page)]
