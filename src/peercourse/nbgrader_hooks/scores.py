"""`ScoresFromTheCourseOnly`, an autograde step right after execution: nbgrader gives full
points to a grade cell that shows no number; here such a cell scores 0, with a message."""
from __future__ import annotations

import math

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

from .course_cells import text_of


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
                value = float(text_of(text))
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


