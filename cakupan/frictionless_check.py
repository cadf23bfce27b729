"""Run frictionless itself over the whole package, so the descriptor is checked by the reference tool.

Whole-package validation matters: validating resources one by one skips foreign keys.
"""

from __future__ import annotations

from pathlib import Path

from .problems import Problem


def frictionless_problems(root: Path) -> list[Problem]:
    from frictionless import Package

    try:
        # basepath keeps relative paths inside the package directory, whatever the cwd
        report = Package(str(Path(root) / "datapackage.json")).validate()
    except Exception as e:  # frictionless raises for descriptors it cannot even load
        found = str(e).removeprefix("[package-error] The data package has an error: ")
        return [
            Problem(
                "datapackage.json",
                None,
                None,
                found,
                "a descriptor frictionless can load",
                "frictionless:package-error",
            )
        ]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            found = str(getattr(error, "cell", "") or error.note)
            problems.append(
                Problem(
                    task.place,
                    getattr(error, "row_number", None),
                    getattr(error, "field_name", None),
                    found,
                    error.note,
                    f"frictionless:{error.type}",
                )
            )
    for error in report.errors:
        problems.append(
            Problem(
                "datapackage.json",
                None,
                None,
                error.note,
                "a valid descriptor",
                f"frictionless:{error.type}",
            )
        )
    return problems
