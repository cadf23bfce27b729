"""Citations of a figure, in the styles the site and `cakupan cite` offer.

One implementation for the build (which stores them in the citations table), the site's cite
page and the command line, so a journalist gets the same words wherever they copy from.
Nothing is invented: a missing headline, outlet or date is said to be missing.
"""

from __future__ import annotations

import json

from .formatting import (
    amount_en,
    amount_id,
    date_en,
    date_id,
    month_name,
)

# What every style prints for an article that has no headline: said, not invented.
UNTITLED = "[Untitled article]"


def title(ctx: dict) -> str:
    return ctx.get("headline") or UNTITLED


def container(ctx: dict) -> str:
    """The outlet; for an article that names none, the one honest container there is: cakupan's
    archived copy of the text as received (the article's own publisher is unknown)."""
    if ctx.get("outlet"):
        return ctx["outlet"]
    return f"cakupan archive, article {ctx['source_id']} (outlet not named in the text)"


def _record(ctx: dict) -> tuple[str, str]:
    """What is cited: ("figure", id) or ("award", id), an award row's page cites an award."""
    return ("figure", ctx["figure_id"]) if "figure_id" in ctx else ("award", ctx["award_id"])


def citation_key(ctx: dict) -> str:
    """Stable across builds and releases: a figure's or an award's id never changes; an award's
    key says so, so it can never be a figure's."""
    kind, record_id = _record(ctx)
    return f"cakupan-{record_id}" if kind == "figure" else f"cakupan-award-{record_id}"


def _region(ctx: dict) -> str:
    name = ctx["region_name"]
    return f"Provinsi {name}" if ctx.get("region_level") == "province" else name


# The newsroom citation is one sentence shape in two languages: what, when, who, where, the words.
PHRASES = {
    "id": {
        "indicator": "indicator_name_id", "amount": amount_id, "date": date_id,
        "what": "{indicator} {region} {amount}", "target": " untuk {}", "when": "per {}",
        "said_with_post": "kata {post} {name}", "said": "kata {name}", "narration": "menurut narasi artikel",
        "outlet": "dikutip dari {}", "no_outlet": "dikutip dari artikel (media tidak disebutkan)",
        "untitled": " (artikel tanpa judul)", "quote": "Kutipan",
    },
    "en": {
        "indicator": "indicator_name_en", "amount": amount_en, "date": date_en,
        "what": "{indicator}, {region}: {amount}", "target": " for {}", "when": "as of {}",
        "said_with_post": "said {name} ({post})", "said": "said {name}", "narration": "in the article's own narration",
        "outlet": "reported by {}", "no_outlet": "reported by an article that names no outlet",
        "untitled": " (untitled article)", "quote": "Quote",
    },
}  # fmt: skip


def newsroom(ctx: dict, lang: str) -> str:
    """Newsroom style: what, where, when, who said it, where it was published, the exact words."""
    p = PHRASES[lang]
    amount = p["amount"](ctx["value"], ctx["unit"], ctx["qualifier"])
    what = p["what"].format(indicator=ctx[p["indicator"]], region=_region(ctx), amount=amount)
    if ctx.get("target_year"):
        what += p["target"].format(ctx["target_year"])
    when = p["when"].format(p["date"](ctx["as_of"]))
    if ctx.get("speaker"):
        said = p["said_with_post"] if ctx.get("speaker_post") else p["said"]
        who = said.format(name=ctx["speaker"], post=ctx.get("speaker_post"))
    else:
        who = p["narration"]
    where = p["outlet"].format(ctx["outlet"]) if ctx.get("outlet") else p["no_outlet"]
    title = f", \u201c{ctx['headline']}\u201d" if ctx.get("headline") else p["untitled"]
    return f"{what} {when}, {who}, {where}{title}. {p['quote']}: \u201c{ctx['quote']}\u201d"


def newsroom_id(ctx: dict) -> str:
    return newsroom(ctx, "id")


def newsroom_en(ctx: dict) -> str:
    return newsroom(ctx, "en")


# An award's newsroom sentence: who won what, when it was presented, where it was reported.
AWARD_PHRASES = {
    "id": {
        "date": date_id,
        "what": "{region} meraih juara {rank} {award} {year} {level}, kategori {category}",
        "provincial": "tingkat provinsi {}", "national": "tingkat nasional",
        "when": "diserahkan {}", "no_date": "tanggal penyerahan tidak disebutkan",
    },
    "en": {
        "date": date_en,
        "what": "{region}: rank {rank}, {award} {year} ({level}), category \u201c{category}\u201d",
        "provincial": "provincial round, {}", "national": "national round",
        "when": "presented on {}", "no_date": "ceremony date not given",
    },
}  # fmt: skip


def award_newsroom(ctx: dict, lang: str) -> str:
    """Newsroom style for a Paritrana result (an awards row with its regions and article)."""
    p, shared = AWARD_PHRASES[lang], PHRASES[lang]
    level = p.get(ctx["level"], ctx["level"]).format(ctx["organising_region"])
    what = p["what"].format(
        region=_region(ctx), rank=ctx["rank"], award=ctx["award"], year=ctx["award_year"],
        level=level, category=ctx["category"],
    )  # fmt: skip
    date = ctx.get("ceremony_date")
    when = p["when"].format(p["date"](date)) if date else p["no_date"]
    outlet = ctx.get("outlet")
    where = shared["outlet"].format(outlet) if outlet else shared["no_outlet"]
    headline = f", \u201c{ctx['headline']}\u201d" if ctx.get("headline") else shared["untitled"]
    return f"{what}, {when}, {where}{headline}. {shared['quote']}: \u201c{ctx['quote']}\u201d"


