"""The whole answer path with nbgrader's real commands, in a temporary course directory:
generate the release, validate source (with the key) and release (blank, inverted), then
three students submit, autograde scores them, and the gradebook holds exact numbers."""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from nbgrader.api import Gradebook

from peercourse import lesson_sources
from peercourse.cli import nbgrader
from peercourse.responses import ResponsesFile

from conftest import ROOT

pytestmark = pytest.mark.pipeline

LESSON, NOTEBOOK = "lesson-1", "lived-experience"
ANSWERS = f"{NOTEBOOK}.responses.json"

# A fixed mix of right, wrong and partly right answers, with the points each earns.
MIXED = {
    "l1-g01": ("B", 0.0),  # key D
    "l1-g02": ("C", 2.0),  # key C
    "l1-g03": ({"most": "A", "least": "B"}, 1.0),  # key most A, least C: one pick right
    "l1-g04": ({"most": "B", "least": "A"}, 1.0),  # key most B, least D: one pick right
    # key A4 B2 C2 D1; off by 1+0+2+0 = 3 of a possible 3+2+2+3 = 10: 2 * 0.7
    "l1-g05": ({"A": 3, "B": 2, "C": 4, "D": 1}, 1.4),
    # key A2 B3 C1 D4; off by 0+0+3(unrated)+0 = 3 of 2+2+3+3 = 10: 2 * 0.7
    "l1-g06": ({"A": 2, "B": 3, "C": None, "D": 4}, 1.4),
    # key order D C A B; answer A B C D agrees on 1 of 6 pairs (A before B): 2 * 1/6 = 0.33
    "l1-g07": ({"A": 1, "B": 2, "C": 3, "D": 4}, 0.33),
    "l1-g08": ({"A": 1, "B": 1, "C": 3, "D": 4}, 0.0),  # rank 1 used twice: incomplete
    "l1-g09": (["B", "D", "E"], 1.0),  # key B D: (2 right - 1 wrong) / 2 * 2
    "l1-g10": (["A", "C", "D", "E"], 1.33),  # key A C E: (3 - 1) / 3 * 2
    "l1-r01": ("Too short to count.", 0.0),
    "l1-r02": (
        "I would share that my first month in a program felt lonely, because my purpose would be to show "
        "that the feeling passes. I would keep it to two sentences, then ask how their own first weeks "
        "have felt and what has helped so far, so the talk returns to them quickly.",
        1.0,
    ),
}
MIXED_TOTAL = 10.46  # 0 + 2 + 1 + 1 + 1.4 + 1.4 + 0.33 + 0 + 1 + 1.33 + 0 + 1
TEST_CELLS = [f"test-{item_id}" for item_id in MIXED]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs_text(cell):
    text = (o.get("text", "") for o in cell.get("outputs", []))
    return "".join("".join(t) if isinstance(t, list) else t for t in text)


