"""The exam bank: its files are read like items files, checked for the exam's format and for
the clues a bank's size makes measurable, and drawn from by exam practice."""
from __future__ import annotations

import shutil

from peercourse import authoring_checks, cli, exam_bank, lesson_sources
from peercourse.authoring_checks import AuthoringSettings
from peercourse.exam_practice import ExamPractice

from conftest import ROOT, _item, write_bank

SITUATIONS = [
    "Dana calls after missing two groups and says she feels like giving up on the program.",
    "Luis asks whether the peer support specialist can come with him to a housing office.",
    "A family member phones to ask how her adult son is doing in the program.",
    "Kim says her new medicine makes her tired and she wants to stop taking it tomorrow.",
    "Omar brings a small gift card to thank the peer support specialist for their help.",
    "Ray mentions that a coworker at the peer agency shared his story at a party.",
    "Mei asks for help reading a letter that says her benefits will end next month.",
    "Tom says he was turned away from a shelter because of his service dog.",
]


# plain options of like length: none asks the person anything or holds an absolute word
PLAIN = {"A": "Offer a leaflet about the program.", "B": "Tell them your own story first.",
         "C": "Wait in silence for a while.", "D": "Explain the program rules again."}


def bank_items(keys: str, options=PLAIN, prompts=SITUATIONS) -> list[dict]:
    return [_item(f"xb-t-{n:02d}", "single_best", key=key, points=1, options=dict(options),
                  prompt=f"{prompt}\n\nWhat should the peer support specialist do?")
            for n, (key, prompt) in enumerate(zip(keys, prompts), start=1)]


def bank_source(tmp_path, items, name="test-area"):
    folder = tmp_path / "exam-practice" / exam_bank.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return lesson_sources.read_bank_source(write_bank(folder, items, lesson=name))


def test_a_bank_with_keys_spread_over_a_to_d_and_plain_options_passes(tmp_path):
    assert authoring_checks.bank_problems(bank_source(tmp_path, bank_items("ABCDDCBA"))) == []


def test_a_bank_above_the_reading_grade_limit_is_flagged(tmp_path):
    from peercourse import readability

    bank = bank_source(tmp_path, bank_items("ABCDDCBA"))
    grade = readability.grade(bank)
    assert authoring_checks.bank_problems(bank, AuthoringSettings(reading_grade_limit=1.0)) == [
        f"exam-practice/test-area.items.yaml: reads at grade {grade:g}, above the course's limit of 1"]


def test_keys_piled_on_one_letter_or_missing_a_letter_are_flagged(tmp_path):
    assert authoring_checks.bank_problems(bank_source(tmp_path, bank_items("AAABBBCC"))) == [
        "exam-practice/test-area.items.yaml: the key is D in only 0 of 8 items; spread keys over A to D"]
    assert authoring_checks.bank_problems(bank_source(tmp_path, bank_items("AAAABBCD"))) == [
        "exam-practice/test-area.items.yaml: the best option is A in 4 of 8 items, a clue",  # 50% > 40%
        "exam-practice/test-area.items.yaml: the key is C in only 1 of 8 items; spread keys over A to D",  # < 15%
        "exam-practice/test-area.items.yaml: the key is D in only 1 of 8 items; spread keys over A to D",
    ]


def test_absolute_words_in_wrong_options_more_than_in_keys_are_flagged(tmp_path):
    marked = {"A": "Offer a leaflet about the program.", "B": "Always tell them your own story first.",
              "C": "Never wait in silence for a while.", "D": "Explain the program rules again."}
    found = authoring_checks.bank_problems(bank_source(tmp_path, bank_items("ADADDADA", marked)))
    assert found[-1] == ("exam-practice/test-area.items.yaml: 16 of 24 wrong options hold an absolute word (always, "
                         "never, only...) but 0 of 8 right ones do: such words mark the wrong answers")
    # the same words in keys as often as in wrong options are no clue
    keyed = bank_items("BCBCBCBC", marked)
    assert not any("absolute word" in problem for problem in authoring_checks.bank_problems(bank_source(tmp_path, keyed)))


