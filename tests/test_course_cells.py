"""CourseCellsOnly in-process, as nbgrader tests its own preprocessors: against a throwaway
gradebook holding the course's cells, with small notebooks built cell by cell."""
from __future__ import annotations


import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from peercourse.course_config import with_environment_bin
from peercourse.nbgrader_hooks import CourseCellsOnly
from peercourse.nbgrader_hooks.course_cells import LEARNER_CELL_SOURCE, LEARNER_CELLS_HEADING, NOT_RUN

LESSON, NOTEBOOK = "lesson-9", "demo"
# the course's cells, in the source notebook's order: (name, type, source, grade points or None)
COURSE = [
    ("intro", "markdown", "Read this first.", None),
    ("setup", "code", "lesson = open_lesson('demo')", None),
    ("show-q1", "code", "lesson.show('q1')", None),
    ("test-q1", "code", "lesson.recorded('q1')", 2),
]


def _meta(name: str, points) -> dict:
    return {"nbgrader": {"grade": points is not None, "grade_id": name, "locked": True, "schema_version": 3,
                         "solution": False, "task": False, **({"points": points} if points is not None else {})}}


def course_cell(name: str):
    (_, kind, source, points), = [c for c in COURSE if c[0] == name]
    maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    return maker(source, id=name, metadata=_meta(name, points))


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course directory with the lesson's source notebook and a gradebook that records it."""
    # nbgrader runs `alembic` by name to create a gradebook: this environment's, first on PATH
    monkeypatch.setenv("PATH", with_environment_bin()["PATH"])
    nb = nbformat.v4.new_notebook(cells=[course_cell(name) for name, *_ in COURSE])
    nb.cells[0].metadata["jupyter"] = {"source_hidden": True}  # display metadata the gradebook does not keep
    (tmp_path / "source" / LESSON).mkdir(parents=True)
    nbformat.write(nb, tmp_path / "source" / LESSON / f"{NOTEBOOK}.ipynb")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        gb.add_assignment(LESSON)
        gb.add_notebook(NOTEBOOK, LESSON)
        for name, kind, source, points in COURSE:
            gb.add_source_cell(name, NOTEBOOK, LESSON, cell_type=kind, source=source, locked=True, checksum=f"sum-{name}")
            if points is not None:
                gb.add_grade_cell(name, NOTEBOOK, LESSON, cell_type=kind, max_score=points)
    return tmp_path, db_url


def run(course, cells, **settings):
    root, db_url = course
    config = Config()
    config.CourseDirectory.root = str(root)
    step = CourseCellsOnly(config=config, **settings)
    nb = nbformat.v4.new_notebook(cells=cells)
    resources = {"nbgrader": {"db_url": db_url, "assignment": LESSON, "notebook": NOTEBOOK, "student": "ana"}}
    out, _ = step.preprocess(nb, resources)
    return out


def shape(nb) -> list[tuple]:
    return [(c.cell_type, c.id, c.source if c.source != LEARNER_CELL_SOURCE else "(learner)") for c in nb.cells]


def test_an_untouched_notebook_comes_back_as_the_course_wrote_it(course):
    out = run(course, [course_cell(name) for name, *_ in COURSE])
    assert shape(out) == [(kind, name, source) for name, kind, source, _ in COURSE]
    test = out.cells[3]
    assert test.metadata["nbgrader"] == {"grade": True, "grade_id": "test-q1", "locked": True, "schema_version": 3,
                                         "solution": False, "task": False, "checksum": "sum-test-q1", "points": 2}
    assert out.cells[0].metadata["jupyter"] == {"source_hidden": True}  # from the source notebook
    assert (test.outputs, test.execution_count) == ([], None)


def test_deleted_moved_and_edited_cells_are_restored_and_additions_kept_as_inert_text(course):
    edited = course_cell("test-q1")
    edited.source = "print('full marks')"  # an edited test cell, still carrying its grade id
    edited.metadata["tags"] = ["skip-execution"]
    added = nbformat.v4.new_code_cell("import os; os.system('echo hi')", id="mine")
    # the learner deleted "intro", moved "show-q1" first, edited the test and added a cell
    out = run(course, [course_cell("show-q1"), course_cell("setup"), edited, added])
    assert shape(out) == [
        *[(kind, name, source) for name, kind, source, _ in COURSE],
        ("markdown", "learner-cells", LEARNER_CELLS_HEADING),
        ("code", "learner-cell-5", "(learner)"),
        ("code", "mine", "(learner)"),
    ]
    assert "tags" not in out.cells[3].metadata  # no learner metadata reaches a course cell
    # each addition: a code cell nbclient skips, whose text is an output, never its source
    assert [(cell.metadata, [o["text"] for o in cell.outputs]) for cell in out.cells[5:]] == [
        ({"tags": ["skip-execution"]}, [NOT_RUN + "\nprint('full marks')"]),
        ({"tags": ["skip-execution"]}, [NOT_RUN + "\nimport os; os.system('echo hi')"]),
    ]


def test_a_duplicated_course_cell_is_restored_once_and_the_copy_kept_as_text(course):
    out = run(course, [course_cell(name) for name, *_ in COURSE] + [course_cell("setup")])
    ids = [c.id for c in out.cells]
    assert ids[:4] == [name for name, *_ in COURSE] and ids[4] == "learner-cells" and len(ids) == 6
    assert len(set(ids)) == len(ids)


def test_without_the_source_notebook_the_gradebook_order_is_kept(course, caplog):
    root, _ = course
    (root / "source" / LESSON / f"{NOTEBOOK}.ipynb").unlink()
    out = run(course, [course_cell("test-q1")])
    assert [c.id for c in out.cells] == [name for name, *_ in COURSE]
    assert "could not read" in caplog.text


def test_the_learner_text_limits_cut_what_is_shown(course):
    big = nbformat.v4.new_markdown_cell("x" * 500, id="big")
    out = run(course, [big, nbformat.v4.new_markdown_cell("y" * 500, id="more")],
              learner_cell_limit=100, learner_text_limit=150)
    texts = [c.outputs[0]["text"] for c in out.cells[5:]]
    note = "\n\n[... {} more characters not shown here. The whole cell is in the learner's submitted notebook.]\n"
    assert texts == [NOT_RUN + "\n" + "x" * 100 + note.format(400), NOT_RUN + "\n" + "y" * 50 + note.format(450)]
