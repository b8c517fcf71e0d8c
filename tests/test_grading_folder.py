"""GradingFolder in-process, as nbgrader tests its own preprocessors: a throwaway gradebook
that knows the lesson's notebooks, a source folder, and a grading copy of a submission
holding what a hostile learner could send."""
from __future__ import annotations

import logging
import os

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from peercourse.course_config import with_environment_bin
from peercourse.nbgrader_hooks import GradingFolder

LESSON, NOTEBOOK, LEARNER = "lesson-9", "demo", "ana"


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", with_environment_bin()["PATH"])  # nbgrader runs `alembic` by name
    source = tmp_path / "source" / LESSON
    (source / "images").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), source / f"{NOTEBOOK}.ipynb")
    (source / f"{NOTEBOOK}.items.yaml").write_text("lesson: demo\nitems: []\n")
    (source / "images" / "chart.png").write_bytes(b"png")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        gb.add_assignment(LESSON)
        gb.add_notebook(NOTEBOOK, LESSON)
    return tmp_path, db_url


def grading_copy(root, files: dict[str, str]):
    folder = root / "autograded" / LEARNER / LESSON
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def run(course):
    root, db_url = course
    config = Config()
    config.CourseDirectory.root = str(root)
    resources = {"nbgrader": {"assignment": LESSON, "student": LEARNER, "db_url": db_url}}
    return GradingFolder(config=config).preprocess(nbformat.v4.new_notebook(), resources)


def listing(folder) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, names in os.walk(folder) for n in names)


def test_only_the_course_files_the_notebook_its_answers_and_nbgrader_s_files_stay(course, caplog):
    root, _ = course
    folder = grading_copy(root, {
        f"{NOTEBOOK}.ipynb": "{}", f"{NOTEBOOK}.responses.json": "{}", f"{NOTEBOOK}.items.yaml": "lesson: demo\nitems: []\n",
        "images/chart.png": "png", "timestamp.txt": "2026-12-01 10:00:00", "submission_secret.txt": "s",
        "ipykernel_launcher.py": "import os", "sitecustomize.py": "", "other.ipynb": "{}",
        "helpers/decimal.py": "", "images/evil.py": "",
    })
    os.symlink("/etc/hostname", folder / "other.responses.json")
    with caplog.at_level(logging.WARNING):
        run(course)
    assert listing(folder) == ["demo.ipynb", "demo.items.yaml", "demo.responses.json", "images/chart.png",
                               "submission_secret.txt", "timestamp.txt"]
    assert [r.getMessage() for r in caplog.records] == [
        "ana / lesson-9: left out of grading (they stay in submitted/, and nothing in them is run): "
        "helpers/, images/evil.py, ipykernel_launcher.py, other.ipynb, other.responses.json, sitecustomize.py"]


def test_an_answers_file_that_is_a_link_or_a_folder_is_removed_and_a_clean_copy_is_left_alone(course, caplog):
    root, _ = course
    folder = grading_copy(root, {f"{NOTEBOOK}.ipynb": "{}", "timestamp.txt": "t"})
    os.symlink("/etc/hostname", folder / f"{NOTEBOOK}.responses.json")
    run(course)
    assert listing(folder) == ["demo.ipynb", "timestamp.txt"]
    (folder / f"{NOTEBOOK}.responses.json").mkdir()
    (folder / f"{NOTEBOOK}.responses.json" / "x").write_text("")
    run(course)
    assert listing(folder) == ["demo.ipynb", "timestamp.txt"]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        run(course)  # nothing left to remove: nothing said
    assert caplog.records == []
