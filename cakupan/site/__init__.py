"""The site: everything that knows Datasette and HTTP. The library (cakupan/*.py) never imports it.

- layers.py composes the request wrappers, in one declared order: safe_redirects.py,
  security_headers.py, request_limits.py, response_cache.py, disconnect.py, html_lang.py,
  sql_queue.py;
- pages.py is what cakupan's own pages share (timed queries, pagination, headers, 4xx pages);
- downloads.py streams the database and the package zip from the files the server pinned;
- app.py builds the same Datasette in-process (tests, benchmarks), server.py runs it.
The pages themselves and Datasette's hooks are in plugins/, one concern per file.
"""
