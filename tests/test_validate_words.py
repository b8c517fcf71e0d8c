"""validate_words.py: nbgrader's Validate result with each cell named in words, not code."""
from peercourse.validate_words import SOMETHING_ELSE, cell_in_words, in_words, titles_beside

from conftest import ROOT

GRADED = '"""Item l1-g01, single best answer: shows the recorded answer; the hidden part scores it."""\nlesson.recorded("l1-g01")'
REFLECTION = '"""Reflection l1-r01: shows the text and awards the completion point."""\nlesson.recorded("l1-r01")\nlesson.score("l1-r01")'


def test_each_listed_cell_is_named_by_its_items_title():
    titles = titles_beside(ROOT / "release/lesson-1/lived-experience.ipynb")
    assert titles["l1-g01"] == "Keeping your history out of it?" and len(titles) == 18
    result = {"failed": [{"source": GRADED, "error": "e1", "raw_error": "r1"},
                         {"source": REFLECTION, "error": "e2", "raw_error": "r2"},
                         {"source": "print('mine')", "error": "e3", "raw_error": "r3"}],
              "changed": [{"source": GRADED}]}
    assert in_words(result, titles) == {
        "failed": [{"source": 'The item "Keeping your history out of it?" (l1-g01)', "error": "e1", "raw_error": "r1"},
                   {"source": 'The item "Someone who had been there" (l1-r01)', "error": "e2", "raw_error": "r2"},
                   {"source": SOMETHING_ELSE, "error": "e3", "raw_error": "r3"}],
        "changed": [{"source": 'The item "Keeping your history out of it?" (l1-g01)'}]}


def test_without_an_items_file_the_id_alone_names_the_item(tmp_path):
    assert titles_beside(tmp_path / "lesson.ipynb") == {}
    assert cell_in_words(GRADED, {}) == "The item l1-g01"
