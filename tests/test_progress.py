import shutil

import pytest

from peercourse import lesson_sources, progress
from peercourse.responses import ResponsesFile

from conftest import ROOT


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(ROOT / "release", folder, ignore=shutil.ignore_patterns("*.responses.json"))
    return folder


def save(course, lesson, stem, answers):
    ResponsesFile(course / lesson / f"{stem}.responses.json", stem).save_many(answers)


def test_nothing_started(course):
    state = progress.read(course)
    assert [l.lesson for l in state.lessons] == [f"lesson-{n}" for n in range(6)]
    assert all(not l.started for l in state.lessons)
    assert state.next_step() == "Start with Lesson 0: Start here."
    assert state.by_area["Interpersonal Skills"] == [0.0, 0.0, 0]
    assert list((course / "lesson-1").glob("*.responses.json")) == []  # reading wrote nothing


def test_some_lessons_started(course):
    lesson0 = lesson_sources.read_lesson(ROOT / "source/lesson-0/start-here.ipynb")
    save(course, "lesson-0", "start-here", lesson_sources.key_answers(lesson0))
    save(course, "lesson-1", "lived-experience", {
        "l1-p01": "B",  # right, Interpersonal Skills
        "l1-p05": ["A", "B", "C"],  # key A B D: (2 - 1) / 3 * 2 = 0.67, Behavioral Health Foundations
        "l1-g01": "A", "l1-g07": {"A": 1, "B": 1},  # an incomplete ranking is not an answer
        "l1-r01": "some words",
    })
    state = progress.read(course)
    one = state.lessons[1]
    assert (one.graded, one.graded_answered, one.practice, one.practice_answered) == (12, 2, 6, 2)
    assert (one.practice_points, one.practice_possible, one.reflections, one.reflections_written) == (2.67, 4, 2, 1)
    assert state.next_step() == "Next: Lesson 1 (Lived experience, what it brings and how to use it) has 10 graded items and 4 practice items left to answer."
    assert state.by_area["Behavioral Health Foundations"] == [pytest.approx(2.67), 4.0, 2]  # l0-p03 (2) and l1-p05
    html = progress.table_html(state)
    assert "<td>Lesson 1</td><td>Lived experience, what it brings and how to use it</td><td>2 of 12</td><td>2 of 6</td><td>2.67 of 4 points (67%)</td><td>1 of 2</td>" in html
    assert "<td>Lesson 0</td><td>Start here</td><td>none in this lesson</td><td>5 of 5</td><td>10 of 10 points (100%)</td><td>1 of 1</td>" in html
    assert "<tr><td>Advocacy</td><td>0</td><td>no practice items answered yet</td></tr>" in progress.area_table_html(state)


def test_everything_answered(course):
    for lesson in lesson_sources.find_lessons(ROOT / "source"):
        save(course, lesson.assignment, lesson.stem, lesson_sources.key_answers(lesson))
    state = progress.read(course)
    assert all(l.to_do == 0 for l in state.lessons)
    assert state.next_step().startswith("Every item in every lesson has an answer.")
    assert all(l.practice_points == l.practice_possible for l in state.lessons)
    fig = progress.chart(state)
    assert [ax.get_title() for ax in fig.axes] == ["Answered, by lesson", "Practice score, by exam area"]


def test_a_damaged_answers_file_is_noted_and_counted_as_nothing(course):
    (course / "lesson-2/empathy-and-listening.responses.json").write_text("{broken")
    state = progress.read(course)
    assert state.lessons[2].problem.startswith("empathy-and-listening.responses.json is not valid JSON")
    assert state.lessons[2].graded_answered == 0
