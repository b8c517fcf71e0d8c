"""Rate each response: judge every response's effectiveness on a 1 to 4 scale."""
from __future__ import annotations

from .base import Item, ItemError, ItemFormat, mean, menu_per_option, pairs

SCALE = {1: "very ineffective", 2: "ineffective", 3: "effective", 4: "very effective"}
LOW, HIGH = min(SCALE), max(SCALE)


def score(answer: dict | None, key: dict, points: float) -> float:
    """Partial credit by distance from the key.

    earned = points * (1 - sum of |rating - key| / sum of the largest distance each key
    allows), where the largest distance for a key rating k is max(k - 1, 4 - k) and an
    unrated response counts as that largest distance. So matching every rating earns full
    points, the farthest possible ratings earn 0, and each step away costs the same.
    """
    answer = answer or {}
    worst = sum(max(k - LOW, HIGH - k) for k in key.values())
    off = sum(
        abs(answer[letter] - k) if answer.get(letter) is not None else max(k - LOW, HIGH - k)
        for letter, k in key.items()
    )
    return points * (1 - off / worst)


def _rating(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ItemError(f"{what} {value!r} is not a rating from {LOW} to {HIGH}")
    return value


class Rating(ItemFormat):
    name = "rating"
    label = "Rate each response"
    short_label = "rating"
    chart = "scale"
    chart_words = {"word": "rating", "axis": "Rating (4 = most effective)", "top": HIGH}
    instructions = "The scale: 1 very ineffective, 2 ineffective, 3 effective, 4 very effective. Responses may share a rating."
    answer_words = f"rate every response from {LOW}, {SCALE[LOW]}, to {HIGH}, {SCALE[HIGH]}"
    key_schema = {
        "description": f"A rating key rates every option from {LOW}, {SCALE[LOW]}, to {HIGH}, {SCALE[HIGH]}, "
                       "for example {A: 1, B: 4, C: 2, D: 3}.",
        "type": "object",
        "propertyNames": {"$ref": "#/$defs/letter"},
        "additionalProperties": {"type": "integer", "minimum": LOW, "maximum": HIGH},
    }

    def check_key(self, item: Item, key) -> None:
        if not isinstance(key, dict) or set(key) != set(item.options):
            raise ItemError(f"{item.id}: the key must rate every option ({', '.join(item.options)})")
        for letter, value in key.items():
            _rating(value, f"The key's rating of {letter}")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, dict) or not set(raw) <= set(item.options):
            raise ItemError("the saved ratings should be one rating per option")
        answer = {
            letter: None if raw.get(letter) is None else _rating(raw[letter], f"The saved rating of {letter}")
            for letter in item.options
        }
        return answer if any(v is not None for v in answer.values()) else None

    def score(self, item: Item, answer, key) -> float:
        return score(answer, key, item.points)

    def describe(self, item: Item, answer) -> str:
        answer = answer or {}
        return "; ".join(
            f"{letter}: " + (f"{answer[letter]} ({SCALE[answer[letter]]})" if answer.get(letter) else "not rated")
            for letter in item.options
        )

    def judge(self, item: Item, answer, key) -> list[str]:
        answer = answer or {}
        lines = []
        for letter, k in key.items():
            given = answer.get(letter)
            if given is None:
                lines.append(f"{letter}: not rated; the key rates it {k} ({SCALE[k]}).")
            elif given == k:
                lines.append(f"{letter}: right, {k} ({SCALE[k]}).")
            else:
                steps = abs(given - k)
                lines.append(
                    f"{letter}: you rated it {given}; the key rates it {k} ({SCALE[k]}), "
                    f"{steps} step{'s' if steps > 1 else ''} away."
                )
        return lines

    def key_as_answer(self, item: Item, key):
        return dict(key)

    def controls(self, item: Item, answer, on_change):
        choices = [(f"{value} - {words}", value) for value, words in SCALE.items()]
        return menu_per_option(item, answer, on_change, choices)


    def encode(self, item: Item, answer) -> str:
        return ";".join(f"{letter}={value}" for letter, value in answer.items() if value is not None)  # "A=4;B=2"

    def option_measures(self, options, key, choices):
        """Unrated options are left out of a choice, so they do not count."""
        ratings = [pairs(c) for c in choices]
        for option in options:
            given = [float(r[option]) for r in ratings if option in r]
            yield "mean rating", option, mean(given), key.get(option, float("nan"))

    def best_option(self, key):
        top = max(key.values())
        tops = [letter for letter, value in key.items() if value == top]
        return tops[0] if len(tops) == 1 else None

    def sample_answer(self, item: Item, key, p, rng):
        return {letter: _drift(rating, p, rng) for letter, rating in key.items()}


def _drift(rating: int, p: float, rng) -> int:
    """The key's rating with probability p, otherwise one or two steps off, within the scale."""
    if rng.random() < p:
        return rating
    step = rng.choice((-2, -1, -1, 1, 1, 2))
    return min(HIGH, max(LOW, rating + step))


FORMAT = Rating()
