import copy

import pytest

from peercourse.itembank import load_bank
from peercourse.items import ItemError

from conftest import DEMO_ITEMS, write_bank


def test_the_demo_bank_loads_with_prompts_reflowed(tmp_path):
    bank = load_bank(write_bank(tmp_path))
    assert list(bank.items) == ["sb", "ml", "rt", "rk", "sa", "gsb", "rf"]
    assert bank.items["sb"].prompt == "A demo situation for the single_best format.\n\nWhat should the peer support specialist do?"
    assert bank.items["gsb"].key is None and bank.items["sb"].key == "A"


def broken(change):
    items = copy.deepcopy(DEMO_ITEMS)
    change(items)
    return items


CASES = [
    (lambda items: items[5].update(key="A"), "gsb: a graded item's key and rationales belong in its hidden test, not here"),
    (lambda items: items[0]["rationales"].pop("C"), "sb: every option needs a rationale (A, B, C, D)"),
    (lambda items: items[0].update(exam_area="Wellness"), "sb: exam_area must be one of the 8 areas"),
    (lambda items: items[0].update(competencies=[18]), "sb: competencies must list SB 803 competency numbers 1 to 17"),
    (lambda items: items[0].update(options={"A": "x", "C": "y", "D": "z"}), "sb: options must be lettered A, B, C..."),
    (lambda items: items[1].update(id="sb"), "item 2: the id 'sb' is used twice"),
    (lambda items: items[0].update(hint="psst"), "sb: unknown field(s) hint"),
    (lambda items: items[0].update(points=0), "sb: points must be a positive number"),
    (lambda items: items[6].pop("min_words"), "rf: a reflection needs min_words"),
    (lambda items: items[3].update(key=["A", "B", "C"]), "rk: the key must list every option once, best first"),
    (lambda items: items[0].update(format="essay"), "sb: format must be one of single_best, most_least, rating, ranking, select_all, reflection"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_every_problem_is_named_in_words(tmp_path, change, message):
    with pytest.raises(ItemError) as raised:
        load_bank(write_bank(tmp_path, broken(change)))
    assert message in str(raised.value)
    assert str(raised.value).startswith("demo.items.yaml has problems: ")


def test_the_lesson_name_must_match_the_file(tmp_path):
    path = write_bank(tmp_path, lesson="demo")
    path.rename(tmp_path / "other.items.yaml")
    with pytest.raises(ItemError, match="its 'lesson' should be 'other'"):
        load_bank(tmp_path / "other.items.yaml")


def test_a_missing_or_unreadable_items_file_says_so(tmp_path):
    with pytest.raises(ItemError, match="The items file demo.items.yaml is missing beside the notebook."):
        load_bank(tmp_path / "demo.items.yaml")
    (tmp_path / "demo.items.yaml").write_text("items: [unclosed")
    with pytest.raises(ItemError, match="could not be read"):
        load_bank(tmp_path / "demo.items.yaml")
