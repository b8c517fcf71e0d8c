"""What must hold of the real course's content (source/, release/ and docs/coverage.md): every
lesson passes `peercourse check`, its keys are read back and earn every point, it reads at
the course's grade, the coverage page is current, and exam practice draws on every practice
item. Each is computed from the course itself, never from counts written here, so adding or
rewriting an item or a lesson breaks none of these tests unless the new content is wrong.

The package's code is tested on the tests' own lesson instead (tests/fixture_course.py); the
pipeline and browser tests run the real course through nbgrader and JupyterLab.
"""
import shutil
import subprocess
import sys

import pytest

from peercourse import authoring_checks, lesson_sources, progress, readability
from peercourse.course_config import load_config
from peercourse.coverage import render
from peercourse.exam_practice import ExamPractice
from peercourse.grading import earned_points
from peercourse.itembank import load_bank
from peercourse.items import FORMATS
from peercourse.responses import ResponsesFile

from conftest import ROOT

NOTEBOOKS = lesson_sources.lesson_notebooks(ROOT / "source")
each_lesson = pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[notebook.parent.name for notebook in NOTEBOOKS])


def settings() -> authoring_checks.AuthoringSettings:
    """The checks' limits as the course's nbgrader_config.py sets them, as `peercourse check` reads them."""
    return authoring_checks.AuthoringSettings(config=load_config(ROOT))


def test_the_course_has_lessons():
    assert NOTEBOOKS, "no lessons found in source/"


@each_lesson
def test_every_lesson_passes_the_authoring_checks(notebook):
    assert authoring_checks.problems(lesson_sources.read_lesson(notebook), settings()) == []


