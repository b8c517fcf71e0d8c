import pytest
from hypothesis import given, strategies as st

from peercourse.items import ItemError
from peercourse.items.most_least import FORMAT, score

from conftest import OPTIONS4, answers_on_disk, feedback_text

KEY = {"most": "A", "least": "D"}
pick = st.sampled_from([None, *OPTIONS4])


def test_each_right_pick_earns_half():
    assert score({"most": "A", "least": "D"}, KEY, 2) == 2.0
    assert score({"most": "A", "least": "B"}, KEY, 2) == 1.0
    assert score({"most": "C", "least": "D"}, KEY, 2) == 1.0
    assert score({"most": "D", "least": "A"}, KEY, 2) == 0.0
    assert score({"most": "A", "least": None}, KEY, 2) == 1.0
    assert score(None, KEY, 2) == 0.0


@given(most=pick, least=pick, points=st.integers(1, 10))
def test_bounds_and_key(most, least, points):
    assert 0 <= score({"most": most, "least": least}, KEY, points) <= points
    assert score(KEY, KEY, points) == points


def test_saved_values_are_checked(demo):
    item = demo.item("ml")
    assert FORMAT.read_answer(item, {"most": "B"}) == {"most": "B", "least": None}
    assert FORMAT.read_answer(item, {"most": None, "least": None}) is None
    for bad in ("A", {"best": "A"}, {"most": "Z"}, {"most": 1}):
        with pytest.raises(ItemError):
            FORMAT.read_answer(item, bad)


def test_two_labelled_picks_save_together_and_restore(demo):
    from peercourse import open_lesson

    view = demo.view("ml")
    most, least = view.controls
    assert (most.description, least.description) == ("Most effective", "Least effective")
    most.value = "A"
    assert answers_on_disk(demo) == {"ml": {"most": "A", "least": None}}
    least.value = "B"
    assert answers_on_disk(demo) == {"ml": {"most": "A", "least": "B"}}
    restored = open_lesson("demo", demo.responses.path.parent).view("ml").controls
    assert [w.value for w in restored] == ["A", "B"]


def test_check_judges_each_pick(demo):
    view = demo.view("ml")
    view.controls[0].value = "A"
    view.controls[1].value = "B"
    view.check.click()
    text = feedback_text(view)
    assert "Score: 1 of 2 points." in text
    assert "Right: A is the most effective response." in text
    assert "Not right: you picked B as least effective; the key's pick is D." in text
    assert "D. Why D is or is not effective." in text


def test_the_same_response_as_most_and_least_is_not_an_answer_and_says_why(demo, capsys, monkeypatch):
    """Picking one response as both most and least effective used to save silently and pass
    Validate. It still saves (nothing the learner did is lost), the item says what to fix,
    and Validate fails with that sentence."""
    view = demo.view("ml")
    most, least = view.controls
    most.value, least.value = "A", "A"
    assert demo.responses.load().answers["ml"]["value"] == {"most": "A", "least": "A"}
    assert ("<p><strong>Note:</strong> You chose A as both the most and the least effective response. "
            "Choose a different response for one of them.</p>") in view.status.value
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    capsys.readouterr()
    demo.recorded("ml")
    assert capsys.readouterr().err == (
        "ml has no complete answer yet.\n('Demo most_least')\nYou chose A as both the most and the least effective "
        "response. Choose a different response for one of them.\nAnswer it above, then validate again.\n")
    least.value = "C"
    assert "Note:" not in view.status.value
    demo.recorded("ml")
    assert capsys.readouterr().err == ""
