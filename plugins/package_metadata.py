"""Column and table descriptions from datapackage.json, merged into metadata.yml's.

The Table Schemas already describe every field; repeating them in metadata.yml would let the two
drift apart. metadata.yml keeps what only the site needs (titles, views, queries, facets)."""

import json
from functools import cache
from pathlib import Path

from datasette import hookimpl

DESCRIPTOR = Path(__file__).resolve().parent.parent / "datapackage.json"


@cache
def package_metadata() -> dict:
    if not DESCRIPTOR.exists():
        return {}
    descriptor = json.loads(DESCRIPTOR.read_text("utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        if "schema" in resource:
            tables[resource["name"]] = {
                "description": f"{resource['title']}. {resource['description']}",
                "columns": {f["name"]: f["description"] for f in resource["schema"]["fields"]},
            }
    return {"databases": {"cakupan": {"tables": tables}}}


@hookimpl
def get_metadata():
    return package_metadata()
