"""Self-study feedback: a learner alone grades a lesson of their workspace with nbgrader's
real autograde and generate_feedback, in a private course beside the workspace."""
from __future__ import annotations

import json
import shutil
import stat

import pytest

from peercourse import cli, lesson_sources, progress, self_study
from peercourse.lab import copy_new_lessons
from peercourse.responses import ResponsesFile

from conftest import ROOT

LESSON, NOTEBOOK = "lesson-1", "lived-experience"


def expected_points() -> tuple[float, float]:
    """(autograded points, rubric points) of the lesson, from its source."""
    lesson = lesson_sources.read_lesson(ROOT / "source" / LESSON / f"{NOTEBOOK}.ipynb")
    auto = sum(item.points for item in lesson.bank.items.values() if item.graded)
    rubric = sum(cell["metadata"]["nbgrader"]["points"] for cell in lesson.cells
                 if cell["metadata"].get("nbgrader", {}).get("task"))
    return auto, rubric


@pytest.fixture
def clone(tmp_path):
    """A learner's clone as `make lab` leaves it: the course with its keys, and a workspace
    copied from release/ that notes where the course is."""
    root = tmp_path / "clone"
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    workspace = root / "workspace"
    copy_new_lessons(ROOT / "release", workspace)
    self_study.note_course(workspace, root)
    return root, workspace


