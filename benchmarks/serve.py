"""Page speed of the published site: requests/s and latency per page, against Datasette's table page.

    python benchmarks/serve.py [--seconds 5] [--connections 10]

Needs wrk (apt-get install wrk). wrk and the server share this machine's two cores, so absolute
rates drift between runs; the ratio to Datasette's own table page, measured in the same run, holds.
Targets (issue 4): each cakupan page >= 300 requests/s at 10 connections and >= 5x the table page
as Datasette renders it (the anchor bypasses cakupan's response cache with a cookie; the cached
table page is shown beside it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import urllib.request

from serve_common import running_site

PAGES = [
    ("gaps", "/-/gaps", {}),
    ("gaps filtered", "/-/gaps?province=15", {}),
    ("awards", "/-/awards", {}),
    ("articles index", "/-/articles", {}),
    ("article", "/-/articles/003_5c72670d165195ed", {}),
    ("cite", "/-/cite/f000-02", {}),
    ("cite 304 revalidation", "/-/cite/f000-02", {"If-None-Match": "<etag>"}),
    ("cite 404", "/-/cite/f999-99", {}),
    ("Datasette 404", "/cakupan/no_such_table", {}),
    ("Datasette home, cached", "/", {}),
    ("Datasette table page, cached", "/cakupan/figures", {}),
    # a cookie bypasses plugins/response_cache.py: this is Datasette's own rendering, the anchor
    ("Datasette table page (anchor)", "/cakupan/figures", {"Cookie": "bench=uncached"}),
]
ANCHOR = "Datasette table page (anchor)"
OURS = {
    "gaps",
    "gaps filtered",
    "awards",
    "articles index",
    "article",
    "cite",
    "cite 304 revalidation",
}
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    results = {}
    with running_site() as (base, _):
        etag = urllib.request.urlopen(base + "/-/cite/f000-02").headers["ETag"]
        for name, path, headers in PAGES:
            headers = {k: (etag if v == "<etag>" else v) for k, v in headers.items()}
            results[name] = wrk(base + path, args.seconds, args.connections, headers)
    anchor = results[ANCHOR]["rate"]
    print(
        f"{'page':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'x table':>8}  target"
    )
    failed = False
    for name, r in results.items():
        verdict = ""
        if name in OURS:
            ok = r["rate"] >= 300 and r["rate"] >= 5 * anchor
            failed |= not ok
            verdict = "PASS (>=300/s, >=5x)" if ok else "FAIL (>=300/s, >=5x)"
        print(
            f"{name:32} {r['rate']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non_2xx']:8d} {r['rate'] / anchor:8.1f}  {verdict}"
        )
    print(
        f"\n{args.connections} connections, {args.seconds}s per page, wrk and server on the same machine."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
