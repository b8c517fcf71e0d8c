from peercourse import lesson_sources
from peercourse.exports import encode_choice, item_keys

from conftest import ROOT

LESSON = lesson_sources.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")


def item(item_id):
    return LESSON.bank.items[item_id]


def test_choices_are_written_as_short_text():
    assert encode_choice(item("l1-g01"), "C") == "C"
    assert encode_choice(item("l1-g03"), {"most": "A", "least": None}) == "most=A"
    assert encode_choice(item("l1-g05"), {"A": 4, "B": None, "C": 1, "D": 2}) == "A=4;C=1;D=2"
    assert encode_choice(item("l1-g07"), {"A": 2, "B": 1, "C": 4, "D": 3}) == "B>A>D>C"
    assert encode_choice(item("l1-g07"), {"A": 1, "B": 1, "C": 4, "D": 3}) == ""
    assert encode_choice(item("l1-g09"), ["A", "D"]) == "A;D"
    assert encode_choice(item("l1-g09"), []) == ""
    assert encode_choice(item("l1-r01"), "a private reflection") == ""
    assert encode_choice(item("l1-g01"), None) == ""


def test_the_report_gets_every_graded_key_and_no_practice_one():
    keys = item_keys([LESSON])
    assert len(keys) == 12 and not any(item_id.startswith("l1-p") for item_id in keys)
    assert keys["l1-g07"] == {"format": "ranking", "options": ["A", "B", "C", "D"], "key": ["C", "D", "A", "B"]}
    assert keys["l1-r01"] == {"format": "reflection", "options": [], "key": None}
