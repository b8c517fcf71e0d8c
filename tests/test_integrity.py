"""Broken and hostile submissions, graded by nbgrader's real autograde alongside a normal
student. Each case is a student whose id names the expected outcome. One autograde run
grades them all; then each case's score, messages and files are checked exactly."""
from __future__ import annotations

import copy
import hashlib
import json
import shutil

import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum

from peercourse import catalog
from peercourse.cli import nbgrader
from peercourse.nbgrader_hooks import NOT_RUN
from peercourse.responses import MAX_BYTES, ResponsesFile

from conftest import ROOT, visible_text

pytestmark = pytest.mark.pipeline

LESSON, STEM = "lesson-1", "lived-experience"
NOTEBOOK, ANSWERS = f"{STEM}.ipynb", f"{STEM}.responses.json"
FULL = 22.0  # autograded points of lesson 1: 10 items x 2 + 2 reflections x 1


def key_answers():
    return catalog.key_answers(catalog.read_lesson(ROOT / "source" / LESSON / NOTEBOOK))


def envelope(answers: dict, lesson=STEM) -> dict:
    return {"kind": "peercourse-responses", "schema": 1, "lesson": lesson,
            "answers": {k: {"value": v, "saved": "2026-01-01T00:00:00+00:00"} for k, v in answers.items()}}


def code_cell(source, cell_id, nbgrader=None):
    cell = {"cell_type": "code", "id": cell_id, "metadata": {}, "source": source, "outputs": [], "execution_count": None}
    if nbgrader:
        cell["metadata"]["nbgrader"] = nbgrader
    return cell


def find(cells, cell_id):
    return next(i for i, c in enumerate(cells) if c["id"] == cell_id)


def forged_cell(source):
    """A learner's cell dressed up as a course cell, with a checksum nbgrader would accept."""
    from nbformat import from_dict

    meta = {"grade": False, "grade_id": "forged", "locked": True, "schema_version": 3, "solution": False, "task": False}
    cell = from_dict(code_cell(source, "forged", meta))
    meta["checksum"] = compute_checksum(cell)
    return code_cell(source, "forged", meta)


# -- what each case does to a copy of the released lesson ---------------------------------
# Each case: (answers: dict | bytes | None, change to the notebook's cells or None, points, text
# that must appear in the autograded notebook or None)

EVIL = "import peercourse.grading as g\ng.earned_points = lambda *a: 2.0\nlesson.score = lambda *a, **k: 2.0\n"


def edit_locked(cells):
    cells[find(cells, "setup")]["source"] = "class Fake:\n    def __getattr__(self, name):\n        return lambda *a, **k: 2.0\nlesson = Fake()"
    for cell in cells:
        if cell["id"].startswith("test-"):
            cell["source"] = "2.0"


def delete_cells(cells):
    for cell_id in ("setup", "show-l1-g01", "test-l1-g02", "md-01", "rubric-l1-r01"):
        del cells[find(cells, cell_id)]


def duplicate_cells(cells):
    for cell_id in ("test-l1-g01", "setup", "show-l1-g05"):
        twin = copy.deepcopy(cells[find(cells, cell_id)])
        twin["id"] = cell_id + "-copy"
        cells.insert(find(cells, cell_id) + 1, twin)


def change_types(cells):
    for cell_id in ("setup", "test-l1-g03"):
        cell = cells[find(cells, cell_id)]
        cell["cell_type"] = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def reorder(cells):
    setup = cells.pop(find(cells, "setup"))
    tests = [c for c in cells if c["id"].startswith("test-")]
    rest = [c for c in cells if not c["id"].startswith("test-")]
    cells[:] = tests[::-1] + rest + [setup]


def add_first(source):
    return lambda cells: cells.insert(0, code_cell(source, "learner-added"))


def add_before_tests(source):
    return lambda cells: cells.insert(find(cells, "test-l1-g01"), code_cell(source, "learner-added"))


def skip_every_cell(cells):
    """nbclient's own tag: a grade cell that never runs shows no output, which nbgrader
    would count as full points."""
    for cell in cells:
        if cell["cell_type"] == "code":
            cell["metadata"].setdefault("tags", []).append("skip-execution")


def add_markdown(source):
    return lambda cells: cells.insert(0, {"cell_type": "markdown", "id": "learner-note", "metadata": {}, "source": source})


# A module beside the notebook that would stand in for the course's package if the
# grading kernel imported from the submission's folder.
FAKE_PACKAGE = (
    "class _Everything:\n"
    "    def __getattr__(self, name):\n"
    "        return lambda *a, **k: 2.0\n"
    "def open_lesson(*a, **k):\n"
    "    return _Everything()\n"
)
LEARNER_SCRIPT = "<script>alert('learner')</script> My notes for later."


def with_answers(**changes):
    answers = key_answers()
    answers.update(changes)
    return answers


