"""What every item format shares: the item record and the contract a format fulfils."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


class ItemError(ValueError):
    """An item, key or answer that does not fit its format. The message is for people."""


@dataclass(frozen=True)
class Item:
    """One exercise as the learner sees it. Graded items carry no key or rationales here:
    those live only in the hidden test cell of the instructor's notebook."""

    id: str
    format: str
    mode: str  # "graded" or "practice"
    points: float
    title: str
    prompt: str
    exam_area: str
    competencies: tuple[int, ...]
    options: dict[str, str] = field(default_factory=dict)  # letter -> text, display order
    key: Any = None  # practice items only
    rationales: dict[str, str] | None = None  # practice items only
    min_words: int = 0  # reflections only

    @property
    def graded(self) -> bool:
        return self.mode == "graded"


class ItemFormat:
    """The behaviour of one item format. Subclasses live one per module, beside their
    scoring function, which is a pure function of (answer, key, points)."""

    name = ""
    label = ""  # e.g. "Single best answer"
    short_label = ""  # for the report's charts and tables, e.g. "most/least"
    instructions = ""  # one line telling the learner what to do
    has_options = True
    # Answered in the learner's own words, not by choosing options; rubric points come by hand.
    written = False
    # The best option is one pick among those shown, so a key much longer than every other
    # option is a clue (the authors' check).
    best_is_one_pick = False
    # The certification exam's own item format: the exam bank holds only items of it
    # (authoring_checks.bank_problems), with options A to D as on the exam.
    exam_format = False
    # How the report charts the class's choices: "shares" (share who picked each option),
    # "two_picks" (picked as most, as least) or "scale" (mean given against the key's),
    # with the words its axes use; "" for none.
    chart = ""
    chart_words: dict = {}

    # -- its entry in the items file -------------------------------------------------------
    # itembank.build_schema() writes items.schema.json from these and from has_options (an
    # item needs options, and in practice a rationale for each; else it has neither) and
    # written (an item needs min_words; else it may not have it), so that a new format needs
    # no schema edit by hand.
    answer_words = ""  # what the learner does, for the 'format' field: "choose the one best response"
    # A practice item's key as JSON Schema, whose "$ref"s may name the schema's $defs (letter,
    # text). Its "description" gives the key's shape in plain words for authors, and is the
    # reason shown when a key does not fit. None: the format has no key, and an item may not carry one.
    key_schema: dict | None = None
    # For a format without a key: what its entry needs and lacks, in words, shown as the
    # reason when an item breaks that.
    entry_words = ""

    def check_key(self, item: Item, key: Any) -> None:
        """Raise ItemError unless key is a complete, valid key for item."""
        raise NotImplementedError

    def read_answer(self, item: Item, raw: Any) -> Any:
        """Turn a value read from the responses file into an answer, or raise ItemError.
        None means unanswered."""
        raise NotImplementedError

    def is_answered(self, item: Item, answer: Any) -> bool:
        return answer is not None

    def answer_problem(self, item: Item, answer: Any) -> str | None:
        """Why a given answer is not complete yet, in a sentence for the learner, shown under
        the item as it saves and by Validate; None when it is complete or not begun."""
        return None

    def score(self, item: Item, answer: Any, key: Any) -> float:
        raise NotImplementedError

    def describe(self, item: Item, answer: Any) -> str:
        """The answer in words, for formgrader and the feedback."""
        raise NotImplementedError

    def judge(self, item: Item, answer: Any, key: Any) -> list[str]:
        """Sentences saying, for each choice made, whether it is right."""
        raise NotImplementedError

    def key_as_answer(self, item: Item, key: Any) -> Any:
        """The answer a learner who matches the key exactly would have saved."""
        return key

    def controls(self, item: Item, answer: Any, on_change: Callable[[Any], None]) -> list:
        """The ipywidgets a learner answers with, set to answer. on_change(new_answer) is
        wired only after the initial value is set, so building them never saves."""
        raise NotImplementedError

    # -- the class's choices: the per-item export and the item-analysis report ------------

    def encode(self, item: Item, answer: Any) -> str:
        """A choice as text for the export, e.g. "B" or "most=A;least=C"; "" when there is
        no choice to show. answer is not None."""
        return ""

    def option_measures(self, options: list[str], key: Any, choices: list[str]) -> Iterator[tuple[str, str, float, float]]:
        """(measure, option, value, key_value) for each option, from the non-empty encoded
        choices of everyone who answered (what `encode` wrote)."""
        return iter(())

    def unchosen_flags(self, measures: list[tuple[str, str, float, float]]) -> list[str]:
        """The report's flags for options nobody chose, from this item's option_measures."""
        return []

    # -- the authors' checks -------------------------------------------------------------

    def best_option(self, key: Any) -> str | None:
        """The letter of the single best option, where the key names one."""
        return None

    def right_options(self, key: Any) -> frozenset | None:
        """The set of options the key marks right, where the format has such a set."""
        return None

    def key_problems(self, item: Item, key: Any) -> list[str]:
        """Clues this format's key can give away, in words."""
        return []

    # -- synthetic learners, for the demo, the benchmark and the tests -------------------

    def model_answer(self, item: Item, key: Any) -> Any:
        """What a learner who does everything right saves (what `peercourse key` writes)."""
        return self.key_as_answer(item, key)

    def sample_answer(self, item: Item, key: Any, p: float, rng: random.Random) -> Any:
        """A synthetic learner's answer: each part right with probability p."""
        raise NotImplementedError


