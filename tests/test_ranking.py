import pytest
from hypothesis import given, strategies as st

from peercourse.items import ItemError
from peercourse.items.ranking import FORMAT, score

from conftest import answers_on_disk, feedback_text

KEY = ["A", "B", "C", "D"]  # best first


def ranks(order):
    return {letter: place for place, letter in enumerate(order, start=1)}


def test_partial_credit_by_pairs_in_the_keys_order():
    assert score(ranks("ABCD"), KEY, 2) == 2.0
    assert score(ranks("DCBA"), KEY, 2) == 0.0
    assert score(ranks("BACD"), KEY, 2) == pytest.approx(2 * 5 / 6)  # one swapped pair of six
    assert score(ranks("ACBD"), KEY, 3) == pytest.approx(2.5)
    assert score(ranks("DABC"), KEY, 2) == pytest.approx(1.0)  # D before the three: 3 of 6 pairs wrong


def test_an_incomplete_ranking_earns_nothing():
    assert score({"A": 1, "B": 1, "C": 3, "D": 4}, KEY, 2) == 0.0
    assert score({"A": 1, "B": 2, "C": None, "D": 4}, KEY, 2) == 0.0
    assert score(None, KEY, 2) == 0.0


@given(order=st.permutations(KEY), points=st.integers(1, 10))
def test_bounds_and_key(order, points):
    assert 0 <= score(ranks(order), KEY, points) <= points + 1e-9
    assert score(ranks(KEY), KEY, points) == points


def test_saved_values_are_checked(demo):
    item = demo.item("rk")
    assert FORMAT.read_answer(item, {"A": 1, "B": 1}) == {"A": 1, "B": 1, "C": None, "D": None}
    for bad in (["A", "B"], {"A": 0}, {"A": 5}, {"A": "1"}, {"Z": 1}):
        with pytest.raises(ItemError):
            FORMAT.read_answer(item, bad)
    assert not FORMAT.is_answered(item, {"A": 1, "B": 1, "C": 3, "D": 4})
    assert FORMAT.is_answered(item, ranks("DCBA"))


def test_rank_menus_save_and_restore(demo):
    from peercourse import open_lesson

    view = demo.view("rk")
    menus = view.controls
    assert [m.description for m in menus] == [
        "A. Ask what would help most today.", "B. Tell them what worked for you.",
        "C. Explain the program rules first.", "D. Say nothing and wait it out."]
    for menu, place in zip(menus, (2, 1, 4, 3)):
        menu.value = place
    assert answers_on_disk(demo) == {"rk": {"A": 2, "B": 1, "C": 4, "D": 3}}
    restored = open_lesson("demo", demo.responses.path.parent).view("rk").controls
    assert [m.value for m in restored] == [2, 1, 4, 3]


def test_check_explains_an_incomplete_ranking_and_each_place(demo):
    view = demo.view("rk")
    menus = view.controls
    menus[0].value = 1
    menus[1].value = 1
    view.check.click()
    assert "The ranking is not complete: give each response a different rank from 1 to 4." in feedback_text(view)
    for menu, place in zip(menus, (2, 1, 3, 4)):
        menu.value = place
    view.check.click()
    text = feedback_text(view)
    assert "Score: 1.67 of 2 points." in text
    assert "A: you ranked it 2nd; the key ranks it 1st." in text
    assert "C: right, 3rd." in text


def test_an_incomplete_ranking_says_what_it_needs_as_it_saves_and_under_validate(demo, capsys, monkeypatch):
    view = demo.view("rk")
    view.controls[0].value = 1
    view.controls[1].value = 1
    note = "Give each response its own rank, from 1st to 4th, each rank once."
    assert f"<p><strong>Note:</strong> {note}</p>" in view.status.value
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    capsys.readouterr()
    demo.recorded("rk")
    assert capsys.readouterr().err == f"rk has no complete answer yet.\n('Demo ranking')\n{note}\nAnswer it above, then validate again.\n"
    for menu, rank in zip(view.controls, (1, 2, 3, 4)):
        menu.value = rank
    assert "Note:" not in view.status.value
