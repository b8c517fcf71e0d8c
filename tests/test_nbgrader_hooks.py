import copy
import json
import logging

import nbformat
import pytest

from peercourse.nbgrader_hooks import NOT_RUN, SKIP_TAG, LatePenalty, skip_learner_cells, warn_about_renamed_notebooks

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
