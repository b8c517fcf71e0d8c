"""The course's additions to nbgrader, switched on in nbgrader_config.py.

In a stock nbgrader course, whatever code a learner adds to a notebook runs in the same
kernel as the tests during autograde, so it can change how they behave. This course's
exercises need no learner code at all: every answer is data in the responses file. So
grading runs only the course's own cells.

- `CourseCellsOnly`, an autograde sanitize step after nbgrader's OverwriteCells, rebuilds
  the notebook from the course's cells as recorded in the gradebook, in the order of the
  source notebook: deleted cells come back, reordered ones go back in place, and none of
  the learner's copies is used (so no metadata a learner set, such as nbclient's
  skip-execution tag, reaches grading). Anything the learner added or changed is kept at
  the end for the grader to read, as code cells that nbclient does not run, so that no
  markup of the learner's is ever rendered in formgrader or the feedback.
- `ScoresFromTheCourseOnly`, an autograde step right after execution: nbgrader gives full
  points to a grade cell that shows no number; here such a cell scores 0, with a message.
- `skip_learner_cells`, an `Execute.on_notebook_start` hook, marks the same way any code
  cell that nbgrader's own checksums don't vouch for. It is what protects
  `nbgrader validate`, whose list of preprocessors can't be configured.
- `warn_about_renamed_notebooks`, an autograde `pre_convert_hook`, tells the instructor
  when a submission holds answers but not the notebook they belong to.
- `LatePenalty`, the course's late-submission policy, as an nbgrader plugin.
"""
from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import compute_checksum
from traitlets import Float

from .responses import SUFFIX

# Files in a lesson folder that are not the learner's work: nbgrader's defaults, plus the
# lock beside each answers file and what an interrupted save left behind.
NOT_LEARNER_WORK = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*.lock", ".*.tmp"]

SKIP_TAG = "skip-execution"  # nbclient's own tag for cells it must not run
NOT_RUN = (
    "Not run during grading: this cell was added or changed in the learner's copy. "
    "The course grades only its own cells and the learner's answers file.\n"
)
LEARNER_CELLS_HEADING = (
    "### Cells added or changed by the learner\n\n"
    "Kept for the grader to read. They were not run, and they do not affect any score."
)



def _log() -> logging.Logger:
    """The running nbgrader app's log, so messages appear among nbgrader's own."""
    from traitlets.config import Application

    return Application.instance().log if Application.initialized() else logging.getLogger("peercourse")


def mark_not_run(cell: NotebookNode) -> None:
    """Keep a code cell for people to read, but make sure nothing executes or scores it."""
    cell.metadata.pop("nbgrader", None)
    tags = cell.metadata.setdefault("tags", [])
    if SKIP_TAG not in tags:
        tags.append(SKIP_TAG)
    cell.execution_count = None
    cell.outputs = [from_dict({"output_type": "stream", "name": "stdout", "text": NOT_RUN})]


def as_learner_cell(cell: NotebookNode) -> NotebookNode:
    """A learner's cell of any type, as an inert code cell holding its text: shown as text
    (escaped) wherever the notebook is rendered, never run, never scored, no metadata kept."""
    source = cell.get("source", "")
    inert = from_dict({
        "cell_type": "code",
        "id": cell.get("id") or "learner-cell",
        "metadata": {},
        "source": "".join(source) if isinstance(source, list) else str(source),
    })
    mark_not_run(inert)
    return inert


def _vouched_for(cell: NotebookNode, seen: set) -> bool:
    meta = cell.metadata.get("nbgrader") or {}
    grade_id = meta.get("grade_id")
    if not grade_id or grade_id in seen or not (meta.get("locked") or meta.get("grade")):
        return False
    try:
        return meta.get("checksum") == compute_checksum(cell)
    except (KeyError, TypeError, ValueError):
        return False


def skip_learner_cells(notebook: NotebookNode, **_) -> None:
    """nbclient hook, run before the first cell: mark every code cell that nbgrader's
    checksum does not vouch for (added, edited, or a second copy of a cell)."""
    seen: set = set()
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        if _vouched_for(cell, seen):
            seen.add(cell.metadata["nbgrader"]["grade_id"])
            tags = cell.metadata.get("tags")
            if isinstance(tags, list) and SKIP_TAG in tags:  # checksums don't cover tags
                tags.remove(SKIP_TAG)
        else:
            mark_not_run(cell)


