import pytest
from hypothesis import given, strategies as st

from peercourse.items import ItemError
from peercourse.items.rating import FORMAT, score

from conftest import answers_on_disk, feedback_text

KEY = {"A": 4, "B": 2, "C": 1, "D": 3}
# largest distances the key allows: A 3, B 2, C 3, D 2 -> 10 in all


def test_partial_credit_by_distance_from_the_key():
    assert score(KEY, KEY, 2) == 2.0
    # one step off on A: 1 of 10
    assert score({"A": 3, "B": 2, "C": 1, "D": 3}, KEY, 2) == pytest.approx(1.8)
    # the farthest rating for every response
    assert score({"A": 1, "B": 4, "C": 4, "D": 1}, KEY, 2) == 0.0
    # unrated responses count as the farthest: B and D missing -> 4 of 10
    assert score({"A": 4, "C": 1}, KEY, 2) == pytest.approx(1.2)
    assert score(None, KEY, 2) == 0.0
    # A 2 off, B 1 off, C exact, D 1 off: 4 of 10
    assert score({"A": 2, "B": 3, "C": 1, "D": 4}, KEY, 4) == pytest.approx(2.4)


ratings = st.fixed_dictionaries({letter: st.one_of(st.none(), st.integers(1, 4)) for letter in "ABCD"})
keys = st.fixed_dictionaries({letter: st.integers(1, 4) for letter in "ABCD"})


@given(answer=ratings, key=keys, points=st.integers(1, 10))
def test_bounds_and_key(answer, key, points):
    assert 0 <= score(answer, key, points) <= points + 1e-9
    assert score(key, key, points) == pytest.approx(points)


def test_saved_values_are_checked(demo):
    item = demo.item("rt")
    assert FORMAT.read_answer(item, {"A": 2}) == {"A": 2, "B": None, "C": None, "D": None}
    for bad in ([4, 2], {"A": 5}, {"A": "4"}, {"A": True}, {"E": 1}):
        with pytest.raises(ItemError):
            FORMAT.read_answer(item, bad)


def test_one_labelled_menu_per_response(demo):
    from peercourse import open_lesson

    view = demo.view("rt")
    menus = view.controls
    assert [m.description for m in menus] == [
        "A. Ask what would help most today.", "B. Tell them what worked for you.",
        "C. Explain the program rules first.", "D. Say nothing and wait it out."]
    assert [label for label, _ in menus[0].options] == [
        "1 - very ineffective", "2 - ineffective", "3 - effective", "4 - very effective"]
    menus[0].value = 4
    menus[2].value = 2
    assert answers_on_disk(demo) == {"rt": {"A": 4, "B": None, "C": 2, "D": None}}
    restored = open_lesson("demo", demo.responses.path.parent).view("rt").controls
    assert [m.value for m in restored] == [4, None, 2, None]


def test_check_reports_each_rating_in_words(demo):
    view = demo.view("rt")
    menus = view.controls
    for menu, value in zip(menus, (4, 3, 1, 3)):
        menu.value = value
    view.check.click()
    text = feedback_text(view)
    assert "Score: 1.8 of 2 points." in text  # B one step off: 1 of 10
    assert "A: right, 4 (very effective)." in text
    assert "B: you rated it 3; the key rates it 2 (ineffective), 1 step away." in text
