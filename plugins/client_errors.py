"""A bad request is a 400, not a 500.

Datasette 0.65 raises its "Cannot sort table by nope" (unknown ?_sort= or ?_sort_desc= column)
and "Cannot use _sort and _sort_desc at the same time" errors, and "Invalid _through" (a
?_through= naming a table with no foreign key to this one), with status 500. Each is the
visitor's mistake, so each gets Datasette's own error page with status 400 instead: our hook
runs before Datasette's default one and changes only the status that one renders.

A query cut by the time limit on a path Datasette does not catch it on (a CSV export such as
/cakupan/regions.csv?_timelimit=1) raised QueryInterrupted to the top: a 500 and a traceback in
the log. It is answered 400 with the same advice Datasette gives on its HTML pages.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError

CLIENT_MISTAKES = (
    "Cannot sort table by ",
    "Cannot use _sort and _sort_desc at the same time",
    "Invalid _through",
)


@hookimpl
def handle_exception(exception):
    if isinstance(exception, QueryInterrupted):
        return Response.text(
            "SQL query took too long: the time limit cut it. Ask for fewer rows, or use the "
            "database download (/cakupan.db) for long queries.",
            status=400,
        )
    if (
        isinstance(exception, DatasetteError)
        and exception.status == 500
        and str(exception.message).startswith(CLIENT_MISTAKES)
    ):
        exception.status = 400
