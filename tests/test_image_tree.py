"""The Docker image, rebuilt without a container engine.

There is no Docker (or Podman) on the machines these tests run on, so the Dockerfile is checked
as far as that allows: the file tree `COPY . /app` puts in the image is rebuilt from the files git
knows of, filtered by .dockerignore with Docker's own matching rules; the Dockerfile's RUN steps
are run in that tree from a fresh virtual environment (the image's Python has nothing else
installed); and its CMD is started there and asked for the home page, a table's JSON and a cite
page. A file the package install leaves out, or one .dockerignore drops that the site needs,
fails here rather than in the first real image build.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = "/app"  # the image's WORKDIR and COPY destination
RUN = "pip install --no-cache-dir . && cakupan validate && cakupan build"
CMD = ["cakupan", "serve", "--host", "0.0.0.0", "--port", "8001"]
SERVE_TIMEOUT = 60  # seconds for the CMD to answer /-/versions.json


# --- the Dockerfile ---------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments and blank lines dropped, continuation lines
    (a trailing backslash) joined, as Docker's parser reads them."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1]
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def the_one(instructions: list[tuple[str, str]], keyword: str) -> str:
    found = [arguments for name, arguments in instructions if name == keyword]
    assert len(found) == 1, f"expected one {keyword} in the Dockerfile, found {found}"
    return found[0]


# --- .dockerignore, by Docker's rules (moby/patternmatcher) -----------------------------------


@dataclass(frozen=True)
class IgnorePattern:
    text: str
    exclusion: bool  # a `!pattern` line: put back what an earlier line left out
    regex: re.Pattern


def pattern_regex(pattern: str) -> re.Pattern:
    """Docker's glob: `*` and `?` stay inside one path element, `**` crosses any number of them
    (`**/` also matches none), `[...]` is a character class, `\\` escapes."""
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            if pattern.startswith("**/", i):
                out, i = out + "(.*/)?", i + 3
            else:
                out, i = out + ".*", i + 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out += "[" + ("^" + body[1:] if body.startswith("^") else body) + "]"
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + "$")


def read_dockerignore(text: str) -> list[IgnorePattern]:
    """Each line trimmed, `#` lines and blank lines skipped, a leading `!` an exception; the
    pattern cleaned as Go's filepath.Clean does (so `build/` is `build`, a leading `/` and `./`
    dropped): patterns are relative to the context root."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        cleaned = os.path.normpath(line).lstrip("/") if line else line
        if cleaned in ("", "."):
            continue
        patterns.append(IgnorePattern(cleaned, exclusion, pattern_regex(cleaned)))
    return patterns


def ignored(path: str, patterns: list[IgnorePattern]) -> bool:
    """Docker's MatchesOrParentMatches: a pattern matching the path or any directory above it
    excludes it (that is how `build/` takes everything under build), the last matching line
    wins, and a `!` line can only put back what is excluded so far."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    matched = False
    for pattern in patterns:
        if pattern.exclusion != matched:
            continue
        if any(pattern.regex.match(candidate) for candidate in candidates):
            matched = not pattern.exclusion
    return matched


# --- the image's file tree --------------------------------------------------------------------


def context_files() -> list[str]:
    """What a clean checkout holds: tracked files and untracked ones git does not ignore (so a
    developer's untracked junk stays out), minus any deleted from the work tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    names = sorted({name for name in listed.split("\0") if name})
    return [name for name in names if os.path.lexists(ROOT / name)]


def copy_tree(files: list[str], dest: Path) -> None:
    """`COPY . /app`: every file at the same relative path, symlinks kept as symlinks."""
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)


def tree_paths(root: Path) -> set[str]:
    """Every file and directory under root, relative, POSIX style."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


# --- a fresh environment, as the image's bare Python ------------------------------------------


def venv_env(venv: Path) -> dict[str, str]:
    """The environment of a shell in the image: the fresh venv's bin/ first on PATH, and nothing
    from this test run's own environment that would make Python find other packages."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__")
    }
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_shell(command: str, cwd: Path, env: dict[str, str], timeout: float):
    """One step of a shell-form RUN, through /bin/sh -c as Docker runs it."""
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def output_of(done) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


