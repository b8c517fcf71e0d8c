"""What every item format shares: the item record and the contract a format fulfils."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


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
    instructions = ""  # one line telling the learner what to do
    has_options = True

    def check_key(self, item: Item, key: Any) -> None:
        """Raise ItemError unless key is a complete, valid key for item."""
        raise NotImplementedError

    def read_answer(self, item: Item, raw: Any) -> Any:
        """Turn a value read from the responses file into an answer, or raise ItemError.
        None means unanswered."""
        raise NotImplementedError

    def is_answered(self, item: Item, answer: Any) -> bool:
        return answer is not None

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
