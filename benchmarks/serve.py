"""Page speed and memory of the published site, on the seeds and on 100,000 figures, cold and warm.

    python benchmarks/serve.py [--articles 10000] [--seconds 5] [--connections 10] [--cold-passes 3]

For each database (the four seed articles, then benchmarks/synthetic.py's package of --articles
articles, ten figures each), a fresh server started as `cakupan serve` starts it:
  cold   the first request of distinct URLs, one at a time: 10 cite pages, 10 articles, 5
         provinces' gaps, each list page, each documented table, a table search, row pages;
         --cold-passes passes, each on a fresh server for each database, the two servers
         running side by side and their URLs requested in turn;
         median and max per page kind over every pass, and the ratio of cold at 100,000
         figures to cold at the seeds, kind by kind;
  warm   wrk, --connections connections, --seconds per page, against the anchor: Datasette's
         own table page rendered uncached (a cookie bypasses the response cache);
  memory the server's resident memory before and after 1,000 distinct junk URLs, and while
         150 slow readers hold the package zip open.
Needs wrk (apt-get install wrk). wrk and the server share this machine's two cores, so absolute
rates drift between runs; the ratios, measured in the same run, hold. Targets are those of
issue 10; each line says PASS or FAIL.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from itertools import zip_longest
from pathlib import Path

from serve_common import running_site, site_root

OURS = {
    "cite", "article", "gaps", "gaps by province", "awards", "articles index", "conflicts",
    "region", "search", "award cite", "annotation", "sitemap part", "home",
}  # fmt: skip
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def cold_urls(root: Path) -> list[tuple[str, str]]:
    """(kind, path) of distinct URLs, drawn with a fixed seed from the database served."""
    with sqlite3.connect(f"file:{root / 'build' / 'cakupan.db'}?mode=ro", uri=True) as conn:
        figures = [r[0] for r in conn.execute("select figure_id from figures order by figure_id")]
        articles = [r[0] for r in conn.execute("select source_id from sources order by source_id")]
        # the region name of the first figure, without "Kabupaten"/"Kota"
        search_term = (
            conn.execute(
                "select r.name from figures f join regions r using (region_code) order by figure_id limit 1"
            )
            .fetchone()[0]
            .split()[-1]
        )
        provinces = [
            r[0]
            for r in conn.execute(
                "select distinct province_code from coverage_gaps order by province_code"
            )
        ]
        regions = [
            r[0] for r in conn.execute("select distinct region_code from figures order by 1")
        ]
        awards = [r[0] for r in conn.execute("select award_id from awards order by award_id")]
    pick = random.Random(0)
    urls = [("cite", f"/-/cite/{f}") for f in pick.sample(figures, min(10, len(figures)))]
    urls += [("article", f"/-/articles/{a}") for a in pick.sample(articles, min(10, len(articles)))]
    urls += [
        ("gaps by province", f"/-/gaps?province={p}")
        for p in pick.sample(provinces, min(5, len(provinces)))
    ]
    urls += [("region", f"/-/wilayah/{r}") for r in pick.sample(regions, min(5, len(regions)))]
    urls += [("award cite", f"/-/cite-award/{a}") for a in pick.sample(awards, min(3, len(awards)))]
    urls += [
        ("annotation", f"/-/cite/{f}.jsonld") for f in pick.sample(figures, min(5, len(figures)))
    ]
    # a word in nearly every quote, a region name, and a name of a person
    urls += [("search", f"/-/search?q={q}") for q in ("pekerja", search_term, "Bahri")]
    urls += [("sitemap part", "/sitemap-angka-1.xml"), ("home", "/")]
    urls += [
        ("gaps", "/-/gaps"),
        ("awards", "/-/awards"),
        ("articles index", "/-/articles"),
        ("conflicts", "/-/conflicts"),
    ]
    for table in (
        "coverage_gaps",
        "consistency_checks",
        "award_rankings",
        "time_series",
        "figure_citations",
        "figure_conflicts",
    ):
        urls.append(("documented table", f"/cakupan/{table}"))
    # a journalist searches for a name; "persen" is in most quotes (its count is reported apart)
    urls.append(("table search", f"/cakupan/figures?_search={search_term}"))
    urls.append(("search, most rows", "/cakupan/figures?_search=persen"))
    urls += [("row page", f"/cakupan/figures/{f}") for f in pick.sample(figures, 3)]
    return urls


def timed_get(url: str, headers: dict | None = None) -> tuple[float, int, int]:
    request = urllib.request.Request(url, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            size, status = len(response.read()), response.status
    except urllib.error.HTTPError as e:
        size, status = len(e.read()), e.code
    return (time.perf_counter() - started) * 1000, status, size


def measure_cold(roots: dict[str, Path], cold: dict[str, dict]) -> None:
    """One cold pass: a fresh server for each database, both running, and their URLs requested
    in turn (one of the first, one of the second, ...), so that a busy spell of this shared
    machine falls on both sides of a ratio; timings are added to cold[name]."""
    with ExitStack() as stack:
        bases = {name: stack.enter_context(running_site(root))[0] for name, root in roots.items()}
        queues = [[(name, kind, path) for kind, path in cold_urls(roots[name])] for name in roots]
        for name, kind, path in (u for turn in zip_longest(*queues) for u in turn if u):
            ms, status, size = timed_get(bases[name] + path)
            entry = cold[name].setdefault(kind, {"ms": [], "statuses": set(), "largest": 0})
            entry["ms"].append(ms)
            entry["statuses"].add(status)
            entry["largest"] = max(entry["largest"], size)


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
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def measure_warm(root: Path, seconds: int, connections: int) -> dict[str, dict]:
    urls = dict(cold_urls(root)[::-1])  # one URL per kind
    warm = {kind: urls[kind] for kind in sorted(OURS) if kind in urls}
    warm["Datasette table page, cached"] = "/cakupan/figures"
    results = {}
    with running_site(root) as (base, _):
        for kind, path in warm.items():
            results[kind] = wrk(base + path, seconds, connections, {})
        results["anchor"] = wrk(base + "/cakupan/figures", seconds, connections, {"Cookie": "b=1"})
    return results


def slow_readers(port: int, count: int) -> list[socket.socket]:
    """Connections that ask for the zip and then read almost nothing."""
    readers = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /-/download/cakupan-datapackage.zip HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(1024)
        readers.append(s)
    return readers


def measure_memory(root: Path) -> dict[str, float]:
    with running_site(root) as (base, process):
        port = int(base.rsplit(":", 1)[1])
        for path in ("/-/gaps", "/cakupan/figures", "/-/cite/nope"):
            timed_get(base + path)
        before = rss_mb(process.pid)
        for i in range(1000):
            junk = [
                f"/-/cite/junk-{i}-{'x' * 200}",
                f"/-/gaps?utm={i}",
                f"/cakupan/figures?_junk={i}",
                f"/cakupan/no_such_table_{i}",
            ][i % 4]
            timed_get(base + junk)
        after_junk = rss_mb(process.pid)
        readers = slow_readers(port, 150)
        time.sleep(2)  # let every reader's first chunk reach its socket buffer
        with_readers = rss_mb(process.pid)
        for r in readers:
            r.close()
    return {
        "before": before,
        "junk": after_junk - before,
        "readers": with_readers - after_junk,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--cold-passes", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    sizes = {"seeds": 0, f"{args.articles * 10:,} figures": args.articles}
    roots = {name: site_root(n) for name, n in sizes.items()}
    # a cold request is measured once a pass: each kind's median is over every pass
    cold: dict[str, dict] = {name: {} for name in roots}
    for _ in range(args.cold_passes):
        measure_cold(roots, cold)
    failed = False
    seeds, big = cold
    print("cold: first request of distinct URLs, one at a time (ms)")
    print(
        f"{'page kind':20} {'n':>3} {'seeds med':>10} {'big med':>9} {'big max':>9} {'big/seeds':>10} {'largest KB':>11} statuses  target"
    )
    for kind, entry in cold[big].items():
        med, top = statistics.median(entry["ms"]), max(entry["ms"])
        ratio = med / statistics.median(cold[seeds][kind]["ms"])
        bad = {s for s in entry["statuses"] if s >= 400 and not (kind == "cite" and s == 404)}
        if kind == "search, most rows":
            ok, target = not bad, "reported only: counts most of the table's rows"
        elif kind in OURS:
            ok = med <= 50 and top <= 1000 and ratio <= 2 and not bad and entry["largest"] < 1 << 20
            target = "median<=50, max<=1000, <=2x seeds, <1 MB"
        else:
            ok = med <= 300 and ratio <= 2 and not bad
            target = "median<=300, <=2x seeds, no 4xx/5xx"
        failed |= not ok
        print(
            f"{kind:20} {len(entry['ms']):3d} {statistics.median(cold[seeds][kind]['ms']):10.1f} {med:9.1f} {top:9.1f} {ratio:10.2f} {entry['largest'] / 1024:11.1f} {','.join(map(str, sorted(entry['statuses']))):9} {verdict(ok)} ({target})"
        )
    print(f"\nwarm at {big}: wrk, {args.connections} connections, {args.seconds}s per page")
    warm = measure_warm(roots[big], args.seconds, args.connections)
    anchor = warm.pop("anchor")
    print(f"{'page':30} {'req/s':>9} {'p99 ms':>8} {'non-2xx':>8} {'x anchor':>9}  target")
    for kind, r in warm.items():
        line = f"{kind:30} {r['rate']:9.1f} {r['p99']:8.2f} {r['non_2xx']:8d} {r['rate'] / anchor['rate']:9.1f}"
        if kind in OURS:
            ok = r["rate"] >= 1000 and r["rate"] >= 10 * anchor["rate"] and not r["non_2xx"]
            failed |= not ok
            line += f"  {verdict(ok)} (>=1000/s, >=10x anchor)"
        print(line)
    print(
        f"{'anchor: table page uncached':30} {anchor['rate']:9.1f} {anchor['p99']:8.2f} {anchor['non_2xx']:8d} {1:9.1f}"
    )
    memory = measure_memory(roots[big])
    print(f"\nmemory at {big}: server RSS {memory['before']:.0f} MB after warm-up")
    for name, label in (
        ("junk", "1,000 distinct junk URLs"),
        ("readers", "150 slow readers of the zip"),
    ):
        ok = memory[name] <= 32
        failed |= not ok
        print(f"  {label:28} +{memory[name]:6.1f} MB  {verdict(ok)} (<= 32 MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
