"""N `cakupan serve` replicas on loopback ports and a caching nginx in front of them, in the foreground.

    python deploy/cluster.py --replicas 2 --port 8080 [--root .] [--host 127.0.0.1]

Prints each process's PID and address, and one line for each change of the rotation. Ctrl-C or
SIGTERM stops every process it started. SIGHUP rolls out a new build: `cakupan build`, then
`kill -HUP <pid>` (the build runs first if the inputs changed, as `cakupan serve` does).

What it keeps true (deploy/README.md has the reasoning):
- a replica is in the proxy's rotation only while its /-/health answers 200: one whose database
  no longer hashes as its build recorded (cakupan/site/health.py) is taken out at once, one that
  dies is taken out and started again, one that does not answer three probes in a row is taken
  out until it answers;
- a rolling update starts a replica of the new build beside each old one, puts it in the
  rotation when it is healthy and takes the old one out, one at a time, so there is never less
  than N replicas serving; the proxy's configuration is reloaded, and the old workers are waited
  for, before an old replica is stopped;
- a page and the downloads it links come from one build: every answer names its build
  (X-Cakupan-Build) and /-/build/<build>/cakupan.db (and the zip) reach only replicas of that
  build. The last replica of the old build leaves the page rotation first and keeps serving its
  build's downloads for --grace seconds; the cache generation changes with it, so no cached
  page of the old build is served after that.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cakupan import serve as serving  # noqa: E402
from cakupan.build import BuildError, build  # noqa: E402
from cakupan.serve import (  # noqa: E402
    PUBLIC_URL_ENV,
    ServeError,
    check_public_url,
    datasette_args,
    pin_build,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
PLACEHOLDER = re.compile(r"{{ (\w+) }}")
START_SECONDS = 60  # a replica on a large database takes a while to open and inspect it
PROBE_TIMEOUT = 2.0
MISSES_BEFORE_OUT = 3  # probes a busy replica may miss before it leaves the rotation
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class ClusterError(Exception):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def build_of(build_dir: Path) -> str:
    """The build a directory holds, as its replicas' X-Cakupan-Build names it: the first 16 hex
    digits of the database's SHA-256, from its inspect file."""
    inspect = json.loads((build_dir / "inspect.json").read_text("utf-8"))
    return next(iter(inspect.values()))["hash"][:16]


