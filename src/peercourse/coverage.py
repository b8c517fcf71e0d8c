"""docs/coverage.md: what the course's items cover, from their tags. `peercourse coverage`
writes it; a test fails when the committed file is out of date."""
from __future__ import annotations

from collections import Counter, defaultdict

from . import readability
from .lesson_sources import LessonSource
from .certification import COMPETENCIES, EXAM_AREAS
from .itembank import lesson_number
from .items import FORMATS, is_written


# What the course holds itself to (issue 14), checked on the real course by tests/test_content.py:
AREA_GOAL = 12  # graded items (reflections included) in every exam area, across the lessons
COMPETENCY_GOAL = 3  # graded items tagged with every SB 803 competency


def graded_counts(lessons: list[LessonSource]) -> tuple[Counter, Counter]:
    """(graded items per exam area, graded items per competency) across the lessons."""
    areas, competencies = Counter(), Counter()
    for lesson in lessons:
        for item in lesson.bank.items.values():
            if item.graded:
                areas[item.exam_area] += 1
                competencies.update(item.competencies)
    return areas, competencies


def _points(value: float) -> str:
    return f"{value:g}"


def render(lessons: list[LessonSource], reading_grade_limit: float | None = None,
           banks: list[LessonSource] = ()) -> str:
    """The page; reading_grade_limit is the course's (AuthoringSettings), its default if None;
    banks, the exam bank's files (lesson_sources.read_bank_source), get a section of their own."""
    if reading_grade_limit is None:
        from .authoring_checks import AuthoringSettings

        reading_grade_limit = AuthoringSettings().reading_grade_limit
    items = [(lesson, item) for lesson in lessons for item in lesson.bank.items.values()]
    lines = [
        "# Coverage",
        "",
        "What the course's items cover, counted from their tags. Written by `peercourse coverage`;",
        "do not edit by hand. Graded points are autograded points; each graded reflection also has",
        "rubric points that the instructor scores by hand in formgrader (not counted here).",
        "",
        "## By lesson",
        "",
        "| Lesson | Notebook | Graded items | Graded points | Practice items | Reflections | Reading grade |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lesson in lessons:
        mine = list(lesson.bank.items.values())
        graded = [i for i in mine if i.graded]
        lines.append(
            f"| {lesson.assignment} | {lesson.notebook.name} | {len(graded)} | "
            f"{_points(sum(i.points for i in graded))} | {sum(1 for i in mine if not i.graded)} | "
            f"{sum(1 for i in mine if is_written(i.format))} | {readability.grade(lesson):.1f} |"
        )
    graded_all = [i for _, i in items if i.graded]
    lines += [
        f"| **All** | | {len(graded_all)} | {_points(sum(i.points for i in graded_all))} | "
        f"{sum(1 for _, i in items if not i.graded)} | {sum(1 for _, i in items if is_written(i.format))} | |",
        "",
        f"Reading grade: Flesch-Kincaid grade of everything a learner reads in the lesson (readings,"
        f" prompts, options, rationales). The course's limit is {reading_grade_limit:g}.",
        "",
        "## By item format",
        "",
        "| Format | Graded items | Graded points | Practice items |",
        "| --- | ---: | ---: | ---: |",
    ]
    by_format = {name: [] for name in FORMATS}
    for _, i in items:
        by_format[i.format].append(i)
    for name, fmt in FORMATS.items():
        graded = [i for i in by_format[name] if i.graded]
        practice = sum(1 for i in by_format[name] if not i.graded)
        lines.append(f"| {fmt.label} | {len(graded)} | {_points(sum(i.points for i in graded))} | {practice} |")

    lines += [
        "",
        "## By exam area",
        "",
        "The exam's 8 areas of focus. The weight of each area on the exam is not public, so the course",
        f"asks the same of each: at least {AREA_GOAL} graded items in every area.",
        "",
        "| Exam area | Graded items | Graded points | Practice items | Lessons |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for area in EXAM_AREAS:
        graded = [i for _, i in items if i.exam_area == area and i.graded]
        practice = sum(1 for _, i in items if i.exam_area == area and not i.graded)
        where = sorted({lesson.assignment for lesson, i in items if i.exam_area == area}, key=_lesson_order)
        lines.append(
            f"| {area} | {len(graded)} | {_points(sum(i.points for i in graded))} | {practice} | "
            f"{', '.join(where) or '-'} |"
        )

    lines += [
        "",
        "## By SB 803 competency",
        "",
        f"An item tagged with several competencies counts once under each. The course's goal: at least {COMPETENCY_GOAL}",
        "graded items for every competency.",
        "",
        "| # | Competency | Graded items | Practice items | Lessons |",
        "| ---: | --- | ---: | ---: | --- |",
    ]
    graded_count, practice_count, where = Counter(), Counter(), defaultdict(set)
    for lesson, item in items:
        for number in item.competencies:
            (graded_count if item.graded else practice_count)[number] += 1
            where[number].add(lesson.assignment)
    for number, name in COMPETENCIES.items():
        lines.append(
            f"| {number} | {name} | {graded_count[number]} | {practice_count[number]} | "
            f"{', '.join(sorted(where[number], key=_lesson_order)) or '-'} |"
        )
    if banks:
        lines += _bank_section([item for bank in banks for item in bank.bank.items.values()])
    return "\n".join(lines) + "\n"


# Items per exam area the bank holds at least: two 120-item forms with no item in common, each
# giving the 8 areas an even share (15), need 30 in every area.
BANK_GOAL = 30


def _bank_section(items: list) -> list[str]:
    lines = [
        "",
        "## The exam bank",
        "",
        f"Single-best-answer items in the exam's format, apart from the lessons (`source/exam-practice/bank/`), for "
        f"exam practice and the full practice exam: {len(items)} items. The bank is built toward at least "
        f"{BANK_GOAL} items in every exam area.",
        "",
        "| Exam area | Items | Key A | Key B | Key C | Key D |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for area in EXAM_AREAS:
        mine = [item for item in items if item.exam_area == area]
        keys = Counter(item.key for item in mine)
        lines.append(f"| {area} | {len(mine)} | " + " | ".join(str(keys[letter]) for letter in "ABCD") + " |")
    return lines


def _lesson_order(assignment: str):
    return (lesson_number(assignment), assignment)
