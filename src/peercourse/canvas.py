"""Grades as Canvas's gradebook import takes them: `peercourse export canvas LESSON...`.

Canvas imports a CSV whose first columns name the learner (Student, ID, SIS User ID,
SIS Login ID, Section) and whose other columns are assignments, one score per cell; a
column whose name matches no assignment becomes a new one. Learners are matched here by
their login: nbgrader's learner id is the hub login, written as SIS Login ID; Canvas's own
numeric ID is left empty. Each lesson's cell is nbgrader's total for it, late penalty
taken off, as `nbgrader export` computes it; a learner with no submission has an empty cell.

Only numbers leave the gradebook: no answer, reflection or comment is ever written.

The columns are those Instructure's guide "How do I import grades in the Gradebook?"
describes, as university guides repeat it (for example Ohio State's "Import CSV File for
Carmen Grades": a name or an ID, SIS Login ID, Section, then assignment columns).
"""
from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_rows(db_url: str, lessons: list[str], course_id: str | None = None, section: str = "") -> list[list[str]]:
    """The CSV's rows, header first, learners sorted by login."""
    rows = [IDENTITY + list(lessons)]
    with Gradebook(db_url, course_id or "default_course") as gb:  # nbgrader's own default
        for lesson in lessons:
            gb.find_assignment(lesson)  # MissingEntry for a lesson the gradebook does not have
        for student in sorted(gb.students, key=lambda s: s.id):
            name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
            scores = []
            for lesson in lessons:
                try:
                    submission = gb.find_submission(lesson, student.id)
                except MissingEntry:
                    scores.append("")
                    continue
                total = submission.score - (submission.late_submission_penalty or 0.0)
                scores.append(f"{round(total, 2):g}")
            rows.append([name, "", "", student.id, section] + scores)
    return rows


def write_canvas_csv(path: Path, db_url: str, lessons: list[str], course_id: str | None = None,
                     section: str = "") -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(canvas_rows(db_url, lessons, course_id, section))
    path.chmod(0o600)  # grades are learner data: the grader's alone
    return path