def share(count: int, answered: int) -> float:
    return count / answered if answered else math.nan


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def pairs(choice: str, separator: str = ";") -> dict[str, str]:
    """"most=A;least=C" -> {"most": "A", "least": "C"}; parts without "=" are skipped."""
    return dict(part.split("=", 1) for part in choice.split(separator) if "=" in part)


_SHARED: dict = {}


def shared(kind: str, **traits):
    """One Layout or style object for every widget that looks the same. ipywidgets gives
    each widget its own by default, and each is one more message between kernel and page:
    sharing roughly halves the messages a lesson sends when it opens."""
    from ipywidgets.widgets import widget_bool, widget_button, widget_description, widget_layout, widget_string

    classes = {
        "Layout": widget_layout.Layout, "DescriptionStyle": widget_description.DescriptionStyle,
        "HTMLStyle": widget_string.HTMLStyle, "LabelStyle": widget_string.LabelStyle,
        "TextStyle": widget_string.TextStyle, "CheckboxStyle": widget_bool.CheckboxStyle,
        "ButtonStyle": widget_button.ButtonStyle,
    }
    key = (kind, tuple(sorted(traits.items())))
    if key not in _SHARED:
        _SHARED[key] = classes[kind](**traits)
    return _SHARED[key]


def menu_per_option(item: Item, answer: dict | None, on_change, choices: list) -> list:
    """A menu for each option, labelled with the option's own text ("A. ..."), shown above it:
    the controls of the rating and ranking formats. The label is the menu's accessible name,
    so a screen reader says which response it rates. The answer is {letter: value or None}."""
    import ipywidgets as widgets

    answer = answer or {}
    menus = {
        letter: widgets.Dropdown(
            options=choices,
            value=answer.get(letter),
            description=option_label(item, letter),
            style=shared("DescriptionStyle", description_width="initial"),
            layout=shared("Layout", width="100%"),
        )
        for letter in item.options
    }
    for menu in menus.values():
        menu.add_class("peercourse-menu")

    def changed(_):
        on_change({letter: menu.value for letter, menu in menus.items()})

    for menu in menus.values():
        menu.observe(changed, names="value")
    return list(menus.values())


def option_label(item: Item, letter: str) -> str:
    return f"{letter}. {item.options[letter]}"


def check_letter(item: Item, value: Any, what: str) -> str:
    if not isinstance(value, str) or value not in item.options:
        raise ItemError(f"{what} {value!r} is not one of this item's options ({', '.join(item.options)})")
    return value


def ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
