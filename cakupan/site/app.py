"""The same site as cakupan.serve.datasette_args() describes, in-process: for tests and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from datasette.app import Datasette

from cakupan.build import DB_NAME, INSPECT_NAME
from cakupan.serve import SETTINGS


def make_datasette(root: Path, build: Path | None = None) -> Datasette:
    root = Path(root)
    build = Path(build) if build is not None else root / "build"
    return Datasette(
        immutables=[str(build / DB_NAME)],
        inspect_data=json.loads((build / INSPECT_NAME).read_text("utf-8")),
        metadata=yaml.safe_load((root / "metadata.yml").read_text("utf-8")),
        plugins_dir=str(root / "plugins"),
        template_dir=str(root / "templates"),
        static_mounts=[("assets", str(root / "static"))],
        settings=dict(SETTINGS),
    )
