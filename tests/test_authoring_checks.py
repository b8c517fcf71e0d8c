import json
import shutil

import pytest

from peercourse import authoring_checks, lesson_sources
from peercourse.grading import earned_points

from conftest import ROOT


@pytest.fixture(scope="module")
def lessons():
    return lesson_sources.find_lessons(ROOT / "source")


def test_every_lesson_in_source_passes_its_checks(lessons):
    assert lessons, "no lessons found in source/"
    for lesson in lessons:
        assert authoring_checks.problems(lesson) == []


def test_graded_keys_are_read_back_from_the_hidden_tests(lessons):
    lesson1 = next(lesson for lesson in lessons if lesson.assignment == "lesson-1")
    assert lesson1.keys["l1-g01"].key == "D"
    assert lesson1.keys["l1-g03"].key == {"most": "A", "least": "B"}
    assert lesson1.keys["l1-g07"].key == ["C", "D", "A", "B"]
    assert set(lesson1.keys["l1-g07"].rationales) == {"A", "B", "C", "D"}
    graded_choice = {i.id for i in lesson1.bank.items.values() if i.graded and i.format != "reflection"}
    assert set(lesson1.keys) == graded_choice


def test_the_key_answers_earn_every_point(lessons):
    for lesson in lessons:
        answers = lesson_sources.key_answers(lesson)
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
    return lesson_sources.read_lesson(notebook)


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

    found = authoring_checks.problems(_edit(notebook, damage))
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
    found = authoring_checks.wording_problems(lesson_sources.read_lesson(notebook))
    assert found == [
        "l1-p01: the key B is much longer than every other option, a clue",
        "l1-p05: option A uses an 'all/none of the above' giveaway",
    ]


def _practice_lesson(tmp_path, items):
    """A lesson of practice items only (their keys live in the items file)."""
    from conftest import write_bank
    from peercourse.itembank import load_bank

    bank = load_bank(write_bank(tmp_path, items))
    return lesson_sources.LessonSource("lesson-9", tmp_path / "demo.ipynb", bank, {}, ())


def _choice(item_id, fmt, key, options=None):
    from conftest import OPTIONS4, RATIONALES4, _item

    options = options or OPTIONS4
    extra = {"options": dict(options), "rationales": {letter: RATIONALES4["A"] for letter in options}}
    return _item(item_id, fmt, key=key, **extra)


NEUTRAL = {"A": "Say the rules first.", "B": "Tell them your story.", "C": "Wait in silence.", "D": "Offer a leaflet."}


def test_a_best_option_that_alone_asks_something_is_a_clue(tmp_path):
    asking = dict(NEUTRAL, B="Ask what they need today.")
    lesson = _practice_lesson(tmp_path, [
        _choice("sb", "single_best", "B", asking),
        _choice("ml", "most_least", {"most": "B", "least": "A"}, dict(asking, A="Why not try harder?")),
        _choice("rt", "rating", {"A": 1, "B": 4, "C": 2, "D": 2}, asking),
        _choice("tie", "rating", {"A": 1, "B": 4, "C": 4, "D": 2}, asking),  # no single best: no clue
    ])
    assert authoring_checks.wording_problems(lesson) == [
        "sb: only the best option, B, asks the person something, a clue",
        "rt: only the best option, B, asks the person something, a clue",
    ]


def test_a_ranking_that_follows_the_order_shown_is_a_clue(tmp_path):
    lesson = _practice_lesson(tmp_path, [
        _choice("in-order", "ranking", ["A", "B", "D", "C"], NEUTRAL),  # 5 of 6 pairs as shown
        _choice("half", "ranking", ["B", "A", "D", "C"], NEUTRAL),  # 4 of 6: still over half
        _choice("mixed", "ranking", ["C", "A", "D", "B"], NEUTRAL),  # 3 of 6: half, allowed
    ])
    assert authoring_checks.wording_problems(lesson) == [
        "in-order: ranking the options in the order shown earns more than half the points",
        "half: ranking the options in the order shown earns more than half the points",
    ]


def test_a_lesson_whose_best_options_pile_up_on_one_letter_is_flagged(tmp_path):
    keys = ["A", "A", "A", "A", "B", "C", "D", "B"]  # A best in 4 of 8 = 50% > 40%
    items = [_choice(f"sb{n}", "single_best", key, NEUTRAL) for n, key in enumerate(keys)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, items)) == [
        "lesson-9/demo.ipynb: the best option is A in 4 of 8 items, a clue"]
    keys[0] = "D"  # A in 3 of 8 = 37.5%
    items = [_choice(f"sb{n}", "single_best", key, NEUTRAL) for n, key in enumerate(keys)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, items)) == []
    all_a = [_choice(f"sb{n}", "single_best", "A", NEUTRAL) for n in range(7)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, all_a)) == []  # every best is A, but 7 < 8 is too few to judge


def test_select_all_keys_of_one_size_or_with_a_shared_option_are_flagged(tmp_path):
    options = dict(NEUTRAL, E="Call their family.")
    same = [_choice("sa1", "select_all", ["A", "B", "C"], options), _choice("sa2", "select_all", ["A", "D", "E"], options)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, same)) == [
        "lesson-9/demo.ipynb: every select-all item has 3 right options, a clue",
        "lesson-9/demo.ipynb: option A is right in every select-all item, a clue",
    ]
    varied = [_choice("sa1", "select_all", ["A", "B"], options), _choice("sa2", "select_all", ["C", "D", "E"], options)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, varied)) == []


def test_the_checks_limits_are_settings(tmp_path):
    """AuthoringSettings changes what the checks let through, as an instructor's
    nbgrader_config.py would."""
    from peercourse.authoring_checks import AuthoringSettings

    four = [_choice(f"sb{n}", "single_best", key, NEUTRAL) for n, key in enumerate("AABC")]
    lesson = _practice_lesson(tmp_path, four)
    assert authoring_checks.position_problems(lesson) == []  # 4 items: under the default 8
    strict = AuthoringSettings(balance_from=4, most_of_one_letter=0.25)
    assert authoring_checks.position_problems(lesson, strict) == [
        "lesson-9/demo.ipynb: the best option is A in 2 of 4 items, a clue"]
    long_key = _choice("sb9", "single_best", "A", dict(NEUTRAL, A="Say the rules first, slowly and kindly."))
    lesson = _practice_lesson(tmp_path, [long_key])  # the key is 3 words longer than its longest rival
    assert authoring_checks.wording_problems(lesson) == []
    assert authoring_checks.wording_problems(lesson, AuthoringSettings(length_slack=2)) == [
        "sb9: the key A is much longer than every other option, a clue"]


def test_peercourse_check_reads_its_limits_from_the_courses_nbgrader_config(tmp_path, capsys):
    from peercourse import cli, readability

    shutil.copytree(ROOT / "source", tmp_path / "source")
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.AuthoringSettings.reading_grade_limit = 2.0\n")
    assert cli.main(["--course", str(tmp_path), "check"]) == 1
    lessons = lesson_sources.find_lessons(tmp_path / "source")
    expected = [f"{lesson.assignment}/{lesson.notebook.name}: reads at grade {readability.grade(lesson):g}, "
                "above the course's limit of 2" for lesson in lessons]
    assert capsys.readouterr().out.splitlines() == expected + [f"checked {len(lessons)} lessons: {len(lessons)} problem(s)"]
