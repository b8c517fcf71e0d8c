"""The checks `peercourse check` runs on a lesson, tried on the tests' own lesson
(tests/fixture_course.py) and on small lessons made here. That every real lesson passes them
is checked in test_content.py."""
import json
import shutil

import yaml

from peercourse import authoring_checks, lesson_sources
from peercourse.grading import earned_points

import fixture_course
from fixture_course import ASSIGNMENT, GRADED_KEYS, PRACTICE_KEYS


def test_the_fixture_lesson_passes_every_check(fixture_lesson):
    assert list(fixture_lesson.bank.items) == fixture_course.ITEM_IDS
    assert [fixture_lesson.bank.items[f"l9-p0{n}"].format for n in range(1, 6)] == fixture_course.FORMATS_IN_ORDER
    assert [fixture_lesson.bank.items[f"l9-g0{n}"].format for n in range(1, 6)] == fixture_course.FORMATS_IN_ORDER
    assert authoring_checks.problems(fixture_lesson) == []


def test_graded_keys_are_read_back_from_the_hidden_tests(fixture_lesson):
    assert {item_id: graded.key for item_id, graded in fixture_lesson.keys.items()} == GRADED_KEYS
    assert fixture_lesson.keys["l9-g05"].rationales == {
        "A": "Being tired after work is common, and not by itself a sign of crisis. It does not apply.",
        "B": "Talk of a plan to end one's life needs action right away. It applies.",
        "C": "Changing a meeting time is an everyday request. It does not apply.",
        "D": "Giving away things that matter can be a warning sign. It applies.",
        "E": "Saying they cannot stay safe means they need help now. It applies.",
    }
    for item_id, graded in fixture_lesson.keys.items():
        assert set(graded.rationales) == set(fixture_lesson.bank.items[item_id].options), item_id
    # a practice key comes from the items file, a graded one from its hidden test; reflections have none
    items = fixture_lesson.bank.items.values()
    assert {item.id: fixture_lesson.key_for(item) for item in items} == {
        **PRACTICE_KEYS, **GRADED_KEYS, "l9-p06": None, "l9-r01": None}
    assert fixture_lesson.rationales_for(fixture_lesson.bank.items["l9-g01"]) == fixture_lesson.keys["l9-g01"].rationales
    assert fixture_lesson.rationales_for(fixture_lesson.bank.items["l9-p01"])["B"] == (
        "A warm welcome answers her fear and keeps the door open. The work can go on from here.")


def test_the_key_answers_earn_every_point(fixture_lesson):
    answers = lesson_sources.key_answers(fixture_lesson)
    assert list(answers) == fixture_course.ITEM_IDS
    assert {item_id: answers[item_id] for item_id in ["l9-p04", "l9-g01", "l9-g02", "l9-g03", "l9-g04", "l9-g05"]} == {
        "l9-p04": {"A": 1, "D": 2, "C": 3, "B": 4},
        "l9-g01": "C",
        "l9-g02": {"most": "A", "least": "C"},
        "l9-g03": {"A": 2, "B": 1, "C": 3, "D": 4},
        "l9-g04": {"B": 1, "D": 2, "A": 3, "C": 4},
        "l9-g05": ["B", "D", "E"],
    }
    earned = {item.id: earned_points(item, answers[item.id], fixture_lesson.key_for(item))
              for item in fixture_lesson.bank.items.values()}
    assert earned == {item_id: 1.0 if item_id in fixture_course.REFLECTIONS else 2.0 for item_id in fixture_course.ITEM_IDS}


def _copy(tmp_path):
    dest = tmp_path / ASSIGNMENT
    shutil.copytree(fixture_course.SOURCE / ASSIGNMENT, dest)
    return dest / fixture_course.NOTEBOOK.name


def _edit(notebook, change):
    nb = json.loads(notebook.read_text())
    change(nb["cells"])
    notebook.write_text(json.dumps(nb))
    return lesson_sources.read_lesson(notebook)


def _cell(cells, cell_id):
    return next(c for c in cells if c["id"] == cell_id)


def test_the_checks_catch_a_broken_lesson(tmp_path):
    notebook = _copy(tmp_path)

    def damage(cells):
        cells.remove(_cell(cells, "test-l9-g02"))
        _cell(cells, "test-l9-g03")["metadata"]["nbgrader"]["points"] = 3
        _cell(cells, "show-l9-p01")["source"] = "lesson.show('l9-p01')  # quoted differently"
        cells.remove(_cell(cells, "rubric-l9-r01"))

    found = authoring_checks.problems(_edit(notebook, damage))
    assert found == [
        "lesson-9/fixture.ipynb: l9-p01 is shown 0 times; it should be shown once",
        "lesson-9/fixture.ipynb: graded item l9-g02 has no test cell",
        "lesson-9/fixture.ipynb: l9-g03 is worth 2 in its items file but its test cell says 3",
        "lesson-9/fixture.ipynb: 1 graded reflections need 1 rubric task cells, found 0",
    ]


