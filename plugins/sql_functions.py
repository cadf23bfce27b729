"""The gap arithmetic as SQL functions in every connection, so the SQL editor can use them:
select gap_pp(43, 65), workers_to_enrol(112000, 43, 65), pace_needed(43, 65, '2024-10-02', 2024)."""

from datasette import hookimpl

from cakupan import gapmath


@hookimpl
def prepare_connection(conn):
    gapmath.register(conn)
