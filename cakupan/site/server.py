"""`python -m cakupan.site.server serve ARGS`: `datasette serve ARGS`, with a bounded graceful
shutdown and whole responses.

Datasette 0.65 starts uvicorn with no `timeout_graceful_shutdown`, so on SIGTERM uvicorn waits
for every request in flight, however long: a server busy with a slow page did not stop. Every
query of the site has a time limit, so after GRACE_SECONDS what is left is dead work and the
server exits. And uvicorn's HTTP protocol is given writes joined per turn of the event loop
(whole_writes.py), so a page's head and body leave in one write. Datasette offers no option for
either; its call to uvicorn.run is given them. The heap loaded by then is frozen (gc.freeze).
"""

from __future__ import annotations

import gc
import sys

GRACE_SECONDS = 5


def main(argv: list[str]) -> None:
    import uvicorn
    from datasette.cli import cli

    from .whole_writes import WholeWritesProtocol

    run = uvicorn.run

    def run_with_grace(app, **kwargs):
        # Everything loaded so far (Datasette, the plugins, the templates' environment) lives as
        # long as the server: frozen, the collector's full passes skip it, instead of walking it
        # during whichever request happens to trigger one (Instagram's gc.freeze, for the same
        # reason).
        gc.freeze()
        return run(app, timeout_graceful_shutdown=GRACE_SECONDS, http=WholeWritesProtocol, **kwargs)

    uvicorn.run = run_with_grace
    cli.main(argv, prog_name="datasette")  # argv starts with "serve", as datasette_args() gives it


if __name__ == "__main__":  # pragma: no cover - the process `cakupan serve` becomes
    main(sys.argv[1:])