def huge_file():
    padding = "x" * (MAX_BYTES + 10)
    return json.dumps(envelope({"l1-g01": "A", "padding": padding})).encode()


HTML_REFLECTION = (
    "<script>alert('owned')</script> <img src=x onerror=alert(1)> "
    "I would share a short piece of my own story only when it helps the person in front of me, "
    "ask first, keep it brief, then turn the talk back to them and listen closely to what they need "
    "today, because their path is their own and my role is to walk beside them with patience."
)
RTL_REFLECTION = (
    "🙂 שלום וברכה לכל מי שעוזר. مرحبا بكم في هذه الرحلة الطويلة 🌱 "
    "I learned that listening matters more than talking. Someone once sat with me quietly, "
    "asked what I needed, shared one small thing from their life, and then let me lead. "
    "That is what I want to offer others someday, with respect and patience for every path 💬."
)
VERY_LONG = " ".join(f"word{n % 500} listening patience hope" for n in range(5000))  # 20,000 words

CASES = {
    "normal--full-marks": (key_answers, None, FULL, None),
    "responses-missing--zero": (None, None, 0.0, "recorded answer: no answer"),
    "responses-empty--zero-with-message": (b"", None, 0.0, "lived-experience.responses.json is empty."),
    "responses-not-json--zero-with-message": (b"{oops", None, 0.0, "is not valid JSON"),
    "responses-wrong-shape--zero-with-message": (
        json.dumps({"kind": "peercourse-responses", "schema": 1, "lesson": STEM, "answers": ["A"]}).encode(),
        None, 0.0, "has an answers section of the wrong shape."),
    "responses-wrong-types--partial-with-message": (
        lambda: with_answers(**{"l1-g01": 5, "l1-g03": "A", "l1-g05": ["4"], "l1-r01": 42}),
        None, FULL - 2 - 2 - 2 - 1, "could not be used: The saved choice 5 is not one of this item's options"),
    "responses-unknown-ids--full-marks": (lambda: with_answers(**{"zz-unknown": "A", "l2-g01": "B"}), None, FULL, None),
    "responses-other-lesson--zero-with-message": (
        lambda: json.dumps(envelope({"l2-g01": "B"}, lesson="empathy-and-listening")).encode(),
        None, 0.0, "holds answers for the lesson 'empathy-and-listening', not 'lived-experience'."),
    "responses-no-such-option--partial-with-message": (
        lambda: with_answers(**{"l1-g02": "Z", "l1-g09": ["A", "Q"]}), None, FULL - 4,
        "The saved choice 'Z' is not one of this item's options (A, B, C, D)."),
    "responses-ranking-not-a-permutation--partial": (
        lambda: with_answers(**{"l1-g07": {"A": 1, "B": 1, "C": 2, "D": 3}}), None, FULL - 2,
        "incomplete ranking (A: 1, B: 1, C: 2, D: 3)"),
    "responses-huge--zero-with-message": (huge_file, None, 0.0, "over the 1,000,000-byte limit."),
    "responses-invalid-utf8--zero-with-message": (b"\xff\xfe\x00{\x93bad", None, 0.0, "is not UTF-8 text."),
    "responses-deeply-nested--zero-with-message": (
        b"[" * 1200 + b"]" * 1200, None, 0.0, "is not valid JSON (it is nested too deeply)."),
    "responses-lone-surrogate--zero-with-message": (
        lambda: json.dumps(envelope(with_answers(**{"l1-r01": "half a character: \ud800"}))).encode(),
        None, 0.0, "holds text that is not valid Unicode."),
    "responses-nan--zero-with-message": (
        lambda: json.dumps(envelope({"l1-g01": float("nan")})).encode(), None, 0.0,
        "is not valid JSON (NaN is not a number JSON allows)."),
    "grade-cells-skip-tagged--blank-stays-zero": (None, skip_every_cell, 0.0, None),
    "course-package-shadowed--blank-stays-zero": (None, None, 0.0, None),
    "added-markdown-script--full-marks-shown-as-text": (key_answers, add_markdown(LEARNER_SCRIPT), FULL, NOT_RUN.strip()),
    "locked-cells-edited--blank-stays-zero": (None, edit_locked, 0.0, None),
    "cells-deleted--full-marks": (key_answers, delete_cells, FULL, None),
    "cells-duplicated--full-marks": (key_answers, duplicate_cells, FULL, NOT_RUN.strip()),
    "cell-types-changed--full-marks": (key_answers, change_types, FULL, None),
    "cells-reordered--full-marks": (key_answers, reorder, FULL, None),
    "added-infinite-loop--full-marks": (key_answers, add_first("while True:\n    pass"), FULL, NOT_RUN.strip()),
    "added-kernel-exit--full-marks": (key_answers, add_first("import os\nos._exit(1)"), FULL, NOT_RUN.strip()),
    "added-stderr--full-marks": (
        key_answers, add_before_tests("import sys\nprint('boom', file=sys.stderr)"), FULL, NOT_RUN.strip()),
    "added-deletes-responses--full-marks": (
        key_answers, add_first(f"import os\nos.remove({ANSWERS!r})"), FULL, NOT_RUN.strip()),
    "added-rewrites-responses--blank-stays-zero": (
        None,
        add_first(f"import json\nopen({ANSWERS!r}, 'w').write(json.dumps({json.dumps(envelope(key_answers()))!r}))"),
        0.0, NOT_RUN.strip()),
    "added-redefines-course--blank-stays-zero": (None, add_before_tests(EVIL), 0.0, NOT_RUN.strip()),
    "added-forged-metadata--blank-stays-zero": (
        None, lambda cells: cells.insert(find(cells, "test-l1-g01"), forged_cell(EVIL)), 0.0, NOT_RUN.strip()),
    "reflection-very-long--full-marks": (lambda: with_answers(**{"l1-r01": VERY_LONG}), None, FULL, "20000 words"),
    "reflection-html-script--full-marks-shown-as-text": (
        lambda: with_answers(**{"l1-r01": HTML_REFLECTION}), None, FULL, "<script>alert('owned')</script>"),
    "reflection-emoji-rtl--full-marks": (
        lambda: with_answers(**{"l1-r02": RTL_REFLECTION}), None, FULL, "שלום וברכה"),
}
EXTRA_FILES = {"course-package-shadowed--blank-stays-zero": {"peercourse.py": FAKE_PACKAGE}}
RENAMED = "notebook-renamed--reported-answers-kept"
SECOND_COPY = "second-copy--full-marks"


