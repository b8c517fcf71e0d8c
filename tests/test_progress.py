"""The "My progress" page, on a released copy of the tests' own course (tests/fixture_course.py)
with a second copy of its lesson as lesson-10."""
import pytest

from peercourse import lesson_sources, progress
from peercourse.responses import ResponsesFile

import fixture_course
from fixture_course import STEM

TOPIC = "Staying with people through hard moments"


@pytest.fixture
def course(fixture_release):
    fixture_course.add_copy(fixture_release, 10)
    return fixture_release


def save(course, lesson, answers):
    ResponsesFile(course / lesson / f"{STEM}.responses.json", STEM).save_many(answers)


def key_answers(number):
    """Every key of lesson-<number>, a copy of the fixture lesson: ids l<number>-..."""
    answers = lesson_sources.key_answers(fixture_course.lesson())
    return {item_id.replace("l9-", f"l{number}-"): value for item_id, value in answers.items()}


def test_nothing_started(course):
    state = progress.read(course)
    assert [l.lesson for l in state.lessons] == ["lesson-9", "lesson-10"]  # by number, not as text
    assert [(l.graded, l.practice, l.reflections) for l in state.lessons] == [(6, 5, 2), (6, 5, 2)]
    assert all(not l.started for l in state.lessons)
    assert state.next_step() == f"Start with Lesson 9: {TOPIC}."
    assert state.by_area["Interpersonal Skills"] == [0.0, 0.0, 0]
    assert list(course.rglob("*.responses.json")) == []  # reading wrote nothing


def test_some_lessons_started(course, golden):
    """The page's three parts must match tests/goldens/progress.html; after a change to the
    page that is meant, rewrite it with `pytest tests/test_progress.py --update-goldens` and
    review it with git diff."""
    save(course, "lesson-9", key_answers(9))
    save(course, "lesson-10", {
        "l10-p01": "B",  # right, Interpersonal Skills
        "l10-p05": ["A", "B", "C"],  # key A C: (2 right - 1 wrong) / 2 * 2 points = 1, Administrative Responsibilities
        "l10-g01": "A", "l10-g04": {"A": 1, "B": 1},  # an incomplete ranking is not an answer
        "l10-r01": "some words",
    })
    state = progress.read(course)
    nine, ten = state.lessons
    assert (nine.graded_answered, nine.practice_answered, nine.practice_points, nine.reflections_written) == (6, 5, 10, 2)
    assert (ten.graded, ten.graded_answered, ten.practice, ten.practice_answered) == (6, 1, 5, 2)
    assert (ten.practice_points, ten.practice_possible, ten.reflections, ten.reflections_written) == (3, 4, 2, 0)
    assert state.next_step() == f"Next: Lesson 10 ({TOPIC}) has 5 graded items and 3 practice items left to answer."
    assert state.by_area["Interpersonal Skills"] == [6.0, 6.0, 3]  # l9-p01, l9-p04 and l10-p01
    assert state.by_area["Administrative Responsibilities"] == [3.0, 4.0, 2]  # l9-p05 and l10-p05
    assert state.by_area["Advocacy"] == [0.0, 0.0, 0]  # graded items only
    page = progress.next_step_html(state) + progress.table_html(state) + progress.area_table_html(state)
    golden("progress.html", page)


def test_everything_answered(course):
    save(course, "lesson-9", key_answers(9))
    save(course, "lesson-10", key_answers(10))
    state = progress.read(course)
    assert all(l.to_do == 0 for l in state.lessons)
    assert state.next_step().startswith("Every item in every lesson has an answer.")
    assert [(l.practice_points, l.practice_possible) for l in state.lessons] == [(10, 10), (10, 10)]
    fig = progress.chart(state)
    assert [ax.get_title() for ax in fig.axes] == ["Answered, by lesson", "Score so far, by exam area"]


def test_a_damaged_answers_file_is_noted_and_counted_as_nothing(course):
    (course / "lesson-10" / f"{STEM}.responses.json").write_text("{broken")
    state = progress.read(course)
    assert state.lessons[1].problem.startswith(f"{STEM}.responses.json is not valid JSON")
    assert state.lessons[1].graded_answered == 0
    assert "Note: lesson-10: fixture.responses.json is not valid JSON" in progress.next_step_html(state)


def test_the_released_progress_notebook_shows_the_page_and_no_python_value(tmp_path):
    """Run as a learner runs it, in a kernel: its outputs are the page (HTML and the chart),
    never a Python object's repr such as CourseProgress(lessons=[...])."""
    import shutil

    import nbformat
    from nbclient import NotebookClient

    from conftest import ROOT

    course = tmp_path / "course"
    shutil.copytree(ROOT / "release", course, ignore=shutil.ignore_patterns("*.responses.json", ".*.lock"))
    folder = course / "progress"
    nb = nbformat.read(folder / "my-progress.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [o.output_type for o in outputs] == ["display_data"] * 4  # next step, chart, two tables
    assert all("text/html" in o.data for o in outputs)
    assert not any("CourseProgress(" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    # the chart is an image with its text alternative (a figure displayed alone has none)
    chart = outputs[1].data["text/html"]
    assert chart.startswith('<figure><img src="data:image/png;base64,iVBORw0KGgo')
    assert chart.endswith(f' alt="{progress.CHART_ALT}"></figure>')
