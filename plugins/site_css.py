"""A few style fixes for Datasette's own pages (home search form on phones), via a hook, not a fork."""

from datasette import hookimpl


@hookimpl
def extra_css_urls():
    return ["/assets/datasette-extra.css"]