# --- HTTP -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 30) -> tuple[int, str, str]:
    """(status, content type, body); an error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode("utf-8"),
            )
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8", "replace")


def wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the CMD exited with {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"the CMD did not answer {url} within {SERVE_TIMEOUT}s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- fixtures ---------------------------------------------------------------------------------


@dataclass
class Image:
    app: Path  # the copied tree, /app in the image
    venv: Path
    env: dict[str, str]
    copied: set[str]  # the tree as COPY left it, before any RUN step
    cmd: list[str]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions((ROOT / "Dockerfile").read_text("utf-8"))


@pytest.fixture(scope="module")
def image(tmp_path_factory, dockerfile) -> Image:
    """The image, built step by step: COPY, then each command of the RUN line."""
    base = tmp_path_factory.mktemp("image")
    app = base / "app"
    patterns = read_dockerignore((ROOT / ".dockerignore").read_text("utf-8"))
    copy_tree([name for name in context_files() if not ignored(name, patterns)], app)
    copied = tree_paths(app)

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = venv_env(venv)
    assert shutil.which("pip", path=env["PATH"]) == str(venv / "bin" / "pip")

    for step in the_one(dockerfile, "RUN").split("&&"):
        done = run_shell(step.strip(), app, env, timeout=1200)
        assert done.returncode == 0, (
            f"RUN step `{step.strip()}` failed in {app}:\n{output_of(done)}"
        )
    cmd = json.loads(the_one(dockerfile, "CMD"))
    return Image(app, venv, env, copied, cmd)


# --- tests ------------------------------------------------------------------------------------


def test_the_dockerfile_copies_the_context_then_installs_validates_builds_and_serves(dockerfile):
    assert the_one(dockerfile, "WORKDIR") == APP
    assert the_one(dockerfile, "COPY") == f". {APP}"
    assert the_one(dockerfile, "RUN") == RUN
    assert json.loads(the_one(dockerfile, "CMD")) == CMD
    assert the_one(dockerfile, "EXPOSE") == CMD[CMD.index("--port") + 1]


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("build/cakupan.db", True),
        ("build", True),
        (".venv/bin/python", True),
        (".git/HEAD", True),
        ("tests/screenshots/home.png", True),
        ("__pycache__/x.pyc", True),
        ("cakupan/__pycache__/cli.cpython-311.pyc", True),
        ("cakupan/site/__pycache__/app.cpython-311.pyc", True),
        ("cakupan/build.py", False),
        ("tests/build/x", False),  # patterns are anchored at the context root
        ("buildx/a", False),
        (".gitignore", False),
        ("tests/screenshots.py", False),
        ("tests/test_site.py", False),
    ],
)
def test_dockerignore_is_read_by_docker_rules(path, excluded):
    patterns = read_dockerignore((ROOT / ".dockerignore").read_text("utf-8"))
    assert ignored(path, patterns) is excluded


def test_dockerignore_exceptions_and_globs_follow_docker():
    patterns = read_dockerignore("# comment\n/docs/**/*.md\n!docs/keep.md\n\n*.tmp\n")
    assert ignored("docs/a.md", patterns)
    assert ignored("docs/a/b/c.md", patterns)
    assert not ignored("docs/keep.md", patterns)
    assert ignored("x.tmp", patterns)
    assert not ignored("sub/x.tmp", patterns)  # `*` does not cross `/`


def test_the_image_tree_holds_the_site_and_nothing_it_should_not(image):
    copied = image.copied
    for unwanted in ("build", ".venv", ".git"):
        assert not any(p == unwanted or p.startswith(unwanted + "/") for p in copied), unwanted
    assert not [p for p in copied if "__pycache__" in PurePosixPath(p).parts]
    assert not [p for p in copied if p.startswith("tests/screenshots/")]
    for needed in ("datapackage.json", "metadata.yml", "Dockerfile", "pyproject.toml"):
        assert (image.app / needed).is_file(), needed
    for needed in ("sources", "data", "plugins", "templates", "static", "cakupan"):
        assert (image.app / needed).is_dir(), needed
        assert any(p.startswith(needed + "/") for p in copied), f"{needed}/ is empty"


def test_the_run_line_installs_the_package_into_the_fresh_environment_and_builds(image):
    where = subprocess.run(
        [str(image.venv / "bin" / "python"), "-c", "import cakupan; print(cakupan.__file__)"],
        cwd="/",
        env=image.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, output_of(where)
    installed = Path(where.stdout.strip())
    assert installed.is_relative_to(image.venv), f"cakupan imported from {installed}"
    assert (image.app / "build" / "cakupan.db").is_file()


def test_the_cmd_serves_home_tables_and_cite_pages(image, tmp_path):
    port = free_port()
    command = list(image.cmd)
    command[0] = str(image.venv / "bin" / command[0])
    command[command.index("--host") + 1] = "127.0.0.1"  # never 0.0.0.0 in a test
    command[command.index("--port") + 1] = str(port)
    log = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=image.app, env=image.env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until_answering(base + "/-/versions.json", process, log)

        status, content_type, _ = get(base + "/")
        assert status == 200 and content_type.startswith("text/html"), (status, content_type)

        status, _, body = get(base + "/cakupan/figures.json?_size=1")
        assert status == 200, body[:2000]
        table = json.loads(body)
        assert table["rows"], "figures.json has no rows"
        row = dict(zip(table["columns"], table["rows"][0], strict=True))

        status, content_type, page = get(base + f"/-/cite/{row['figure_id']}")
        assert status == 200 and content_type.startswith("text/html"), (status, page[:2000])
        # Jinja escapes quotes as &#34; and &#39; where html.escape writes &quot; and &#x27;
        quote = html.escape(row["quote"], quote=False).replace('"', "&#34;").replace("'", "&#39;")
        assert quote in page, f"the quote of {row['figure_id']} is not on its cite page"
    except BaseException:
        print(log.read_text(), file=sys.stderr)
        raise
    finally:
        stop(process)
