"""The articles table: each article's text, and its HTML with every cited passage marked and
linked, rendered once by the build rather than on every request (in worker processes for a
large corpus, in batches so that memory stays bounded)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from .package import Package
from .render import Highlight, render_article

if TYPE_CHECKING:  # imported where a table is created: an incremental build never needs it
    import sqlite_utils


Marks = dict[str, list[Highlight]]


def article_highlights(package: Package) -> Marks:
    """Every cited passage of each article: figures link to their cite page, ranks to the awards.
    Read from the cells by column position, so no row dictionaries are made for it."""
    marks: Marks = {}
    for name, key_field, href in (
        ("figures", "figure_id", "/-/cite/{}"),
        ("awards", "award_id", "/-/awards#{}"),
    ):
        table = package.tables.get(name)
        if table is None:
            continue
        at = {
            n: table.header.index(n) for n in (key_field, "quote_start", "quote_end", "source_id")
        }
        for cells in table.cells:
            key = cells[at[key_field]]
            start, end = int(cells[at["quote_start"]]), int(cells[at["quote_end"]])
            mark = Highlight(start, end, key, href.format(key), key)
            marks.setdefault(cells[at["source_id"]], []).append(mark)
    return marks


PARALLEL_RENDER_FROM = 500  # below this, starting worker processes costs more than it saves


def _render(job: tuple[str, str, list[Highlight]]) -> tuple[str, str, int, str]:
    source_id, text, marks = job
    return source_id, text, len(text), render_article(text, marks)


def create_articles(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {"source_id": str, "text": str, "chars": int, "html": str},
        pk="source_id",
        not_null={"text", "html"},
        foreign_keys=[("source_id", "sources", "source_id")],
    )


RENDER_BATCH = 512  # articles rendered and inserted at a time: memory stays bounded by a batch


def insert_articles(
    conn: sqlite3.Connection, package: Package, texts: dict[str, str], marks: Marks | None = None
) -> None:
    """Article texts, and their HTML rendered once here rather than on every request.

    Rendering is pure CPU and independent per article, so a large corpus uses every core. The
    workers are started by a fork server, not forked from this process: a fork would start as
    large as the whole package in memory. Articles go through in batches, so the rendered
    HTML of the whole corpus is never held at once.
    """
    marks = article_highlights(package) if marks is None else marks
    ids = sorted(texts)
    sql = "INSERT INTO articles (source_id, text, chars, html) VALUES (?, ?, ?, ?)"
    batches = [ids[i : i + RENDER_BATCH] for i in range(0, len(ids), RENDER_BATCH)]
    if len(ids) >= PARALLEL_RENDER_FROM and (os.cpu_count() or 1) > 1:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
            for batch in batches:
                jobs = [(sid, texts[sid], marks.get(sid, [])) for sid in batch]
                conn.executemany(sql, pool.map(_render, jobs, chunksize=32))
    else:
        for sid in ids:
            conn.execute(sql, _render((sid, texts[sid], marks.get(sid, []))))
