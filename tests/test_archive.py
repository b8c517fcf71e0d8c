"""The test suite needs no git checkout: the package's tests pass from a plain copy of the
project's files (as an unpacked release archive is), with that copy's own source first on
the path.

Only test_gitignore needs git (a scratch repository of its own, never the project's), and the
first test proves nothing else in the tests or the package runs git. So the copy runs the tests
that read the project's own files as shipped (the .gitignore, release/, the course's content and
the set-up script), in a child pytest of some 20 seconds, instead of the whole suite again
(which took 110 of the 20 minutes make test may use)."""
from __future__ import annotations

import os
import shutil
import subprocess
import re
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.pipeline
FROM_THE_COPY = ["tests/test_gitignore.py", "tests/test_release.py", "tests/test_content.py", "tests/test_start.py"]
# git as a program: ["git", ...], or a command line that starts with it ("git ls-files ...")
RUNS_GIT = re.compile(r"""["'](?:/usr/bin/)?git(?:["']|\s)""")


def test_nothing_but_test_gitignore_and_this_file_runs_git():
    runs_git = sorted(path.relative_to(ROOT).as_posix() for folder in ("tests", "src", "bench", "deploy")
                      for path in (ROOT / folder).rglob("*.py")
                      if "node_modules" not in path.parts and RUNS_GIT.search(path.read_text(encoding="utf-8")))
    assert runs_git == ["tests/test_archive.py", "tests/test_gitignore.py"]


def test_the_package_tests_pass_from_a_copy_without_git(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("this is already a copy without git")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    copy = tmp_path / "unpacked"
    for name in filter(None, listed):
        if (ROOT / name).is_file() and not name.startswith("tests/browser/node_modules/"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    assert not (copy / ".git").exists() and (copy / "src" / "peercourse" / "lesson.py").is_file()
    env = dict(os.environ, PYTHONPATH=str(copy / "src"))
    env.pop("PEERCOURSE_CI", None)  # nothing in this selection needs CI's services
    # The one-line start's end-to-end run is left to the checkout's own run: in a copy without
    # .venv it would install the whole course again (minutes), and start.py runs no git (above).
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *FROM_THE_COPY, "-q", "-p", "no:cacheprovider",
         "--deselect", "tests/test_start.py::test_the_one_line_start_opens_the_course_and_runs_a_lesson",
         "-o", "addopts=--nbval-lax --nbval-current-env"],
        cwd=copy, env=env, capture_output=True, text=True)
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    # and it ran the copy's code, not this checkout's
    probe = subprocess.run([sys.executable, "-c", "import peercourse; print(peercourse.__file__)"],
                           cwd=copy, env=env, capture_output=True, text=True)
    assert probe.stdout.strip() == str(copy / "src" / "peercourse" / "__init__.py")
