"""Build benchmark: how `cakupan build` scales, against frictionless, sqlite-utils and bare sqlite3.

    python benchmarks/build.py [--articles 10000] [--out DIR] [--repeat 3] [--profile]

Generates a synthetic package (benchmarks/synthetic.py, 10 figures per article), checks that it
validates cleanly, then measures on the same files, each step in a fresh subprocess whose peak
resident memory is read from os.wait4 (that process's own ru_maxrss):

  a  cold validate+build       `cakupan build --root DIR` with no build/ present
  b  rebuild, nothing changed  the same command again (median of --repeat runs)
  c  rebuild, one article      after rewriting data/figures.csv with one article's 10 rows edited;
                               it must be incremental
  d  frictionless validate     `python -m frictionless validate datapackage.json` (anchor 1)
  e  sqlite-utils insert       `sqlite-utils insert DB TABLE CSV --csv`, one process per CSV (anchor 2)
  f  floor                     bare csv.reader + sqlite3.executemany of the same CSVs
  g  our load step             load_package + cakupan.database.load_tables (create, load, index), no validation
  h  cold build at N/10        a second package a tenth the size, for the memory ratio
  i  our read, floor's insert  g's load_package, then the floor's untyped insert: what g adds

It prints a table and the targets with PASS/FAIL, and always exits 0: it is a report.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402  (benchmarks/ is not a package)

PYTHON = sys.executable
CAKUPAN = [PYTHON, "-c", "from cakupan.cli import cli; cli()"]
MIB = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux

# f: the floor. Every CSV of the package into plain TEXT columns, one transaction, same pragmas
# as the build's staging database. Timed inside the child, so interpreter start-up is left out.
FLOOR = r"""
import csv, json, sqlite3, sys, time
from pathlib import Path
root, db, pragmas = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
started = time.perf_counter()
conn = sqlite3.connect(db, isolation_level=None)
for pragma in pragmas:
    conn.execute(pragma)
conn.execute("BEGIN")
for path in sorted((root / "data").glob("*.csv")):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = ", ".join(f"[{h}] TEXT" for h in header)
        conn.execute(f"CREATE TABLE [{path.stem}] ({columns})")
        marks = ", ".join("?" * len(header))
        conn.executemany(f"INSERT INTO [{path.stem}] VALUES ({marks})", reader)
conn.execute("COMMIT")
conn.close()
print(json.dumps({"seconds": time.perf_counter() - started}))
"""

# g: our load step, exactly as write_database does it, without validation, citations or search.
OURS = r"""
import json, sqlite3, sys, time
from pathlib import Path
import sqlite_utils
from cakupan.database import load_tables, staging_connection
from cakupan.package import load_package
root, db = Path(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
package = load_package(root)
read = time.perf_counter() - started
conn = staging_connection(db)
conn.execute("BEGIN")
if sys.argv[3:] == ["untyped"]:  # step i: the same cells, inserted the floor's way
    for t in package.tables.values():
        conn.execute(f"CREATE TABLE [{t.name}] ({', '.join(f'[{n}] TEXT' for n in t.header)})")
        conn.executemany(f"INSERT INTO [{t.name}] VALUES ({', '.join('?' * len(t.header))})", t.cells)
else:
    load_tables(sqlite_utils.Database(conn), package)
conn.execute("COMMIT")
conn.close()
print(json.dumps({"seconds": time.perf_counter() - started, "read": read}))
"""

# The launcher: forks from a small interpreter, execs the command, and records that command's
# own wall time and peak memory (ru_maxrss from wait4) in the file named by argv[1].
WAIT4 = r"""
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    json.dump({"seconds": seconds, "maxrss": usage.ru_maxrss}, f)
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""

PROFILE = r"""
import cProfile, pstats, shutil, sys
from pathlib import Path
from cakupan.build import build
root = Path(sys.argv[1])
shutil.rmtree(root / "build", ignore_errors=True)
profiler = cProfile.Profile()
profiler.enable()
build(root)
profiler.disable()
pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(15)
"""


@dataclass
class Run:
    seconds: float  # wall time seen by the parent, or the child's own timing when it reports one
    peak_mib: float  # the child's ru_maxrss
    returncode: int
    stdout: str
    stderr: str
    reported: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 5) -> str:
        return "\n".join((self.stderr or self.stdout).strip().splitlines()[-lines:])


