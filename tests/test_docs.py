"""The README tells the truth: its commands are the ones CI and `cakupan serve` run."""

from __future__ import annotations

import re

from click.testing import CliRunner
from helpers import ROOT

from cakupan.cli import cli
from cakupan.serve import datasette_args

README = (ROOT / "README.md").read_text("utf-8")


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def test_readme_starts_with_the_install_and_test_commands():
    first, second = code_blocks(README)[:2]
    assert (
        first.strip()
        == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/cakupan serve"
    )
    assert "pytest" in second


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = code_blocks(README)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert test_command in ci.splitlines()


def test_readme_shows_the_datasette_command_that_serve_runs():
    documented = next(b for b in code_blocks(README) if b.startswith("datasette serve"))
    documented = " ".join(documented.replace("\\\n", " ").split())
    assert documented == "datasette " + " ".join(datasette_args(ROOT.relative_to(ROOT)))


def test_every_command_is_in_the_readme():
    commands = sorted(cli.commands)
    missing = [c for c in commands if f"cakupan {c}" not in README]
    assert missing == []


def test_serve_dry_run_prints_the_command(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--root", ".", "--dry-run", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "datasette " + " ".join(
        datasette_args(ROOT.relative_to(ROOT), port=8123)
    )


def test_the_layout_table_names_every_module_and_plugin():
    layout = README[
        README.index("## How it fits together") : README.index("## The provenance model")
    ]
    files = [
        *(ROOT / "cakupan").glob("*.py"),
        *(ROOT / "cakupan" / "site").glob("*.py"),
        *(ROOT / "plugins").glob("*.py"),
    ]
    missing = sorted(
        str(f.relative_to(ROOT))
        for f in files
        if f.name != "__init__.py" and f"{f.name}`" not in layout
    )
    assert missing == []
