"""The test suite needs no git checkout: the package's tests pass from a plain copy of the
project's files (as an unpacked release archive is), with that copy's own source first on
the path. Runs the non-browser, non-pipeline tests there, in a child pytest (about a minute)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.pipeline


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
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
         "-m", "not pipeline and not browser and not accounts and not hub",
         "-o", "addopts=--nbval-lax --nbval-current-env"],
        cwd=copy, env=env, capture_output=True, text=True)
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    # and it ran the copy's code, not this checkout's
    probe = subprocess.run([sys.executable, "-c", "import peercourse; print(peercourse.__file__)"],
                           cwd=copy, env=env, capture_output=True, text=True)
    assert probe.stdout.strip() == str(copy / "src" / "peercourse" / "__init__.py")
