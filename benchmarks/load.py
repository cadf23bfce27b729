"""Load and soak: 50 clients over every kind of page, flat out and at a fixed rate, and with slow SQL.

    python benchmarks/load.py [--seconds 60] [--clients 50] [--rate 200] [--articles 10000]

With --articles N, against benchmarks/synthetic.py's package of N articles (10 figures each),
with an article, a cite page and a row of that package; without it, the four seed articles.

Three phases against the real server (`datasette` exactly as `cakupan serve` runs it):
  flat out    every client sends its next request as soon as the last one answered;
  fixed rate  requests are scheduled at --rate per second in total and latency counts from the
              scheduled moment, so a stall cannot hide (no coordinated omission);
  slow SQL    3 clients keep running a query the SQL time limit must cut (about 1 s each) while
              journalists' pages are requested at --rate per second (latency again from the
              scheduled moment): their p99 must stay under 200 ms.
Each phase must end with zero errors and zero 5xx; the server's resident memory is read before
and after. The load generator shares the machine's two cores with the server: compare ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from urllib.parse import urlencode, urlsplit

from serve_common import running_site, site_root

PAGES = {
    "gaps": "/-/gaps",
    "awards": "/-/awards",
    "article": "/-/articles/002_ad03d7ffec287ddd",
    "cite": "/-/cite/f003-05",
    "cite 404": "/-/cite/f999-99",
    "home": "/",
    "table": "/cakupan/figures",
    "row": "/cakupan/figures/f000-01",
    "view json": "/cakupan/coverage_gaps.json?_shape=array",
    "view csv": "/cakupan/coverage_gaps.csv?_size=max",
    "search": "/cakupan/figures?_search=persen",
    "canned query": "/cakupan/latest_coverage",
}
JOURNALIST_PAGES = ["gaps", "awards", "article", "cite"]
SLOW_SQL = "/cakupan.json?" + urlencode(
    {
        "sql": "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    }
)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Tally:
    def __init__(self):
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.server_errors = defaultdict(int)

    def record(self, name: str, seconds: float, status: int | None):
        if status is None:
            self.errors[name] += 1
        elif status >= 500:
            self.server_errors[name] += 1
        self.latencies[name].append(seconds * 1000)


class Connection:
    """A minimal HTTP/1.1 keep-alive client: a heavier one (httpx) was the bottleneck, not the server."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.reader = self.writer = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
        }
        if b"content-length" in headers:
            await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        return status

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def fetch(connection: Connection, tally: Tally, name: str, path: str, started: float):
    try:
        status = await connection.get(path)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        connection.close()
        connection.writer = None
        status = None
    tally.record(name, time.perf_counter() - started, status)


async def flat_out(base: str, clients: int, seconds: float, names: list[str], tally: Tally):
    deadline = time.perf_counter() + seconds

    async def worker(offset: int):
        connection = Connection(base)
        i = offset
        while time.perf_counter() < deadline:
            name = names[i % len(names)]
            i += 1
            await fetch(connection, tally, name, PAGES[name], time.perf_counter())
        connection.close()

    await asyncio.gather(*(worker(n) for n in range(clients)))


async def fixed_rate(
    base: str, clients: int, seconds: float, rate: float, names: list[str], tally: Tally
):
    start = time.perf_counter()
    queue: asyncio.Queue = asyncio.Queue()
    for n in range(int(rate * seconds)):
        queue.put_nowait(n)

    async def worker():
        connection = Connection(base)
        while not queue.empty():
            n = queue.get_nowait()
            scheduled = start + n / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            name = names[n % len(names)]
            await fetch(connection, tally, name, PAGES[name], scheduled)
        connection.close()

    await asyncio.gather(*(worker() for _ in range(clients)))


