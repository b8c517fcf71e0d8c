"""Select all that apply: tick every response that fits the situation."""
from __future__ import annotations

from .base import Item, ItemError, ItemFormat, check_letter, option_label, share, shared


def score(answer: list | None, key: list, points: float) -> float:
    """Net correct: (right ticks - wrong ticks) / number of right options, times the
    points, never below 0. Ticking everything earns nothing more than guessing would."""
    chosen = set(answer or ())
    right = len(chosen & set(key))
    wrong = len(chosen - set(key))
    return points * max(0, right - wrong) / len(key)


class SelectAll(ItemFormat):
    name = "select_all"
    label = "Select all that apply"
    short_label = "select all"
    chart = "shares"
    chart_words = {"verb": "ticked it"}
    instructions = "Tick every response that applies. Leave the others unticked."
    answer_words = "tick every response that applies"
    key_schema = {
        "description": "A select all that apply key lists the letters of the options that apply, at least one, each "
                       "once, for example [A, C].",
        "type": "array", "items": {"$ref": "#/$defs/letter"}, "uniqueItems": True, "minItems": 1,
    }

    def check_key(self, item: Item, key) -> None:
        if not isinstance(key, list) or not key or len(set(key)) != len(key):
            raise ItemError(f"{item.id}: the key must list the options that apply, each once")
        for letter in key:
            check_letter(item, letter, "The key's entry")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, list):
            raise ItemError("the saved answer should be a list of ticked options")
        for letter in raw:
            check_letter(item, letter, "The saved tick")
        if len(set(raw)) != len(raw):
            raise ItemError("the saved answer ticks an option twice")
        return [letter for letter in item.options if letter in raw]

    def score(self, item: Item, answer, key) -> float:
        return score(answer, key, item.points)

    def describe(self, item: Item, answer) -> str:
        if answer is None:
            return "no answer"
        if not answer:
            return "nothing ticked"
        return "; ".join(option_label(item, letter) for letter in answer)

    def judge(self, item: Item, answer, key) -> list[str]:
        chosen = set(answer or ())
        lines = []
        for letter in item.options:
            applies = letter in key
            if letter in chosen:
                verdict = "right, it applies" if applies else "not right, it does not apply"
                lines.append(f"{letter}: you ticked it; {verdict}.")
            else:
                verdict = "it applies, so it should be ticked" if applies else "right, it does not apply"
                lines.append(f"{letter}: you left it unticked; {verdict}.")
        return lines

    def key_as_answer(self, item: Item, key):
        return [letter for letter in item.options if letter in key]

    def controls(self, item: Item, answer, on_change):
        import ipywidgets as widgets  # only a learner's kernel needs widgets; grading and tools don't

        chosen = set(answer or ())
        boxes = {
            letter: widgets.Checkbox(
                value=letter in chosen,
                description=option_label(item, letter),
                indent=False,
                layout=shared("Layout", width="100%"),
                style=shared("CheckboxStyle"),
            )
            for letter in item.options
        }

        def changed(_):
            on_change([letter for letter, box in boxes.items() if box.value])

        for box in boxes.values():
            box.observe(changed, names="value")
        return list(boxes.values())


    def encode(self, item: Item, answer) -> str:
        return ";".join(answer)  # "A;C"

    def option_measures(self, options, key, choices):
        ticked = [set(c.split(";")) for c in choices]
        for option in options:
            yield "ticked", option, share(sum(option in t for t in ticked), len(choices)), option in key

    def unchosen_flags(self, measures):
        return [f"option {option} chosen by nobody" for _, option, value, _ in measures if value == 0]

    def right_options(self, key):
        return frozenset(key)

    def sample_answer(self, item: Item, key, p, rng):
        return [x for x in item.options if (x in key) == (rng.random() < p)]


FORMAT = SelectAll()