def apa(ctx: dict) -> str:
    """APA 7 reference for the article; (n.d.) when it prints no publication date."""
    published = ctx.get("published")
    when = (
        f"({published[:4]}, {month_name(int(published[5:7]))} {int(published[8:10])})"
        if published
        else "(n.d.)"
    )
    name = title(ctx)
    parts = [f"{ctx['byline']}. {when}. {name}." if ctx.get("byline") else f"{name}. {when}."]
    parts.append(f"{container(ctx)}.")
    if ctx.get("url"):
        parts.append(ctx["url"])
    return " ".join(parts)


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


_BIBTEX_TABLE = str.maketrans(_BIBTEX_ESCAPES)


def _tex(text: str) -> str:
    return text.translate(_BIBTEX_TABLE)


_BIBTEX_MONTHS = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]


def _quoted(ctx: dict) -> str:
    kind, record_id = _record(ctx)
    return f"cakupan {kind} {record_id}: \u201c{ctx['quote']}\u201d"


def _note(ctx: dict) -> str:
    return f"{_quoted(ctx)} (characters {ctx['quote_start']}\u2013{ctx['quote_end']})"


def bibtex(ctx: dict) -> str:
    """biblatex: @online when the article's URL is known, else @article in its outlet, so
    reference managers file it as news. The title is brace-protected against case changes."""
    fields = [("title", "{" + _tex(title(ctx)) + "}")]
    if ctx.get("byline"):
        fields.append(("author", "{" + _tex(ctx["byline"]) + "}"))
    kind = "online" if ctx.get("url") else "article"
    fields.append(("organization" if kind == "online" else "journal", _tex(container(ctx))))
    if kind == "article":
        # biblatex marks a newspaper article this way; citation-js and Zotero read it as news
        fields.append(("entrysubtype", "newspaper"))
    published = ctx.get("published")
    month = []
    if published:
        # a bare month macro and the day, which `month={3}` used to lose
        fields += [("date", published), ("year", published[:4]), ("day", str(int(published[8:10])))]
        month = [f"  month = {_BIBTEX_MONTHS[int(published[5:7]) - 1]}"]
    if ctx.get("url"):
        fields.append(("url", ctx["url"]))
        if ctx.get("date_accessed"):
            fields.append(("urldate", ctx["date_accessed"]))
    fields += [("note", _tex(_note(ctx))), ("langid", "indonesian")]
    body = ",\n".join([f"  {k} = {{{v}}}" for k, v in fields] + month)
    return f"@{kind}{{{citation_key(ctx)},\n{body}\n}}"


def _date_parts(iso: str) -> dict:
    return {"date-parts": [[int(x) for x in iso.split("-")]]}


def csl(ctx: dict) -> dict:
    key = citation_key(ctx)
    item = {"id": key, "citation-key": key, "type": "article-newspaper", "language": "id"}
    item["title"] = title(ctx)
    if ctx.get("byline"):
        item["author"] = [{"literal": ctx["byline"]}]
    item["container-title"] = container(ctx)
    if ctx.get("published"):
        item["issued"] = _date_parts(ctx["published"])
    if ctx.get("date_accessed"):
        item["accessed"] = _date_parts(ctx["date_accessed"])
    if ctx.get("url"):
        item["URL"] = ctx["url"]
    item["note"] = _quoted(ctx)
    return item


def ris(ctx: dict) -> str:
    """RIS (NEWS), the tags Zotero, EndNote and Mendeley read; CRLF-free, one tag a line."""
    lines = [("TY", "NEWS"), ("ID", citation_key(ctx)), ("TI", title(ctx))]
    if ctx.get("byline"):
        lines.append(("AU", ctx["byline"]))
    lines.append(("T2", container(ctx)))
    if ctx.get("published"):
        y, m, d = ctx["published"].split("-")
        lines += [("PY", y), ("DA", f"{y}/{m}/{d}")]
    if ctx.get("url"):
        lines.append(("UR", ctx["url"]))
    if ctx.get("date_accessed"):
        lines.append(("Y2", ctx["date_accessed"].replace("-", "/")))
    lines += [("LA", "id"), ("N1", _note(ctx))]
    # a line break inside a value would start a bogus tag
    text = "\n".join(f"{tag}  - {' '.join(str(v).split())}" for tag, v in lines)
    return text + "\nER  - \n"


def _csl_json(ctx: dict) -> str:
    return json.dumps([csl(ctx)], ensure_ascii=False, indent=2)


# every style `cakupan cite --style` and the cite page offer, in the order they are shown
STYLES = {
    "id": newsroom_id,
    "en": newsroom_en,
    "apa": apa,
    "bibtex": bibtex,
    "csl": _csl_json,
    "ris": ris,
}


def cite(ctx: dict, style: str = "id") -> str:
    return STYLES[style](ctx)


# A cite page's citations: the two a journalist pastes into a story or a footnote first, shown;
# the rest folded. Labels as the page prints them.
PAGE_SHOWN = (("id", "Gaya redaksi (Indonesia)"), ("apa", "APA"))
PAGE_FOLDED = (
    ("en", "Newsroom style (English)"),
    ("bibtex", "BibTeX"),
    ("csl", "CSL-JSON"),
    ("ris", "RIS (Zotero, EndNote, Mendeley)"),
)


def page_citations(ctx: dict, texts: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """(shown, folded) entries of key, label and text: each style's text from `texts` where
    given (the newsroom sentences the build stored, an award's own), else STYLES."""

    def entries(styles):
        return [
            {"key": key, "label": label, "text": texts[key] if key in texts else cite(ctx, key)}
            for key, label in styles
        ]

    return entries(PAGE_SHOWN), entries(PAGE_FOLDED)
