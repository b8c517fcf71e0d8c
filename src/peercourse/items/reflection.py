"""Reflection: a free-text answer, with a live word count.

The autograder awards completion points only; the instructor scores the content in
formgrader with the rubric in the lesson.
"""
from __future__ import annotations

import re

from .base import Item, ItemError, ItemFormat, shared

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
COPIED_RUN = 4  # this many words in a row taken from the prompt do not count as the learner's own


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def own_words(text: str, prompt: str) -> list[str]:
    """The words of text, minus any run of COPIED_RUN or more words repeated from prompt."""
    said, asked = words(text), words(prompt)
    runs = {tuple(asked[i : i + COPIED_RUN]) for i in range(len(asked) - COPIED_RUN + 1)}
    copied = [False] * len(said)
    for i in range(len(said) - COPIED_RUN + 1):
        if tuple(said[i : i + COPIED_RUN]) in runs:
            copied[i : i + COPIED_RUN] = [True] * COPIED_RUN
    return [word for word, was_copied in zip(said, copied) if not was_copied]


def is_complete(text: str | None, prompt: str, min_words: int) -> bool:
    """Complete: at least min_words words of the learner's own, and at least half that
    many different words, so neither the prompt pasted back nor one word repeated counts."""
    own = own_words(text or "", prompt)
    return len(own) >= min_words and len(set(own)) >= min_words / 2


def score(text: str | None, prompt: str, min_words: int, points: float) -> float:
    """Completion points: all of them for a complete reflection, none otherwise."""
    return float(points) if is_complete(text, prompt, min_words) else 0.0


class Reflection(ItemFormat):
    name = "reflection"
    label = "Reflection"
    instructions = "Write your answer in the box. It saves as you type."
    has_options = False

    def check_key(self, item: Item, key) -> None:
        if key is not None:
            raise ItemError(f"{item.id}: a reflection has no key")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ItemError("the saved reflection is not text")
        return raw if raw.strip() else None

    def score(self, item: Item, answer, key=None) -> float:
        return score(answer, item.prompt, item.min_words, item.points)

    def describe(self, item: Item, answer) -> str:
        if answer is None:
            return "no reflection written"
        return f"{answer}\n({len(words(answer))} words, {len(own_words(answer, item.prompt))} of them your own)"

    def judge(self, item: Item, answer, key=None) -> list[str]:
        own = len(own_words(answer or "", item.prompt))
        if is_complete(answer, item.prompt, item.min_words):
            return [f"Complete: {own} words of your own (at least {item.min_words} needed)."]
        return [
            f"Not complete yet: {own} words of your own; at least {item.min_words} are needed, "
            "in your own words rather than the question's."
        ]

    def key_as_answer(self, item: Item, key=None):
        raise ItemError("a reflection has no key answer")

    def controls(self, item: Item, answer, on_change):
        import ipywidgets as widgets  # only a learner's kernel needs widgets; grading and tools don't

        box = widgets.Textarea(
            value=answer or "",
            description="Your reflection",
            placeholder="Write here. Leave out names or details that could identify anyone else.",
            rows=8,
            continuous_update=True,
            layout=shared("Layout", width="100%"),
            style=shared("TextStyle", description_width="initial"),
        )
        count = widgets.Label(value=_count_text(item, box.value), layout=shared("Layout"), style=shared("LabelStyle"))

        def changed(change):
            count.value = _count_text(item, change["new"])
            on_change(change["new"])

        box.observe(changed, names="value")
        return [box, count]


def _count_text(item: Item, text: str) -> str:
    return f"Words: {len(words(text))}. Aim for at least {item.min_words} words of your own."


FORMAT = Reflection()
