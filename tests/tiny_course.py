"""A course directory the tests own: one tiny lesson ("tiny", two graded single-best items
of 2 points each, keys B and C), the course's nbgrader_config.py plus a few settings of the
test's, and learners' submissions made from the release.

Its setup cell is the course's own code, never a learner's, and it misbehaves on purpose
for learners whose id says so: it is how the tests make a grading kernel die, stop
answering, kill the process grading it, fail only the first time, or wait for the test. Everyone else's
grading is untouched by it.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat

from peercourse.course_config import load_api
from peercourse.responses import ResponsesFile

from conftest import ROOT, _item, write_bank

LESSON = NOTEBOOK = "tiny"
KEYS = {"t-g01": "B", "t-g02": "C"}
KEYED_ANSWERS = dict(KEYS)  # a learner who picks every key: 4 points
RATIONALES = {letter: f"Why {letter} is or is not the best step here." for letter in "ABCD"}

SETUP = '''from peercourse import open_lesson
import os, pathlib, signal, time

# Faults on purpose, for the tests' learners named after them (the folder is autograded/<learner>/tiny/).
_learner = pathlib.Path.cwd().parent.name
if _learner.startswith("kernel-dies"):
    os._exit(1)
if _learner.startswith("kernel-stops"):
    os.kill(os.getpid(), signal.SIGSTOP)
if _learner.startswith("grader-dies"):  # the process grading this notebook, as jupyter_client names it
    os.kill(int(os.environ["JPY_PARENT_PID"]), signal.SIGKILL)
if _learner.startswith("fails-once"):
    _mark = pathlib.Path.cwd().parents[2] / (_learner + ".failed-once")
    if not _mark.exists():
        _mark.write_text("the first grading failed on purpose")
        os._exit(1)
if _learner.startswith("waits") and pathlib.Path.cwd().name == "tiny":  # until the test says go: a grading
    # the test can catch in the middle
    _go = pathlib.Path.cwd().parents[2] / (_learner + ".go")
    while not _go.exists():
        time.sleep(0.05)

lesson = open_lesson("tiny")'''


def _meta(grade_id: str, grade: bool = False, points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell("# Tiny lesson", id="md-01", metadata=_meta("md-01")),
        nbformat.v4.new_code_cell(SETUP, id="setup", metadata=_meta("setup")),
    ]
    for item_id, key in KEYS.items():
        cells.append(nbformat.v4.new_code_cell(f'lesson.show("{item_id}")', id=f"show-{item_id}", metadata=_meta(f"show-{item_id}")))
    for item_id, key in KEYS.items():
        test = (f'lesson.recorded("{item_id}")\n### BEGIN HIDDEN TESTS\n'
                f'lesson.score("{item_id}", key="{key}", rationales={RATIONALES!r})\n### END HIDDEN TESTS')
        cells.append(nbformat.v4.new_code_cell(test, id=f"test-{item_id}", metadata=_meta(f"test-{item_id}", True, 2)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


def make_course(root: Path, settings: str = "", also: tuple[str, ...] = ()) -> Path:
    """A course directory at root with the tiny lesson generated into release/; `settings`
    are lines of nbgrader config added after the course's own. Each name in `also` is one
    more assignment holding the same notebook (its own folder, its own gradebook rows)."""
    lesson = root / "source" / LESSON
    lesson.mkdir(parents=True)
    items = [_item(item_id, "single_best", mode="graded") for item_id in KEYS]
    for number, item in enumerate(items, 1):
        item["title"] = f"Tiny item {number}"
    write_bank(lesson, items, lesson=NOTEBOOK)
    nbformat.write(source_notebook(), lesson / f"{NOTEBOOK}.ipynb")
    (root / "nbgrader_config.py").write_text(
        "import os\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})  # noqa: F821\n"
        "from peercourse.nbgrader_hooks import exclude_unusable_ids\n"
        "exclude_unusable_ids(c, os.path.dirname(os.path.abspath(__file__)))  # the course's own ran for its folder\n"
        + settings
    )
    for assignment in also:
        shutil.copytree(lesson, root / "source" / assignment)
    api = load_api(root)  # nbgrader's own generate_assignment, in this process (no interpreter to start)
    for assignment in (LESSON, *also):
        done = api.generate_assignment(assignment, force=True)
        assert done["success"], done["log"] + done.get("error", "")
    return root


def submit(root: Path, learner: str, answers: dict, assignment: str = LESSON) -> Path:
    """A learner's submission, as collect leaves it: the released files and their answers."""
    folder = root / "submitted" / learner / assignment
    shutil.copytree(root / "release" / assignment, folder)
    ResponsesFile(folder / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many(answers)
    return folder


def expected_points(answers: dict) -> float:
    return float(sum(2 for item_id, key in KEYS.items() if answers.get(item_id) == key))


def processes_in(folder: Path) -> list:
    """Live processes working in folder (kernels start in a learner's grading folder)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cwd", "status"]):
        cwd = process.info.get("cwd")
        if cwd and (cwd == str(folder) or cwd.startswith(str(folder) + os.sep)):
            found.append(process)
    return found


def wait_until_no_processes_in(folder: Path, seconds: float = 30.0) -> list:
    """Processes still working in folder once `seconds` have passed without them all ending
    (an orphaned kernel notices its parent is gone within about a second)."""
    import time

    deadline = time.monotonic() + seconds
    while (left := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def read_json(path: Path):
    return json.loads(Path(path).read_text())