class CourseCellsOnly(NbGraderPreprocessor):
    """Autograde sanitize step: the notebook becomes the course's own cells, from the
    gradebook, in source order; the learner's additions follow, kept as text not to run."""

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
                learners.append(as_learner_cell(cell))

        cells = [self._restore(course[name], kinds.get(name), points.get(name), display.get(name)) for name in order]
        if learners:
            heading = from_dict({"cell_type": "markdown", "id": "learner-cells", "metadata": {}, "source": LEARNER_CELLS_HEADING})
            cells += [heading, *learners]
        _unique_ids(cells)
        nb.cells = cells
        return nb, resources

    def _source_cells(self, assignment_id: str, notebook_id: str) -> tuple[dict[str, int], dict[str, dict]]:
        """From source/<lesson>/<notebook>.ipynb: each course cell's position, and its
        metadata other than nbgrader's (e.g. a collapsed input), which the gradebook does
        not keep. Cells the source file no longer has keep the gradebook's order, after the others."""
        from traitlets.config import Application

        app = Application.instance() if Application.initialized() else None
        coursedir = getattr(app, "coursedir", None) or CourseDirectory(parent=self)
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


NOT_SCORED = (
    "This test cell did not show the score that the course's grading computes, so it "
    "earns 0 points. Regrade this submission; if it happens again, tell the course's maintainers."
)


def shows_a_score(cell: NotebookNode, points: float) -> bool:
    """nbgrader's reading of a grade cell's outputs (utils.determine_grade), made strict:
    the first error or stderr output scores 0 as it is; otherwise the first result must be
    a number from 0 to the cell's points, where nbgrader would give full points for none."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" or (output.get("output_type") == "stream" and output.get("name") == "stderr"):
            return True
        if output.get("output_type") == "execute_result":
            text = output.get("data", {}).get("text/plain", "")
            try:
                value = float("".join(text) if isinstance(text, list) else text)
            except ValueError:
                return False
            return math.isfinite(value) and 0 <= value <= float(points)
    return False


class ScoresFromTheCourseOnly(NbGraderPreprocessor):
    """Autograde step right after Execute: a grade cell that shows no score of the course's
    (not run, no result, or a result that is not a number in range) scores 0, with a message,
    instead of nbgrader's full points."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader") or {}
            if cell.get("cell_type") == "code" and meta.get("grade") and not shows_a_score(cell, meta.get("points", 0)):
                cell.outputs.insert(0, from_dict(
                    {"output_type": "error", "ename": "NotScored", "evalue": NOT_SCORED, "traceback": [NOT_SCORED]}))
                self.log.warning("peercourse: %s scored 0: it did not show the course's score", meta.get("grade_id"))
        return nb, resources


def _unique_ids(cells: list[NotebookNode]) -> None:
    """nbformat requires distinct cell ids; a learner's copy of a cell repeats one."""
    seen = set()
    for number, cell in enumerate(cells):
        if cell.get("id") in seen or not cell.get("id"):
            cell["id"] = f"learner-cell-{number}"
        seen.add(cell["id"])


def warn_about_renamed_notebooks(notebooks=(), **_) -> None:
    """Autograde pre_convert_hook. nbgrader cannot grade a submission whose notebook was
    renamed; when the learner's answers file is there, say so, and how to grade it.
    (The hook's own student and assignment arguments are the command line's patterns,
    e.g. "*", so the folder, submitted/<student>/<lesson>/, names them.)"""
    folders = {os.path.dirname(path) for path in notebooks}
    for folder in folders:
        student, assignment = Path(folder).parent.name, Path(folder).name
        present = {Path(path).stem for path in notebooks if os.path.dirname(path) == folder}
        for answers in sorted(Path(folder).glob(f"*{SUFFIX}")):
            stem = answers.name[: -len(SUFFIX)]
            if stem not in present:
                others = ", ".join(sorted(p + ".ipynb" for p in present)) or "none"
                _log().warning(
                    "%s / %s: %s holds answers, but %s.ipynb was not submitted (notebooks found: %s). "
                    "nbgrader cannot grade it without that notebook. To grade these answers, copy "
                    "release/%s/%s.ipynb into the submission and run "
                    "`nbgrader autograde %s --student %s --force`.",
                    student, assignment, answers.name, stem, others, assignment, stem, assignment, student,
                )


class LatePenalty(LateSubmissionPlugin):
    """Late work is accepted, with a penalty that grows by the day and stops at a cap:
    percent_per_day of the autograded score for each started day late, at most
    max_percent. nbgrader applies it when it autogrades; rubric points given later by
    hand are not reduced."""

    percent_per_day = Float(10.0, help="Percent of the score taken off for each started day late.").tag(config=True)
    max_percent = Float(50.0, help="The most a late submission can lose, in percent.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        percent = min(self.max_percent, days * self.percent_per_day)
        penalty = round(score * percent / 100, 2)
        self.log.warning("%s: %d day(s) late, %g%% off: %g points", student_id, days, percent, penalty)
        return penalty
