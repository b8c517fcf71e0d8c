"""The coverage page and the readability measure, on the tests' own lesson
(tests/fixture_course.py). That docs/coverage.md is up to date, and that every real lesson
reads at the course's grade, is checked in test_content.py."""
import shutil

from peercourse import lesson_sources, readability
from peercourse.coverage import render
from peercourse.certification import COMPETENCIES, EXAM_AREAS

import fixture_course


def test_the_coverage_page_of_the_fixture_course(tmp_path, golden):
    """render() is the page `peercourse coverage` writes, here for the fixture lesson and a
    copy of it as lesson-10 (listed after lesson-9, by number); it must match
    tests/goldens/coverage.md. After a change to the page that is meant, rewrite the golden
    file with `pytest tests/test_coverage.py --update-goldens` and review it with git diff."""
    shutil.copytree(fixture_course.SOURCE, tmp_path / "source")
    fixture_course.add_copy(tmp_path / "source", 10)
    lessons = lesson_sources.find_lessons(tmp_path / "source")
    assert [lesson.assignment for lesson in lessons] == ["lesson-9", "lesson-10"]
    golden("coverage.md", render(lessons))


def test_every_exam_area_and_competency_is_listed_even_when_zero(fixture_lesson):
    text = render([fixture_lesson])
    for area in EXAM_AREAS:
        assert f"| {area} | " in text
    for number, name in COMPETENCIES.items():
        assert f"| {number} | {name} | " in text
    # the fixture has no Resource Linkage item and no item on competency 9 or 10
    assert "| Resource Linkage | 0 | 0 | 0 | - |" in text
    assert "| 9 | Co-occurring disorders | 0 | 0 | - |" in text
    assert "| 10 | Conflict resolution | 0 | 0 | - |" in text


def test_the_page_states_the_reading_grade_limit_it_is_given(fixture_lesson):
    assert "The course's limit is 10." in render([fixture_lesson])
    assert "The course's limit is 8.5." in render([fixture_lesson], reading_grade_limit=8.5)


def test_the_readability_measure_strips_markup_and_counts_items(fixture_lesson):
    marked = "## Title with `code` and [a link](http://x) &nbsp;<!-- note -->"
    assert readability.plain(marked).split() == ["Title", "with", "and", "a", "link"]
    text = readability.learner_text(fixture_lesson)
    assert "Dana missed her last two meetings" in text  # a prompt
    assert "Tell her about the many meetings they missed" in text  # an option
    assert fixture_lesson.keys["l9-g01"].rationales["A"] in text  # a graded rationale, shown in feedback
    assert "A warm welcome answers her fear" in text  # a practice rationale
    assert "People in recovery often expect others to give up on them." in text  # a reading
    assert "Rubric for the reflection" not in text  # instructor-facing
    assert "lesson.show" not in text and "BEGIN HIDDEN TESTS" not in text  # code is not read
    assert readability.grade(fixture_lesson) == 3.9