def test_the_checks_catch_a_wrong_setup_an_editable_item_and_broken_test_cells(tmp_path, fixture_lesson):
    notebook = _copy(tmp_path)
    rationales = fixture_lesson.keys["l9-g05"].rationales

    def damage(cells):
        setup = _cell(cells, "setup")
        setup["source"] = "".join(setup["source"]).replace('open_lesson("fixture")', 'open_lesson("lived-experience")')
        _cell(cells, "show-l9-p02")["metadata"]["nbgrader"]["locked"] = False
        ranking = _cell(cells, "test-l9-g04")
        ranking["source"] = "".join(ranking["source"]).replace('key=["B", "D", "A", "C"]', 'key=["B", "D", "A"]')
        select = _cell(cells, "test-l9-g05")  # scores the item, over several lines as real cells do, but never shows it
        select["source"] = ('### BEGIN HIDDEN TESTS\nlesson.score(\n    "l9-g05",\n    key=["B", "D", "E"],\n    rationales='
                            f'{rationales!r},\n)\n### END HIDDEN TESTS')
        reflection = _cell(cells, "test-l9-r01")
        reflection["source"] = "".join(reflection["source"]).replace('\nlesson.score("l9-r01")', "")
        single = _cell(cells, "test-l9-g01")
        for item_id in ("l9-p01", "l9-x01"):  # a practice item, and an item the file does not have
            extra = json.loads(json.dumps(single).replace("l9-g01", item_id))
            cells.append(extra)
        both = json.loads(json.dumps(single).replace("test-l9-g01", "test-both"))
        both["source"] = "".join(both["source"]) + '\nlesson.recorded("l9-g02")'
        cells.append(both)

    found = authoring_checks.problems(_edit(notebook, damage))
    assert found == [
        "lesson-9/fixture.ipynb: the cell showing l9-p02 should be read-only",
        "lesson-9/fixture.ipynb: test cell test-both should score exactly one item",
        "lesson-9/fixture.ipynb: the setup cell should open_lesson('fixture')",
        "lesson-9/fixture.ipynb: practice item l9-p01 has a test cell",
        "lesson-9/fixture.ipynb: l9-g04: the key must list every option once, best first",
        "lesson-9/fixture.ipynb: l9-g05's test cell should show the recorded answer with lesson.recorded",
        "lesson-9/fixture.ipynb: l9-r01's test cell should end with lesson.score('l9-r01')",
        "lesson-9/fixture.ipynb: a test cell scores 'l9-x01', which is not in the items file",
    ]


def _edit_items(items_file, change):
    data = yaml.safe_load(items_file.read_text(encoding="utf-8"))
    change({item["id"]: item for item in data["items"]})
    items_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_wording_checks_catch_giveaways_and_length_clues(tmp_path):
    notebook = _copy(tmp_path)

    def clues(items):
        # the key, B, grows from 17 words to 21, and its longest rival has 17: more than 3 words longer
        items["l9-p01"]["options"]["B"] = ("Say they are glad she came back, and that missed meetings do not end "
                                           "their work together, now or later on.")
        items["l9-p05"]["options"]["B"] = "All of the above."

    _edit_items(notebook.with_name(fixture_course.ITEMS.name), clues)
    found = authoring_checks.wording_problems(lesson_sources.read_lesson(notebook))
    assert found == [
        "l9-p01: the key B is much longer than every other option, a clue",
        "l9-p05: option B uses an 'all/none of the above' giveaway",
    ]


def test_the_letter_balance_check_counts_the_fixtures_eight_best_options(tmp_path):
    """The fixture's 8 best options (enough for the check) are each letter twice. Moving two
    practice keys to A makes A the best in 3 of 8, still under 40%, then in 4 of 8, over it."""
    notebook = _copy(tmp_path)
    items_file = notebook.with_name(fixture_course.ITEMS.name)
    assert authoring_checks.position_problems(lesson_sources.read_lesson(notebook)) == []

    def key(item_id, value):
        def change(items):
            items[item_id]["key"] = value
        _edit_items(items_file, change)
        return authoring_checks.position_problems(lesson_sources.read_lesson(notebook))

    assert key("l9-p01", "A") == []
    assert key("l9-p02", {"most": "A", "least": "B"}) == [
        "lesson-9/fixture.ipynb: the best option is A in 4 of 8 items, a clue"]


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
        "lesson-9/demo.ipynb: the best option is A in 2 of 4 items, a clue",
        "lesson-9/demo.ipynb: no item's best option is D; spread best options over A to D"]
    long_key = _choice("sb9", "single_best", "A", dict(NEUTRAL, A="Say the rules first, slowly and kindly."))
    lesson = _practice_lesson(tmp_path, [long_key])  # the key is 3 words longer than its longest rival
    assert authoring_checks.wording_problems(lesson) == []
    assert authoring_checks.wording_problems(lesson, AuthoringSettings(length_slack=2)) == [
        "sb9: the key A is much longer than every other option, a clue"]


