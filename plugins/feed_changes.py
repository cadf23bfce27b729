"""/-/changes.atom: an Atom feed of releases, newest first, each entry its changelog.

A journalist subscribes once and learns of every release and of every released figure
corrected in it. Reads releases along their rowid and each changelog along its primary key,
bounded. Links are absolute, at the public base URL (cakupan/site/public_url.py): some feed
readers do not resolve relative ones."""

from xml.sax.saxutils import escape, quoteattr

from datasette import hookimpl
from datasette.utils.asgi import Response

from cakupan.site.pages import CACHE_CONTROL, PageTooSlow, rows
from cakupan.site.public_url import base_url

ENTRIES = 20
LINES = 100  # changelog lines per entry; the rest are on /-/releases and in release_changes


def _line(c: dict) -> str:
    what = f"{c['table_name']} {c['record_id']}"
    if c["change"] == "changed":
        return f"{what}: {c['field']}: {c['old_value'] or ''} → {c['new_value'] or ''}"
    return f"{what}: {c['change']}"


async def changes_feed(datasette, request):
    base = base_url(datasette, request)
    try:
        releases = await rows(
            datasette,
            "select release_id, released_on, added, changed, removed from releases"
            " order by released_on desc, rowid desc limit :n",
            {"n": ENTRIES},
        )
        entries = []
        for r in releases:
            changes = await rows(
                datasette,
                "select table_name, record_id, change, field, old_value, new_value"
                " from release_changes where release_id = :id"
                " order by table_name, record_id, field limit :n",
                {"id": r["release_id"], "n": LINES + 1},
            )
            lines = [_line(c) for c in changes[:LINES]] + (["…"] if len(changes) > LINES else [])
            summary = f"{r['added']} added, {r['changed']} changed, {r['removed']} removed"
            entries.append(
                "<entry>"
                f"<id>urn:cakupan:release:{escape(r['release_id'])}</id>"
                f"<title>Rilis {escape(r['release_id'])}: {escape(summary)}</title>"
                f"<updated>{escape(r['released_on'])}T00:00:00Z</updated>"
                f'<link rel="alternate" href={quoteattr(base + "/-/releases#" + r["release_id"])}/>'
                f'<content type="text">{escape(chr(10).join(lines))}</content>'
                "</entry>"
            )
    except PageTooSlow:
        return Response.text("try again shortly", status=503, headers={"Cache-Control": "no-store"})
    updated = f"{releases[0]['released_on']}T00:00:00Z" if releases else "1970-01-01T00:00:00Z"
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<id>urn:cakupan:changes</id>"
        "<title>cakupan: perubahan / changes</title>"
        f"<updated>{updated}</updated>"
        "<author><name>cakupan curators</name></author>"
        f'<link rel="self" href={quoteattr(base + "/-/changes.atom")}/>'
        f'<link rel="alternate" href={quoteattr(base + "/-/releases")}/>'
        + "".join(entries)
        + "</feed>\n"
    )
    return Response(
        body,
        content_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": CACHE_CONTROL},
    )


@hookimpl
def register_routes():
    return [(r"^/-/changes\.atom$", changes_feed)]