def run(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run one command in a fresh process; its wall time and its own peak memory.

    The command is started by a small launcher (WAIT4), not by this process: Linux carries
    the peak RSS of the address space a process had before exec into its ru_maxrss, and a
    child spawned straight from this process would report at least this process's size.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        fd, report_path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        try:
            started = time.perf_counter()
            proc = subprocess.run(
                [PYTHON, "-S", "-c", WAIT4, report_path, *cmd], cwd=cwd, stdout=out, stderr=err
            )
            seconds = time.perf_counter() - started
            report = json.loads(Path(report_path).read_text() or "{}")
        finally:
            os.unlink(report_path)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    result = Run(
        report.get("seconds", seconds),
        report.get("maxrss", 0) / MIB,
        proc.returncode,
        stdout,
        stderr,
    )
    last = stdout.strip().splitlines()[-1:] if stdout.strip() else []
    if last and last[0].startswith("{"):
        try:
            result.reported = json.loads(last[0])
            result.seconds = result.reported.get("seconds", result.seconds)
        except json.JSONDecodeError:
            pass
    return result


@dataclass
class Step:
    key: str
    label: str
    runs: list[Run]
    note: str = ""
    ok: bool = True

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_mib for r in self.runs)


def fresh_db(work: Path, name: str) -> Path:
    path = work / name
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def edit_one_article(root: Path, source_id: str, stamp: str) -> str:
    """Rewrite figures.csv with one article's 10 notes changed and one figure re-pointed.

    The re-pointed figure (the article's coverage_rate) takes another percentage the same
    article prints, with a quote around it at its true offsets, so value and quote stay
    consistent and the package stays valid.
    """
    from cakupan.numbers import find_numbers
    from cakupan.provenance import locate

    path = root / "data" / "figures.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    text = (
        (root / "sources" / f"{source_id}.txt").read_bytes().decode("utf-8")
    )  # no newline translation
    mine = [r for r in rows if r["source_id"] == source_id]
    for row in mine:
        row["note"] = f"Edited by the build benchmark ({stamp})."
    row = next(r for r in mine if r["indicator_id"] == "coverage_rate")
    old = Decimal(row["value"])
    body = text.find("\u2013")  # after the dateline's en dash: not the headline
    mention = next(
        m
        for m in find_numbers(text)
        if m.start > body
        and m.kind == "percent"
        and m.value is not None
        and m.value != old
        and m.value <= 100
    )
    line_start = text.rfind("\n", 0, mention.start) + 1
    start = mention.start
    for _ in range(3):  # up to three words before the number, on its line
        space = text.rfind(" ", line_start, start - 1)
        if space < 0:
            break
        start = space + 1
    quote = text[start : mention.end]
    span = locate(text, quote, near=start)
    qualifier_text = mention.qualifier_text or ""
    row.update(
        value=synthetic.plain(mention.value),
        qualifier=mention.qualifier if qualifier_text and qualifier_text in quote else "exact",
        qualifier_text=qualifier_text if qualifier_text in quote else "",
        quote=quote,
        quote_start=str(span.start),
        quote_end=str(span.end),
        quote_prefix=span.prefix,
        quote_suffix=span.suffix,
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return (
        f"{len(mine)} notes of {source_id}; {row['figure_id']} {old} -> {row['value']} "
        f"({quote!r} at {span.start}-{span.end})"
    )


def source_id_at(root: Path, index: int) -> str:
    with open(root / "data" / "sources.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows[min(index, len(rows) - 1)]["source_id"]


def build_step(key: str, label: str, root: Path, repeat: int, expect: str) -> Step:
    runs = [run([*CAKUPAN, "build", "--root", str(root)]) for _ in range(repeat)]
    failed = [r for r in runs if not r.ok]
    unexpected = [r for r in runs if r.ok and expect not in r.stdout]
    if failed:
        note = f"FAILED (exit {failed[0].returncode}): {failed[0].tail()}"
    elif unexpected:
        # e.g. a no-change rebuild that rebuilt: the inputs or cakupan's own code changed
        note = f"{len(unexpected)} of {len(runs)} run(s) did not say {expect.strip()!r}: "
        note += unexpected[0].stdout.strip()[:120]
    else:
        note = runs[-1].stdout.strip().splitlines()[-1][:90]
    return Step(key, label, runs, note, not failed and not unexpected)


def versions() -> str:
    from importlib.metadata import version

    parts = [
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        *(f"{p} {version(p)}" for p in ("cakupan", "frictionless", "sqlite-utils")),
        f"{os.cpu_count()} CPU(s)",
        platform.platform(terse=True),
    ]
    return ", ".join(parts)


def staging_pragmas() -> list[str]:
    """The build's own connection settings, so the floor runs under the same ones."""
    from cakupan.database import STAGING_PRAGMAS

    return list(STAGING_PRAGMAS)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def benchmark(articles: int, out: Path, repeat: int, profile: bool) -> None:
    small_n = max(1, articles // 10)
    root, small_root, work = out / f"n{articles}", out / f"n{small_n}", out / "work"
    work.mkdir(parents=True, exist_ok=True)
    print(f"# cakupan build benchmark: {articles} articles, {articles * 10} figures")
    print(f"# {versions()}")

    for n, where in ((articles, root), (small_n, small_root)):
        if where.exists():
            shutil.rmtree(where)
        summary = synthetic.generate(where, n)
        print(
            f"# generated {where}: {summary['figures']} figures, "
            f"{summary['bytes'] / 2**20:.1f} MiB, in {summary['generate_seconds']:.1f}s; "
            f"validate(with_frictionless=False) clean in {summary['validate_seconds']:.1f}s"
        )
    big_bytes, small_bytes = synthetic.package_bytes(root), synthetic.package_bytes(small_root)
    print(flush=True)

    steps: list[Step] = []

    def done(step: Step) -> Step:
        steps.append(step)
        print(f"  done {step.key} {step.label}: {step.seconds:.2f}s", file=sys.stderr, flush=True)
        return step

    shutil.rmtree(root / "build", ignore_errors=True)
    cold = done(build_step("a", "cold validate+build", root, 1, "built "))
    nochange = done(build_step("b", "rebuild, nothing changed", root, repeat, "up to date"))
    what = edit_one_article(root, source_id_at(root, articles // 2), time.strftime("%H:%M:%S"))
    # an incremental build is what is timed: a fallback to a full build is flagged, not hidden
    onearticle = done(
        build_step("c", "rebuild, one article edited", root, 1, "(incremental: 1 article rebuilt;")
    )
    onearticle.note = f"incremental; edited {what}"[:90] if onearticle.ok else onearticle.note

    fl = run([PYTHON, "-m", "frictionless", "validate", "datapackage.json"], cwd=root)
    frictionless = done(
        Step(
            "d",
            "frictionless validate",
            [fl],
            "valid" if fl.ok else f"INVALID or failed (exit {fl.returncode}): {fl.tail(3)}",
            fl.ok,
        )
    )

    db = fresh_db(work, "sqlite-utils.db")
    inserts = []
    for csv_path in sorted((root / "data").glob("*.csv")):
        cmd = [PYTHON, "-m", "sqlite_utils", "insert", str(db), csv_path.stem, str(csv_path), "--csv"]  # fmt: skip
        inserts.append(run(cmd))
    total = Run(
        sum(r.seconds for r in inserts),
        max(r.peak_mib for r in inserts),
        max(r.returncode for r in inserts),
        "",
        "\n".join(r.stderr for r in inserts),
    )
    sqlite_utils_step = done(
        Step(
            "e",
            "sqlite-utils insert --csv",
            [total],
            f"sum of {len(inserts)} processes, one per CSV; peak = largest",
            total.ok,
        )
    )

    pragmas = json.dumps(staging_pragmas())
    floor_runs = [run([PYTHON, "-c", FLOOR, str(root), str(fresh_db(work, "floor.db")), pragmas]) for _ in range(repeat)]  # fmt: skip
    floor = done(
        Step(
            "f",
            "floor: csv + sqlite3.executemany",
            floor_runs,
            "timed inside the child",
            all(r.ok for r in floor_runs),
        )  # fmt: skip
    )
    ours_runs = [run([PYTHON, "-c", OURS, str(root), str(fresh_db(work, "ours.db"))]) for _ in range(repeat)]  # fmt: skip
    read = statistics.median(r.reported.get("read", 0.0) for r in ours_runs)
    ours = done(
        Step(
            "g",
            "our load step (no validation)",
            ours_runs,
            f"of which load_package {read:.2f}s; timed inside the child",
            all(r.ok for r in ours_runs),
        )
    )

    shutil.rmtree(small_root / "build", ignore_errors=True)
    small = done(build_step("h", f"cold validate+build at N/10 ({small_n})", small_root, 1, "built "))  # fmt: skip

    # i: what separates g from f: g's own reading with the floor's untyped, unindexed insert
    bare_runs = [run([PYTHON, "-c", OURS, str(root), str(fresh_db(work, "bare.db")), "untyped"]) for _ in range(repeat)]  # fmt: skip
    bare = done(
        Step(
            "i",
            "our read + the floor's untyped insert",
            bare_runs,
            "g without keys, indexes, types or NULLs",
            all(r.ok for r in bare_runs),
        )
    )

    # ---- the table
    print(f"{'step':<44} {'seconds':>9} {'peak MiB':>9} {'runs':>5}  note")
    for s in steps:
        label = f"{s.key}  {s.label}"
        flag = "" if s.ok else "  !! "
        print(f"{label:<44} {s.seconds:>9.2f} {s.peak_mib:>9.1f} {len(s.runs):>5}  {flag}{s.note}")
    if any(not s.ok for s in steps):
        for s in steps:
            if not s.ok:
                print(f"\n!! step {s.key} failed:\n{s.runs[-1].tail(15)}")

    # ---- the targets
    anchors = frictionless.seconds + sqlite_utils_step.seconds
    data_ratio = big_bytes / small_bytes
    memory_ratio = cold.peak_mib / small.peak_mib
    targets = [
        (
            "cold validate+build <= 0.5 x (frictionless validate + sqlite-utils insert)",
            f"{cold.seconds:.2f}s vs 0.5 x ({frictionless.seconds:.2f} + "
            f"{sqlite_utils_step.seconds:.2f}) = {0.5 * anchors:.2f}s; ratio {cold.seconds / anchors:.3f}",
            cold.ok and frictionless.ok and cold.seconds <= 0.5 * anchors,
        ),
        (
            "our load step <= 1.5 x the floor",
            f"{ours.seconds:.2f}s vs 1.5 x {floor.seconds:.2f} = {1.5 * floor.seconds:.2f}s; "
            f"ratio {ours.seconds / floor.seconds:.2f}",
            ours.ok and floor.ok and ours.seconds <= 1.5 * floor.seconds,
        ),
        (
            "no-change rebuild < 1 s",
            f"{nochange.seconds:.2f}s (median of {len(nochange.runs)})",
            nochange.ok and nochange.seconds < 1.0,
        ),
        (
            "one-article rebuild < 2 s",
            f"{onearticle.seconds:.2f}s",
            onearticle.ok and onearticle.seconds < 2.0,
        ),
        (
            "cold build peak memory <= 400 MB (issue 10)",
            f"{cold.peak_mib * 2**20 / 1e6:.0f} MB ({cold.peak_mib:.1f} MiB)",
            cold.ok and cold.peak_mib * 2**20 <= 400e6,
        ),
        (
            "peak memory ratio (N vs N/10) <= data-size ratio",
            f"{cold.peak_mib:.1f} / {small.peak_mib:.1f} MiB = {memory_ratio:.2f} vs data "
            f"{big_bytes / 2**20:.1f} / {small_bytes / 2**20:.1f} MiB = {data_ratio:.2f}",
            cold.ok and small.ok and memory_ratio <= data_ratio,
        ),
    ]
    print()
    print("targets")
    for name, measured, passed in targets:
        print(f"  {verdict(passed)}  {name}\n        {measured}")
    print(
        f"  info  load step: our reading with the floor's insert takes {bare.seconds:.2f}s "
        f"({bare.seconds / floor.seconds:.2f} x the floor); the schema's keys, foreign-key "
        f"indexes, types and NULLs add {ours.seconds - bare.seconds:.2f}s"
    )
    grew = (cold.peak_mib - small.peak_mib) / ((big_bytes - small_bytes) / 2**20)
    print(
        f"  info  memory grows by {grew:.1f} MiB per MiB of package data "
        f"(above a fixed {small.peak_mib - grew * small_bytes / 2**20:.0f} MiB)"
    )
    print(f"\n{sum(p for *_, p in targets)}/{len(targets)} targets met")

    if profile:
        print(f"\n# cProfile of a cold build at N={articles}, top 15 by cumulative time")
        result = run([PYTHON, "-c", PROFILE, str(root)])
        print(result.stdout if result.ok else f"profile failed: {result.tail(15)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000, help="N (10 figures each)")
    parser.add_argument(
        "--out",
        type=Path,
        help="keep the generated packages here (DIR/nN and DIR/nN/10); default: a temporary "
        "directory that is removed afterwards",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of steps b, f and g")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one more cold build at N"
    )
    args = parser.parse_args(argv)
    if args.out:
        benchmark(args.articles, args.out.resolve(), args.repeat, args.profile)
    else:
        with tempfile.TemporaryDirectory(prefix="cakupan-bench-") as tmp:
            benchmark(args.articles, Path(tmp), args.repeat, args.profile)
    return 0  # a report, not a gate


if __name__ == "__main__":
    sys.exit(main())
