import pytest
from hypothesis import given, strategies as st

from peercourse.items.reflection import FORMAT, counted_words, is_complete, is_real_word, own_words, score, words

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
    assert count.value == "Words: 6. Aim for at least 10 words of your own."  # tags are plain text; b is no word
    assert answers_on_disk(demo) == {"rf": "Hope is <b>a door</b> I open 🙂"}
    assert open_lesson("demo", demo.responses.path.parent).view("rf").controls[0].value == box.value


def test_graded_reflection_has_no_check_button(demo):
    assert demo.view("rf").check is None
    assert FORMAT.read_answer(demo.item("rf"), "   ") is None


REAL = ("Hope for me is the small plan I make each morning. Some days it means calling my sister, "
        "other days it means going to group even when I feel tired. It grows when someone listens without "
        "judging me and trusts that I know what my next step should be.")


def test_a_real_reflection_of_forty_words_is_complete():
    assert len(counted_words(REAL, PROMPT)) == 49 and len(set(counted_words(REAL, PROMPT))) == 40
    assert score(REAL, PROMPT, 40, 1) == 1.0


@pytest.mark.parametrize("filler", [
    " ".join(str(n) for n in range(1, 61)),  # 1 2 3 ... 60
    " ".join(f"x{n}" for n in range(1, 61)),  # x1 x2 ... x60
    " ".join(f"w{n}rd" for n in range(1, 61)),  # digits inside words
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
     "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex "
     "ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat "
     "nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit "
     "anim id est laborum.") * 3,
    " ".join("abcdefghijklmnopqrstuvwxyz") * 3,  # single letters
    "asdf qwerty blah " * 20,
    ("I feel hope and I feel calm and " * 10),  # real words, but the same few over and over
])
def test_numbers_filler_and_repeats_earn_no_completion_point(filler):
    assert len(words(filler)) >= 40
    assert score(filler, PROMPT, 40, 1) == 0.0


def test_what_counts_as_a_word():
    assert [w for w in ["hope", "i", "a", "y", "x", "b", "x1", "2026", "don't", "sí", "lorem", "blah", "שלום"]
            if is_real_word(w)] == ["hope", "i", "a", "y", "don't", "sí", "שלום"]


def test_the_judgement_says_what_counts():
    item = type("I", (), {"prompt": PROMPT, "min_words": 40})
    assert FORMAT.judge(item, REAL) == ["Complete: 49 words of your own (at least 40 needed)."]
    assert FORMAT.judge(item, "1 2 3 hope") == [
        "Not complete yet: 1 words count, 1 of them different. At least 40 are needed, more than half of them "
        "different: real words in your own words, not numbers, filler, or the question's words."]


def test_the_word_counter_says_when_a_reflection_is_complete_and_validate_and_progress_agree(demo, capsys, monkeypatch):
    """The counter confirms completion by the rule that awards the point. A short reflection
    fails Validate in the course's words (not "Partial credit"), and its visible test cell
    shows no number for the learner: only autograde gets the points as a value."""
    from peercourse.items.reflection import sample_text

    view = demo.view("rf")
    box, counter = view.controls
    box.value = "Someone listened to me."
    assert counter.value == "Words: 4. Aim for at least 10 words of your own."
    assert "Note:" not in view.status.value  # the counter says it; no second message at every keystroke
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    capsys.readouterr()
    demo.recorded("rf")
    assert capsys.readouterr().err.startswith("rf has no complete answer yet.\n('Demo reflection')\nNot complete yet: 4 words count")
    assert demo.score("rf") is None
    text = sample_text(demo.item("rf"))
    box.value = text
    assert counter.value == "Words: 59. Enough: this reflection is complete. You can keep writing if you like."
    assert "Note:" not in view.status.value
    demo.recorded("rf")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert demo.score("rf") == 1.0
