"""benchmarks/synthetic.py: the benchmark's generated package is valid, anchored and buildable.

No timings here: benchmarks/build.py reports those. This only keeps the generator honest, so a
benchmark never measures a package that the build would refuse.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from cakupan.build import build
from cakupan.validate import validate

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ARTICLES = 20


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


synthetic = _load("synthetic")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "pkg"
    summary = synthetic.generate(root, ARTICLES)
    assert summary["figures"] == ARTICLES * synthetic.FIGURES_PER_ARTICLE
    return root


def rows(root: Path, table: str) -> list[dict[str, str]]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_corpus_validates_cleanly_including_frictionless(corpus):
    report = validate(corpus, with_frictionless=True)
    assert report.problems == []
    assert report.counts()["figures"] == ARTICLES * 10
    assert report.counts()["sources"] == ARTICLES


def test_every_quote_sits_at_its_code_point_offsets(corpus):
    texts = {
        r["source_id"]: (corpus / r["path"]).read_bytes().decode("utf-8")
        for r in rows(corpus, "sources")
    }
    quoted = 0
    for table in ("figures", "posts", "awards", "regulations"):
        for row in rows(corpus, table):
            text = texts[row["source_id"]]
            assert text[int(row["quote_start"]) : int(row["quote_end"])] == row["quote"]
            quoted += 1
    assert quoted >= ARTICLES * 12  # 10 figures and 2 posts per article
    # code-point offsets differ from byte offsets: the articles are not plain ASCII
    assert all(len(t.encode("utf-8")) > len(t) for t in texts.values())


def test_the_corpus_uses_indonesian_number_forms(corpus):
    quotes = " ".join(r["quote"] for r in rows(corpus, "figures"))
    for form in (r"\d+ persen", r"\d+,\d+ persen", r"\d+ ribu ", r"\d+ ribuan", r"\d{1,3}\.\d{3} "):
        assert re.search(form, quotes), form


def test_the_file_resources_are_the_synthetic_articles(corpus):
    descriptor = json.loads((corpus / "datapackage.json").read_text("utf-8"))
    files = [r for r in descriptor["resources"] if "schema" not in r]
    assert len(files) == ARTICLES
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in files)
    assert not any("0dc850caf364129e" in r["path"] for r in files)


def test_the_corpus_builds(corpus):
    result = build(corpus)
    assert result.built
    conn = sqlite3.connect(result.path)
    try:
        assert conn.execute("SELECT count(*) FROM figures").fetchone()[0] == ARTICLES * 10
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == ARTICLES
    finally:
        conn.close()
