"""The course the package's unit tests own: tests/fixtures/course, whose source/ holds one
short lesson, lesson-9 ("fixture"), with a practice and a graded item of every choice
format, a graded reflection with its rubric task cell and a practice reflection. It passes
`peercourse check` as a real lesson must.

Unit tests assert on this lesson's exact content (the facts below), never on the real
lessons in source/, so that authors can edit, add or remove lessons without breaking tests
of code that did not change. The checks on the real course's content are in test_content.py.

There is no committed release/ for it: `released_course` makes one at test time with the
preprocessors `nbgrader generate_assignment` runs, in its order (test_cli.py checks the
result against nbgrader's own command, byte for byte).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT

COURSE = ROOT / "tests" / "fixtures" / "course"
SOURCE = COURSE / "source"
ASSIGNMENT, STEM = "lesson-9", "fixture"
NOTEBOOK = SOURCE / ASSIGNMENT / f"{STEM}.ipynb"
ITEMS = SOURCE / ASSIGNMENT / f"{STEM}.items.yaml"
TITLE = "Lesson 9: Staying with people through hard moments"

# What the fixture's files say, written out for the tests to compare with.
PRACTICE_KEYS = {  # in its items file
    "l9-p01": "B",
    "l9-p02": {"most": "D", "least": "A"},
    "l9-p03": {"A": 1, "B": 2, "C": 4, "D": 3},
    "l9-p04": ["A", "D", "C", "B"],
    "l9-p05": ["A", "C"],
}
GRADED_KEYS = {  # in the notebook's hidden tests only
    "l9-g01": "C",
    "l9-g02": {"most": "A", "least": "C"},
    "l9-g03": {"A": 2, "B": 1, "C": 3, "D": 4},
    "l9-g04": ["B", "D", "A", "C"],
    "l9-g05": ["B", "D", "E"],
}
REFLECTIONS = {"l9-p06": "practice", "l9-r01": "graded"}  # 1 point each, at least 20 words
ITEM_IDS = [*PRACTICE_KEYS, "l9-p06", *GRADED_KEYS, "l9-r01"]  # the items file's order
FORMATS_IN_ORDER = ["single_best", "most_least", "rating", "ranking", "select_all"]  # p01..p05, and g01..g05


def lesson():
    """The fixture lesson, read as the instructor's tools read a lesson in source/."""
    from peercourse import lesson_sources

    return lesson_sources.read_lesson(NOTEBOOK)


# -- a released copy, made as nbgrader makes one -----------------------------------------------

def release_notebook(source: Path, dest: Path) -> None:
    """What `nbgrader generate_assignment` writes for a notebook: its own preprocessors, in its
    order, less the three that need a course's config or gradebook (IncludeHeaderFooter,
    InstantiateTests, SaveCells), none of which changes a course notebook."""
    import nbformat
    from nbgrader.preprocessors import (
        CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions, ComputeChecksums, LockCells,
    )

    nb = nbformat.read(source, as_version=nbformat.NO_CONVERT)
    resources: dict = {}
    for step in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums,
                 ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata):
        nb, resources = step().preprocess(nb, resources)
    nbformat.write(nb, dest)


def build_release(source: Path, release: Path) -> Path:
    """release/ for every assignment folder in source/: notebooks released as above, every
    other file (the items files) copied as it is, answers files left out."""
    for folder in sorted(path for path in Path(source).iterdir() if path.is_dir()):
        out = Path(release) / folder.name
        out.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.iterdir()):
            if path.suffix == ".ipynb":
                release_notebook(path, out / path.name)
            elif path.is_file() and not path.name.endswith(".responses.json"):
                shutil.copy2(path, out / path.name)
    return Path(release)


def released_course(dest: Path) -> Path:
    """A learner's course folder at dest: the fixture's release, and the empty folder the
    exam-practice notebook sits in (ExamPractice reads the lessons beside it)."""
    build_release(SOURCE, dest)
    (dest / "exam-practice").mkdir(exist_ok=True)
    return dest


def add_copy(lessons: Path, number: int) -> Path:
    """Another lesson beside lesson-9 in a folder of lessons (source/ or a release): the same
    lesson as lesson-<number>, its item ids l<number>-..., titled Lesson <number>."""
    folder = Path(lessons) / f"lesson-{number}"
    shutil.copytree(Path(lessons) / ASSIGNMENT, folder)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bl9-", f"l{number}-", text).replace("Lesson 9:", f"Lesson {number}:")
        path.write_text(text, encoding="utf-8")
    return folder