def run(course, *args):
    done = nbgrader(course, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    run(root, "generate_assignment", LESSON, "--force")
    lesson = lesson_sources.read_lesson(root / "source" / LESSON / f"{NOTEBOOK}.ipynb")

    students = {"keyed": lesson_sources.key_answers(lesson), "blank": None, "mixed": {k: v for k, (v, _) in MIXED.items()}}
    before = {}
    for student, answers in students.items():
        folder = root / "submitted" / student / LESSON
        shutil.copytree(root / "release" / LESSON, folder)
        if answers is not None:
            ResponsesFile(folder / ANSWERS, NOTEBOOK).save_many(answers)
            before[student] = digest(folder / ANSWERS)
    log = run(root, "autograde", LESSON)
    return {"root": root, "lesson": lesson, "before": before, "log": log}


def grades(course, student):
    with Gradebook(f"sqlite:///{course['root'] / 'gradebook.db'}", course_id="ca-peer-support") as gb:
        per_cell = {
            cell: gb.find_grade(cell, NOTEBOOK, LESSON, student).score for cell in TEST_CELLS
        }
        submission = gb.find_submission(LESSON, student)
        return per_cell, submission.code_score, submission.needs_manual_grade


def test_key_answers_score_full_marks(course):
    per_cell, total, needs_manual = grades(course, "keyed")
    assert per_cell == {cell: (1.0 if "-r0" in cell else 2.0) for cell in TEST_CELLS}
    assert total == 22.0
    assert needs_manual  # the reflections' rubric points wait for the instructor


def test_blank_answers_score_zero(course):
    per_cell, total, _ = grades(course, "blank")
    assert per_cell == {cell: 0.0 for cell in TEST_CELLS}
    assert total == 0.0


def test_mixed_answers_score_the_computed_partial_credit(course):
    per_cell, total, _ = grades(course, "mixed")
    assert per_cell == {f"test-{item_id}": points for item_id, (_, points) in MIXED.items()}
    assert total == pytest.approx(MIXED_TOTAL)


def test_grading_leaves_every_responses_file_exactly_as_submitted(course):
    root = course["root"]
    for student, before in course["before"].items():
        assert digest(root / "submitted" / student / LESSON / ANSWERS) == before
        assert digest(root / "autograded" / student / LESSON / ANSWERS) == before
    assert not (root / "submitted/blank" / LESSON / ANSWERS).exists()


def test_no_test_cell_writes_to_stderr(course):
    for student in ("keyed", "blank", "mixed"):
        nb = json.loads((course["root"] / "autograded" / student / LESSON / f"{NOTEBOOK}.ipynb").read_text())
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("name") != "stderr", (student, cell["id"], output)
                assert output["output_type"] != "error", (student, cell["id"], output)


def test_the_autograded_notebook_shows_the_answer_and_the_rationale(course):
    nb = json.loads((course["root"] / "autograded/mixed" / LESSON / f"{NOTEBOOK}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["id"] == "test-l1-g01")
    text = outputs_text(cell)
    assert "recorded answer: B. Professional roles call for keeping personal history private" in text
    assert "Not the best response: you chose B; the best response is D." in text
    assert course["lesson"].keys["l1-g01"].rationales["B"] in text
    shown = next(c for c in nb["cells"] if c["id"] == "show-l1-r01")
    assert "Recorded answer: Too short to count." in outputs_text(shown)


def test_feedback_carries_the_verdict_and_the_rationales(course):
    """(That reflections show as escaped text is checked in test_integrity.py.)"""
    root = course["root"]
    run(root, "generate_feedback", LESSON)
    html = (root / "feedback/mixed" / LESSON / f"{NOTEBOOK}.html").read_text()
    assert "the best response is D." in html
    assert "it puts the form ahead of an anxious man who asked to talk" in html  # a rationale of l1-g06


def test_validate_passes_on_source_with_the_key(course, tmp_path):
    folder = tmp_path / LESSON
    shutil.copytree(course["root"] / "source" / LESSON, folder)
    ResponsesFile(folder / ANSWERS, NOTEBOOK).save_many(lesson_sources.key_answers(course["lesson"]))
    out = run(course["root"], "validate", str(folder / f"{NOTEBOOK}.ipynb"))
    assert "Success! Your notebook passes all the tests." in out


def test_validate_invert_on_the_blank_release_finds_every_test_failing(course):
    out = run(course["root"], "validate", "--invert", str(course["root"] / "release" / LESSON / f"{NOTEBOOK}.ipynb"))
    assert "Success! The notebook does not pass any tests." in out


def test_validate_tells_a_learner_which_items_are_unanswered(course, tmp_path):
    folder = tmp_path / LESSON
    shutil.copytree(course["root"] / "release" / LESSON, folder)
    ResponsesFile(folder / ANSWERS, NOTEBOOK).save_many({"l1-g01": "A"})
    out = nbgrader(course["root"], "validate", str(folder / f"{NOTEBOOK}.ipynb")).stdout
    assert "VALIDATION FAILED ON 11 CELL(S)!" in out
    assert "l1-g01 has no complete answer yet" not in out
    assert "    l1-g02 has no complete answer yet.\n    ('A phone number at the end of a hard meeting')\n    Answer it above" in out
    assert "    l1-r02 has no complete answer yet.\n    ('Your story, on purpose')" in out
    assert "Traceback" not in out


@pytest.fixture(scope="module")
def whole_course(tmp_path_factory):
    """Every lesson released, and two students per lesson: one matching every key, one blank.
    Through nbgrader's own API in this process (the commands' code, with the course's config),
    so the ten lessons do not each pay for starting nbgrader twice; the commands themselves
    are run above, on Lesson 1."""
    from peercourse.course_config import load_api

    root = tmp_path_factory.mktemp("whole-course")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    lessons = lesson_sources.find_lessons(root / "source")
    api = load_api(root)
    for lesson in lessons:
        assert api.generate_assignment(lesson.assignment, force=True)["success"]
        for student in ("keyed", "blank"):
            folder = root / "submitted" / student / lesson.assignment
            shutil.copytree(root / "release" / lesson.assignment, folder)
            if student == "keyed":
                ResponsesFile(folder / f"{lesson.stem}.responses.json", lesson.stem).save_many(lesson_sources.key_answers(lesson))
            done = api.autograde(lesson.assignment, student, force=True, create=True)
            assert done["success"], done.get("log", "") + str(done.get("error", ""))
    return root, lessons


def test_every_lesson_gives_the_key_full_marks_and_a_blank_zero(whole_course):
    root, lessons = whole_course
    assert [lesson.assignment for lesson in lessons] == [f"lesson-{n}" for n in range(10)]
    # graded points: 2 a choice item, 1 a reflection's completion (Lessons 1-5: 10 + 2; 6, 8, 9: 12 + 2; 7: 16 + 2)
    most = {"lesson-0": 0, **{f"lesson-{n}": 22 for n in range(1, 6)}, "lesson-6": 26, "lesson-7": 34, "lesson-8": 26, "lesson-9": 26}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="ca-peer-support") as gb:
        for lesson in lessons:
            graded = [item for item in lesson.bank.items.values() if item.graded]
            expected_max = sum(item.points for item in graded)
            assert expected_max == most[lesson.assignment]
            for item in graded:
                cell = f"test-{item.id}"
                keyed = gb.find_grade(cell, lesson.stem, lesson.assignment, "keyed")
                blank = gb.find_grade(cell, lesson.stem, lesson.assignment, "blank")
                assert (keyed.score, blank.score, keyed.max_score) == (item.points, 0.0, item.points), cell
            for student, total in (("keyed", expected_max), ("blank", 0.0)):
                submission = gb.find_submission(lesson.assignment, student)
                assert (submission.code_score, submission.max_code_score) == (total, expected_max)
