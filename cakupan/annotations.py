"""A figure as a W3C Web Annotation, text-fragment links to its quote, and the words around it.

No Datasette here: the site's routes (plugins/machine_readable.py) and any script can call these.
Offsets are Unicode code points of the article as stored (see README, "The provenance model"),
which is what TextPositionSelector counts."""

from __future__ import annotations

import re
from urllib.parse import quote as _quote

from .jsonld import present

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SELECTOR_CONTEXT_CHARS = 32  # what Hypothesis stores either side of an exact quote
CONTEXT_CHARS = 160  # what a cite page shows either side of its quote
FRAGMENT_CONTEXT_WORDS = 3


def around(text: str, start: int, end: int) -> tuple[str, str]:
    """Some words either side of the quote, for a cite page: about CONTEXT_CHARS each way, cut
    at a space so no word is shown in part."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS and " " in before:
        before = before[before.index(" ") + 1 :]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after[: after.rindex(" ")]
    return before, after


def fragment_encode(text: str) -> str:
    """Percent-encode one text-fragment term: `-`, `&` and `,` are the syntax of the directive
    (WICG scroll-to-text), so they are encoded along with everything outside the unreserved set."""
    return _quote(text, safe="").replace("-", "%2D")


def _words_before(text: str, start: int, n: int) -> str:
    words = re.findall(r"\S+", text[max(0, start - 200) : start])
    if start - 200 > 0 and words:
        words = words[1:]  # the first may be cut
    return " ".join(words[-n:])


def _words_after(text: str, end: int, n: int) -> str:
    chunk = text[end : end + 200]
    words = re.findall(r"\S+", chunk)
    if end + 200 < len(text) and words:
        words = words[:-1]
    return " ".join(words[:n])


def text_fragment(url: str, exact: str, text: str | None = None, start: int | None = None) -> str:
    """`url#:~:text=...` scrolling to the quote. When the article's text and the quote's start are
    given and the quote occurs more than once, the prefix-/-suffix form names the occurrence."""
    directive = fragment_encode(exact)
    if text is not None and start is not None and text.count(exact) > 1:
        end = start + len(exact)
        prefix = _words_before(text, start, FRAGMENT_CONTEXT_WORDS)
        suffix = _words_after(text, end, FRAGMENT_CONTEXT_WORDS)
        if prefix:
            directive = f"{fragment_encode(prefix)}-,{directive}"
        if suffix:
            directive = f"{directive},-{fragment_encode(suffix)}"
    return f"{url.split('#', 1)[0]}#:~:text={directive}"


def annotation(figure: dict, base_url: str, before: str = "", after: str = "") -> dict:
    """The Web Annotation of one figure (a row with figure_id, source_id, quote, quote_start,
    quote_end, quote_prefix, quote_suffix and the source's url). Its target's source is the
    article's URL when the package knows one, else the article's page on this site: a URL is
    never invented. The selector's prefix and suffix are the curated quote_prefix and
    quote_suffix when there are any, else `before` and `after` (the article's text either side,
    SELECTOR_CONTEXT_CHARS long)."""
    base = base_url.rstrip("/")
    quote = present(
        {
            "type": "TextQuoteSelector",
            "prefix": figure.get("quote_prefix") or before,
            "exact": figure["quote"],
            "suffix": figure.get("quote_suffix") or after,
        }
    )
    position = {
        "type": "TextPositionSelector",
        "start": int(figure["quote_start"]),
        "end": int(figure["quote_end"]),
    }
    page = f"{base}/-/articles/{figure['source_id']}"
    source = figure.get("url") or page
    target = {"source": source, "selector": [quote, position]}
    if source != page:
        target["scope"] = page
    cite = f"{base}/-/cite/{figure['figure_id']}"
    return {
        "@context": ANNO_CONTEXT,
        "id": f"{cite}.jsonld",
        "type": "Annotation",
        "motivation": "identifying",
        "body": {"type": "SpecificResource", "source": cite},
        "target": target,
    }
