"""The one public base URL every absolute URL of the site comes from: permalinks, canonical
links, the sitemap, JSON-LD, Web Annotations and citations.

`cakupan serve --public-url https://...` (or deploy/cluster.py's) sets CAKUPAN_PUBLIC_URL for the
server; metadata.yml's `plugins: cakupan: public_url:` is the other way to configure it. With
neither, the default is the address the request came to (Datasette's absolute_url): a local server
then links to itself, and nothing pretends to be a public address it is not."""

from __future__ import annotations

import os

from cakupan.serve import PUBLIC_URL_ENV, check_public_url


def configured(datasette) -> str | None:
    config = datasette.plugin_config("cakupan") or {}
    value = os.environ.get(PUBLIC_URL_ENV) or config.get("public_url")
    return check_public_url(value) if value else None


def base_url(datasette, request) -> str:
    """Scheme and host (and any path prefix), with no trailing slash."""
    return configured(datasette) or datasette.absolute_url(request, "/").rstrip("/")
