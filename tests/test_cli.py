"""The `cakupan` command in-process: exact output and exit codes."""

from __future__ import annotations

from click.testing import CliRunner
from helpers import set_cell

from cakupan.cli import cli

QUOTE_PROBLEM = (
    "data/figures.csv row 3 field quote: found 'ang sudah kita coverage baru 43 persen yang tercover' at 1015-1067; "
    "expected 'yang sudah kita coverage baru 43 persen yang tercover'; the quote is at 1014-1067 [quote-mismatch]"
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_build_then_up_to_date(package):
    first = run("build", "--root", package)
    assert first.exit_code == 0
    assert first.output.startswith(f"built {package}/build/cakupan.db in ")
    second = run("build", "--root", package)
    assert second.exit_code == 0
    assert second.output.startswith(f"up to date: {package}/build/cakupan.db (content ")


def test_build_refuses_an_invalid_package(package):
    set_cell(package, "figures", "f000-02", "quote_start", "1015")
    result = run("build", "--root", package)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        QUOTE_PROBLEM,
        f"build refused: the package is invalid (1 problem(s)); {package}/build/cakupan.db was left as it was",
    ]


def test_serve_without_any_database_explains_how_to_build_one(package):
    set_cell(package, "figures", "f000-02", "quote_start", "1015")
    result = run("serve", "--root", package, "--dry-run")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [
        f"cannot serve: the package is invalid (1 problem(s)); {package}/build/cakupan.db was left as it was, "
        f"and there is no earlier database at {package}/build/cakupan.db.",
        "Fix the problems above, then run `cakupan validate` and `cakupan build` (or `cakupan serve` again).",
    ]


def test_serve_with_an_invalid_package_keeps_serving_the_last_good_database(package):
    assert run("build", "--root", package).exit_code == 0
    set_cell(package, "figures", "f000-02", "quote_start", "1015")
    result = run("serve", "--root", package, "--dry-run")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:2] == [
        QUOTE_PROBLEM,
        f"warning: the package is invalid (1 problem(s)); {package}/build/cakupan.db was left as it was; "
        f"serving the last good database {package}/build/cakupan.db",
    ]
    assert lines[2].startswith(f"datasette serve -i {package}/build/cakupan.db")


def test_cite_and_serve_read_a_current_build_in_a_read_only_directory(package, unwritable):
    assert run("build", "--root", package).exit_code == 0
    cited = run("cite", "--root", package, "f000-02")
    unwritable(package / "build")  # the directory and every file in it, its lock file too
    assert run("cite", "--root", package, "f000-02").output == cited.output
    served = run("serve", "--root", package, "--dry-run")
    assert (served.exit_code, served.output.splitlines()[0].split(" -i ")[0]) == (
        0,
        "datasette serve",
    )  # no warning: nothing needed building
    # After an edit a build is needed, and cannot be written there: a clear error, exit 1.
    set_cell(package, "figures", "f000-02", "note", "edited")
    refused = run("cite", "--root", package, "f000-02")
    assert (refused.exit_code, refused.output) == (
        1,
        f"error: cannot write the build in {package}/build (Operation not permitted: "
        f"{package}/build/.lock); the previous database was left as it was\n",
    )
