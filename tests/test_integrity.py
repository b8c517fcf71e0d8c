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

from peercourse import lesson_sources
from peercourse.cli import nbgrader
from peercourse.nbgrader_hooks import NOT_RUN
from peercourse.nbgrader_hooks.course_cells import LEARNER_CELL_SOURCE
from peercourse.responses import ResponsesFile, ResponsesSettings

from conftest import ROOT, visible_text

pytestmark = pytest.mark.pipeline

LESSON, STEM = "lesson-1", "lived-experience"
NOTEBOOK, ANSWERS = f"{STEM}.ipynb", f"{STEM}.responses.json"
FULL = 22.0  # autograded points of lesson 1: 10 items x 2 + 2 reflections x 1


def key_answers():
    return lesson_sources.key_answers(lesson_sources.read_lesson(ROOT / "source" / LESSON / NOTEBOOK))


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

# Files a learner adds beside the notebook, named after what Python, the kernel or IPython
# would import or read at start-up, or after the course's own imports. No list of
# forbidden names would hold them all. Each leaves a mark if it ever runs, then tries to
# give full marks. {mark} is filled in with a path outside the course.
FULL_MARKS = "import peercourse.grading as g\ng.earned_points = lambda item, *a, **k: float(item.points)\n"
MARK = "import pathlib\npathlib.Path({mark!r}).joinpath({name!r}).write_text('ran')\n"
LAUNCHER = (  # runs the real kernel afterwards, so that grading would go on as if nothing happened
    "import sys, pathlib\n" + MARK + FULL_MARKS
    + "sys.path[:] = [p for p in sys.path if p not in ('', str(pathlib.Path.cwd()))]\n"
    "from ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"
)
BESIDE = {
    "ipykernel_launcher.py": LAUNCHER,
    "peercourse.py": MARK + FAKE_PACKAGE,
    "yaml.py": MARK + FULL_MARKS,
    "decimal.py": MARK,
    "sitecustomize.py": MARK,
    "usercustomize.py": MARK,
    "ipython_kernel_config.py": MARK,
    "ipython_config.py": MARK,
    "jupyter_config.py": MARK,
    "nbgrader_config.py": MARK,
    "zz-course.pth": "import pathlib; pathlib.Path({mark!r}).joinpath({name!r}).write_text('ran')\n",
    "ipywidgets/__init__.py": MARK + FULL_MARKS,
    "matplotlib/__init__.py": MARK,
    "lived-experience.responses.json/__init__.py": MARK,
    ".ipython/profile_default/startup/00-start.py": MARK,
}
HUGE_CELL = "My notes, pasted many times over. " * 250_000  # 8.5 MB in one markdown cell


def with_answers(**changes):
    answers = key_answers()
    answers.update(changes)
    return answers


def huge_file():
    padding = "x" * (ResponsesSettings().max_bytes + 10)
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
PLAIN_WORDS = ("today I listened more than I talked and asked what would help before offering any story of "
               "mine because hope grows when people choose their own next steps with patience respect trust").split()
VERY_LONG = " ".join(PLAIN_WORDS[n % len(PLAIN_WORDS)] for n in range(20_000))  # 20,000 words

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
        b"[" * 100_000 + b"]" * 100_000, None, 0.0, "is not valid JSON (it is nested too deeply)."),
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
    "files-beside-notebook--blank-stays-zero": (None, None, 0.0, "recorded answer: no answer"),
    "files-beside-answered-notebook--full-marks": (key_answers, None, FULL, None),
    "added-huge-cell--full-marks-shown-cut": (key_answers, add_markdown(HUGE_CELL), FULL, "more characters not shown here"),
}
EXTRA_FILES = {
    "course-package-shadowed--blank-stays-zero": {"peercourse.py": FAKE_PACKAGE},
    "files-beside-notebook--blank-stays-zero": BESIDE,
    "files-beside-answered-notebook--full-marks": {"ipykernel_launcher.py": LAUNCHER, "yaml.py": MARK},
}
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
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text.format(mark=str(marks), name=f"{student}--{name.replace('/', '-')}"))
        return folder

    marks = tmp_path_factory.mktemp("marks")  # outside the course: where a learner's file that ran leaves a mark

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
    return {"root": root, "done": done, "log": done.stdout + done.stderr, "before": before, "feedback": feedback,
            "marks": marks}


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


def shown_text(cell) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


def test_learner_cells_are_kept_visible_and_not_run(graded):
    nb = json.loads((graded["root"] / "autograded/added-kernel-exit--full-marks" / LESSON / NOTEBOOK).read_text())
    added = [c for c in nb["cells"] if "os._exit(1)" in shown_text(c)]
    assert len(added) == 1 and added[0]["execution_count"] is None
    assert "".join(added[0]["source"]) == LEARNER_CELL_SOURCE  # the learner's text is an output, never code
    assert shown_text(added[0]) == NOT_RUN + "\nimport os\nos._exit(1)"
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
    shutil.copy(ROOT / "etc/jupyter/nbgrader_config.py", tmp_path / "nbgrader_config.py")  # read from where it runs
    done = nbgrader(tmp_path, "validate", str(folder / NOTEBOOK))
    assert "VALIDATION FAILED ON 1 CELL(S)!" in done.stdout, done.stdout + done.stderr
    assert "l1-g04 has no complete answer yet." in done.stdout


