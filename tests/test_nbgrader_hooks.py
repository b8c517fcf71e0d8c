import copy
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


# -- validate: the released course's cells, from the manifest shipped in the package ---------

def forged(source):
    """A learner's cell with nbgrader metadata and the checksum nbgrader would compute."""
    from nbgrader.utils import compute_checksum

    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "setup", "locked": True, "schema_version": 3,
                                 "solution": False, "task": False}
    cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
    return cell


@pytest.mark.parametrize("mode", ["validate", None])
def test_validate_marks_a_forged_cell_whatever_its_checksum(monkeypatch, mode):
    if mode:
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    else:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nb = released()
    nb.cells = [forged("lesson.recorded = lambda *a, **k: None"), *nb.cells]  # posing as the setup cell, first
    skip_learner_cells(nb)
    assert SKIP_TAG in nb.cells[0].metadata["tags"] and "nbgrader" not in nb.cells[0].metadata
    setup = nb.cells[[c.id for c in nb.cells].index("setup")]
    assert "nbgrader" in setup.metadata  # the real setup cell, later, still runs


def test_validate_recognises_a_renamed_copy_by_its_cells():
    from peercourse.nbgrader_hooks.validate import _released_entry, load_manifest

    nb = released()
    assert _released_entry(nb, load_manifest()) is load_manifest()["lived-experience"]
    assert _released_entry(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), load_manifest()) == {}


def test_under_autograde_the_cells_course_cells_only_rebuilt_are_trusted(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    nb = nbformat.read(ROOT / "source/lesson-1/lived-experience.ipynb", as_version=4)  # hidden tests and all
    from nbgrader.preprocessors import ComputeChecksums

    nb, _ = ComputeChecksums().preprocess(nb, {})
    skip_learner_cells(nb)
    assert [c.id for c in nb.cells if SKIP_TAG in c.metadata.get("tags", [])] == []


# -- learner cells as bounded plain text ------------------------------------------------------

def test_a_learner_cell_becomes_inert_text_cut_at_the_limit():
    from peercourse.nbgrader_hooks import as_learner_cell
    from peercourse.nbgrader_hooks.course_cells import LEARNER_CELL_SOURCE

    cell = nbformat.v4.new_markdown_cell("<b>bold</b> " + "x" * 30, id="mine")
    cell.metadata["nbgrader"] = {"grade": True, "points": 99}
    inert = as_learner_cell(cell, limit=20)
    assert (inert.cell_type, inert.source, inert.metadata, inert.execution_count) == (
        "code", LEARNER_CELL_SOURCE, {"tags": [SKIP_TAG]}, None)
    assert inert.outputs[0]["text"] == (NOT_RUN + "\n<b>bold</b> xxxxxxxx\n\n[... 22 more characters not shown here. "
                                        "The whole cell is in the learner's submitted notebook.]\n")
    assert as_learner_cell(cell, limit=42).outputs[0]["text"] == NOT_RUN + "\n<b>bold</b> " + "x" * 30


def test_past_the_total_limit_learner_cells_are_counted_not_shown():
    from peercourse.nbgrader_hooks import CourseCellsOnly

    cells = [nbformat.v4.new_code_cell("y" * 40, id=f"c{n}") for n in range(5)]
    shown = CourseCellsOnly(learner_cell_limit=30, learner_text_limit=70)._bounded(cells)
    texts = [cell.outputs[0]["text"][len(NOT_RUN) + 1:] for cell in shown]
    assert [t[:30] for t in texts[:2]] == ["y" * 30, "y" * 30]
    assert texts[2] == "y" * 10 + ("\n\n[... 30 more characters not shown here. "
                                  "The whole cell is in the learner's submitted notebook.]\n")
    assert shown[3].outputs[0]["text"] == ("2 more cell(s) added by the learner are not shown here (too much text). "
                                           "They are in the learner's submitted notebook.\n")
    assert len(shown) == 4


# -- the grading folder keeps only what the course chose ----------------------------------------

def test_keep_only_removes_every_other_file_folder_and_link(tmp_path):
    from peercourse.nbgrader_hooks.grading_folder import keep_only

    (tmp_path / "data").mkdir()
    for name in ("tiny.ipynb", "tiny.items.yaml", "data/table.csv", "json.py", "data/evil.py", "x.pth"):
        (tmp_path / name).write_text("x")
    (tmp_path / "ipywidgets").mkdir()
    (tmp_path / "ipywidgets/__init__.py").write_text("x")
    (tmp_path / "tiny.responses.json").mkdir()  # a folder where the answers file should be
    (tmp_path / "timestamp.txt").symlink_to("/etc/hostname")
    removed = keep_only(tmp_path, {"tiny.ipynb", "tiny.items.yaml", "data/table.csv", "tiny.responses.json", "timestamp.txt"})
    assert removed == ["data/evil.py", "ipywidgets/", "json.py", "timestamp.txt", "tiny.responses.json/", "x.pth"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "data", "data/table.csv", "tiny.ipynb", "tiny.items.yaml"]


# -- kernels in Python's isolated mode, with a time limit per notebook ---------------------------

def test_grading_kernels_start_as_python_dash_capital_i():
    import sys

    from peercourse.nbgrader_hooks import IsolatedKernelManager

    km = IsolatedKernelManager(kernel_name="python3")
    cmd = km.format_kernel_cmd()
    assert cmd[:4] == [sys.executable, "-I", "-m", "ipykernel_launcher"]


def test_a_grading_kernel_has_no_folder_of_its_own_on_its_path(tmp_path):
    from nbclient import NotebookClient

    from peercourse.nbgrader_hooks import IsolatedKernelManager

    (tmp_path / "decimal.py").write_text("raise SystemExit('imported from the folder')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, os, decimal\nprint(sys.flags.isolated, os.getcwd() in sys.path, '' in sys.path, decimal.__file__)")])
    NotebookClient(nb, timeout=60, kernel_name="python3", kernel_manager_class=IsolatedKernelManager,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    flag, cwd_on_path, empty_on_path, where = nb.cells[0].outputs[0]["text"].split()
    assert (flag, cwd_on_path, empty_on_path) == ("1", "False", "False")
    assert not where.startswith(str(tmp_path))


def test_a_notebook_past_its_time_limit_fails_instead_of_scoring_what_ran(tmp_path):
    from peercourse.nbgrader_hooks import GradingExecute
    from peercourse.nbgrader_hooks.execute import NotebookTimeout

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(1.5)") for _ in range(4)])
    with pytest.raises(NotebookTimeout, match=r"took longer than its limit of 3 s"):
        GradingExecute(notebook_timeout=3, timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})