def test_only_single_best_items_with_four_options_belong_in_the_bank(tmp_path):
    items = bank_items("ABCDDCBA")
    items[1] = _item("xb-t-02", "select_all", key=["A", "C"], points=1, prompt=SITUATIONS[1])
    items[2]["options"] = {**items[2]["options"], "E": "Call their family."}
    items[2]["rationales"] = {**items[2]["rationales"], "E": "Why E is not effective."}
    found = authoring_checks.bank_problems(bank_source(tmp_path, items), AuthoringSettings(balance_from=20))
    assert found == [
        "exam-practice/test-area.items.yaml: xb-t-02 should be single best answer with options A to D, as on the exam",
        "exam-practice/test-area.items.yaml: xb-t-03 should be single best answer with options A to D, as on the exam",
    ]


def test_two_prompts_that_share_most_of_their_words_are_named_wherever_they_are(tmp_path):
    bank = bank_source(tmp_path, bank_items("ABCD"))
    twin = _item("l9-p01", "single_best", key="B", prompt="Dana calls after missing two groups; she says she feels "
                 "like giving up on the program.\n\nWhat should the peer support specialist do first?")
    (tmp_path / "lesson-9" / "bank").mkdir(parents=True)
    lesson = lesson_sources.read_bank_source(write_bank(tmp_path / "lesson-9" / "bank", [twin], lesson="lesson"))
    items = [("exam-practice/test-area.items.yaml", item) for item in bank.bank.items.values()]
    items.append(("lesson-9/demo.ipynb", lesson.bank.items["l9-p01"]))
    found = authoring_checks.duplicate_problems(items)
    # content words: dana calls missing groups feels like giving program peer support specialist (11), and
    # the twin's "first": 11 of 12 in common
    assert found == ["exam-practice/test-area.items.yaml: xb-t-01 and l9-p01 (lesson-9/demo.ipynb) share 92% of their "
                     "prompts' content words: the same scenario twice?"]
    assert authoring_checks.duplicate_problems(items, AuthoringSettings(near_duplicate_overlap=0.95)) == []


def test_peercourse_check_checks_the_bank_with_the_lessons(tmp_path, capsys):
    shutil.copytree(ROOT / "tests/fixtures/course/source", tmp_path / "source")
    folder = tmp_path / "source" / "exam-practice" / exam_bank.FOLDER
    folder.mkdir(parents=True)
    write_bank(folder, bank_items("AAABBBCC"), lesson="test-area")
    assert cli.main(["--course", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "exam-practice/test-area.items.yaml: the key is D in only 0 of 8 items; spread keys over A to D",
        "checked 1 lessons and 1 exam-bank files: 1 problem(s)",
    ]


def test_exam_practice_draws_only_from_the_bank_when_there_is_one(fixture_release):
    folder = fixture_release / "exam-practice"
    practice = ExamPractice(seed=3, count=500, directory=folder)
    assert all(item_id.startswith("l9-p") for item_id in practice.bank.items)  # no bank: the lessons' practice items
    (folder / exam_bank.FOLDER).mkdir()
    write_bank(folder / exam_bank.FOLDER, bank_items("ABCDDCBA"), lesson="test-area")
    practice = ExamPractice(seed=3, count=500, directory=folder)
    assert sorted(practice.bank.items) == [f"xb-t-{n:02d}" for n in range(1, 9)]
    assert set(practice.source_of.values()) == {"the exam bank"}
    first = list(ExamPractice(seed=3, count=5, directory=folder).bank.items)
    assert len(first) == 5 and list(ExamPractice(seed=3, count=5, directory=folder).bank.items) == first  # a seed's form
    assert list(ExamPractice(seed=4, count=5, directory=folder).bank.items) != first


def test_coverage_counts_the_bank_by_area_and_key_letter(tmp_path):
    from peercourse.coverage import render

    items = bank_items("ABCDDCBA")
    items[0]["exam_area"] = items[1]["exam_area"] = "Crisis Management"
    page = render([], banks=[bank_source(tmp_path, items)])
    assert "\n## The exam bank\n" in page and "exam practice and the full practice exam: 8 items." in page
    assert "| Interpersonal Skills | 6 | 1 | 1 | 2 | 2 |" in page.splitlines()  # keys C D D C B A
    assert page.endswith("| Resource Linkage | 0 | 0 | 0 | 0 | 0 |\n| Crisis Management | 2 | 1 | 1 | 0 | 0 |\n")
