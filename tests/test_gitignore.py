"""Learner data never reaches the repository.

The rules are the repository's .gitignore, read by git itself in a scratch repository, so
the tests also run from an unpacked archive of the project, which has no .git."""
import shutil
import subprocess

import pytest

from conftest import ROOT

IGNORED = [
    "source/lesson-1/lived-experience.responses.json",
    "workspace/lesson-1/lived-experience.responses.json",
    "release/lesson-2/empathy-and-listening.responses.damaged-20260101T000000000000Z.json",
    "release/lesson-1/.lived-experience.responses.json.lock",
    "submitted/ana/lesson-1/lived-experience.ipynb",
    "feedback/ana/lesson-1/lived-experience.html",
    "autograded/ana/lesson-1/lived-experience.ipynb",
    "gradebook.db",
    "release/lesson-1/.ipynb_checkpoints/lived-experience-checkpoint.ipynb",
    "demo-output/grades.csv",
    "report/item-scores.csv",
    "feedback-released.json",
    "workspace/lesson-1/lived-experience.my-answers.html",  # "My answers and notes" (answers_page.py)
    "site/files/lesson-1/lived-experience.answer-key.json",  # make site's output, keys and all (lite_site.py)
    "build/lite-cache/pyodide-314.0.6/pyodide.asm.wasm",
]
KEPT = ["autograded/README.md", "src/peercourse/report/analysis.py", "source/lesson-1/lived-experience.ipynb",
        "release/lesson-1/lived-experience.items.yaml", "docs/coverage.md"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """An empty git repository holding only the project's .gitignore."""
    folder = tmp_path_factory.mktemp("gitignore")
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    shutil.copy(ROOT / ".gitignore", folder / ".gitignore")
    return folder


def ignored(scratch, path: str) -> bool:
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=scratch)
    assert done.returncode in (0, 1), f"git check-ignore failed for {path}"
    return done.returncode == 0


@pytest.mark.parametrize("path", IGNORED)
def test_learner_data_is_ignored(scratch, path):
    assert ignored(scratch, path), path


@pytest.mark.parametrize("path", KEPT)
def test_course_files_are_not(scratch, path):
    assert not ignored(scratch, path), path
