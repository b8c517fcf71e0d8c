import pytest

from peercourse import open_lesson
from peercourse.responses import ResponsesError

from conftest import write_bank

KEY_RATIONALES = {letter: f"Hidden rationale {letter}." for letter in "ABCD"}


@pytest.fixture
def graded(demo):
    demo.responses.save_many({"gsb": "B", "rt": {"A": 3, "B": 2, "C": 1, "D": 3}})
    return demo


def test_opening_tells_the_learner_where_answers_go(tmp_path, learner, capsys):
    write_bank(tmp_path)
    open_lesson("demo", tmp_path)
    assert capsys.readouterr().out == "Your answers save automatically, as you give them, to demo.responses.json.\n"


def test_opening_with_a_damaged_file_says_so_and_keeps_it(tmp_path, learner, capsys):
    write_bank(tmp_path)
    (tmp_path / "demo.responses.json").write_text("{oops")
    open_lesson("demo", tmp_path)
    out = capsys.readouterr().out
    assert "Your saved answers could not be read: demo.responses.json is not valid JSON" in out
    assert "Nothing has been deleted." in out
    assert (tmp_path / "demo.responses.json").read_text() == "{oops"


def test_recorded_prints_the_answer_in_words(graded, capsys):
    graded.recorded("gsb")
    assert capsys.readouterr().out == "Demo single_best (gsb), recorded answer: B. Tell them what worked for you.\n"


def test_an_unanswered_item_is_mentioned_to_a_learner_and_fails_validate_on_stderr(demo, capsys, monkeypatch):
    demo.recorded("sa")
    assert capsys.readouterr().out.endswith("sa has no complete answer yet. ('Demo select_all')\n")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    demo.recorded("sa")
    assert capsys.readouterr().err == "sa has no complete answer yet.\n('Demo select_all')\nAnswer it above, then validate again.\n"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    # grading goes on quietly; 0.0 means a test cell that lost its hidden part earns nothing
    assert demo.recorded("sa") == 0.0
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    demo.responses.save("sa", ["A"])
    assert demo.recorded("sa") is None  # an answered item passes validate


def test_score_returns_the_points_and_prints_why(graded, capsys):
    assert graded.score("gsb", key="A", rationales=KEY_RATIONALES) == 0.0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "Score: 0 of 2 points.",
        "Not the best response: you chose B; the best response is A.",
        "Why each response is or is not effective:",
    ]
    assert "B. Hidden rationale B." in out
    assert graded.score("rt", key={"A": 4, "B": 2, "C": 1, "D": 3}, rationales=KEY_RATIONALES) == 1.8


def test_score_reads_the_file_as_it_is_now(demo):
    demo.responses.save("gsb", "A")  # e.g. written by another open copy
    assert demo.score("gsb", key="A", rationales=KEY_RATIONALES) == 2.0


@pytest.mark.parametrize(
    "item_id, key, rationales, message",
    [
        ("nope", "A", KEY_RATIONALES, "Item nope could not be scored (there is no item 'nope' in demo)."),
        ("gsb", "Z", KEY_RATIONALES, "Item gsb could not be scored (The key 'Z' is not one of this item's options (A, B, C, D))."),
        ("gsb", "A", {"A": "only one"}, "Item gsb could not be scored (gsb: every option needs a rationale (A, B, C, D))."),
    ],
)
def test_a_scoring_problem_earns_zero_and_says_so_instead_of_raising(graded, capsys, item_id, key, rationales, message):
    assert graded.score(item_id, key=key, rationales=rationales) == 0.0
    assert capsys.readouterr().out.startswith(message)


def test_a_fault_in_the_course_code_is_raised_with_its_traceback_not_turned_into_zero(graded, monkeypatch):
    """Only problems the course can name earn a quiet 0; a bug must show itself in the cell."""
    from peercourse.items import FORMATS

    def broken(item, answer, key):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(FORMATS["single_best"], "score", broken)
    with pytest.raises(TypeError, match="unsupported operand"):
        graded.score("gsb", key="A", rationales=KEY_RATIONALES)


def test_a_saved_value_of_the_wrong_type_earns_zero_with_a_note(demo, capsys):
    demo.responses.save("gsb", ["A"])
    assert demo.score("gsb", key="A", rationales=KEY_RATIONALES) == 0.0
    assert capsys.readouterr().out.startswith(
        "The saved answer for 'Demo single_best' could not be used: The saved choice ['A'] is not one of this item's options (A, B, C, D).\n"
        "Score: 0 of 2 points.")


def test_under_autograde_show_prints_the_item_and_the_recorded_answer(graded, capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    graded.show("gsb")
    assert capsys.readouterr().out.splitlines() == [
        "Graded item · Single best answer · 2 points",
        "Demo single_best (gsb)",
        "A demo situation for the single_best format.",
        "",
        "What should the peer support specialist do?",
        "  A. Ask what would help most today.",
        "  B. Tell them what worked for you.",
        "  C. Explain the program rules first.",
        "  D. Say nothing and wait it out.",
        "Recorded answer: B. Tell them what worked for you.",
    ]


def test_for_a_learner_show_displays_the_widget(demo, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    demo.show("sb")
    (box,) = shown
    assert "peercourse-item" in box._dom_classes
    assert not demo.responses.path.exists()


def test_a_failed_save_shows_not_saved_and_keeps_the_widget_value(demo, monkeypatch):
    view = demo.view("sb")

    def refuse(*args):
        raise ResponsesError("demo.responses.json could not be written (Read-only file system)")

    monkeypatch.setattr(demo.responses, "save", refuse)
    view.controls[0].value = "B"
    assert view.status.value == "<p><strong>Not saved:</strong> demo.responses.json could not be written (Read-only file system).</p>"
    assert view.controls[0].value == "B"
