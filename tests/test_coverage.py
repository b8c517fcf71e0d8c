from peercourse import lesson_sources, readability
from peercourse.coverage import render
from peercourse.certification import COMPETENCIES, EXAM_AREAS

from conftest import ROOT


def test_committed_coverage_is_up_to_date():
    expected = render(lesson_sources.find_lessons(ROOT / "source"))
    assert (ROOT / "docs/coverage.md").read_text() == expected, "run `peercourse coverage` and commit docs/coverage.md"


def test_every_exam_area_and_competency_is_listed_even_when_zero():
    text = (ROOT / "docs/coverage.md").read_text()
    for area in EXAM_AREAS:
        assert f"| {area} | " in text
    for number, name in COMPETENCIES.items():
        assert f"| {number} | {name} | " in text


def test_every_lesson_reads_at_grade_10_or_below():
    for lesson in lesson_sources.find_lessons(ROOT / "source"):
        assert readability.grade(lesson) <= 10.0, lesson.assignment  # the course's limit (README)


def test_the_readability_measure_strips_markup_and_counts_items():
    marked = "## Title with `code` and [a link](http://x) &nbsp;<!-- note -->"
    assert readability.plain(marked).split() == ["Title", "with", "and", "a", "link"]
    lesson = lesson_sources.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")
    text = readability.learner_text(lesson)
    assert "Marcus, 34, agreed to meet" in text  # a prompt
    assert lesson.keys["l1-g01"].rationales["A"] in text  # a graded rationale, shown in feedback
    assert "Rubric for the reflection" not in text  # instructor-facing
