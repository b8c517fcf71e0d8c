"""How easy a lesson is to read: the Flesch-Kincaid grade of everything a learner reads in it
(the readings, and every item's prompt, options and rationales). The course's limit is a
setting of `peercourse check` (authoring_checks.AuthoringSettings.reading_grade_limit)."""
from __future__ import annotations

import re

from .lesson_sources import LessonSource

_MARKUP = [
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"&nbsp;"), " "),
    (re.compile(r"`[^`]*`"), " "),  # code, e.g. file names
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"[#*_>|]"), " "),
]


def plain(markdown: str) -> str:
    for pattern, replacement in _MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def learner_text(lesson: LessonSource) -> str:
    parts = []
    for cell in lesson.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and not meta.get("task"):
            source = cell.get("source", "")
            parts.append(plain("".join(source) if isinstance(source, list) else source))
    for item in lesson.bank.items.values():
        parts.append(item.prompt)
        parts += list(item.options.values())
        parts += list((lesson.rationales_for(item) or {}).values())
    return "\n\n".join(parts)


def grade(lesson: LessonSource) -> float:
    import textstat  # the instructor extra: authors' tools only

    return round(textstat.flesch_kincaid_grade(learner_text(lesson)), 1)