def test_peercourse_check_passes_on_the_course():
    done = subprocess.run([sys.executable, "-m", "peercourse.cli", "check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    banks = lesson_sources.bank_files(ROOT / "source")
    checked = f"{len(NOTEBOOKS)} lessons" + (f" and {len(banks)} exam-bank files" if banks else "")
    assert done.stdout == f"checked {checked}: 0 problem(s)\n"


@each_lesson
def test_every_graded_key_is_read_back_from_its_hidden_test(notebook):
    lesson = lesson_sources.read_lesson(notebook)
    graded_choice = {item.id for item in lesson.bank.items.values() if item.graded and FORMATS[item.format].has_options}
    assert set(lesson.keys) == graded_choice
    for item_id, graded in lesson.keys.items():
        item = lesson.bank.items[item_id]
        FORMATS[item.format].check_key(item, graded.key)  # raises if the key does not fit the item
        assert set(graded.rationales) == set(item.options), item_id


@each_lesson
def test_the_key_answers_earn_every_point(notebook):
    lesson = lesson_sources.read_lesson(notebook)
    answers = lesson_sources.key_answers(lesson)
    assert set(answers) == set(lesson.bank.items)
    for item in lesson.bank.items.values():
        assert earned_points(item, answers[item.id], lesson.key_for(item)) == item.points, item.id


@each_lesson
def test_every_lesson_reads_at_grade_10_or_below(notebook):
    # the course's promise (README); `peercourse check` holds lessons to c.AuthoringSettings.reading_grade_limit
    assert readability.grade(lesson_sources.read_lesson(notebook)) <= 10.0


def test_committed_coverage_is_up_to_date():
    banks = [lesson_sources.read_bank_source(path) for path in lesson_sources.bank_files(ROOT / "source")]
    expected = render(lesson_sources.find_lessons(ROOT / "source"), settings().reading_grade_limit, banks)
    assert (ROOT / "docs/coverage.md").read_text() == expected, "run `peercourse coverage` and commit docs/coverage.md"


@pytest.fixture
def released(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(ROOT / "release", folder, ignore=shutil.ignore_patterns("*.responses.json"))
    return folder


def practice_items_in_release() -> list[tuple[str, str]]:
    """(item id, lesson folder) of every practice item with options in release/'s items files."""
    found = []
    for path in sorted((ROOT / "release").glob("*/*.items.yaml")):
        for item in load_bank(path).items.values():
            if not item.graded and FORMATS[item.format].has_options:
                found.append((item.id, path.parent.name))
    return found


def test_the_exam_practice_pool_is_the_released_bank_or_else_every_practice_item_with_options(released, learner):
    from peercourse.exam_bank import read_bank

    bank, problems = read_bank(released / "exam-practice")
    assert problems == []
    if bank:  # the bank's items, none of them a lesson's
        expected = [(item.id, "the exam bank") for _, each in bank for item in each.items.values()]
        lesson_ids = {item_id for item_id, _ in practice_items_in_release()}
        assert not lesson_ids & {item_id for item_id, _ in expected}, "a bank item has a lesson item's id"
    else:
        expected = practice_items_in_release()
    assert expected, "nothing in release/ for exam practice"
    assert len({item_id for item_id, _ in expected}) == len(expected), "an item id is used twice"
    exam = ExamPractice(seed=1, count=len(expected) + 1, directory=released / "exam-practice")
    assert len(exam.bank.items) == len(expected)
    assert {item_id: exam.source_of[item_id] for item_id in exam.bank.items} == dict(expected)


def test_every_lesson_answered_with_its_keys_completes_the_progress_page(released):
    lessons = lesson_sources.find_lessons(ROOT / "source")
    for lesson in lessons:
        ResponsesFile(released / lesson.assignment / f"{lesson.stem}.responses.json", lesson.stem).save_many(
            lesson_sources.key_answers(lesson))
    state = progress.read(released)
    assert [row.lesson for row in state.lessons] == [lesson.assignment for lesson in lessons]
    assert all(row.to_do == 0 and row.reflections_written == row.reflections for row in state.lessons)
    assert all(row.practice_points == row.practice_possible for row in state.lessons)
    assert state.next_step().startswith("Every item in every lesson has an answer.")


def test_the_bank_makes_the_two_full_forms_each_an_even_share_of_every_area(released):
    """Issue 15's bank: at least BANK_GOAL items in every area, which is what two 120-item
    forms with no item in common need if each gives every area the same share."""
    from collections import Counter

    from peercourse.certification import EXAM_AREAS
    from peercourse.coverage import BANK_GOAL
    from peercourse.exam_bank import read_bank
    from peercourse.full_exam import EXAM_QUESTIONS, form_items

    banks, problems = read_bank(released / "exam-practice")
    assert problems == []
    pool = [item for _, bank in banks for item in bank.items.values()]
    per_area = Counter(item.exam_area for item in pool)
    assert {area: per_area[area] >= BANK_GOAL for area in EXAM_AREAS} == dict.fromkeys(EXAM_AREAS, True), per_area
    assert BANK_GOAL * len(EXAM_AREAS) == 2 * EXAM_QUESTIONS
    share = EXAM_QUESTIONS // len(EXAM_AREAS)
    first, second = form_items(pool, "1", EXAM_QUESTIONS), form_items(pool, "2", EXAM_QUESTIONS)
    assert not {item.id for item in first} & {item.id for item in second}
    for form in (first, second):
        assert Counter(item.exam_area for item in form) == dict.fromkeys(EXAM_AREAS, share)


def test_every_exam_area_and_competency_has_the_courses_share_of_graded_items():
    from peercourse.certification import COMPETENCIES, EXAM_AREAS
    from peercourse.coverage import AREA_GOAL, COMPETENCY_GOAL, graded_counts

    areas, competencies = graded_counts(lesson_sources.find_lessons(ROOT / "source"))
    assert {area: areas[area] for area in EXAM_AREAS if areas[area] < AREA_GOAL} == {}
    assert {number: competencies[number] for number in COMPETENCIES if competencies[number] < COMPETENCY_GOAL} == {}


def test_every_link_between_notebooks_leads_to_a_released_file_and_lesson_0_links_to_lesson_1():
    """A link in a lesson's text opens another notebook in JupyterLab; one that leads nowhere
    opens an error. Lesson 0's "Next: Lesson 1" used to be plain text (issue 16, finding 8)."""
    import json
    import re

    release = ROOT / "release"
    links = {}
    for notebook in sorted(release.rglob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                for target in re.findall(r"\]\(([^)\s]+)\)", "".join(cell["source"])):
                    if not re.match(r"[a-z]+:", target):  # not a web address
                        links.setdefault(notebook.relative_to(release).as_posix(), []).append(target)
    broken = {name: [t for t in targets if not (release / name).parent.joinpath(t.split("#")[0]).resolve().is_file()]
              for name, targets in links.items()}
    assert {name: targets for name, targets in broken.items() if targets} == {}
    assert "../lesson-1/lived-experience.ipynb" in links["lesson-0/start-here.ipynb"]
