"""The shape of an article as the extractor reads it: headline lines, paragraphs, sentences, clauses.

Every guess is scoped by this shape: a region named in the same clause beats one in the same
sentence, which beats one earlier in the paragraph; an as-of date stated in a paragraph holds until
the paragraph ends. Spans are code-point offsets into the article, end exclusive.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A sentence ends at . ! ? before a space, at a line break, or at a quote mark (a quotation is its
# own statement). Abbreviations that news copy puts before a space are not ends: "No. 2", "Dr. X".
SENTENCE_END = re.compile(
    r"(?<!\bNo)(?<!\bDr)(?<!\bRp)(?<!\bKab)(?<!\bProv)(?<!\bSt)(?<!\bdll)(?<!\bH)"
    r"[.!?](?=\s|$)|\n|[“”\"]"
)
# A clause ends at a comma that is not a decimal comma, or at ; : – and the sentence's end.
CLAUSE_BREAK = re.compile(r",(?!\d)|;|:|\s[–—-]\s")
BACA_JUGA = re.compile(r"^\s*baca\s+juga\b", re.I)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _spans(text: str, breaks: re.Pattern, start: int, end: int) -> list[Span]:
    out, at = [], start
    for m in breaks.finditer(text, start, end):
        if m.start() > at:
            out.append(Span(at, m.start()))
        at = m.end()
    if at < end:
        out.append(Span(at, end))
    return out


def _normal(line: str) -> str:
    return " ".join(line.strip().rstrip(".-–—").split()).lower()


class Layout:
    """Lines are paragraphs (some outlets separate them with one line break, some with two)."""

    def __init__(self, text: str, headline: str = ""):
        self.text = text
        self.paragraphs = _spans(text, re.compile(r"\n"), 0, len(text))
        self.sentences = [
            s for p in self.paragraphs for s in _spans(text, SENTENCE_END, p.start, p.end)
        ]
        self._sentence_starts = [s.start for s in self.sentences]
        self._paragraph_starts = [p.start for p in self.paragraphs]
        self.headlines = self._headline_lines(headline)
        self.baca_juga = [p for p in self.paragraphs if BACA_JUGA.match(text[p.start : p.end])]

    def _headline_lines(self, headline: str) -> list[Span]:
        # The headline is printed again as a caption or a repeated title line: every line equal
        # to it is a headline. Without a recorded headline, a short first line followed by a
        # blank line and not ending like a sentence is one (the usual shape of a copied article).
        if not headline and self.paragraphs:
            first = self.paragraphs[0]
            line = self.text[first.start : first.end].rstrip()
            if (
                self.text[first.end : first.end + 2] == "\n\n"
                and len(line) < 200
                and not line.endswith((".", "!", "?", "”", '"'))
            ):
                headline = self.text[first.start : first.end]
        if not headline:
            return []
        want = _normal(headline)
        return [p for p in self.paragraphs if _normal(self.text[p.start : p.end]) == want]

    def _find(self, spans: list[Span], starts: list[int], pos: int) -> Span:
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return Span(0, 0)
        return spans[i]

    def sentence(self, pos: int) -> Span:
        return self._find(self.sentences, self._sentence_starts, pos)

    def paragraph(self, pos: int) -> Span:
        return self._find(self.paragraphs, self._paragraph_starts, pos)

    def clause(self, pos: int) -> Span:
        s = self.sentence(pos)
        for c in _spans(self.text, CLAUSE_BREAK, s.start, s.end):
            if c.start <= pos < c.end:
                return c
        return s

    def previous_sentence(self, pos: int) -> Span | None:
        """The sentence before pos's sentence in the same paragraph."""
        i = bisect.bisect_right(self._sentence_starts, pos) - 1
        if i <= 0:
            return None
        prev = self.sentences[i - 1]
        return prev if self.paragraph(prev.start) == self.paragraph(pos) else None

    def in_headline(self, pos: int) -> bool:
        return any(h.start <= pos < h.end for h in self.headlines)

    def in_baca_juga(self, pos: int) -> bool:
        return any(b.start <= pos < b.end for b in self.baca_juga)
