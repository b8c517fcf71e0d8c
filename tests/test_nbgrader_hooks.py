import copy
import json
import logging

import nbformat
import pytest

from peercourse.nbgrader_hooks import (
    NOT_RUN, NOT_SCORED, SKIP_TAG, LatePenalty, ScoresFromTheCourseOnly, skip_learner_cells,
    warn_about_renamed_notebooks,
)

from conftest import ROOT

DAY = 86400


@pytest.mark.parametrize("seconds_late, penalty", [(0, None), (1, 2.2), (DAY, 2.2), (DAY + 1, 4.4), (10 * DAY, 11.0)])
def test_late_penalty_is_ten_percent_per_started_day_capped_at_half(seconds_late, penalty):
    assert LatePenalty().late_submission_penalty("ana", 22.0, seconds_late) == penalty


def released():
    return nbformat.read(ROOT / "release/lesson-1/lived-experience.ipynb", as_version=4)


def test_the_validate_hook_marks_only_cells_nbgrader_does_not_vouch_for():
    nb = released()
    course_cells = copy.deepcopy([c for c in nb.cells if c.cell_type == "code"])
    added = nbformat.v4.new_code_cell("print('mine')")
    edited = nb.cells[[c.id for c in nb.cells].index("show-l1-g01")]
    edited.source = "lesson.show('l1-g02')"
    twin = copy.deepcopy(nb.cells[[c.id for c in nb.cells].index("test-l1-g02")])
    nb.cells += [added, twin]
    skip_learner_cells(nb)
    marked = [c for c in nb.cells if SKIP_TAG in c.metadata.get("tags", [])]
    assert marked == [edited, added, twin]
    assert all(c.outputs[0]["text"] == NOT_RUN and "nbgrader" not in c.metadata for c in marked)
    untouched = [c for c in nb.cells if c.cell_type == "code" and c not in marked]
    assert len(untouched) == len(course_cells) - 1


def test_the_validate_hook_runs_a_course_cell_even_if_a_learner_tagged_it_to_be_skipped():
    nb = released()
    test_cell = nb.cells[[c.id for c in nb.cells].index("test-l1-g01")]
    test_cell.metadata["tags"] = [SKIP_TAG, "mine"]
    skip_learner_cells(nb)
    assert test_cell.metadata["tags"] == ["mine"] and "nbgrader" in test_cell.metadata


def grade_cell(outputs, points=2):
    cell = nbformat.v4.new_code_cell("lesson.score('x')")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test-x", "points": points, "locked": True}
    cell.outputs = [nbformat.from_dict(output) for output in outputs]
    return cell


def result(text):
    return {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": text}}


STDERR = {"output_type": "stream", "name": "stderr", "text": "boom"}
STDOUT = {"output_type": "stream", "name": "stdout", "text": "Your answer: B"}


@pytest.mark.parametrize("outputs, scored_zero_by_the_course", [
    ([STDOUT, result("1.5")], False),  # a score in range: kept
    ([result("0.0")], False),
    ([result("2")], False),
    ([STDERR, result("2.0")], False),  # nbgrader already gives 0 for stderr
    ([], True),  # never ran, or showed nothing: nbgrader would give full points
    ([STDOUT], True),
    ([result("'full marks please'")], True),  # not a number: nbgrader would give full points
    ([result("nan")], True),
    ([result("2.5")], True),  # more than the cell's points: nbgrader would stop with an error
    ([result("-1")], True),
])
def test_a_grade_cell_that_shows_no_score_of_the_course_s_scores_zero(outputs, scored_zero_by_the_course):
    from nbgrader.utils import determine_grade

    nb = nbformat.v4.new_notebook(cells=[grade_cell(outputs), nbformat.v4.new_markdown_cell("text")])
    before = copy.deepcopy(nb)
    ScoresFromTheCourseOnly().preprocess(nb, {})
    cell = nb.cells[0]
    if scored_zero_by_the_course:
        assert cell.outputs[0]["ename"] == "NotScored" and cell.outputs[0]["evalue"] == NOT_SCORED
        assert cell.outputs[1:] == before.cells[0].outputs
        assert determine_grade(cell) == (0, 2.0)
    else:
        assert nb == before


def test_the_renamed_notebook_warning_names_the_answers_and_the_fix(tmp_path, caplog):
    folder = tmp_path / "submitted" / "ana" / "lesson-1"
    folder.mkdir(parents=True)
    (folder / "lived-experience.responses.json").write_text("{}")
    (folder / "mine.ipynb").write_text("{}")
    with caplog.at_level(logging.WARNING, logger="peercourse"):
        warn_about_renamed_notebooks(assignment="lesson-1", student="*", notebooks=[str(folder / "mine.ipynb")])
    assert caplog.messages == [
        "ana / lesson-1: lived-experience.responses.json holds answers, but lived-experience.ipynb was not submitted "
        "(notebooks found: mine.ipynb). nbgrader cannot grade it without that notebook. To grade these answers, copy "
        "release/lesson-1/lived-experience.ipynb into the submission and run "
        "`nbgrader autograde lesson-1 --student ana --force`."
    ]
    caplog.clear()
    (folder / "lived-experience.ipynb").write_text("{}")
    warn_about_renamed_notebooks(notebooks=[str(folder / "mine.ipynb"), str(folder / "lived-experience.ipynb")])
    assert caplog.messages == []
