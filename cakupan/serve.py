"""How cakupan is served: the exact Datasette command, shared by `cakupan serve`, the README and tests."""

from __future__ import annotations

import sys
from pathlib import Path

from .build import DB_NAME, INSPECT_NAME

# Settings that keep a public site responsive: short query time limits that a URL cannot raise,
# no facet suggestions (slow on every table page), bounded result pages.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "max_returned_rows": 1000,
    "suggest_facets": False,
    "default_cache_ttl": 300,
    "max_csv_mb": 50,
}


def setting_arg(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def datasette_args(root: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    root = Path(root)
    build = root / "build"
    args = [
        "serve",
        "-i", str(build / DB_NAME),
        "--inspect-file", str(build / INSPECT_NAME),
        "-m", str(root / "metadata.yml"),
        "--plugins-dir", str(root / "plugins"),
        "--template-dir", str(root / "templates"),
        "--static", f"assets:{root / 'static'}",
        "-h", host,
        "-p", str(port),
    ]  # fmt: skip
    for name, value in SETTINGS.items():
        args += ["--setting", name, setting_arg(value)]
    return args


def make_datasette(root: Path):
    """The same site as datasette_args() describes, in-process: for tests and benchmarks."""
    import json

    import yaml
    from datasette.app import Datasette

    root = Path(root)
    build = root / "build"
    return Datasette(
        immutables=[str(build / DB_NAME)],
        inspect_data=json.loads((build / INSPECT_NAME).read_text("utf-8")),
        metadata=yaml.safe_load((root / "metadata.yml").read_text("utf-8")),
        plugins_dir=str(root / "plugins"),
        template_dir=str(root / "templates"),
        static_mounts=[("assets", str(root / "static"))],
        settings=dict(SETTINGS),
    )


def exec_datasette(args: list[str]) -> None:  # pragma: no cover - replaces the process
    import os

    os.execv(sys.executable, [sys.executable, "-m", "datasette", *args])
