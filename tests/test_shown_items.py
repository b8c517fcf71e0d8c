"""The show cells the grading process prints itself (nbgrader_hooks/shown_items.py): which
cells, what they print, and the numbering the notebook comes back with. That a whole cohort's
graded notebooks, feedback and scores are the same as with every cell run by the kernel is
tests/test_autograde_pool.py::test_the_fast_path_grades_exactly_as_the_course_without_it."""
from __future__ import annotations

import copy
import shutil

import nbformat
import pytest

from peercourse.nbgrader_hooks import SKIP_TAG
from peercourse.nbgrader_hooks import shown_items
from peercourse.nbgrader_hooks.shown_items import ShownItems
from peercourse.responses import ResponsesFile

from conftest import ROOT

STEM = "lived-experience"
SHOW_CELLS = 18  # lesson 1's lesson.show cells; with the setup cell, 12 test cells and the feedback button, 32 code cells


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A grading folder as GradingFolder leaves it: the course's items file and the learner's answers."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setattr(shown_items, "_banks", {})  # no items parsed by another test
    shutil.copy(ROOT / "source/lesson-1" / f"{STEM}.items.yaml", tmp_path)
    ResponsesFile(tmp_path / f"{STEM}.responses.json", STEM).save_many({"l1-g02": "C"})
    return tmp_path


def released():
    return nbformat.read(ROOT / "release/lesson-1" / f"{STEM}.ipynb", as_version=4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def text(c) -> str:
    [output] = c.outputs
    assert output.output_type == "stream" and output.name == "stdout"
    return output.text


def test_the_kernel_is_left_the_setup_cell_the_tests_and_the_feedback_button(folder):
    nb = released()
    before = list(nb.cells)
    shown = ShownItems.take_out(nb, folder)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code"]
    assert ids[0] == "setup" and ids[-1] == "feedback-button" and len(ids) == 14
    assert all(i.startswith("test-") for i in ids[1:-1])
    assert len(shown.printed) == SHOW_CELLS and len(nb.cells) == len(before) - SHOW_CELLS
    shown.put_back(nb)
    assert nb.cells == before


def printed(folder, nb=None) -> tuple[nbformat.NotebookNode, ShownItems]:
    """The released lesson 1 (or nb) after take_out, and what take_out kept."""
    nb = nb or released()
    return nb, ShownItems.take_out(nb, folder)


def all_cells(shown: ShownItems):
    return nbformat.from_dict({"cells": shown.cells})


def test_a_show_cell_prints_the_item_and_the_recorded_answer_as_the_kernel_would(folder):
    _, shown = printed(folder)
    g02 = cell(all_cells(shown), "show-l1-g02")
    assert text(g02).startswith("Graded item · Single best answer · 2 points\nA phone number at the end of a hard meeting (l1-g02)\n")
    assert text(g02).endswith("  D. Tell her that if she feels bad tonight she should call 911, and that they will talk more "
                              "at their next meeting.\nRecorded answer: C. Explain kindly why they can't share it, then plan "
                              "with her who she can reach tonight and confirm their next meeting.\n")
    assert text(cell(all_cells(shown), "show-l1-g01")).endswith("\nRecorded answer: no answer\n")


def test_an_answers_file_that_cannot_be_read_is_named_first_as_the_kernel_prints_it(folder):
    (folder / f"{STEM}.responses.json").write_text("{not json")
    _, shown = printed(folder)
    assert text(cell(all_cells(shown), "show-l1-g02")).startswith(
        f"The responses file could not be used: {STEM}.responses.json is not valid JSON (Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)).\nGraded item · Single best answer · 2 points\n")


def test_cells_come_back_numbered_as_if_the_kernel_had_run_them_all(folder):
    nb, shown = printed(folder)
    for n, c in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):  # what the kernel numbers
        c.execution_count = n
        c.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1.0"}, execution_count=n)]
    shown.put_back(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, 33))
    assert [c.outputs[0].execution_count for c in code if c.outputs[0].output_type == "execute_result"] == \
        [n for n, c in enumerate(code, start=1) if c.metadata["nbgrader"]["grade_id"] in ("setup", "feedback-button")
         or c.metadata["nbgrader"]["grade_id"].startswith("test-")]
    # the first test cell follows the setup cell and all the show cells before it
    assert cell(nb, "setup").execution_count == 1 and cell(nb, "show-l1-p05").execution_count == 2
    assert cell(nb, "test-l1-g01").execution_count == 20


def test_a_cell_that_is_not_run_keeps_no_number(folder):
    nb, shown = printed(folder)
    learners = nbformat.v4.new_code_cell('lesson.show("l1-g01")', metadata={"tags": [SKIP_TAG]})
    nb.cells.insert(1, learners)
    shown.cells.insert(1, learners)
    for n, c in enumerate((c for c in nb.cells if c.cell_type == "code" and c is not learners), start=1):
        c.execution_count = n
    shown.put_back(nb)
    assert learners.execution_count is None and cell(nb, "show-l1-p05").execution_count == 2


def forged_show_cell(source='lesson.show("l1-g01")'):
    return nbformat.v4.new_code_cell(source)