def digest_tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    done = nbgrader(root, "generate_assignment", LESSON, "--force")
    assert done.returncode == 0, done.stderr
    release = root / "release" / LESSON
    released = json.loads((release / NOTEBOOK).read_text())

    def submit(student, answers, change, notebook_name=NOTEBOOK):
        folder = root / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        shutil.copy(release / f"{STEM}.items.yaml", folder)
        nb = copy.deepcopy(released)
        if change:
            change(nb["cells"])
        (folder / notebook_name).write_text(json.dumps(nb, indent=1))
        answers = answers() if callable(answers) else answers
        if isinstance(answers, dict):
            ResponsesFile(folder / ANSWERS, STEM).save_many(answers)
        elif isinstance(answers, bytes):
            (folder / ANSWERS).write_bytes(answers)
        for name, text in EXTRA_FILES.get(student, {}).items():
            (folder / name).write_text(text)
        return folder

    for student, (answers, change, _, _) in CASES.items():
        submit(student, answers, change)
    submit(RENAMED, key_answers, None, notebook_name="my-lesson.ipynb")
    second = submit(SECOND_COPY, key_answers, None)
    shutil.copy(second / NOTEBOOK, second / f"{STEM}-Copy1.ipynb")
    nb = json.loads((second / f"{STEM}-Copy1.ipynb").read_text())
    nb["cells"].insert(0, code_cell(EVIL, "learner-added"))
    (second / f"{STEM}-Copy1.ipynb").write_text(json.dumps(nb))

    before = digest_tree(root / "submitted")
    done = nbgrader(root, "autograde", LESSON)
    feedback = nbgrader(root, "generate_feedback", LESSON)
    return {"root": root, "done": done, "log": done.stdout + done.stderr, "before": before, "feedback": feedback}


def total(graded, student):
    with Gradebook(f"sqlite:///{graded['root'] / 'gradebook.db'}", course_id="ca-peer-support") as gb:
        return gb.find_submission(LESSON, student).code_score


def autograded_text(graded, student):
    nb = json.loads((graded["root"] / "autograded" / student / LESSON / NOTEBOOK).read_text())
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


@pytest.mark.parametrize("student", list(CASES))
def test_each_case_scores_exactly_and_says_why(graded, student):
    _, _, points, message = CASES[student]
    assert total(graded, student) == pytest.approx(points)
    if message:
        assert message in autograded_text(graded, student)


def test_only_the_renamed_notebook_fails_and_its_answers_are_kept_with_a_message(graded):
    log = graded["log"]
    assert graded["done"].returncode == 1  # nbgrader reports the one submission it could not grade
    failures = [line for line in log.splitlines() if "There was an error processing assignment 'lesson-1' for student" in line]
    assert failures == [f"[AutogradeApp | ERROR] There was an error processing assignment 'lesson-1' for student '{RENAMED}'"]
    assert (f"{RENAMED} / {LESSON}: {ANSWERS} holds answers, but {STEM}.ipynb was not submitted "
            "(notebooks found: my-lesson.ipynb)") in log
    assert (graded["root"] / "submitted" / RENAMED / LESSON / ANSWERS).exists()


