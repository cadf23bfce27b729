"""User SQL yields the CPU to journalists' pages.

On two cores, three of Datasette's SQL threads each running a query until the one-second time
limit took the CPU from the event loop that serves cakupan's cached pages (their p99 rose from
~10 ms to seconds). Datasette opens each connection inside the SQL thread that will use it, so
here that thread lowers its own scheduling priority (Linux treats threads as tasks): the event
loop and cakupan's page threads keep theirs."""

import contextlib
import os
import threading

from datasette import hookimpl

SQL_THREAD_NICENESS = 10


@hookimpl
def prepare_connection():
    if threading.current_thread() is threading.main_thread():
        return  # connections opened on the main thread (startup, tests) serve no user SQL
    # not Linux, or not permitted: the site still works, only less fairly
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SQL_THREAD_NICENESS)
