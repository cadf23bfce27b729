"""Article text to safe HTML with every cited passage highlighted, done once at build time.

Article text is untrusted. markdown-it-py's js-default preset leaves raw HTML off, so "<script>"
comes out as text; links are allowed only to http, https and mailto, and images not at all.
Highlights are placed by code-point offsets: private-use sentinel characters are put into the
text at each boundary before rendering (markdown-it passes them through untouched and HTML
escaping leaves them alone) and afterwards turned into <mark> elements. Overlapping quotes are
split into segments; a segment never crosses a line break, so a mark never spans two paragraphs.

A sentinel can land where no element may go: in a link's title or address (where markdown-it
percent-encodes it), or across the edge of an element. So the rendered HTML is walked tag by
tag: sentinels inside a tag only open or close their segment and are removed, and marks wrap
text between tags only, so every mark is well nested; inside an article's own link the mark
carries no link of its own (a link in a link is invalid HTML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    return _place_marks(_MD.render(marked), segments)


_TAG = re.compile(r"<[^>]*>")  # markdown-it escapes < > " in text and attributes
# a sentinel as written, or percent-encoded inside a link's address
_MARKER = re.compile(
    f"(?:{OPEN}|%EE%80%80)(\\d+)(?:{SEP}|%EE%80%81)|(?:{CLOSE}|%EE%80%82)", re.IGNORECASE
)
_LINK_OPEN, _LINK_CLOSE = re.compile(r"<a[\s>]", re.I), re.compile(r"</a\s*>", re.I)


@dataclass(frozen=True)
class Segment:
    starts: list[Highlight]  # quotes that begin here: each gets its anchor
    href: str  # where the highlighted piece links


# where a sentinel would land inside an attribute: a link's (destination "title"), a reference
# definition's line, an autolink. No quote boundary is placed there (_outside_link_targets).
_LINK_TARGETS = re.compile(
    r"\]\([^)\n]*\)|^ {0,3}\[[^\]\n]+\]:[^\n]*|<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>", re.M
)


def _outside_link_targets(text: str, highlights: list[Highlight]) -> list[Highlight]:
    """Each quote's boundaries moved out of link targets; a quote wholly inside one (a link's
    title) keeps only its anchor, just after the link."""
    spans = [(m.start(), m.end()) for m in _LINK_TARGETS.finditer(text)]
    moved = []
    for h in highlights:
        start, end = h.start, h.end
        for left, right in spans:
            if left < start < right:
                start = right
            if left < end < right:
                end = left
        moved.append(replace(h, start=start, end=max(start, end)))
    return moved


def _insert_sentinels(text: str, highlights: list[Highlight]) -> tuple[str, list[Segment]]:
    inside = [h for h in highlights if 0 <= h.start <= h.end <= len(text)]
    inside = _outside_link_targets(text, inside)
    anchors_only = [h for h in inside if h.start == h.end]
    inside = [h for h in inside if h.start < h.end]
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    bounds = {0, len(text), *newlines, *(i + 1 for i in newlines)}
    bounds |= {h.start for h in inside} | {h.end for h in inside} | {h.start for h in anchors_only}
    cuts = sorted(bounds)
    out, segments = [], []

    def anchor_at(position: int) -> None:
        for h in anchors_only:
            if h.start == position:
                out.append(f"{OPEN}{len(segments)}{SEP}{CLOSE}")
                segments.append(Segment([h], h.href))

    for start, end in zip(cuts, cuts[1:], strict=False):
        anchor_at(start)
        piece = text[start:end]
        covering = [h for h in inside if h.start <= start and end <= h.end]
        if not covering or not piece.strip("\n"):
            out.append(piece)
            continue
        starts = [h for h in covering if h.start == start]
        out.append(f"{OPEN}{len(segments)}{SEP}{piece}{CLOSE}")
        segments.append(Segment(starts, (starts or covering)[0].href))
    anchor_at(len(text))
    return "".join(out), segments


def _place_marks(html: str, segments: list[Segment]) -> str:
    """The rendered HTML with each segment's text marked and its anchors placed, walked tag by tag."""
    out: list[str] = []
    state = _Marking(segments)
    position = 0
    for tag in [*_TAG.finditer(html), None]:
        text = html[position : tag.start() if tag else len(html)]
        out.append(state.flush())
        at = 0
        for marker in _MARKER.finditer(text):
            out.append(state.mark(text[at : marker.start()]))
            state.follow(marker)
            out.append(state.flush())
            at = marker.end()
        out.append(state.mark(text[at:]))
        if tag is None:
            break
        for marker in _MARKER.finditer(tag.group()):
            state.follow(marker)  # a sentinel inside a tag: its anchors wait for the next text
        out.append(_MARKER.sub("", tag.group()))
        state.in_link += bool(_LINK_OPEN.match(tag.group())) - bool(_LINK_CLOSE.match(tag.group()))
        state.in_link = max(state.in_link, 0)
        position = tag.end()
    return "".join(out) + state.flush()


class _Marking:
    def __init__(self, segments: list[Segment]):
        self.segments = segments
        self.current: int | None = None  # the segment open at this point of the HTML
        self.anchored: set[int] = set()
        self.pending: list[int] = []  # segments whose anchors are still to be placed
        self.in_link = 0

    def follow(self, marker: re.Match) -> None:
        if marker.group(1) is not None:
            number = int(marker.group(1))
            self.current = number if number < len(self.segments) else None
            return
        if self.current is not None and self.current not in self.anchored:
            self.anchored.add(self.current)
            self.pending.append(self.current)
        self.current = None

    def anchors(self, number: int) -> str:
        element = "span" if self.in_link else "a"  # never a link inside the article's own link
        return "".join(
            f'<{element} class="cite-ref" id="{escape(h.anchor)}"'
            + ("" if self.in_link else f' href="{escape(h.href)}"')
            + f">{escape(h.label)}</{element}>"
            for h in self.segments[number].starts
        )

    def flush(self) -> str:
        placed = "".join(self.anchors(n) for n in self.pending)
        self.pending.clear()
        return placed

    def mark(self, text: str) -> str:
        if not text or self.current is None:
            return text
        anchors = ""
        if self.current not in self.anchored:
            self.anchored.add(self.current)
            anchors = self.anchors(self.current)
        if self.in_link:
            return f"{anchors}<mark>{text}</mark>"
        href = escape(self.segments[self.current].href)
        return f'{anchors}<mark><a href="{href}">{text}</a></mark>'