def test_validate_is_not_fooled_by_a_cell_with_a_checksum_the_learner_computed(tmp_path):
    """Anyone can compute nbgrader's checksum for a cell of their own: dressed up as a course
    cell, one that fakes every answer would make validate say Success on an unanswered
    notebook if validate trusted checksums."""
    folder = tmp_path / LESSON
    shutil.copytree(ROOT / "release" / LESSON, folder)
    nb = json.loads((folder / NOTEBOOK).read_text())
    fake = "lesson.recorded = lambda *a, **k: None\n"
    nb["cells"].insert(find(nb["cells"], "test-l1-g01"), forged_cell(fake))
    (folder / NOTEBOOK).write_text(json.dumps(nb))
    shutil.copy(ROOT / "etc/jupyter/nbgrader_config.py", tmp_path / "nbgrader_config.py")
    done = nbgrader(tmp_path, "validate", str(folder / NOTEBOOK))
    assert "Success! Your notebook passes all the tests." not in done.stdout
    assert "VALIDATION FAILED ON 12 CELL(S)!" in done.stdout, done.stdout + done.stderr


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
    added = [cell for cell in nb["cells"] if LEARNER_SCRIPT in shown_text(cell)]
    assert [(cell["cell_type"], cell["metadata"]) for cell in added] == [("code", {"tags": ["skip-execution"]})]
    page = (graded["root"] / "feedback" / student / LESSON / f"{STEM}.html").read_text()
    assert "<script>alert('learner')" not in page  # never live markup
    visible = visible_text(page)
    assert LEARNER_SCRIPT in visible  # but readable, as text


# -- files beside the notebook (nothing a learner adds is imported or run) ------------------

COURSE_NAMES = {NOTEBOOK, ANSWERS, f"{STEM}.items.yaml", "timestamp.txt", "submission_secret.txt"}


def test_no_file_a_learner_added_ever_ran(graded):
    assert sorted(p.name for p in graded["marks"].iterdir()) == []


def test_files_beside_a_notebook_leave_the_scores_as_the_answers_make_them(graded):
    assert total(graded, "files-beside-notebook--blank-stays-zero") == 0.0
    assert total(graded, "files-beside-answered-notebook--full-marks") == FULL
    assert "files-beside-notebook--blank-stays-zero / lesson-1: left out of grading" in graded["log"]


def test_every_grading_folder_holds_only_names_the_course_chose(graded):
    for folder in (graded["root"] / "autograded").glob(f"*/{LESSON}"):
        names = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
        assert names <= COURSE_NAMES, folder
    beside = graded["root"] / "autograded/files-beside-notebook--blank-stays-zero" / LESSON
    assert sorted(p.name for p in beside.iterdir()) == [NOTEBOOK, f"{STEM}.items.yaml"]
    # what the learner sent is kept as it was, for the instructor to look at
    submitted = graded["root"] / "submitted/files-beside-notebook--blank-stays-zero" / LESSON
    assert {name for name in BESIDE} <= {p.relative_to(submitted).as_posix() for p in submitted.rglob("*")}


def test_an_instructor_s_own_kernel_in_a_grading_folder_imports_nothing_of_the_learner_s(graded):
    """formgrader and JupyterLab start an ordinary kernel in the autograded folder: it must
    find nothing of the learner's there to import either."""
    import nbformat
    from nbclient import NotebookClient

    folder = graded["root"] / "autograded/files-beside-notebook--blank-stays-zero" / LESSON
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import decimal, yaml, ipywidgets, matplotlib, peercourse\nprint(peercourse.__file__)")])
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    assert nb.cells[0].outputs[0]["text"].strip().endswith("src/peercourse/__init__.py")
    assert sorted(p.name for p in graded["marks"].iterdir()) == []


def test_a_huge_learner_cell_is_shown_cut_to_the_limit(graded):
    student = "added-huge-cell--full-marks-shown-cut"
    nb = json.loads((graded["root"] / "autograded" / student / LESSON / NOTEBOOK).read_text())
    added = [cell for cell in nb["cells"] if "My notes, pasted" in shown_text(cell)]
    assert len(added) == 1
    shown = shown_text(added[0])
    cut = len(HUGE_CELL) - 100_000
    assert shown == NOT_RUN + "\n" + HUGE_CELL[:100_000] + (
        f"\n\n[... {cut:,} more characters not shown here. The whole cell is in the learner's submitted notebook.]\n")
    page = graded["root"] / "feedback" / student / LESSON / f"{STEM}.html"
    assert page.stat().st_size < 1_000_000  # the page holds the cut text, not 8.5 MB


def test_validating_a_submission_where_it_lies_runs_nothing_of_the_learner_s(graded):
    """An instructor may run `nbgrader validate` on a notebook in submitted/, beside the
    learner's files: the kernel starts there, as `python -I` (etc/kernels/python3)."""
    notebook = graded["root"] / "submitted/files-beside-notebook--blank-stays-zero" / LESSON / NOTEBOOK
    done = nbgrader(graded["root"], "validate", str(notebook))
    assert "VALIDATION FAILED ON" in done.stdout, done.stdout + done.stderr  # it ran, and nothing is answered
    assert sorted(p.name for p in graded["marks"].iterdir()) == []
