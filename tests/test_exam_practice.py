"""The exam-practice notebook's questions and results, on a released copy of the tests' own
course (tests/fixture_course.py) with a second copy of its lesson as lesson-10. That the
real course's pool is every practice item with options in release/ is in test_content.py."""
import pytest

from peercourse.exam_practice import ExamPractice
from peercourse.items import FORMATS

import fixture_course
from conftest import visible_text

# Each lesson's practice items with options: not l9-p06 (a reflection, nothing to score
# against) and no graded item (learners' copies lack its key).
POOL = {f"l{lesson}-p0{n}" for lesson in (9, 10) for n in range(1, 6)}


@pytest.fixture
def course(fixture_release, learner):
    fixture_course.add_copy(fixture_release, 10)
    return fixture_release


def test_questions_are_practice_items_from_every_lesson_in_a_seeded_order(course):
    folder = course / "exam-practice"
    exam = ExamPractice(seed=2026, count=6, directory=folder)
    again = ExamPractice(seed=2026, count=6, directory=folder)
    other = ExamPractice(seed=7, count=6, directory=folder)
    assert list(exam.bank.items) == list(again.bank.items) != list(other.bank.items)
    assert len(exam.bank.items) == 6 and set(exam.bank.items) < POOL
    whole = ExamPractice(seed=1, count=500, directory=folder)
    assert set(whole.bank.items) == POOL
    assert {item_id: whole.source_of[item_id] for item_id in ("l9-p01", "l10-p05")} == {
        "l9-p01": "lesson-9", "l10-p05": "lesson-10"}
    assert whole.bank.items["l10-p03"].key == fixture_course.PRACTICE_KEYS["l9-p03"]
    assert exam.responses.path.name == "exam-practice-2026.responses.json"


def test_no_check_buttons_and_results_by_area_with_rationales(course):
    exam = ExamPractice(seed=3, count=4, directory=course / "exam-practice")
    assert all(exam.view(item_id).check is None for item_id in exam.bank.items)
    ids = list(exam.bank.items)
    first, second = exam.bank.items[ids[0]], exam.bank.items[ids[1]]

    exam.responses.save_many({
        first.id: FORMATS[first.format].key_as_answer(first, first.key),  # full points
    })
    html = exam.results_html()
    assert "Score: 2 of 8 points (25%)." in html and "You answered 1 of 4 questions." in html
    assert "<caption>Score by exam area</caption>" in html
    assert "<h2>To review (3)</h2>" in html
    assert f"Question 2: {second.title}" in visible_text(html)
    for rationale in second.rationales.values():
        assert rationale in visible_text(html)
    assert "Question 1: " not in html  # answered right, nothing to review


def test_the_results_score_every_exam_area_of_one_lesson(fixture_release, learner):
    """Lesson 9 alone: its five practice items, every key given but l9-p04's ranking, given
    in reverse (0 of 2 points)."""
    exam = ExamPractice(seed=5, count=500, directory=fixture_release / "exam-practice")
    assert set(exam.bank.items) == {f"l9-p0{n}" for n in range(1, 6)}
    answers = {item.id: FORMATS[item.format].key_as_answer(item, item.key) for item in exam.bank.items.values()}
    answers["l9-p04"] = {"B": 1, "C": 2, "D": 3, "A": 4}
    exam.responses.save_many(answers)
    text = visible_text(exam.results_html())
    assert "Score: 8 of 10 points (80%). You answered 5 of 5 questions." in text
    rows = [line for line in text.splitlines() if line.endswith("%)") and "Score" not in line]
    assert rows == [
        "Administrative Responsibilities12 of 2 (100%)",
        "Behavioral Health Foundations12 of 2 (100%)",
        "Interpersonal Skills22 of 4 (50%)",
        "Recovery Support12 of 2 (100%)",
    ]
    number = list(exam.bank.items).index("l9-p04") + 1
    assert f"To review (1)\nQuestion {number}: Tears in the group (from Lesson 9, Interpersonal Skills)" in text
