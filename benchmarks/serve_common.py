"""Starting the real site for a benchmark: build, then the server exactly as `cakupan serve` runs it;
and the package a benchmark measures: the repository's seeds, or a synthetic one of N articles."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cakupan.build import build  # noqa: E402
from cakupan.serve import datasette_args  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def synthetic_site(articles: int, out: Path) -> Path:
    """benchmarks/synthetic.py's package of `articles` articles in `out` (made once, then
    reused), with the site's files, built."""
    if not (out / "datapackage.json").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--articles", str(articles),
             "--out", str(out), "--no-check"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    for part in ("plugins", "templates", "static"):
        if not (out / part).exists():
            (out / part).symlink_to(ROOT / part, target_is_directory=True)
    shutil.copy2(ROOT / "metadata.yml", out / "metadata.yml")
    build(out)
    return out


def site_root(articles: int) -> Path:
    """The seeds (0) or the synthetic package of that many articles, under the system temp dir."""
    if not articles:
        return ROOT
    return synthetic_site(articles, Path(tempfile.gettempdir()) / f"cakupan-synthetic-{articles}")


@contextmanager
def running_site(root: Path = ROOT):
    build(root)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cakupan.site.server", *datasette_args(root, port=port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(
                base + "/-/versions.json", timeout=5
            )  # no page a benchmark times
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the site did not start") from None
            time.sleep(0.1)
    try:
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)
