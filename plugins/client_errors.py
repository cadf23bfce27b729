"""A bad request is a 400, not a 500.

Datasette 0.65 raises its "Cannot sort table by nope" (unknown ?_sort= or ?_sort_desc= column)
and "Cannot use _sort and _sort_desc at the same time" errors, and "Invalid _through" (a
?_through= naming a table with no foreign key to this one), with status 500. Each is the
visitor's mistake, so each gets Datasette's own error page with status 400 instead: our hook
runs before Datasette's default one and changes only the status that one renders.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.views.base import DatasetteError

CLIENT_MISTAKES = (
    "Cannot sort table by ",
    "Cannot use _sort and _sort_desc at the same time",
    "Invalid _through",
)


@hookimpl
def handle_exception(exception):
    if (
        isinstance(exception, DatasetteError)
        and exception.status == 500
        and str(exception.message).startswith(CLIENT_MISTAKES)
    ):
        exception.status = 400