@pytest.mark.pipeline
def test_a_keyed_lesson_gets_full_marks_then_a_changed_answer_is_regraded_and_both_tries_are_kept(clone, capsys):
    root, workspace = clone
    auto, rubric = expected_points()
    assert cli.main(["--course", str(root), "key", LESSON, "--into", str(workspace / LESSON)]) == 0
    capsys.readouterr()
    assert cli.main(["--course", str(root), "feedback", LESSON, "--workspace", str(workspace)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{LESSON}: {auto:g} of {auto:g} autograded points (100%). Your reflections have {rubric:g} more rubric "
        "points: judge them yourself with the rubric shown in the feedback.",
        f"feedback: {LESSON}/feedback/{NOTEBOOK}.html",
    ]
    page = workspace / LESSON / "feedback" / f"{NOTEBOOK}.html"
    lesson = lesson_sources.read_lesson(ROOT / "source" / LESSON / f"{NOTEBOOK}.ipynb")
    first = page.read_text()
    assert lesson.keys["l1-g01"].rationales["B"] in first  # every option explained, as an instructor's feedback is

    # the keys stay beside the workspace, private, never in it
    private = self_study.private_course(workspace)
    assert private.parent == workspace.parent and (private / "source" / LESSON).is_dir()
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert not any("BEGIN HIDDEN TESTS" in nb.read_text() for nb in workspace.rglob("*.ipynb"))

    # the button's way: a wrong answer, graded again in a process of its own
    ResponsesFile(workspace / LESSON / f"{NOTEBOOK}.responses.json", NOTEBOOK).save("l1-g01", "B")  # key D
    worth = lesson.bank.items["l1-g01"].points
    html = self_study.feedback_html(root, workspace, LESSON)
    assert html == (
        f"<p>{LESSON}: {auto - worth:g} of {auto:g} autograded points ({(auto - worth) / auto:.0%}). Your reflections "
        f"have {rubric:g} more rubric points: judge them yourself with the rubric shown in the feedback.</p>"
        f'<p><a href="feedback/{NOTEBOOK}.html" target="_blank">Open your feedback</a> '
        "(every item, with why each option is or is not the best).</p>")
    assert page.read_text() != first and "recorded answer: B." in page.read_text()  # replaced, not added

    tries = self_study.attempts(workspace)
    assert [(t.lesson, t.points, t.possible, t.rubric_possible) for t in tries] == [
        (LESSON, auto, auto, rubric), (LESSON, auto - worth, auto, rubric)]
    # by exam area, for My progress's readiness view: every autograded item (each test cell)
    full = {}
    for item in lesson.bank.items.values():
        if item.graded:
            tally = full.setdefault(item.exam_area, [0.0, 0.0, 0])
            tally[0] += item.points
            tally[1] += item.points
            tally[2] += 1
    assert tries[0].by_area == full
    assert sum(tally[2] for tally in full.values()) == 12  # 10 scenario items and 2 reflections' completion points
    area = lesson.bank.items["l1-g01"].exam_area
    assert tries[1].by_area == {**full, area: [full[area][0] - worth, full[area][1], full[area][2]]}
    counted = progress.read(workspace).by_area[area]
    (workspace / self_study.ATTEMPTS).rename(workspace / "tries.json")
    practice_only = progress.read(workspace).by_area[area]  # the lesson's practice items alone
    (workspace / "tries.json").rename(workspace / self_study.ATTEMPTS)
    assert [a - b for a, b in zip(counted, practice_only)] == tries[1].by_area[area]  # the latest try only
    shown = progress.self_study_html(progress.read(workspace))
    assert shown.index(f"<td>{auto - worth:g} of {auto:g} ({(auto - worth) / auto:.0%})</td>") \
        < shown.index(f"<td>{auto:g} of {auto:g} (100%)</td>")  # latest first, the earlier try still listed
    assert json.loads((workspace / self_study.ATTEMPTS).read_text())["attempts"][0]["feedback"] == \
        f"{LESSON}/feedback/{NOTEBOOK}.html"


def test_without_the_keys_the_lesson_says_to_submit_to_the_instructor(tmp_path):
    workspace = tmp_path / "lessons"  # as fetched on a hub: no note of a course with keys
    (workspace / LESSON).mkdir(parents=True)
    widget = self_study.button(workspace / LESSON)
    assert widget.value == self_study.ON_A_HUB
    (workspace / self_study.COURSE_NOTE).write_text(json.dumps({"course": str(tmp_path / "gone")}))
    assert self_study.button(workspace / LESSON).value == self_study.ON_A_HUB  # a note whose course has no keys


def test_the_button_grades_this_lesson_and_shows_what_came_of_it(clone, monkeypatch):
    root, workspace = clone
    calls = []

    def graded(course, where, lesson):
        calls.append((course, where, lesson))
        assert button.disabled and "Grading your answers" in result.value  # no second click while it runs
        return "<p>done</p>"

    monkeypatch.setattr(self_study, "feedback_html", graded)
    box = self_study.button(workspace / LESSON)
    button, result = box.children
    assert (button.description, result.value) == ("Grade my answers", "")
    button.click()
    assert calls == [(root.resolve(), workspace.resolve(), LESSON)]
    assert result.value == "<p>done</p>" and not button.disabled


def test_a_lesson_that_is_not_in_the_course_is_refused_in_words(clone):
    root, workspace = clone
    with pytest.raises(self_study.SelfStudyError, match="there is no lesson 'lesson-42' in"):
        self_study.grade(root, workspace, "lesson-42")
    shutil.rmtree(workspace / "lesson-2")
    with pytest.raises(self_study.SelfStudyError, match=r"lesson-2 has no copy of empathy-and-listening.ipynb to grade"):
        self_study.grade(root, workspace, "lesson-2")


@pytest.mark.pipeline
def test_the_browser_edition_scores_a_lesson_exactly_as_nbgrader_grades_it(clone):
    """browser_edition.score_lesson (the course's own scoring, run by the browser edition where
    nbgrader cannot run) against nbgrader's autograde of the same answers: a learner whose
    answers are partly right, partly wrong, partly blank, with partial credit."""
    from peercourse import browser_edition, synthetic_learners
    from peercourse.lesson import Lesson

    root, workspace = clone
    source = lesson_sources.read_lesson(ROOT / "source" / LESSON / f"{NOTEBOOK}.ipynb")
    learner = synthetic_learners.learners(1, 11, [LESSON])[0]
    answers = synthetic_learners.answers(learner, source, 11)
    ResponsesFile(workspace / LESSON / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many(answers)
    by_nbgrader = self_study.grade(root, workspace, LESSON)
    in_browser, scored = browser_edition.score_lesson(Lesson(NOTEBOOK, workspace / LESSON),
                                                      browser_edition.keys_data(source))
    assert 0 < by_nbgrader.points < by_nbgrader.possible and by_nbgrader.points % 1 != 0  # partial credit in play
    assert (in_browser.points, in_browser.possible, in_browser.rubric_possible) == pytest.approx(
        (by_nbgrader.points, by_nbgrader.possible, by_nbgrader.rubric_possible))
    assert {area: pytest.approx(tally) for area, tally in in_browser.by_area.items()} == by_nbgrader.by_area
    assert [item.id for item, _, _ in scored] == browser_edition_order(workspace)


def browser_edition_order(workspace) -> list[str]:
    """The lesson's items in the order its notebook shows them (every item is scored)."""
    from peercourse.lesson import SHOW_CELL

    cells = json.loads((workspace / LESSON / f"{NOTEBOOK}.ipynb").read_text())["cells"]
    return [match.group(1) for cell in cells if cell["cell_type"] == "code"
            for match in [SHOW_CELL.match("".join(cell["source"]).strip())] if match]
