"""Rank the responses: order them from most to least effective."""
from __future__ import annotations

from itertools import combinations

from .base import Item, ItemError, ItemFormat, check_letter, mean, menu_per_option, ordinal


def is_complete(answer: dict | None, letters) -> bool:
    """A usable ranking gives every option a different rank from 1 to n."""
    return bool(answer) and sorted(answer.get(letter) or 0 for letter in letters) == list(
        range(1, len(letters) + 1)
    )


def score(answer: dict | None, key: list, points: float) -> float:
    """Partial credit by Kendall distance: the share of pairs of responses that the answer
    puts in the same order as the key, times the points. Matching the key earns full
    points, the exact reverse earns 0. An incomplete ranking (a rank missing or used
    twice) earns 0, since its pairs have no order."""
    if not is_complete(answer, key):
        return 0.0
    pairs = list(combinations(key, 2))  # key is best first, so a comes before b
    agree = sum(1 for a, b in pairs if answer[a] < answer[b])
    return points * agree / len(pairs)


class Ranking(ItemFormat):
    name = "ranking"
    label = "Rank the responses"
    short_label = "ranking"
    chart = "scale"
    chart_words = {"word": "rank", "axis": "Rank (1 = best)", "top": None}  # None: one rank per option
    instructions = "Use the menu under each response. Give each rank to one response only."
    answer_words = "put every response in order, best first"
    key_schema = {
        "description": "A ranking key lists every option's letter once, best first, for example [B, D, A, C].",
        # an item has 3 to 6 options (the schema's $defs/options)
        "type": "array", "items": {"$ref": "#/$defs/letter"}, "uniqueItems": True, "minItems": 3, "maxItems": 6,
    }

    def check_key(self, item: Item, key) -> None:
        if not isinstance(key, list) or sorted(key) != sorted(item.options):
            raise ItemError(f"{item.id}: the key must list every option once, best first")
        for letter in key:
            check_letter(item, letter, "The key's entry")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, dict) or not set(raw) <= set(item.options):
            raise ItemError("the saved ranking should give one rank per option")
        n = len(item.options)
        answer = {}
        for letter in item.options:
            rank = raw.get(letter)
            if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= n):
                raise ItemError(f"the saved rank of {letter}, {rank!r}, is not a rank from 1 to {n}")
            answer[letter] = rank
        return answer if any(v is not None for v in answer.values()) else None

    def is_answered(self, item: Item, answer) -> bool:
        return is_complete(answer, item.options)

    def answer_problem(self, item: Item, answer) -> str | None:
        if not answer or is_complete(answer, item.options):
            return None
        return f"Give each response its own rank, from {ordinal(1)} to {ordinal(len(item.options))}, each rank once."

    def score(self, item: Item, answer, key) -> float:
        return score(answer, key, item.points)

    def describe(self, item: Item, answer) -> str:
        if not answer:
            return "no ranking"
        if not is_complete(answer, item.options):
            given = ", ".join(f"{letter}: {answer[letter] or 'no rank'}" for letter in item.options)
            return f"incomplete ranking ({given}); each rank from 1 to {len(item.options)} must be used once"
        order = sorted(item.options, key=lambda letter: answer[letter])
        return ", then ".join(order) + " (most to least effective)"

    def judge(self, item: Item, answer, key) -> list[str]:
        if not is_complete(answer, item.options):
            return [f"The ranking is not complete: give each response a different rank from 1 to {len(key)}."]
        lines = []
        for place, letter in enumerate(key, start=1):
            given = answer[letter]
            if given == place:
                lines.append(f"{letter}: right, {ordinal(place)}.")
            else:
                lines.append(f"{letter}: you ranked it {ordinal(given)}; the key ranks it {ordinal(place)}.")
        return lines

    def key_as_answer(self, item: Item, key):
        return {letter: place for place, letter in enumerate(key, start=1)}

    def controls(self, item: Item, answer, on_change):
        ranks = [(f"{ordinal(n)}", n) for n in range(1, len(item.options) + 1)]
        return menu_per_option(item, answer, on_change, ranks)


    def encode(self, item: Item, answer) -> str:
        """Best first, "B>A>D>C"; "" for an incomplete ranking, which has no order to show."""
        if not self.is_answered(item, answer):
            return ""
        return ">".join(sorted(item.options, key=lambda letter: answer[letter]))

    def option_measures(self, options, key, choices):
        orders = [c.split(">") for c in choices]
        for option in options:
            given = [order.index(option) + 1 for order in orders if option in order]
            yield "mean rank", option, mean(given), key.index(option) + 1 if option in key else float("nan")

    def best_option(self, key):
        return key[0]

    def key_problems(self, item: Item, key) -> list[str]:
        as_listed = {letter: place for place, letter in enumerate(item.options, start=1)}
        if self.score(item, as_listed, key) > item.points / 2:
            return [f"{item.id}: ranking the options in the order shown earns more than half the points"]
        return []

    def sample_answer(self, item: Item, key, p, rng):
        order = list(key)
        for _ in range(sum(rng.random() > p for _ in range(3))):  # up to three swaps of neighbours
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        return self.key_as_answer(item, order)


FORMAT = Ranking()
