"""Cheap, quiet error pages.

Datasette 0.65 prints a `rich` traceback *with local variables* for every error response, 404s
included, whenever rich is installed (frictionless installs it). That made a 404 cost about a
second of CPU and let a crawler stall the site. Datasette runs every handle_exception hook, so
adding our own would not stop it; instead its default handler is told rich is absent. 4xx
responses then log nothing extra; a 500 still logs a plain traceback.

A query the time limit cut is the visitor's (client_errors.py answers it 400), not a fault of
the server: its traceback is not printed either.
"""

import sys
import traceback

import datasette.handle_exception as default_handler
from datasette import hookimpl
from datasette.database import QueryInterrupted


class TracebacksOfFaults:
    """What the default handler calls as `traceback.print_exc()`, minus the visitors' mistakes."""

    @staticmethod
    def print_exc():
        if not isinstance(sys.exc_info()[1], QueryInterrupted):
            traceback.print_exc()


@hookimpl
def startup():
    default_handler.rich = None
    default_handler.traceback = TracebacksOfFaults