@pytest.mark.parametrize("change, printed_count", [
    (lambda nb: nb.cells.append(forged_show_cell()), SHOW_CELLS),  # a learner's copy: no metadata of the course's
    (lambda nb: nb.cells.append(copy.deepcopy(cell(nb, "show-l1-g01"))), SHOW_CELLS),  # a second copy: the kernel's to skip
    (lambda nb: setattr(cell(nb, "show-l1-g01"), "source", 'lesson.show("l1-g01")  # mine'), SHOW_CELLS - 1),  # edited
    (lambda nb: setattr(cell(nb, "show-l1-g01"), "source", 'lesson.show("l1-nope")'), SHOW_CELLS - 1),
    (lambda nb: setattr(cell(nb, "setup"), "source", 'from peercourse import open_lesson\n\nlesson = open_lesson("x")'), 0),
])
def test_only_the_course_s_own_show_cells_of_its_own_items_are_printed(folder, change, printed_count):
    from nbgrader.utils import compute_checksum

    nb = released()
    change(nb)
    for c in nb.cells:  # as CourseCellsOnly would rebuild them: a course cell's checksum matches its text
        meta = c.metadata.get("nbgrader")
        if meta and c.source != "lesson.show(\"l1-g01\")  # mine" and 'open_lesson("x")' not in c.source:
            meta["checksum"] = compute_checksum(c)
    _, shown = printed(folder, nb)
    assert len(shown.printed) == printed_count


def test_an_items_file_that_will_not_load_leaves_every_cell_to_the_kernel(folder):
    (folder / f"{STEM}.items.yaml").write_text("- id: [")
    nb, shown = printed(folder)
    assert shown.printed == set() and len(nb.cells) == len(released().cells)


def test_a_lesson_s_items_file_is_parsed_once_for_a_worker_s_notebooks_and_again_once_changed(folder, monkeypatch):
    parsed = []
    real = shown_items.load_bank
    monkeypatch.setattr(shown_items, "load_bank", lambda *args, **kwargs: parsed.append(1) or real(*args, **kwargs))
    first, second = (all_cells(printed(folder)[1]) for _ in range(2))
    assert len(parsed) == 1 and first == second
    assert text(cell(second, "show-l1-g02")).startswith("Graded item · Single best answer · 2 points\n"
                                                        "A phone number at the end of a hard meeting (l1-g02)\n")
    items = folder / f"{STEM}.items.yaml"
    items.write_text(items.read_text().replace("A phone number at the end of a hard meeting", "A phone number, asked for"))
    third = all_cells(printed(folder)[1])
    assert len(parsed) == 2
    assert text(cell(third, "show-l1-g02")).startswith("Graded item · Single best answer · 2 points\n"
                                                       "A phone number, asked for (l1-g02)\n")


def test_at_most_so_many_items_files_are_kept(folder):
    items = (folder / f"{STEM}.items.yaml").read_text()
    for n in range(shown_items.BANKS_KEPT + 3):
        (folder / f"{STEM}.items.yaml").write_text(items + f"# version {n}\n")
        assert len(printed(folder)[1].printed) == SHOW_CELLS
    assert len(shown_items._banks) == shown_items.BANKS_KEPT
    assert [text.endswith(f"# version {n}\n") for (_, text), n in zip(shown_items._banks, range(3, 99))] == \
        [True] * shown_items.BANKS_KEPT  # the oldest three gone


def test_outside_autograde_nothing_is_printed(folder, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    nb, shown = printed(folder)
    assert shown.printed == set() and len(nb.cells) == len(released().cells)


@pytest.mark.pipeline
def test_a_kernel_that_reads_the_answers_file_with_another_limit_runs_every_cell_itself(tmp_path, monkeypatch):
    """An instructor's IPython setting gives the grading kernel a lower limit for the answers
    file than the grading process knows of: the kernel's setup cell says so, and the whole
    notebook is run again by a kernel, so it comes out exactly as without the fast path."""
    from peercourse import lesson_sources
    from peercourse.course_config import WITHOUT_FAST_PATH
    from peercourse.simulated_term import Term

    from test_autograde_pool import joined

    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text("c.ResponsesSettings.max_bytes = 1000\n")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # the kernels' IPython settings
    graded, logs = {}, {}
    for name, settings in (("fast", ""), ("without", WITHOUT_FAST_PATH)):
        term = Term.create(tmp_path / name, ROOT)
        with open(term.course / "nbgrader_config.py", "a") as config:
            config.write(settings)
        term.release("lesson-1")
        folder = term.course / "submitted" / "ana" / "lesson-1"
        shutil.copytree(term.course / "release" / "lesson-1", folder)
        lesson = lesson_sources.read_lesson(term.course / "source" / "lesson-1" / f"{STEM}.ipynb")
        ResponsesFile(folder / f"{STEM}.responses.json", STEM).save_many(lesson_sources.key_answers(lesson))
        result = term.api.autograde("lesson-1", "ana", force=True, create=True)
        assert result["success"], result["log"]
        nb = nbformat.read(term.course / "autograded" / "ana" / "lesson-1" / f"{STEM}.ipynb", as_version=4)
        graded[name] = [(c.source, c.get("execution_count"), joined(c.get("outputs"))) for c in nb.cells]
        logs[name] = result["log"]
    assert graded["fast"] == graded["without"]
    size = (folder / f"{STEM}.responses.json").stat().st_size
    [shown] = [outputs for source, _, outputs in graded["fast"] if source == 'lesson.show("l1-g01")']
    assert shown[0]["text"].startswith(f"The responses file could not be used: {STEM}.responses.json is {size:,} bytes, "
                                       "over the 1,000-byte limit.\n")
    assert "the grading kernel opened lived-experience differently from the grading process; running every cell in the kernel" \
        in logs["fast"]
    assert "differently" not in logs["without"]
