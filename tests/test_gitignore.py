"""Learner data never reaches the repository."""
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
]
KEPT = ["autograded/README.md", "src/peercourse/report/analysis.py", "source/lesson-1/lived-experience.ipynb",
        "release/lesson-1/lived-experience.items.yaml", "docs/coverage.md"]


@pytest.mark.parametrize("path", IGNORED)
def test_learner_data_is_ignored(path):
    assert subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT).returncode == 0, path


@pytest.mark.parametrize("path", KEPT)
def test_course_files_are_not(path):
    assert subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT).returncode == 1, path
