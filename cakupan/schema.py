"""Table Schema checks for the subset our datapackage.json uses, fast enough for every rebuild.

frictionless implements the whole specification but takes tens of seconds on 100,000 rows;
curators rebuild after every edit, so the build checks types, constraints and keys here and
`cakupan validate` additionally runs frictionless itself. We are stricter than frictionless in
one place on purpose: a number must be a plain decimal ("15.10"), never "inf", "NaN", "1e3"
or "1_000", which Python's Decimal (and so frictionless) would accept.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .package import Package, Table
from .problems import Problem, shorten

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URI = re.compile(r"https?://[^\s]+")

EXPECTED_FORM = {
    "integer": "a whole number like 42",
    "number": "a plain decimal number like 15.10 (no exponent, inf, NaN or separators)",
    "date": "a date as YYYY-MM-DD",
    "string": "text",
}


def cast(kind: str, raw: str, fmt: str | None = None):
    """Turn one raw cell into its typed value; ValueError when it is not of that type."""
    if kind == "string":
        if fmt == "uri" and not _URI.fullmatch(raw):
            raise ValueError("an http:// or https:// address")
        return raw
    if kind == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "number" and _NUMBER.fullmatch(raw):
        return Decimal(raw)
    if kind == "date" and _DATE.fullmatch(raw):
        return date.fromisoformat(raw)  # rejects 2024-02-30
    raise ValueError(EXPECTED_FORM.get(kind, kind))


def check_cells(table: Table) -> list[Problem]:
    problems = []
    present = set(table.header)
    fields = [f for f in table.schema["fields"] if f["name"] in present]
    for number, row in table.numbered():
        for spec in fields:
            problem = _check_cell(table.path, number, spec, row[spec["name"]])
            if problem:
                problems.append(problem)
    return problems


def _check_cell(path: str, number: int, spec: dict, raw: str) -> Problem | None:
    name, kind = spec["name"], spec["type"]
    constraints = spec.get("constraints", {})
    if raw == "":
        if constraints.get("required"):
            return Problem(
                path, number, name, "an empty cell", "a value (the field is required)", "required"
            )
        return None
    try:
        value = cast(kind, raw, spec.get("format"))
    except ValueError as e:
        return Problem(path, number, name, shorten(raw), str(e), f"type-{kind}")
    if "enum" in constraints and raw not in constraints["enum"]:
        return Problem(
            path, number, name, shorten(raw), "one of " + ", ".join(constraints["enum"]), "enum"
        )
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], raw):
        return Problem(
            path, number, name, shorten(raw), f"text matching {constraints['pattern']}", "pattern"
        )
    if "minLength" in constraints and len(raw) < constraints["minLength"]:
        return Problem(
            path,
            number,
            name,
            shorten(raw),
            f"at least {constraints['minLength']} characters",
            "min-length",
        )
    if "minimum" in constraints and value < constraints["minimum"]:
        return Problem(path, number, name, raw, f"at least {constraints['minimum']}", "minimum")
    if "maximum" in constraints and value > constraints["maximum"]:
        return Problem(path, number, name, raw, f"at most {constraints['maximum']}", "maximum")
    return None


def key_fields(spec) -> list[str]:
    """A key's field names: a Table Schema key is one name or a list of them."""
    return [spec] if isinstance(spec, str) else list(spec)


def check_primary_key(table: Table) -> list[Problem]:
    fields = key_fields(table.schema.get("primaryKey", []))
    if not fields or not set(fields) <= set(table.header):
        return []
    seen: dict[tuple, int] = {}
    problems = []
    for number, row in table.numbered():
        key = tuple(row[f] for f in fields)
        if key in seen:
            found = f"{', '.join(map(repr, key))} again"
            expected = f"a unique key (first used in row {seen[key]})"
            problems.append(
                Problem(table.path, number, ", ".join(fields), found, expected, "primary-key")
            )
        else:
            seen[key] = number
    return problems


def check_foreign_keys(package: Package, table: Table) -> list[Problem]:
    problems = []
    for fk in table.schema.get("foreignKeys", []):
        fields = key_fields(fk["fields"])
        target = package.tables.get(fk["reference"]["resource"] or table.name)
        ref_fields = key_fields(fk["reference"]["fields"])
        if target is None or not set(fields) <= set(table.header):
            continue
        known = {tuple(r.get(f, "") for f in ref_fields) for r in target.rows}
        for number, row in table.numbered():
            key = tuple(row[f] for f in fields)
            if all(k == "" for k in key) or key in known:
                continue
            found = ", ".join(map(repr, key))
            expected = f"the {', '.join(ref_fields)} of a row in {target.path}"
            problems.append(
                Problem(table.path, number, ", ".join(fields), found, expected, "foreign-key")
            )
    return problems


def check_schema(package: Package) -> list[Problem]:
    problems = []
    for table in package.tables.values():
        problems += check_cells(table)
        problems += check_primary_key(table)
        problems += check_foreign_keys(package, table)
    return problems
