from hypothesis import given, strategies as st

from peercourse.items.reflection import FORMAT, is_complete, own_words, score, words

from conftest import answers_on_disk

PROMPT = "What does hope mean to you in your own recovery?"


def test_words_count_letters_in_any_script():
    assert words("Hope, for me, isn't loud. ¡Sí! שלום עולם 🙂") == ["hope", "for", "me", "isn't", "loud", "sí", "שלום", "עולם"]


def test_runs_copied_from_the_prompt_are_not_the_learners_own():
    text = "What does hope mean to you in your own recovery? It means waking up and trying again."
    assert own_words(text, PROMPT) == ["it", "means", "waking", "up", "and", "trying", "again"]


def test_completion_needs_enough_different_words_of_ones_own():
    own = "Hope means I can picture a next week that is a little better than this one"
    assert len(words(own)) == 16
    assert is_complete(own, PROMPT, 10)
    assert not is_complete(own, PROMPT, 17)
    assert not is_complete(PROMPT + " " + PROMPT, PROMPT, 10)
    assert not is_complete("hope " * 40, PROMPT, 10)  # one word repeated
    assert score(own, PROMPT, 10, 1) == 1.0
    assert score("Too short.", PROMPT, 10, 1) == 0.0
    assert score(None, PROMPT, 10, 1) == 0.0


@given(text=st.text(max_size=300), points=st.integers(1, 5), min_words=st.integers(1, 50))
def test_score_is_all_or_nothing(text, points, min_words):
    assert score(text, PROMPT, min_words, points) in (0.0, float(points))


def test_typing_saves_each_change_and_counts_words_live(demo):
    from peercourse import open_lesson

    view = demo.view("rf")
    box, count = view.controls
    assert box.description == "Your reflection"
    assert count.value == "Words: 0. Aim for at least 10 words of your own."
    box.value = "Hope is <b>a door</b> I open 🙂"
    assert count.value == "Words: 8. Aim for at least 10 words of your own."  # tags are plain text: b counts
    assert answers_on_disk(demo) == {"rf": "Hope is <b>a door</b> I open 🙂"}
    assert open_lesson("demo", demo.responses.path.parent).view("rf").controls[0].value == box.value


def test_graded_reflection_has_no_check_button(demo):
    assert demo.view("rf").check is None
    assert FORMAT.read_answer(demo.item("rf"), "   ") is None
