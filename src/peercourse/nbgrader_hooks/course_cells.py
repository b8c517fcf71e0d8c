"""`CourseCellsOnly`, an autograde sanitize step after nbgrader's OverwriteCells.

It rebuilds the notebook from the course's cells as recorded in the gradebook, in the
order of the source notebook: deleted cells come back, reordered ones go back in place,
and none of the learner's copies is used (so no metadata a learner set, such as nbclient's
skip-execution tag, reaches grading). Anything the learner added or changed is kept at the
end for the grader to read, as inert cells whose text is an output: shown escaped, never
run, never syntax-highlighted (nbconvert's highlighting of a 60 MB cell once took 23 GB),
and cut at `learner_cell_limit` characters, `learner_text_limit` in all.
"""
from __future__ import annotations

import json
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .paths import course_directory

# Files in a lesson folder that are not the learner's work: nbgrader's defaults, plus the
# lock beside each answers file and what an interrupted save left behind.
# "My answers and notes" pages (answers_page.py) are copies made from the answers file: not handed in
NOT_LEARNER_WORK = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*.lock", ".*.tmp", "*.my-answers.html"]

SKIP_TAG = "skip-execution"  # nbclient's own tag for cells it must not run
NOT_RUN = (
    "Not run during grading: this cell was added or changed in the learner's copy. "
    "The course grades only its own cells and the learner's answers file.\n"
)
LEARNER_CELLS_HEADING = (
    "### Cells added or changed by the learner\n\n"
    "Kept for the grader to read, as plain text. They were not run, and they do not affect any score."
)
LEARNER_CELL_SOURCE = "# Added or changed by the learner. Not run; its text is shown below, as plain text."


def mark_not_run(cell: NotebookNode) -> None:
    """Keep a code cell for people to read, but make sure nothing executes or scores it."""
    cell.metadata.pop("nbgrader", None)
    tags = cell.metadata.setdefault("tags", [])
    if SKIP_TAG not in tags:
        tags.append(SKIP_TAG)
    cell.execution_count = None
    if not _already_marked(cell):  # CourseCellsOnly's inert cells keep the learner's text they show
        cell.outputs = [from_dict({"output_type": "stream", "name": "stdout", "text": NOT_RUN})]


def _already_marked(cell: NotebookNode) -> bool:
    outputs = cell.get("outputs") or []
    return text_of(outputs[0].get("text", "") if outputs else "").startswith(NOT_RUN)


def text_of(value) -> str:
    """A notebook's text field (a cell's source, a stream's text), stored whole or as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def cell_text(cell) -> str:
    return text_of(cell.get("source", ""))


def shortened(text: str, limit: int) -> str:
    """text, cut at limit characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return (f"{text[:limit]}\n\n[... {len(text) - limit:,} more characters not shown here. "
            "The whole cell is in the learner's submitted notebook.]\n")


def as_learner_cell(cell: NotebookNode, limit: int = 100_000) -> NotebookNode:
    """A learner's cell of any type, as an inert code cell: its text is a plain-text output
    (escaped wherever the notebook is rendered, never highlighted, at most `limit`
    characters), never run, never scored, no metadata kept."""
    inert = from_dict({
        "cell_type": "code",
        "id": cell.get("id") or "learner-cell",
        "metadata": {},
        "source": LEARNER_CELL_SOURCE,
    })
    mark_not_run(inert)
    inert.outputs[0]["text"] = NOT_RUN + "\n" + shortened(cell_text(cell), limit)
    return inert