def test_a_cell_past_its_time_fails_the_notebook():
    from nbclient.exceptions import CellTimeoutError

    from peercourse.nbgrader_hooks import GradingExecute

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(30)")])
    with pytest.raises(CellTimeoutError):
        GradingExecute(timeout=2).preprocess(nb, {"metadata": {"path": "."}})


# -- learner ids nbgrader would read as patterns ------------------------------------------------

def test_pattern_ids_are_excluded_by_name_and_said_once(tmp_path):
    from traitlets.config import Config

    from peercourse.nbgrader_hooks import exclude_unusable_ids, unusable_id_problem

    for learner in ("ana", "a*", "b?", "[cd]", "e]"):
        (tmp_path / "submitted" / learner / "lesson-1").mkdir(parents=True)
    (tmp_path / "autograded" / "f[").mkdir(parents=True)
    config = Config()
    config.CourseDirectory.student_id_exclude = "zed"
    said = []
    assert exclude_unusable_ids(config, tmp_path, say=said.append) == ["[cd]", "a*", "b?", "e]", "f["]
    assert config.CourseDirectory.student_id_exclude == "zed,[cd],a*,b?,e],f["
    assert said == [unusable_id_problem(s) for s in ["[cd]", "a*", "b?", "e]", "f["]]
    assert unusable_id_problem("ana") is None
    assert unusable_id_problem("a*") == (
        "learner id 'a*' is not graded: it holds *, which nbgrader reads as a pattern, so grading it could grade "
        "other learners in its place. Rename the learner's folder in submitted/ (and the id in the gradebook), "
        "then grade again.")


# -- the late policy's cut-off -------------------------------------------------------------------

class _Submission:
    def __init__(self, timestamp):
        self.timestamp = timestamp


class _Gradebook:
    def __init__(self, timestamp):
        self._timestamp = timestamp

    def find_submission(self, lesson, student):
        return _Submission(self._timestamp)


def late_plugin(tmp_path, submitted, **settings):
    """LatePenalty as nbgrader's AssignLatePenalties runs it: as its parent's plugin."""
    from traitlets.config import Config, Configurable

    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    parent = Configurable(config=config)
    parent.assignment_id, parent.gradebook = "lesson-1", _Gradebook(submitted)
    return LatePenalty(parent=parent, **settings)


def test_late_work_after_the_feedback_went_out_scores_zero(tmp_path):
    from datetime import datetime, timezone

    from peercourse.nbgrader_hooks import feedback_released_at, record_feedback_release

    released = datetime(2027, 2, 8, 17, 0, tzinfo=timezone.utc)
    assert record_feedback_release(tmp_path, "lesson-1", released) == released
    later = datetime(2027, 2, 9, 12, 0, tzinfo=timezone.utc)
    assert record_feedback_release(tmp_path, "lesson-1", later) == released  # the first release stands
    assert feedback_released_at(tmp_path, "lesson-1") == released
    assert feedback_released_at(tmp_path, "lesson-2") is None
    # nbgrader's timestamps are naive UTC
    assert late_plugin(tmp_path, datetime(2027, 2, 8, 16, 59)).late_submission_penalty("ana", 22.0, 2 * DAY) == 4.4
    assert late_plugin(tmp_path, datetime(2027, 2, 8, 17, 1)).late_submission_penalty("ana", 22.0, 2 * DAY) == 22.0
    assert late_plugin(tmp_path, datetime(2027, 2, 8, 17, 1), cutoff_at_feedback=False).late_submission_penalty(
        "ana", 22.0, 2 * DAY) == 4.4
    # a date of the instructor's takes the feedback's place
    own = {"lesson-1": "2027-02-10 09:00-08:00"}
    assert late_plugin(tmp_path, datetime(2027, 2, 10, 16, 59), cutoffs=own).late_submission_penalty("ana", 22.0, 3 * DAY) == 6.6
    assert late_plugin(tmp_path, datetime(2027, 2, 10, 17, 1), cutoffs=own).late_submission_penalty("ana", 22.0, 3 * DAY) == 22.0
    # on time is on time, cut-off or not
    assert late_plugin(tmp_path, datetime(2027, 3, 1)).late_submission_penalty("ana", 22.0, 0) is None
