import json
import shutil

import pytest

from peercourse import catalog
from peercourse.grading import earned_points

from conftest import ROOT


@pytest.fixture(scope="module")
def lessons():
    return catalog.find_lessons(ROOT / "source")


def test_every_lesson_in_source_passes_its_checks(lessons):
    assert lessons, "no lessons found in source/"
    for lesson in lessons:
        assert catalog.problems(lesson) == []


def test_graded_keys_are_read_back_from_the_hidden_tests(lessons):
    lesson1 = next(lesson for lesson in lessons if lesson.assignment == "lesson-1")
    assert lesson1.keys["l1-g01"].key == "A"
    assert lesson1.keys["l1-g03"].key == {"most": "A", "least": "B"}
    assert lesson1.keys["l1-g07"].key == ["A", "B", "D", "C"]
    assert set(lesson1.keys["l1-g07"].rationales) == {"A", "B", "C", "D"}
    graded_choice = {i.id for i in lesson1.bank.items.values() if i.graded and i.format != "reflection"}
    assert set(lesson1.keys) == graded_choice


def test_the_key_answers_earn_every_point(lessons):
    for lesson in lessons:
        answers = catalog.key_answers(lesson)
        for item in lesson.bank.items.values():
            assert earned_points(item, answers[item.id], lesson.key_for(item)) == item.points, item.id


def _copy(tmp_path, lesson):
    dest = tmp_path / lesson.assignment
    shutil.copytree(lesson.notebook.parent, dest)
    return dest / lesson.notebook.name


def _edit(notebook, change):
    nb = json.loads(notebook.read_text())
    change(nb["cells"])
    notebook.write_text(json.dumps(nb))
    return catalog.read_lesson(notebook)


def _cell(cells, cell_id):
    return next(c for c in cells if c["id"] == cell_id)


def test_the_checks_catch_a_broken_lesson(tmp_path, lessons):
    lesson1 = next(lesson for lesson in lessons if lesson.assignment == "lesson-1")
    notebook = _copy(tmp_path, lesson1)

    def damage(cells):
        cells.remove(_cell(cells, "test-l1-g02"))
        _cell(cells, "test-l1-g03")["metadata"]["nbgrader"]["points"] = 3
        _cell(cells, "show-l1-p01")["source"] = "lesson.show('l1-p01')  # quoted differently"
        cells.remove(_cell(cells, "rubric-l1-r02"))

    found = catalog.problems(_edit(notebook, damage))
    assert found == [
        "lesson-1/lived-experience.ipynb: l1-p01 is shown 0 times; it should be shown once",
        "lesson-1/lived-experience.ipynb: graded item l1-g02 has no test cell",
        "lesson-1/lived-experience.ipynb: l1-g03 is worth 2 in its items file but its test cell says 3",
        "lesson-1/lived-experience.ipynb: 2 graded reflections need 2 rubric task cells, found 1",
    ]


def test_the_wording_checks_catch_giveaways_and_length_clues(tmp_path, lessons):
    lesson1 = next(lesson for lesson in lessons if lesson.assignment == "lesson-1")
    notebook = _copy(tmp_path, lesson1)
    items = notebook.with_name("lived-experience.items.yaml")
    text = items.read_text()
    text = text.replace(
        "A: It can show, by example, that recovery is possible.",
        "A: All of the above.",
    ).replace(
        "B: Say they once felt the same way in a meeting like this, then ask what would make today feel less scripted.",
        "B: Say they once felt the same way in a meeting like this one, a long time ago, when they were new and scared, "
        "then ask what would make today feel less scripted.",
    )
    items.write_text(text)
    found = catalog.wording_problems(catalog.read_lesson(notebook))
    assert found == [
        "l1-p01: the key B is much longer than every other option, a clue",
        "l1-p05: option A uses an 'all/none of the above' giveaway",
    ]