class CourseCellsOnly(NbGraderPreprocessor):
    """Autograde sanitize step: the notebook becomes the course's own cells, from the
    gradebook, in source order; the learner's additions follow, kept as text not to run."""

    learner_cell_limit = Integer(
        100_000, help="Most characters of one learner-added cell shown to graders and in feedback; the rest is cut, with a note."
    ).tag(config=True)
    learner_text_limit = Integer(
        1_000_000, help="Most characters of all learner-added cells together; cells past it are counted, not shown."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        notebook_id = resources["nbgrader"]["notebook"]
        assignment_id = resources["nbgrader"]["assignment"]
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            stored = gb.find_notebook(notebook_id, assignment_id)
            course = {cell.name: cell for cell in stored.source_cells}
            points = {cell.name: cell.max_score for cell in [*stored.grade_cells, *stored.task_cells]}
            kinds = {cell.name: "grade" for cell in stored.grade_cells}
            kinds.update({cell.name: "task" for cell in stored.task_cells})
        position, display = self._source_cells(assignment_id, notebook_id)
        names = list(course)
        order = sorted(names, key=lambda name: (position.get(name, len(position)), names.index(name)))

        matched: set[str] = set()
        learners: list[NotebookNode] = []
        for cell in nb.cells:
            grade_id = (cell.metadata.get("nbgrader") or {}).get("grade_id")
            original = course.get(grade_id)
            if (
                original is not None
                and grade_id not in matched
                and cell.get("cell_type") == original.cell_type
                and cell.source == original.source
            ):
                matched.add(grade_id)  # the course's own copy, rebuilt below, takes its place
            else:
                learners.append(cell)

        cells = [self._restore(course[name], kinds.get(name), points.get(name), display.get(name)) for name in order]
        if learners:
            heading = from_dict({"cell_type": "markdown", "id": "learner-cells", "metadata": {}, "source": LEARNER_CELLS_HEADING})
            cells += [heading, *self._bounded(learners)]
        _unique_ids(cells)
        nb.cells = cells
        return nb, resources

    def _bounded(self, learners: list[NotebookNode]) -> list[NotebookNode]:
        """The learner's cells as inert text, within the per-cell and total limits."""
        shown, budget = [], self.learner_text_limit
        for number, cell in enumerate(learners):
            if budget <= 0:
                note = as_learner_cell(from_dict({"id": "learner-cells-not-shown", "source": ""}))
                note.outputs[0]["text"] = (f"{len(learners) - number} more cell(s) added by the learner are not shown here "
                                           "(too much text). They are in the learner's submitted notebook.\n")
                shown.append(note)
                break
            inert = as_learner_cell(cell, min(self.learner_cell_limit, budget))
            budget -= min(len(cell_text(cell)), self.learner_cell_limit)
            shown.append(inert)
        return shown

    def _source_cells(self, assignment_id: str, notebook_id: str) -> tuple[dict[str, int], dict[str, dict]]:
        """From source/<lesson>/<notebook>.ipynb: each course cell's position, and its
        metadata other than nbgrader's (e.g. a collapsed input), which the gradebook does
        not keep. Cells the source file no longer has keep the gradebook's order, after the others."""
        coursedir = course_directory(self)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment_id)) / f"{notebook_id}.ipynb"
        position, display = {}, {}
        try:
            for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if grade_id:
                    position[grade_id] = index
                    display[grade_id] = {k: v for k, v in cell["metadata"].items() if k != "nbgrader"}
        except (OSError, ValueError, KeyError, AttributeError):
            self.log.warning("peercourse: could not read %s; keeping the gradebook's cell order", path)
            return {}, {}
        return position, display

    @staticmethod
    def _restore(original, kind: str | None, points, display: dict | None = None) -> NotebookNode:
        """A course cell exactly as the course wrote it."""
        meta = {
            "grade": kind == "grade",
            "grade_id": original.name,
            "locked": original.locked,
            "schema_version": 3,
            "solution": False,
            "task": kind == "task",
            "checksum": original.checksum,
        }
        if points is not None:
            meta["points"] = points
        cell = {
            "cell_type": original.cell_type,
            "id": original.name,
            "metadata": {**(display or {}), "deletable": False, "editable": False, "nbgrader": meta},
            "source": original.source,
        }
        if original.cell_type == "code":
            cell.update(outputs=[], execution_count=None)
        return from_dict(cell)


def _unique_ids(cells: list[NotebookNode]) -> None:
    """nbformat requires distinct cell ids; a learner's copy of a cell repeats one."""
    seen = set()
    for number, cell in enumerate(cells):
        if cell.get("id") in seen or not cell.get("id"):
            cell["id"] = f"learner-cell-{number}"
        seen.add(cell["id"])


