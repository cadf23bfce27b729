"""Citations of a figure, in the styles the site and `cakupan cite` offer.

One implementation for the build (which stores them in the citations table), the site's cite
page and the command line, so a journalist gets the same words wherever they copy from.
Nothing is invented: a missing headline, outlet or date is said to be missing.
"""

from __future__ import annotations

import json
from datetime import date

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUALIFIER_ID = {"about": "sekitar ", "more_than": "lebih dari ", "up_to": "hingga ", "exact": ""}
QUALIFIER_EN = {"about": "about ", "more_than": "more than ", "up_to": "up to ", "exact": ""}


def _plain(value: float) -> str:
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def number_id(value: float) -> str:
    """Indonesian style: 112.000, 1,3 juta, 4,5."""
    if value >= 1_000_000 and value % 100_000 == 0:
        return _plain(value / 1_000_000).replace(".", ",") + " juta"
    whole, _, frac = _plain(value).partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped + ("," + frac if frac else "")


def number_en(value: float) -> str:
    if value >= 1_000_000 and value % 100_000 == 0:
        return _plain(value / 1_000_000) + " million"
    whole, _, frac = _plain(value).partition(".")
    return f"{int(whole):,}" + ("." + frac if frac else "")


def amount_id(value: float, unit: str, qualifier: str) -> str:
    suffix = {"percent": " persen", "percentage_points": " poin persentase", "workers": " pekerja"}[
        unit
    ]
    return QUALIFIER_ID.get(qualifier, "") + number_id(value) + suffix


def amount_en(value: float, unit: str, qualifier: str) -> str:
    suffix = {"percent": "%", "percentage_points": " percentage points", "workers": " workers"}[
        unit
    ]
    return QUALIFIER_EN.get(qualifier, "") + number_en(value) + suffix


def date_id(iso: str | None) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def date_en(iso: str | None) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


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


def apa(ctx: dict) -> str:
    """APA 7 reference for the article; (n.d.) when it prints no publication date."""
    published = ctx.get("published")
    when = (
        f"({published[:4]}, {MONTHS_EN[int(published[5:7]) - 1]} {int(published[8:10])})"
        if published
        else "(n.d.)"
    )
    title = ctx["headline"] or "[Untitled article]"
    parts = [f"{ctx['byline']}. {when}. {title}." if ctx.get("byline") else f"{title}. {when}."]
    if ctx.get("outlet"):
        parts.append(f"{ctx['outlet']}.")
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


def bibtex(ctx: dict) -> str:
    fields = [("title", ctx["headline"] or "[Untitled article]")]
    if ctx.get("byline"):
        fields.append(("author", ctx["byline"]))
    if ctx.get("outlet"):
        fields.append(("howpublished", ctx["outlet"]))
    if ctx.get("published"):
        fields += [("year", ctx["published"][:4]), ("month", str(int(ctx["published"][5:7])))]
    if ctx.get("url"):
        fields.append(("url", ctx["url"]))
    note = f"cakupan figure {ctx['figure_id']}: \u201c{ctx['quote']}\u201d (characters {ctx['quote_start']}\u2013{ctx['quote_end']})"
    fields += [("note", note), ("language", "indonesian")]
    body = ",\n".join(f"  {k} = {{{_tex(str(v))}}}" for k, v in fields)
    return f"@misc{{cakupan-{ctx['figure_id']},\n{body}\n}}"


def csl(ctx: dict) -> dict:
    item = {"id": f"cakupan-{ctx['figure_id']}", "type": "article-newspaper", "language": "id"}
    item["title"] = ctx["headline"] or "[Untitled article]"
    if ctx.get("byline"):
        item["author"] = [{"literal": ctx["byline"]}]
    if ctx.get("outlet"):
        item["container-title"] = ctx["outlet"]
    if ctx.get("published"):
        item["issued"] = {"date-parts": [[int(x) for x in ctx["published"].split("-")]]}
    if ctx.get("url"):
        item["URL"] = ctx["url"]
    item["note"] = f"cakupan figure {ctx['figure_id']}: \u201c{ctx['quote']}\u201d"
    return item


def _csl_json(ctx: dict) -> str:
    return json.dumps([csl(ctx)], ensure_ascii=False, indent=2)


# every style `cakupan cite --style` and the cite page offer, in the order they are shown
STYLES = {"id": newsroom_id, "en": newsroom_en, "apa": apa, "bibtex": bibtex, "csl": _csl_json}


def cite(ctx: dict, style: str = "id") -> str:
    return STYLES[style](ctx)


CONTEXT_SQL = """
SELECT f.figure_id, f.value, f.unit, f.qualifier, f.as_of, f.target_year, f.quote, f.quote_start,
       f.quote_end, f.source_id, f.attribution, r.name AS region_name, r.level AS region_level,
       i.name_id AS indicator_name_id, i.name_en AS indicator_name_en, p.name AS speaker,
       po.post AS speaker_post, s.outlet, s.headline, s.byline, s.published, s.url
FROM figures f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
JOIN sources s ON s.source_id = f.source_id
LEFT JOIN people p ON p.person_id = f.speaker_id
LEFT JOIN posts po ON po.person_id = f.speaker_id AND po.source_id = f.source_id
"""


def contexts(
    conn, figure_id: str | None = None, source_ids: list[str] | None = None, stream: bool = False
):
    """Everything a citation needs, from a built database: one figure's, the figures of some
    articles', or every figure's; a list, or with `stream` an iterator (the build's 100,000)."""
    if figure_id:
        sql, params = CONTEXT_SQL + " WHERE f.figure_id = ?", (figure_id,)
    elif source_ids is not None:
        sql = (
            CONTEXT_SQL
            + " WHERE f.source_id IN (SELECT value FROM json_each(?)) ORDER BY f.figure_id"
        )
        params = (json.dumps(source_ids),)
    else:
        sql, params = CONTEXT_SQL + " ORDER BY f.figure_id", ()
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    found = (dict(zip(names, row, strict=True)) for row in cursor)
    return found if stream else list(found)
