"""One format, one module: everything that differs between item formats lives in its module
in src/peercourse/items/, and the rest of the package asks the format instead of testing its
name. A new format is then one new module (and its tests), with nothing to change elsewhere."""
from __future__ import annotations

import ast
import json
import random
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from peercourse.exports import encode_choice
from peercourse.itembank import BASE, build_schema
from peercourse.items import FORMATS, Item, ItemError, ItemFormat

from conftest import DEMO_ITEMS, ROOT

PACKAGE = ROOT / "src" / "peercourse"
NAMES = "|".join(map(re.escape, FORMATS))
# a format's name as a string ("reflection"), or a test of an item's or format's name
SWITCHES = [
    re.compile(rf"""["']({NAMES})["']"""),
    re.compile(r"\.format\s*(==|!=|\bin\b|\bnot in\b)"),
    re.compile(r"\b(fmt|fmt\.name)\s*(==|!=|in\s*[(\[{]|not in\s*[(\[{])"),
]


def switches_in(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if any(pattern.search(line) for pattern in SWITCHES):
            found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_no_code_outside_the_items_package_tests_a_format_by_name():
    outside = [path for path in sorted(PACKAGE.rglob("*.py")) if (PACKAGE / "items") not in path.parents]
    assert len(outside) > 20  # the whole package is searched
    assert [line for path in outside for line in switches_in(path)] == []


def test_the_search_finds_each_kind_of_switch(tmp_path):
    """The patterns above catch the switches this test replaced."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        'if item.format == "single_best":\n'
        "    pass\n"
        "is_choice = first['format'] in CHOICE\n"
        "x = item.format in (A, B)\n"
        "if fmt == 'rating': pass\n"
        "ok = FORMATS[item.format].encode(item, answer)\n"
    )
    assert switches_in(sample) == ['sample.py:1: if item.format == "single_best":', "sample.py:4: x = item.format in (A, B)",
                                   "sample.py:5: if fmt == 'rating': pass"]


OVERRIDDEN_BY_CHOICE_FORMATS = ("encode", "option_measures", "sample_answer")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_fills_in_what_the_rest_of_the_package_asks_of_it(name):
    fmt = FORMATS[name]
    assert fmt.name == name and fmt.label and fmt.short_label
    assert fmt.chart in ("shares", "two_picks", "scale", "")
    assert (fmt.chart != "") == fmt.has_options
    assert fmt.has_options != fmt.written  # options to choose among, or one's own words
    overridden = {method for method in vars(type(fmt)) if callable(getattr(type(fmt), method))}
    required = {"check_key", "read_answer", "score", "describe", "judge", "controls", "sample_answer"}
    if fmt.has_options:
        required |= set(OVERRIDDEN_BY_CHOICE_FORMATS)
    else:
        required |= {"model_answer"}
    assert required - overridden == set()


def test_a_format_module_defines_its_module_level_format_and_nothing_imports_the_modules_directly():
    """Outside items/, formats are reached through FORMATS only (one registry to extend)."""
    direct = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "items") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and re.search(rf"items\.({NAMES})$", node.module):
                direct.append(f"{path.relative_to(ROOT)}: from {node.module} import ...")
    assert direct == []


def _item(name: str) -> Item:
    options = {letter: f"Option {letter}" for letter in "ABCD"}
    return Item(id=f"t-{name}", format=name, mode="graded", points=2, title="t", prompt="Say what you think.",
                exam_area="x", competencies=(1,), options={} if FORMATS[name].written else options, min_words=10)


KEYS = {"single_best": "C", "most_least": {"most": "B", "least": "D"}, "rating": {"A": 4, "B": 1, "C": 3, "D": 2},
        "ranking": ["C", "A", "D", "B"], "select_all": ["A", "C"], "reflection": None}
ENCODED_KEYS = {"single_best": "C", "most_least": "most=B;least=D", "rating": "A=4;B=1;C=3;D=2",
                "ranking": "C>A>D>B", "select_all": "A;C", "reflection": ""}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_model_answer_scores_full_points_and_encodes_as_the_key(name):
    fmt, item = FORMATS[name], _item(name)
    answer = fmt.model_answer(item, KEYS[name])
    assert fmt.score(item, answer, KEYS[name]) == 2.0
    assert encode_choice(item, answer) == ENCODED_KEYS[name]
    assert encode_choice(item, None) == ""


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_sure_synthetic_learner_answers_as_the_model_and_a_lost_one_scores_less(name):
    fmt, item = FORMATS[name], _item(name)
    sure = fmt.sample_answer(item, KEYS[name], 1.0, random.Random(1))
    assert fmt.score(item, sure, KEYS[name]) == 2.0
    lost = [fmt.score(item, fmt.sample_answer(item, KEYS[name], 0.0, random.Random(seed)), KEYS[name]) for seed in range(20)]
    # a choice is always off the key; a lost learner still completes a reflection now and then
    assert (min(lost) if fmt.written else max(lost)) < 2.0


def test_the_report_measures_of_each_choice_format_worked_by_hand():
    options = list("ABCD")
    measured = {name: list(FORMATS[name].option_measures(options, KEYS[name], choices)) for name, choices in {
        "single_best": ["C", "C", "A"],
        "most_least": ["most=B;least=D", "most=A;least=D"],
        "rating": ["A=4;B=2", "A=3;C=3"],
        "ranking": ["C>A>D>B", "A>C>D>B"],
        "select_all": ["A;C", "A"],
    }.items()}
    assert measured["single_best"] == [("chosen", "A", 1 / 3, False), ("chosen", "B", 0.0, False),
                                       ("chosen", "C", 2 / 3, True), ("chosen", "D", 0.0, False)]
    assert measured["most_least"][:4] == [("most", "A", 0.5, False), ("most", "B", 0.5, True),
                                          ("most", "C", 0.0, False), ("most", "D", 0.0, False)]
    assert measured["most_least"][7] == ("least", "D", 1.0, True)
    assert [(o, v, k) for _, o, v, k in measured["rating"][:3]] == [("A", 3.5, 4), ("B", 2.0, 1), ("C", 3.0, 3)]
    assert [(o, v, k) for _, o, v, k in measured["ranking"]] == [("A", 1.5, 2), ("B", 4.0, 4), ("C", 1.5, 1), ("D", 3.0, 3)]
    assert [(o, v, k) for _, o, v, k in measured["select_all"]] == [("A", 1.0, True), ("B", 0.0, False),
                                                                     ("C", 0.5, True), ("D", 0.0, False)]
    assert FORMATS["single_best"].unchosen_flags(measured["single_best"]) == [
        "option B chosen by nobody", "option D chosen by nobody"]
    # most/least flags only the key's own picks that nobody made
    assert FORMATS["most_least"].unchosen_flags(measured["most_least"]) == []
    missed = list(FORMATS["most_least"].option_measures(options, KEYS["most_least"], ["most=A;least=B"]))
    assert FORMATS["most_least"].unchosen_flags(missed) == ["option B chosen as most by nobody",
                                                             "option D chosen as least by nobody"]
    assert FORMATS["rating"].unchosen_flags(measured["rating"]) == []


def test_the_base_class_gives_no_choice_for_a_format_that_does_not_say_how():
    class Bare(ItemFormat):
        name = "bare"

    assert Bare().encode(_item("single_best"), "A") == ""
    assert list(Bare().option_measures(["A"], "A", ["A"])) == []
    assert Bare().best_option("A") is None and Bare().right_options(["A"]) is None


# -- each format's part of items.schema.json ----------------------------------------------


def formats_named_in(text: str) -> list[str]:
    """The formats whose name (single_best) or label (Single best answer) the text uses."""
    return [word for fmt in FORMATS.values() for word in (fmt.name, fmt.label)
            if re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE)]


def test_the_hand_written_part_of_the_schema_names_no_format():
    """items.schema.json is itembank.BASE plus what each format says of its entry, so a new
    format needs no schema edit by hand (`peercourse schema` rewrites the file)."""
    assert formats_named_in(json.dumps(BASE)) == []
    # the search finds them where they are: in the built schema, and in words
    assert set(formats_named_in(json.dumps(build_schema()))) >= set(FORMATS)
    assert formats_named_in('Only a Reflection has it; "rating" too') == ["rating", "reflection", "Reflection"]


WRONG_KEYS = [42, "Z", ["Z"], {"Z": 9}]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_says_what_its_entry_holds_and_its_key_schema_fits_its_keys(name):
    fmt = FORMATS[name]
    assert fmt.answer_words
    # Choosing among options is checked against a key (and a practice item explains each option);
    # an answer in one's own words has none, and its entry_words give the schema's reason instead.
    assert (fmt.key_schema is not None) == fmt.has_options
    assert bool(fmt.entry_words) == (fmt.key_schema is None)
    if fmt.key_schema is None:
        return
    assert fmt.key_schema["description"]
    check = Draft202012Validator({**fmt.key_schema, "$defs": BASE["$defs"]})
    keys = [KEYS[name]] + [raw["key"] for raw in DEMO_ITEMS if raw["format"] == name and "key" in raw]
    for key in keys:
        fmt.check_key(_item(name), key)  # the keys are right, as the format's own check says
    assert [key for key in keys if not check.is_valid(key)] == []
    assert [key for key in WRONG_KEYS if check.is_valid(key)] == []
    for key in WRONG_KEYS:
        with pytest.raises(ItemError):
            fmt.check_key(_item(name), key)


def test_a_new_format_takes_its_place_in_the_schema_with_no_edit_by_hand(monkeypatch):
    class Poll(ItemFormat):
        name = "poll"
        answer_words = "pick the response the group would give"
        key_schema = {"description": "A poll's key is the group's pick, for example B.", "$ref": "#/$defs/letter"}

    monkeypatch.setitem(FORMATS, "poll", Poll())
    built = build_schema()
    item = built["$defs"]["item"]
    assert item["properties"]["format"]["enum"][-1] == "poll"
    assert "poll (pick the response the group would give)" in item["properties"]["format"]["description"]
    entry = {"id": "p1", "format": "poll", "mode": "practice", "points": 1, "title": "t", "prompt": "p",
             "exam_area": "Advocacy", "competencies": [2], "options": {"A": "a", "B": "b", "C": "c"},
             "rationales": {"A": "a", "B": "b", "C": "c"}}
    check = Draft202012Validator(built)
    assert list(check.iter_errors({"lesson": "demo", "items": [{**entry, "key": "B"}]})) == []
    assert [error.message for error in check.iter_errors({"lesson": "demo", "items": [{**entry, "key": ["B"]}]})] == [
        "['B'] is not one of ['A', 'B', 'C', 'D', 'E', 'F']"]
    assert not check.is_valid({"lesson": "demo", "items": [{**entry, "key": "B", "min_words": 5}]})