def test_peercourse_check_reads_its_limits_from_the_courses_nbgrader_config(tmp_path, capsys):
    from peercourse import cli

    shutil.copytree(fixture_course.SOURCE, tmp_path / "source")
    config = tmp_path / "nbgrader_config.py"
    config.write_text("c = get_config()\nc.AuthoringSettings.reading_grade_limit = 2.0\n")
    assert cli.main(["--course", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "lesson-9/fixture.ipynb: reads at grade 3.9, above the course's limit of 2",
        "checked 1 lessons: 1 problem(s)",
    ]
    config.write_text("c = get_config()\nc.AuthoringSettings.reading_grade_limit = 3.9\n")  # the limit is allowed
    assert cli.main(["--course", str(tmp_path), "check"]) == 0
    assert capsys.readouterr().out == "checked 1 lessons: 0 problem(s)\n"


def test_a_lesson_with_a_letter_that_is_never_best_is_flagged(tmp_path):
    keys = ["A", "B", "C", "A", "B", "C", "A", "B"]  # 8 items, none keyed D
    items = [_choice(f"sb{n}", "single_best", key, NEUTRAL) for n, key in enumerate(keys)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, items)) == [
        "lesson-9/demo.ipynb: no item's best option is D; spread best options over A to D"]
    keys[-1] = "D"
    items = [_choice(f"sb{n}", "single_best", key, NEUTRAL) for n, key in enumerate(keys)]
    assert authoring_checks.position_problems(_practice_lesson(tmp_path, items)) == []


def test_a_select_all_item_with_more_than_three_right_options_is_flagged(tmp_path):
    options = dict(NEUTRAL, E="Call their family.")
    lesson = _practice_lesson(tmp_path, [_choice("four", "select_all", ["A", "B", "C", "E"], options),
                                         _choice("three", "select_all", ["A", "B", "D"], options)])
    assert authoring_checks.wording_problems(lesson) == [
        "four: 4 of its 5 options are right; keep it to 3 or fewer, or ticking nearly everything does well"]


def test_a_right_option_that_repeats_a_run_of_the_reading_is_flagged(tmp_path):
    from peercourse.authoring_checks import AuthoringSettings

    reading = {"cell_type": "markdown", "source": "Before any advice, reflect back what you heard in your own words."}
    options = dict(NEUTRAL, B="Reflect back what you heard in your own words.",  # 8 words of the reading
                   C="Reflect back what you heard in your own words.")  # a wrong option may echo: no clue in that
    items = [_choice("echo", "single_best", "B", options), _choice("apart", "single_best", "A", options)]
    lesson = _practice_lesson(tmp_path, items)
    lesson = lesson_sources.LessonSource(lesson.assignment, lesson.notebook, lesson.bank, {}, (reading,))
    assert authoring_checks.echo_problems(lesson, AuthoringSettings()) == [
        "echo: a right option repeats 9 words in a row of the lesson's reading, a clue"]
    assert authoring_checks.echo_problems(lesson, AuthoringSettings(reading_echo_run=10)) == []


def test_absolute_words_held_by_wrong_options_more_than_right_ones_are_flagged_in_a_lesson(tmp_path):
    from peercourse.authoring_checks import AuthoringSettings

    marked = dict(NEUTRAL, A="Never say the rules first.", C="Always wait in silence.")
    items = [_choice("m1", "single_best", "B", marked), _choice("m2", "single_best", "D", marked)]
    lesson = _practice_lesson(tmp_path, items)
    # wrong options: A and C of m1, A and C of m2 marked (4 of 6); right options: B and D (0 of 2)
    assert authoring_checks.absolute_word_problems("demo", [authoring_checks.right_and_wrong(i, i.key) for i in
                                                            lesson.bank.items.values()], AuthoringSettings()) == [
        "demo: 4 of 6 wrong options hold an absolute word (always, never, only...) but 0 of 2 right ones do: such "
        "words mark the wrong answers"]
    found = authoring_checks.problems(lesson)
    assert any("4 of 6 wrong options hold an absolute word" in line for line in found)