async def with_slow_sql(base: str, clients: int, seconds: float, rate: float, tally: Tally):
    """Journalists' pages at a fixed rate while 3 clients keep the SQL threads busy with slow queries."""
    slow = Tally()
    deadline = time.perf_counter() + seconds

    async def slow_worker():
        connection = Connection(base)
        while time.perf_counter() < deadline:
            await fetch(connection, slow, "slow sql", SLOW_SQL, time.perf_counter())
        connection.close()

    await asyncio.gather(
        *(slow_worker() for _ in range(3)),
        fixed_rate(base, clients - 3, seconds, rate, JOURNALIST_PAGES, tally),
    )
    return slow


async def settle(base: str, limit: float = 15.0) -> None:
    """Between phases, wait until the server answers promptly again (bounded), so one phase's
    backlog is not measured as the next phase's latency."""
    connection = Connection(base)
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await connection.get(PAGES["gaps"])
        if time.perf_counter() - started < 0.02:
            break
        await asyncio.sleep(0.2)
    connection.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(title: str, tally: Tally, seconds: float) -> bool:
    print(f"\n{title}")
    print(
        f"  {'page':14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'5xx':>5}"
    )
    ok = True
    for name in sorted(tally.latencies):
        lat = tally.latencies[name]
        errors, server = tally.errors[name], tally.server_errors[name]
        ok &= errors == 0 and server == 0
        print(
            f"  {name:14} {len(lat):9d} {len(lat) / seconds:8.1f} {statistics.median(lat):8.1f} {pct(lat, 0.99):8.1f} {errors:7d} {server:5d}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--rate", type=float, default=200, help="total requests per second in the fixed-rate phase"
    )
    parser.add_argument("--articles", type=int, default=0, help="synthetic articles; 0: the seeds")
    args = parser.parse_args()
    root = site_root(args.articles)
    if args.articles:
        with sqlite3.connect(f"file:{root / 'build' / 'cakupan.db'}?mode=ro", uri=True) as conn:
            figure, source = conn.execute(
                "select figure_id, source_id from figures order by figure_id limit 1 offset 5000"
            ).fetchone()
        PAGES.update(
            article=f"/-/articles/{source}",
            cite=f"/-/cite/{figure}",
            row=f"/cakupan/figures/{figure}",
        )
    names = list(PAGES)
    verdicts = []
    with running_site(root) as (base, process):
        asyncio.run(flat_out(base, 5, 2, names, Tally()))  # warm the page cache once
        before = rss_mib(process.pid)
        flat = Tally()
        asyncio.run(flat_out(base, args.clients, args.seconds, names, flat))
        verdicts.append(
            (
                "flat out: zero errors and zero 5xx",
                report(
                    f"flat out, {args.clients} clients, {args.seconds:.0f}s", flat, args.seconds
                ),
            )
        )
        asyncio.run(settle(base))
        steady = Tally()
        asyncio.run(fixed_rate(base, args.clients, args.seconds, args.rate, names, steady))
        verdicts.append(
            (
                "fixed rate: zero errors and zero 5xx",
                report(
                    f"fixed rate {args.rate:.0f}/s, {args.clients} clients, {args.seconds:.0f}s",
                    steady,
                    args.seconds,
                ),
            )
        )
        asyncio.run(settle(base))
        journalists = Tally()
        slow = asyncio.run(with_slow_sql(base, args.clients, args.seconds, args.rate, journalists))
        title = f"journalist pages at {args.rate:.0f}/s while 3 clients run slow SQL"
        verdicts.append(
            ("slow SQL phase: zero errors and zero 5xx", report(title, journalists, args.seconds))
        )
        report("the slow SQL itself (cut by the time limit: 4xx expected)", slow, args.seconds)
        worst = max(pct(journalists.latencies[n], 0.99) for n in JOURNALIST_PAGES)
        verdicts.append(
            (
                f"journalist pages p99 under 200 ms beside slow SQL (worst {worst:.1f} ms)",
                worst < 200,
            )
        )
        after = rss_mib(process.pid)
    growth = after - before
    print(f"\nserver memory: {before:.1f} MiB before, {after:.1f} MiB after ({growth:+.1f} MiB)")
    verdicts.append((f"no memory growth (under 10 MiB; {growth:+.1f} MiB)", growth < 10))
    print()
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