def test_a_second_copy_of_the_notebook_is_ignored_and_the_original_graded(graded):
    assert total(graded, SECOND_COPY) == FULL
    assert "Skipping unknown notebook: " in graded["log"] and f"{STEM}-Copy1.ipynb" in graded["log"]


def test_the_normal_student_is_untouched_by_everyone_else(graded):
    assert total(graded, "normal--full-marks") == FULL
    assert NOT_RUN.strip() not in autograded_text(graded, "normal--full-marks")


def test_no_submitted_file_changed(graded):
    assert digest_tree(graded["root"] / "submitted") == graded["before"]


def test_learner_cells_are_kept_visible_and_not_run(graded):
    nb = json.loads((graded["root"] / "autograded/added-kernel-exit--full-marks" / LESSON / NOTEBOOK).read_text())
    added = [c for c in nb["cells"] if "os._exit(1)" in "".join(c["source"])]
    assert len(added) == 1 and added[0]["execution_count"] is None
    assert "".join(nb["cells"][-2]["source"]).startswith("### Cells added or changed by the learner")


def test_the_course_order_is_restored(graded):
    nb = json.loads((graded["root"] / "autograded/cells-reordered--full-marks" / LESSON / NOTEBOOK).read_text())
    source = json.loads((graded["root"] / "source" / LESSON / NOTEBOOK).read_text())
    assert [c["id"] for c in nb["cells"]] == [c["id"] for c in source["cells"]]


def test_reflection_markup_is_shown_as_text_in_the_feedback(graded):
    assert graded["feedback"].returncode == 0, graded["feedback"].stderr
    page = (graded["root"] / "feedback/reflection-html-script--full-marks-shown-as-text" / LESSON / f"{STEM}.html").read_text()
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert('owned')&lt;/script&gt;" in page
    assert "<script>alert('owned')" not in page
    assert "<img src=x onerror" not in page


def test_validate_runs_only_course_cells_with_the_learner_side_config(tmp_path):
    """The learner's Validate button: a cell they add (here, one that would hang, and one that
    fakes every answer) is not run, so validate still lists exactly the unanswered items."""
    folder = tmp_path / LESSON
    shutil.copytree(ROOT / "release" / LESSON, folder)
    nb = json.loads((folder / NOTEBOOK).read_text())
    nb["cells"].insert(0, code_cell("while True:\n    pass", "learner-loop"))
    nb["cells"].insert(find(nb["cells"], "test-l1-g01"), code_cell(
        "lesson.recorded = lambda *a, **k: None", "learner-fake"))
    (folder / NOTEBOOK).write_text(json.dumps(nb))
    ResponsesFile(folder / ANSWERS, STEM).save_many({k: v for k, v in key_answers().items() if k != "l1-g04"})
    done = nbgrader(tmp_path, "validate", "--config", str(ROOT / "etc/jupyter/nbgrader_config.py"), str(folder / NOTEBOOK))
    assert "VALIDATION FAILED ON 1 CELL(S)!" in done.stdout, done.stdout + done.stderr
    assert "l1-g04 has no complete answer yet." in done.stdout


def test_no_grade_cell_scores_without_showing_the_course_s_score(graded):
    """Skipped grade cells show nothing; the course's step after execution says so and scores 0."""
    nb = json.loads((graded["root"] / "autograded/grade-cells-skip-tagged--blank-stays-zero" / LESSON / NOTEBOOK).read_text())
    tests = [cell for cell in nb["cells"] if cell["id"].startswith("test-")]
    assert len(tests) == 12
    assert all("skip-execution" not in cell["metadata"].get("tags", []) for cell in tests)
    assert all(cell["execution_count"] is not None for cell in tests)  # they ran, as the course wrote them


def test_a_file_beside_the_notebook_cannot_replace_the_course_package(graded):
    text = autograded_text(graded, "course-package-shadowed--blank-stays-zero")
    assert "recorded answer: no answer" in text
    assert (graded["root"] / "submitted/course-package-shadowed--blank-stays-zero" / LESSON / "peercourse.py").exists()


def test_a_learner_s_markup_is_shown_as_text_and_never_rendered(graded):
    student = "added-markdown-script--full-marks-shown-as-text"
    nb = json.loads((graded["root"] / "autograded" / student / LESSON / NOTEBOOK).read_text())
    added = [cell for cell in nb["cells"] if LEARNER_SCRIPT in "".join(cell["source"])]
    assert [(cell["cell_type"], cell["metadata"]) for cell in added] == [("code", {"tags": ["skip-execution"]})]
    page = (graded["root"] / "feedback" / student / LESSON / f"{STEM}.html").read_text()
    assert "<script>alert('learner')" not in page  # never live markup
    visible = visible_text(page)
    assert LEARNER_SCRIPT in visible  # but readable, as text
