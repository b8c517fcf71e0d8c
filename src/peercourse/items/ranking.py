"""Rank the responses: order them from most to least effective."""
from __future__ import annotations

from itertools import combinations

from .base import Item, ItemError, ItemFormat, check_letter, menu_per_option, ordinal


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
    instructions = "Use the menu under each response. Give each rank to one response only."

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


FORMAT = Ranking()
