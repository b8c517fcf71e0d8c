import pytest
from hypothesis import given, strategies as st

from peercourse.items import ItemError
from peercourse.items.single_best import FORMAT, score

from conftest import OPTIONS4, answers_on_disk, feedback_text


def test_score_is_all_or_nothing():
    assert score("B", "B", 2) == 2.0
    assert score("A", "B", 2) == 0.0
    assert score(None, "B", 2) == 0.0


@given(answer=st.sampled_from([None, *OPTIONS4]), key=st.sampled_from(list(OPTIONS4)), points=st.integers(1, 10))
def test_score_stays_in_bounds_and_the_key_earns_full_points(answer, key, points):
    assert 0 <= score(answer, key, points) <= points
    assert score(key, key, points) == points


def test_saved_values_are_checked(demo):
    item = demo.item("sb")
    assert FORMAT.read_answer(item, None) is None
    assert FORMAT.read_answer(item, "C") == "C"
    for bad in ("Z", 3, ["A"], {"A": 1}):
        with pytest.raises(ItemError):
            FORMAT.read_answer(item, bad)


def test_choosing_saves_at_once_and_building_saves_nothing(demo):
    view = demo.view("sb")
    assert not demo.responses.path.exists()
    (choice,) = view.controls
    assert choice.value is None and choice.description == "Your choice"
    assert [label for label, _ in choice.options][0] == "A. Ask what would help most today."
    choice.value = "C"
    assert answers_on_disk(demo) == {"sb": "C"}
    assert "Saved at" in view.status.value


def test_reopening_restores_the_choice_without_writing(demo):
    from peercourse import open_lesson

    demo.view("sb").controls[0].value = "B"
    before = demo.responses.path.read_bytes()
    again = open_lesson("demo", demo.responses.path.parent)
    assert again.view("sb").controls[0].value == "B"
    assert demo.responses.path.read_bytes() == before


def test_check_says_right_or_wrong_in_words_with_every_rationale(demo):
    view = demo.view("sb")
    view.controls[0].value = "C"
    view.check.click()
    text = feedback_text(view)
    assert "Score: 0 of 2 points." in text
    assert "Not the best response: you chose C; the best response is A." in text
    for letter in "ABCD":
        assert f"{letter}. Why {letter} is or is not effective." in text
    view.controls[0].value = "A"
    assert feedback_text(view).strip() == "Your answer has changed since you checked it. Press Check my answer again."
    view.check.click()
    assert "Right: A is the best response." in feedback_text(view)


def test_graded_item_confirms_the_save_and_says_nothing_of_correctness(demo):
    view = demo.view("gsb")
    assert view.check is None and view.feedback is None
    view.controls[0].value = "D"
    assert answers_on_disk(demo) == {"gsb": "D"}
    assert "scored when your instructor grades" in view.status.value
    assert "right" not in view.status.value.lower()
