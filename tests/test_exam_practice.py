import shutil

import pytest

from peercourse.exam_practice import ExamPractice

from conftest import ROOT


@pytest.fixture
def folder(tmp_path, learner):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "release", course, ignore=shutil.ignore_patterns("*.responses.json"))
    return course / "exam-practice"


def test_questions_are_practice_items_from_every_lesson_in_a_seeded_order(folder):
    exam = ExamPractice(seed=2026, count=20, directory=folder)
    again = ExamPractice(seed=2026, count=20, directory=folder)
    other = ExamPractice(seed=7, count=20, directory=folder)
    assert list(exam.bank.items) == list(again.bank.items) != list(other.bank.items)
    assert len(exam.bank.items) == 20 and len(set(exam.bank.items)) == 20
    assert all("-p" in item_id for item_id in exam.bank.items)  # no graded item, whose key learners lack
    assert len({exam.source_of[i] for i in exam.bank.items}) >= 4
    assert ExamPractice(seed=1, count=500, directory=folder).bank.items.keys().__len__() == 35  # the whole pool
    assert exam.responses.path.name == "exam-practice-2026.responses.json"


def test_no_check_buttons_and_results_by_area_with_rationales(folder):
    exam = ExamPractice(seed=3, count=6, directory=folder)
    assert all(exam.view(item_id).check is None for item_id in exam.bank.items)
    ids = list(exam.bank.items)
    first, second = exam.bank.items[ids[0]], exam.bank.items[ids[1]]
    from peercourse.items import FORMATS

    exam.responses.save_many({
        first.id: FORMATS[first.format].key_as_answer(first, first.key),  # full points
    })
    html = exam.results_html()
    assert f"Score: {first.points:g} of 12 points" in html and "You answered 1 of 6 questions." in html
    assert "<caption>Score by exam area</caption>" in html
    assert "<h2>To review (5)</h2>" in html
    assert f"Question 2: {second.title}" in html.replace("&#39;", "'").replace("&#34;", '"')
    for rationale in second.rationales.values():
        assert rationale.replace("'", "&#39;").replace('"', "&#34;")[:30] in html
    assert "Question 1: " not in html  # answered right, nothing to review
