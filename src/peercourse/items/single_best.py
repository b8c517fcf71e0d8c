"""Single best answer: choose the one response a peer support specialist should give."""
from __future__ import annotations

from .base import Item, ItemFormat, check_letter, option_label, share, shared


def score(answer: str | None, key: str, points: float) -> float:
    """Full points for the key, nothing otherwise."""
    return float(points) if answer == key else 0.0


class SingleBest(ItemFormat):
    name = "single_best"
    label = "Single best answer"
    short_label = "single best"
    instructions = "Choose one response."
    best_is_one_pick = True
    exam_format = True  # the exam's questions are single best answer
    chart = "shares"
    chart_words = {"verb": "chose it"}
    answer_words = "choose the one best response"
    key_schema = {
        "description": "A single best answer's key is the letter of the best option, for example B.",
        "$ref": "#/$defs/letter",
    }

    def check_key(self, item: Item, key) -> None:
        check_letter(item, key, "The key")

    def read_answer(self, item: Item, raw):
        return None if raw is None else check_letter(item, raw, "The saved choice")

    def score(self, item: Item, answer, key) -> float:
        return score(answer, key, item.points)

    def describe(self, item: Item, answer) -> str:
        return "no answer" if answer is None else option_label(item, answer)

    def judge(self, item: Item, answer, key) -> list[str]:
        if answer is None:
            return ["You have not chosen a response."]
        if answer == key:
            return [f"Right: {answer} is the best response."]
        return [f"Not the best response: you chose {answer}; the best response is {key}."]

    def controls(self, item: Item, answer, on_change):
        import ipywidgets as widgets  # only a learner's kernel needs widgets; grading and tools don't

        choice = widgets.RadioButtons(
            options=[(option_label(item, letter), letter) for letter in item.options],
            value=answer,
            description="Your choice",
            layout=shared("Layout", width="100%"),
            style=shared("DescriptionStyle"),
        )
        choice.observe(lambda change: on_change(change["new"]), names="value")
        return [choice]

    def encode(self, item: Item, answer) -> str:
        return answer  # "B"

    def option_measures(self, options, key, choices):
        for option in options:
            yield "chosen", option, share(sum(c == option for c in choices), len(choices)), option == key

    def unchosen_flags(self, measures):
        return [f"option {option} chosen by nobody" for _, option, value, _ in measures if value == 0]

    def best_option(self, key):
        return key

    def sample_answer(self, item: Item, key, p, rng):
        return key if rng.random() < p else rng.choice([x for x in item.options if x != key])


FORMAT = SingleBest()
