"""Article text to safe HTML with every cited passage highlighted, done once at build time.

Article text is untrusted. markdown-it-py's js-default preset leaves raw HTML off, so "<script>"
comes out as text; links are allowed only to http, https and mailto, and images not at all.
Highlights are placed by code-point offsets: private-use sentinel characters are put into the
text at each boundary before rendering (markdown-it passes them through untouched and HTML
escaping leaves them alone) and afterwards turned into <mark> elements. Overlapping quotes are
split into segments; a segment never crosses a line break, so a mark never spans two paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from markdown_it import MarkdownIt

OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
SAFE_LINK = re.compile(r"(https?:|mailto:)", re.IGNORECASE)
MAX_ARTICLE_CHARS = 200_000  # far above any news article; bounds build time and page size
_SENTINELS = re.compile(f"[{OPEN}{SEP}{CLOSE}]")
_NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    anchor: str  # element id, e.g. the figure id
    href: str  # where the passage links to
    label: str  # short text for the link, e.g. "f000-02"


def markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", {"breaks": True, "linkify": False, "typographer": False})
    md.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))
    # no images: ![x](https://elsewhere/pixel.png) in an article would tell another site who reads it
    md.disable("image")
    return md


_MD = markdown()


def render_article(text: str, highlights: list[Highlight]) -> str:
    """HTML for the article body; `text` itself is never trusted."""
    text = _SENTINELS.sub("", text[:MAX_ARTICLE_CHARS])
    marked, segments = _insert_sentinels(text, highlights)
    html = _MD.render(marked)
    return _SEGMENT.sub(lambda m: _segment_html(segments[int(m.group(1))], m.group(2)), html)


_SEGMENT = re.compile(f"{OPEN}(\\d+){SEP}(.*?){CLOSE}", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    starts: list[Highlight]  # quotes that begin here: each gets its anchor
    href: str  # where the highlighted piece links


def _insert_sentinels(text: str, highlights: list[Highlight]) -> tuple[str, list[Segment]]:
    inside = [h for h in highlights if 0 <= h.start < h.end <= len(text)]
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    bounds = {0, len(text), *newlines, *(i + 1 for i in newlines)}
    bounds |= {h.start for h in inside} | {h.end for h in inside}
    cuts = sorted(bounds)
    out, segments = [], []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = text[start:end]
        covering = [h for h in inside if h.start <= start and end <= h.end]
        if not covering or not piece.strip("\n"):
            out.append(piece)
            continue
        starts = [h for h in covering if h.start == start]
        out.append(f"{OPEN}{len(segments)}{SEP}{piece}{CLOSE}")
        segments.append(Segment(starts, (starts or covering)[0].href))
    return "".join(out), segments


def _segment_html(segment: Segment, inner: str) -> str:
    anchors = "".join(
        f'<a class="cite-ref" id="{escape(h.anchor)}" href="{escape(h.href)}">{escape(h.label)}</a>'
        for h in segment.starts
    )
    return f'{anchors}<mark><a href="{escape(segment.href)}">{inner}</a></mark>'
