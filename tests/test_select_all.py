import pytest
from hypothesis import given, strategies as st

from peercourse.items import ItemError
from peercourse.items.select_all import FORMAT, score

from conftest import answers_on_disk, feedback_text

KEY = ["A", "B"]


def test_net_correct_never_below_zero():
    assert score(["A", "B"], KEY, 2) == 2.0
    assert score(["A"], KEY, 2) == 1.0
    assert score(["A", "B", "C"], KEY, 2) == 1.0
    assert score(["A", "C"], KEY, 2) == 0.0
    assert score(["C", "D"], KEY, 2) == 0.0
    assert score(["A", "B", "C", "D"], KEY, 2) == 0.0
    assert score([], KEY, 2) == 0.0
    assert score(["A", "B", "D"], ["A", "B", "C"], 3) == pytest.approx(1.0)


@given(chosen=st.sets(st.sampled_from("ABCD")), key=st.sets(st.sampled_from("ABCD"), min_size=1), points=st.integers(1, 10))
def test_bounds_and_key(chosen, key, points):
    assert 0 <= score(sorted(chosen), sorted(key), points) <= points
    assert score(sorted(key), sorted(key), points) == points


def test_saved_values_are_checked(demo):
    item = demo.item("sa")
    assert FORMAT.read_answer(item, ["C", "A"]) == ["A", "C"]
    assert FORMAT.read_answer(item, []) == []
    for bad in ("A", ["A", "A"], ["Z"], [1], {"A": True}):
        with pytest.raises(ItemError):
            FORMAT.read_answer(item, bad)


def test_labelled_checkboxes_save_and_restore(demo):
    from peercourse import open_lesson

    view = demo.view("sa")
    boxes = view.controls
    assert [b.description for b in boxes][0] == "A. Ask what would help most today."
    boxes[2].value = True
    boxes[0].value = True
    assert answers_on_disk(demo) == {"sa": ["A", "C"]}
    boxes[2].value = False
    assert answers_on_disk(demo) == {"sa": ["A"]}
    restored = open_lesson("demo", demo.responses.path.parent).view("sa").controls
    assert [b.value for b in restored] == [True, False, False, False]


def test_check_judges_every_option(demo):
    view = demo.view("sa")
    view.controls[0].value = True
    view.controls[3].value = True
    view.check.click()
    text = feedback_text(view)
    assert "Score: 0 of 2 points." in text
    assert "A: you ticked it; right, it applies." in text
    assert "B: you left it unticked; it applies, so it should be ticked." in text
    assert "C: you left it unticked; right, it does not apply." in text
    assert "D: you ticked it; not right, it does not apply." in text