def render(template: str, values: dict[str, str]) -> str:
    """The template with every {{ name }} replaced; a name without a value is an error, so a
    config is never written with a placeholder left in it."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise ClusterError(f"{TEMPLATE.name}: no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


@dataclass
class Replica:
    index: int
    port: int
    build_dir: Path
    build: str  # first 16 hex digits of the database's SHA-256
    process: subprocess.Popen | None = None
    in_rotation: bool = False  # pages go to it
    serves_downloads: bool = False  # its build's /-/build/ downloads go to it
    misses: int = 0
    problem: str = ""
    retired: bool = False  # stopped on purpose: never restarted

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


@dataclass
class Cluster:
    root: Path
    replicas: int = 2
    port: int = 8080
    host: str = "127.0.0.1"
    prefix: Path | None = None
    grace: float = 10.0
    check_interval: float = 1.0
    cache_size: str = "1g"
    workers: str = "auto"
    restart: bool = True  # start a replica again when it dies
    # Datasette settings over `cakupan serve`'s (a short default_cache_ttl lets a test see the
    # proxy revalidate and serve stale copies without waiting five minutes)
    settings: dict = field(default_factory=dict)
    out: object = print
    members: list[Replica] = field(default_factory=list)
    generation: int = 1
    nginx: subprocess.Popen | None = None

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.own_prefix = self.prefix is None
        self.prefix = Path(self.prefix or tempfile.mkdtemp(prefix="cakupan-proxy-")).resolve()
        self.ports_given: set[int] = {self.port}
        self.compress_port = self.new_port()
        self.lock = threading.RLock()  # the rotation and nginx's configuration change under it
        self.stopping = threading.Event()
        self.monitor: threading.Thread | None = None
        self.next_index = 1
        self.pins: dict[str, Path] = {}  # build -> pinned directory held for it
        self.rolling = threading.Lock()  # one rolling update at a time

    # --- the build ---------------------------------------------------------------------------
    def pin(self) -> tuple[str, Path]:
        """Build when the inputs changed (the last good database otherwise), then pin it."""
        try:
            result = build(self.root)
            if result.built:
                self.say(f"built {result.path} (content {result.content_hash[:12]})")
        except BuildError as e:
            for problem in e.problems:
                self.say(str(problem))
            self.say(f"warning: {e}; serving the last good database")
        pinned = pin_build(self.root / "build")
        build_id = build_of(pinned)
        self.pins.setdefault(build_id, pinned)
        return build_id, pinned

    def unpin(self, build_id: str) -> None:
        """Lets the next `cakupan serve` remove a build no replica of ours serves any more."""
        pinned = self.pins.pop(build_id, None)
        if pinned is None:
            return
        for lock in list(serving.HELD):
            if Path(lock.name).parent == pinned:
                serving.HELD.remove(lock)
                lock.close()

    # --- replicas -----------------------------------------------------------------------------
    def spawn(self, replica: Replica) -> None:
        log = open(self.prefix / f"replica-{replica.index}-{replica.port}.log", "ab")  # noqa: SIM115
        command = [
            sys.executable,
            "-m",
            "cakupan.site.server",
            *datasette_args(self.root, port=replica.port, build=replica.build_dir),
            *[a for name, value in self.settings.items() for a in ("--setting", name, str(value))],
        ]
        with log:
            replica.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
            )

    def new_port(self) -> int:
        """A free port this cluster has not handed out before: the kernel may give a port just
        released to the next bind, and nginx refuses two listeners on one port."""
        while (port := free_port()) in self.ports_given:
            continue
        self.ports_given.add(port)
        return port

    def start_replica(self, build_id: str, build_dir: Path) -> Replica:
        replica = Replica(self.next_index, self.new_port(), build_dir, build_id)
        self.next_index += 1
        self.spawn(replica)
        self.wait_healthy(replica)
        self.say(
            f"replica {replica.index}: pid {replica.pid}, http://{replica.address}/ "
            f"(build {build_id})"
        )
        return replica

    def probe(self, replica: Replica) -> tuple[str, str]:
        """('ok' | 'broken' | 'dead' | 'silent', why) from the replica's /-/health."""
        if replica.process is None or replica.process.poll() is not None:
            code = replica.process.returncode if replica.process else None
            return "dead", f"the process exited (status {code})"
        url = f"http://{replica.address}/-/health"
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT):
                return "ok", ""
        except urllib.error.HTTPError as e:
            try:
                problem = json.loads(e.read()).get("problem", "")
            except (ValueError, AttributeError):
                problem = ""
            return "broken", f"/-/health answered {e.code}: {problem}".rstrip(": ")
        except OSError as e:
            return "silent", f"/-/health did not answer: {getattr(e, 'reason', e)}"

    def wait_healthy(self, replica: Replica) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            state, why = self.probe(replica)
            if state == "ok":
                return
            if state in ("dead", "broken") or time.monotonic() > deadline:
                self.terminate(replica)
                raise ClusterError(f"replica on port {replica.port} did not start: {why}")
            time.sleep(0.1)

    def terminate(self, replica: Replica) -> None:
        replica.retired = True
        process = replica.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)  # the server's own grace is 5 s
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    # --- nginx -------------------------------------------------------------------------------
    def config(self) -> str:
        def servers(members: list[Replica]) -> str:
            lines = [f"        server {r.address} max_fails=1 fail_timeout=2s;" for r in members]
            # an upstream needs a server: with none healthy, the edge serves what it has stale
            return "\n".join(lines) or "        server 127.0.0.1:9 down;"

        builds: dict[str, list[Replica]] = {}
        for r in self.members:
            if r.serves_downloads:
                builds.setdefault(r.build, []).append(r)
        user = ""
        if os.geteuid() == 0:  # nginx's workers drop root; they only need the prefix
            user = f"user nobody {self.nobody_group()};"
        values = {
            "workers": self.workers,
            "user": user,
            "prefix": str(self.prefix),
            "host": self.host,
            "port": str(self.port),
            "compress_port": str(self.compress_port),
            "generation": f"g{self.generation}",
            "cache_size": self.cache_size,
            "keys_zone": "32m",
            "rotation": servers([r for r in self.members if r.in_rotation]),
            "build_upstreams": "\n".join(
                f"    upstream build_{b} {{\n{servers(rs)}\n        keepalive 8;\n    }}"
                for b, rs in sorted(builds.items())
            ),
            "build_map": "\n".join(f"        {b} build_{b};" for b in sorted(builds)),
        }
        return render(TEMPLATE.read_text("utf-8"), values)

    @staticmethod
    def nobody_group() -> str:
        try:
            grp.getgrnam("nogroup")
            return "nogroup"
        except KeyError:
            return "nobody"

    def write_config(self) -> Path:
        path = self.prefix / "nginx.conf"
        staged = self.prefix / ".nginx.conf.new"
        staged.write_text(self.config(), "utf-8")
        check = subprocess.run(
            [NGINX, "-t", "-q", "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
             "-c", str(staged)],
            capture_output=True, text=True,
        )  # fmt: skip
        if check.returncode != 0:
            raise ClusterError(f"nginx refused the configuration: {check.stderr.strip()}")
        staged.replace(path)
        return path

    def prepare_prefix(self) -> None:
        for name in TEMP_DIRS:
            (self.prefix / "tmp" / name).mkdir(parents=True, exist_ok=True)
        (self.prefix / "cache").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            import pwd

            nobody = pwd.getpwnam("nobody").pw_uid
            os.chmod(self.prefix, 0o755)
            for top in (self.prefix / "tmp", self.prefix / "cache"):
                for path in [top, *top.rglob("*")]:
                    os.chown(path, nobody, -1)

    def start_nginx(self) -> None:
        self.prepare_prefix()
        path = self.write_config()
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while True:
            if self.nginx.poll() is not None:
                raise ClusterError(f"nginx exited: {self.nginx.stderr.read().decode().strip()}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 1):
                break
            if time.monotonic() > deadline:
                raise ClusterError(f"nginx did not listen on {self.host}:{self.port}")
            time.sleep(0.05)
        self.say(f"nginx: pid {self.nginx.pid}, http://{self.host}:{self.port}/")

    def workers_of_nginx(self) -> set[int]:
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                # the fields after the command name, which may hold spaces
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.nginx.pid:
                    children.add(int(stat.parent.name))
        return children

    def reload(self) -> None:
        """The new configuration in force: nginx re-read it and every old worker has finished
        the requests it had (bounded), so a replica taken out gets no new request after this."""
        self.write_config()
        old = self.workers_of_nginx()
        self.nginx.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while old and time.monotonic() < deadline:
            old = {pid for pid in old if Path(f"/proc/{pid}").exists() and not _zombie(pid)}
            time.sleep(0.02)

    # --- the rotation ------------------------------------------------------------------------
    def start(self) -> Cluster:
        try:
            build_id, pinned = self.pin()
            for _ in range(self.replicas):
                replica = self.start_replica(build_id, pinned)
                replica.in_rotation = replica.serves_downloads = True
                self.members.append(replica)
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        self.monitor = threading.Thread(target=self.watch, name="cluster-monitor", daemon=True)
        self.monitor.start()
        return self

    def watch(self) -> None:
        while not self.stopping.wait(self.check_interval):
            with self.lock:
                self.check_all()

    def check_all(self) -> None:
        changed = False
        for replica in list(self.members):
            if replica.retired:
                continue
            state, why = self.probe(replica)
            if state == "ok":
                replica.misses = 0
                if not replica.in_rotation and replica.problem:
                    replica.in_rotation = replica.serves_downloads = True
                    replica.problem = ""
                    changed = True
                    self.say(f"replica {replica.index} ({replica.address}): back in rotation")
                continue
            if state == "silent":
                replica.misses += 1
                if replica.misses < MISSES_BEFORE_OUT:
                    continue
            if replica.in_rotation or replica.serves_downloads:
                replica.in_rotation = replica.serves_downloads = False
                replica.problem = why
                changed = True
                self.say(f"replica {replica.index} ({replica.address}): out of rotation: {why}")
            if state == "dead" and self.restart and not self.stopping.is_set():
                self.spawn(replica)  # same port and build; the next probes bring it back
                self.say(f"replica {replica.index}: restarted, pid {replica.pid}")
        if changed:
            self.reload()

    def rolling_update(self) -> str:
        """Replaces every replica, one at a time, with one serving the current build; returns
        the build now served."""
        if not self.rolling.acquire(blocking=False):
            raise ClusterError("a rolling update is already under way")
        try:
            return self._roll()
        finally:
            self.rolling.release()

    def _roll(self) -> str:
        with self.lock:
            build_id, pinned = self.pin()
            old = [r for r in self.members if not r.retired and r.build != build_id]
            if not old:
                self.say(f"already serving build {build_id}")
                return build_id
            self.say(f"rolling update to build {build_id}: {len(old)} replicas to replace")
        previous = {r.build for r in old}
        for position, replica in enumerate(old):
            fresh = self.start_replica(build_id, pinned)  # outside the lock: probes go on
            with self.lock:
                fresh.in_rotation = fresh.serves_downloads = True
                self.members.append(fresh)
                replica.in_rotation = False
                last = position == len(old) - 1
                if last:
                    # No cached page of the old build may be served from now on; its
                    # downloads stay reachable on this replica for the grace period.
                    self.generation += 1
                else:
                    replica.serves_downloads = False
                self.reload()
                if not last:
                    self.terminate(replica)
                    self.members.remove(replica)
                self.say(f"replica {replica.index} replaced by replica {fresh.index}")
        if not self.stopping.wait(self.grace):
            with self.lock:
                replica.serves_downloads = False
                self.reload()
        with self.lock:
            self.terminate(replica)
            self.members.remove(replica)
            for build_id_old in previous - {r.build for r in self.members}:
                self.unpin(build_id_old)
        self.say(f"serving build {build_id}")
        return build_id

    def replace(self, replica: Replica, build_dir: Path) -> Replica:
        """One replica replaced by one serving `build_dir` (a copy of a pinned build), for an
        operator moving a replica to other storage, and for tests."""
        fresh = self.start_replica(build_of(Path(build_dir)), Path(build_dir))
        with self.lock:
            fresh.in_rotation = fresh.serves_downloads = True
            self.members.append(fresh)
            replica.in_rotation = replica.serves_downloads = False
            self.reload()
            self.terminate(replica)
            self.members.remove(replica)
        return fresh

    def stop(self) -> None:
        self.stopping.set()
        if self.monitor is not None and self.monitor is not threading.current_thread():
            self.monitor.join(timeout=10)
        with self.lock:
            if self.nginx is not None and self.nginx.poll() is None:
                self.nginx.send_signal(signal.SIGQUIT)  # graceful: requests in flight finish
                try:
                    self.nginx.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.nginx.kill()
                    self.nginx.wait()
            for replica in self.members:
                self.terminate(replica)
            for build_id in list(self.pins):
                self.unpin(build_id)
        if self.own_prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)

    def say(self, line: str) -> None:
        self.out(line)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1", help="where nginx listens")
    parser.add_argument("--root", type=Path, default=Path("."), help="the package to serve")
    parser.add_argument("--prefix", type=Path, help="nginx's directory (default: a new temp dir)")
    parser.add_argument("--cache-size", default="1g", help="the proxy cache's bound on disk")
    parser.add_argument(
        "--grace",
        type=float,
        default=60.0,
        help="seconds the old build's downloads stay reachable after a rolling update",
    )
    parser.add_argument(
        "--public-url", help="the address readers use; every replica writes its links with it"
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if args.public_url:
        try:  # the replicas inherit it, as `cakupan serve --public-url` passes it on
            os.environ[PUBLIC_URL_ENV] = check_public_url(args.public_url)
        except ServeError as e:
            parser.error(str(e))

    def say(line: str) -> None:
        print(line, flush=True)

    cluster = Cluster(
        args.root,
        replicas=args.replicas,
        port=args.port,
        host=args.host,
        prefix=args.prefix,
        grace=args.grace,
        cache_size=args.cache_size,
        out=say,
    )
    update = threading.Event()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGHUP, lambda *_: update.set())
    try:
        cluster.start()
    except ClusterError as e:
        print(f"cannot start: {e}", file=sys.stderr)
        return 1
    say(f"cluster: pid {os.getpid()}; Ctrl-C or SIGTERM stops it, SIGHUP rolls out a new build")
    try:
        while not done.wait(0.2):
            if update.is_set():
                update.clear()
                roller = threading.Thread(target=_roll, args=(cluster,), daemon=True)
                roller.start()
    finally:
        say("stopping")
        cluster.stop()
        say("stopped")
    return 0


def _roll(cluster: Cluster) -> None:
    try:
        cluster.rolling_update()
    except (ClusterError, OSError) as e:
        cluster.say(f"rolling update failed, the current build stays: {e}")


if __name__ == "__main__":
    sys.exit(main())
