"""Per-item results, which nbgrader's own export (totals only) lacks.

Scores come from nbgrader's Gradebook API. The choice a learner made on each choice item is
read from the answers file nbgrader copied into autograded/, checked against the item's
format, and written as short text. Reflections' text never leaves formgrader: their rows
carry points only. `points` and `possible` are what autograde scored; a reflection's rubric
points, given by hand in formgrader, are in `rubric_points` (empty until graded) and
`rubric_possible`, so that a learner's rows add up to nbgrader's total.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from .lesson_sources import LessonSource
from .items import FORMATS, Item, read_saved
from .responses import ResponsesFile, responses_path

COLUMNS = [
    "student", "lesson", "item", "format", "points", "possible", "competencies", "exam_area", "choice",
    "rubric_points", "rubric_possible",
]


def encode_choice(item: Item, answer) -> str:
    """A learner's choice as text, as its format writes it: "B"; "most=A;least=C"; "A=4;B=2";
    "B>A>D>C"; "A;C". Empty when unanswered, when a ranking is incomplete, and always for
    reflections."""
    return "" if answer is None else FORMATS[item.format].encode(item, answer)


def _choices(course: Path, student: str, lesson: LessonSource) -> dict[str, str]:
    folder = Path(course) / "autograded" / student / lesson.assignment
    loaded = ResponsesFile(responses_path(folder, lesson.stem), lesson.stem).load()
    choices = {}
    for item in lesson.bank.items.values():
        answer, _ = read_saved(item, loaded.answers)  # unusable: the graded notebook says why; no choice here
        choices[item.id] = encode_choice(item, answer)
    return choices


def _rubric(gb: Gradebook, item: Item, lesson: LessonSource, student: str) -> tuple[float | None, float | None]:
    """A reflection's hand-graded points and their maximum (points None until graded)."""
    if not FORMATS[item.format].written:
        return None, None
    try:
        task = gb.find_grade(f"rubric-{item.id}", lesson.stem, lesson.assignment, student)
    except MissingEntry:
        return None, None
    return task.manual_score, float(task.max_score)


def item_scores(course: Path, db_url: str, lessons: list[LessonSource], course_id: str = "default_course") -> pd.DataFrame:
    """One row per learner, lesson and graded item, in COLUMNS."""
    rows = []
    with Gradebook(db_url, course_id=course_id) as gb:
        for lesson in lessons:
            graded = [item for item in lesson.bank.items.values() if item.graded]
            try:
                submissions = gb.find_assignment(lesson.assignment).submissions if graded else []
            except MissingEntry:
                continue
            for submission in sorted(submissions, key=lambda s: s.student_id):
                choices = _choices(course, submission.student_id, lesson)
                for item in graded:
                    grade = gb.find_grade(f"test-{item.id}", lesson.stem, lesson.assignment, submission.student_id)
                    rubric_points, rubric_possible = _rubric(gb, item, lesson, submission.student_id)
                    rows.append({
                        "student": submission.student_id,
                        "lesson": lesson.assignment,
                        "item": item.id,
                        "format": item.format,
                        "points": float(grade.score or 0.0),
                        "possible": float(grade.max_score),
                        "competencies": ";".join(str(c) for c in item.competencies),
                        "exam_area": item.exam_area,
                        "choice": choices[item.id],
                        "rubric_points": rubric_points,
                        "rubric_possible": rubric_possible,
                    })
    return pd.DataFrame(rows, columns=COLUMNS)


def item_keys(lessons: list[LessonSource]) -> dict:
    """What the item-analysis report needs to know of each graded item's key."""
    return {
        item.id: {"format": item.format, "options": list(item.options), "key": lesson.key_for(item)}
        for lesson in lessons
        for item in lesson.bank.items.values()
        if item.graded
    }
