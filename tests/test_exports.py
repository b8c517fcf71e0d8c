"""The per-item export's choices and keys, on the tests' own lesson (tests/fixture_course.py)."""
import pytest

from peercourse.exports import encode_choice, item_keys

from fixture_course import lesson

LESSON = lesson()


def item(item_id):
    return LESSON.bank.items[item_id]


@pytest.mark.parametrize("item_id, answer, written", [
    ("l9-g01", "C", "C"),
    ("l9-g01", None, ""),
    ("l9-g02", {"most": "A", "least": "C"}, "most=A;least=C"),
    ("l9-g02", {"most": "A", "least": None}, "most=A"),
    ("l9-g03", {"A": 4, "B": None, "C": 1, "D": 2}, "A=4;C=1;D=2"),
    ("l9-g04", {"A": 2, "B": 1, "C": 4, "D": 3}, "B>A>D>C"),
    ("l9-g04", {"A": 1, "B": 1, "C": 4, "D": 3}, ""),  # incomplete: a rank used twice
    ("l9-g05", ["B", "E"], "B;E"),
    ("l9-g05", [], ""),
    ("l9-r01", "a private reflection", ""),  # a reflection's text never leaves formgrader
    ("l9-p06", "a practice reflection", ""),
])
def test_choices_are_written_as_short_text(item_id, answer, written):
    assert encode_choice(item(item_id), answer) == written


def test_the_report_gets_every_graded_key_and_no_practice_one():
    assert item_keys([LESSON]) == {
        "l9-g01": {"format": "single_best", "options": ["A", "B", "C", "D"], "key": "C"},
        "l9-g02": {"format": "most_least", "options": ["A", "B", "C", "D"], "key": {"most": "A", "least": "C"}},
        "l9-g03": {"format": "rating", "options": ["A", "B", "C", "D"], "key": {"A": 2, "B": 1, "C": 3, "D": 4}},
        "l9-g04": {"format": "ranking", "options": ["A", "B", "C", "D"], "key": ["B", "D", "A", "C"]},
        "l9-g05": {"format": "select_all", "options": ["A", "B", "C", "D", "E"], "key": ["B", "D", "E"]},
        "l9-r01": {"format": "reflection", "options": [], "key": None},
    }
