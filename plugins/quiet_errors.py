"""Cheap error pages: Datasette 0.65 prints a `rich` traceback *with local variables* for every
error response, 404s included, whenever rich is installed (frictionless installs it). That made a
404 cost about a second of CPU and let a crawler stall the site. Datasette runs every
handle_exception hook, so adding our own would not stop it; instead its default handler is told
rich is absent. 4xx responses then log nothing extra; a 500 still logs a plain traceback."""

import datasette.handle_exception as default_handler
from datasette import hookimpl


@hookimpl
def startup():
    default_handler.rich = None
