"""The site through deploy/'s caching proxy, against the same pages straight from a replica.

    python benchmarks/proxy.py [--articles 10000] [--seconds 5] [--connections 50]

Starts deploy/cluster.py's cluster (2 replicas of `cakupan serve`, Debian's nginx in front) on
benchmarks/synthetic.py's package of --articles articles (ten figures each), and for each page
kind measures, with wrk at --connections connections for --seconds each, as a browser asks
(Accept-Encoding: gzip):
  direct        one replica, warm (its own response cache answers): the anchor;
  cached        through the proxy, the page in its cache (X-Cache-Status: HIT);
  revalidating  through the proxy, the reader already holds the page and sends If-None-Match:
                the proxy answers 304 from its cache;
and the bytes of the page as sent compressed, against uncompressed.
Needs wrk and nginx (apt-get install wrk nginx). wrk, nginx and the replicas share this machine's
two cores, so absolute rates drift between runs; the ratios, measured in the same run, hold.
Targets are those of issue 16; each line says PASS or FAIL, and the exit code is 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import urllib.error
import urllib.request

from serve import wrk
from serve_common import free_port, site_root

from deploy.cluster import Cluster

TARGET_RATIO = 5  # cached through the proxy, against direct warm
TARGET_RATE = 5000  # req/s, cached, at 50 connections
TARGET_COMPRESSED = 0.30  # compressed bytes, against uncompressed


def pages(base: str) -> dict[str, str]:
    """One URL per page kind, taken from the figures the site serves."""
    with urllib.request.urlopen(base + "/cakupan/figures.json?_size=1&_shape=array") as r:
        figure = json.load(r)[0]
    return {
        "home": "/",
        "cite": f"/-/cite/{figure['figure_id']}",
        "article": f"/-/articles/{figure['source_id']}",
        "gaps": "/-/gaps",
        "search": "/-/search?q=pekerja",
        "Datasette table": "/cakupan/figures",
        "table JSON": "/cakupan/figures.json?_shape=array",
    }


def get(url: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    except urllib.error.HTTPError as e:  # a 304 is one of these
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not shutil.which(tool, path="/usr/sbin"):
            print(f"{tool} is not installed: apt-get install {tool}", file=sys.stderr)
            return 2
    root = site_root(args.articles)
    gzip_header = {"Accept-Encoding": "gzip"}
    failed = False
    totals = [0, 0]  # bytes of every page, uncompressed and as sent compressed
    with Cluster(root, replicas=2, port=free_port(), out=lambda line: None) as cluster:
        proxy = f"http://127.0.0.1:{cluster.port}"
        direct = f"http://{cluster.members[0].address}"
        urls = pages(direct)
        print(
            f"{args.articles * 10:,} figures; wrk, {args.connections} connections, "
            f"{args.seconds}s a page, Accept-Encoding: gzip"
        )
        print(
            f"{'page':16} {'direct/s':>9} {'cached/s':>9} {'x direct':>8} {'304/s':>9} "
            f"{'x direct':>8} {'KB':>7} {'gzip KB':>8} {'gzip %':>7}  verdict"
        )
        for kind, path in urls.items():
            get(direct + path, {})  # the replica's own cache, warm
            _, headers, zipped = get(proxy + path, gzip_header)  # the proxy's cache, warm
            _, plain_headers, _ = get(proxy + path, {})
            revalidate = {**gzip_header, "If-None-Match": headers["etag"]}
            hit = get(proxy + path, gzip_header)[1]["x-cache-status"]
            not_modified = get(proxy + path, revalidate)[0]
            d = wrk(direct + path, args.seconds, args.connections, gzip_header)
            c = wrk(proxy + path, args.seconds, args.connections, gzip_header)
            r = wrk(proxy + path, args.seconds, args.connections, revalidate)
            if "content-encoding" in plain_headers:
                raise SystemExit(f"{path}: a reader that takes no gzip was sent gzip")
            gzipped = headers.get("content-encoding") == "gzip"
            size = len(gzip.decompress(zipped)) if gzipped else len(zipped)
            compressed = len(zipped)
            totals[0] += size
            totals[1] += compressed
            share = compressed / size
            ok = (
                (hit, not_modified) == ("HIT", 304)
                and c["rate"] >= TARGET_RATIO * d["rate"]
                and c["rate"] >= TARGET_RATE
                and not (d["non_2xx"] or c["non_2xx"])
            )
            failed |= not ok
            print(
                f"{kind:16} {d['rate']:9.0f} {c['rate']:9.0f} {c['rate'] / d['rate']:8.1f} "
                f"{r['rate']:9.0f} {r['rate'] / d['rate']:8.1f} {size / 1024:7.1f} "
                f"{compressed / 1024:8.1f} {share:7.0%}  {'PASS' if ok else 'FAIL'}"
            )
    share = totals[1] / totals[0]
    failed |= share > TARGET_COMPRESSED
    print(
        f"all pages together: {totals[0] / 1024:.1f} KB, {totals[1] / 1024:.1f} KB gzipped, "
        f"{share:.0%}  {'PASS' if share <= TARGET_COMPRESSED else 'FAIL'}"
    )
    print(
        f"targets: cached >= {TARGET_RATIO}x direct and >= {TARGET_RATE:,}/s; "
        f"all pages compressed <= {TARGET_COMPRESSED:.0%} of uncompressed; "
        "second request a HIT, If-None-Match a 304"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
