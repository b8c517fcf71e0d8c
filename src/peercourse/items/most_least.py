"""Most and least effective: pick the best response and the worst one."""
from __future__ import annotations

from .base import Item, ItemError, ItemFormat, check_letter, option_label, pairs, share, shared

PICKS = ("most", "least")


def score(answer: dict | None, key: dict, points: float) -> float:
    """Half the points for each pick that matches the key."""
    answer = answer or {}
    right = sum(1 for pick in PICKS if answer.get(pick) == key[pick])
    return points * right / len(PICKS)


class MostLeast(ItemFormat):
    name = "most_least"
    label = "Most and least effective"
    short_label = "most/least"
    best_is_one_pick = True
    chart = "two_picks"
    instructions = "Choose one response under Most effective and a different one under Least effective."
    answer_words = "choose the most and the least effective response"
    key_schema = {
        "description": "A most and least effective key names two different options, for example {most: C, least: D}.",
        "type": "object",
        "required": list(PICKS),
        "additionalProperties": False,
        "properties": {pick: {"description": f"The letter of the {pick} effective option.", "$ref": "#/$defs/letter"}
                       for pick in PICKS},
    }

    def check_key(self, item: Item, key) -> None:
        if not isinstance(key, dict) or set(key) != set(PICKS):
            raise ItemError(f"{item.id}: the key must name a 'most' and a 'least' option")
        for pick in PICKS:
            check_letter(item, key[pick], f"The key's {pick} effective pick")
        if key["most"] == key["least"]:
            raise ItemError(f"{item.id}: the key's most and least picks must differ")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, dict) or not set(raw) <= set(PICKS):
            raise ItemError("the saved answer should name a most and a least effective response")
        answer = {pick: raw.get(pick) for pick in PICKS}
        for pick in PICKS:
            if answer[pick] is not None:
                check_letter(item, answer[pick], f"The saved {pick} effective pick")
        return answer if any(answer.values()) else None

    def is_answered(self, item: Item, answer) -> bool:
        answer = answer or {}
        return all(answer.get(pick) for pick in PICKS) and answer["most"] != answer["least"]

    def answer_problem(self, item: Item, answer) -> str | None:
        answer = answer or {}
        if answer.get("most") and answer.get("most") == answer.get("least"):
            return (f"You chose {answer['most']} as both the most and the least effective response. "
                    "Choose a different response for one of them.")
        missing = [pick for pick in PICKS if not answer.get(pick)]
        if answer and len(missing) == 1:
            return f"Choose a {missing[0]} effective response too."
        return None

    def score(self, item: Item, answer, key) -> float:
        return score(answer, key, item.points)

    def describe(self, item: Item, answer) -> str:
        answer = answer or {}
        return "; ".join(
            f"{pick} effective: " + (option_label(item, answer[pick]) if answer.get(pick) else "no pick")
            for pick in PICKS
        )

    def judge(self, item: Item, answer, key) -> list[str]:
        answer = answer or {}
        lines = []
        for pick in PICKS:
            chosen = answer.get(pick)
            if chosen is None:
                lines.append(f"You did not pick a {pick} effective response.")
            elif chosen == key[pick]:
                lines.append(f"Right: {chosen} is the {pick} effective response.")
            else:
                lines.append(
                    f"Not right: you picked {chosen} as {pick} effective; the key's pick is {key[pick]}."
                )
        return lines

    def key_as_answer(self, item: Item, key):
        return dict(key)

    def controls(self, item: Item, answer, on_change):
        import ipywidgets as widgets  # only a learner's kernel needs widgets; grading and tools don't

        answer = answer or {}
        options = [(option_label(item, letter), letter) for letter in item.options]
        groups = {
            pick: widgets.RadioButtons(
                options=options,
                value=answer.get(pick),
                description=f"{pick.capitalize()} effective",
                layout=shared("Layout", width="100%"),
                style=shared("DescriptionStyle"),
            )
            for pick in PICKS
        }

        def changed(_):
            on_change({pick: group.value for pick, group in groups.items()})

        for group in groups.values():
            group.observe(changed, names="value")
        return list(groups.values())

    def encode(self, item: Item, answer) -> str:
        return ";".join(f"{pick}={answer[pick]}" for pick in PICKS if answer.get(pick))  # "most=A;least=C"

    def option_measures(self, options, key, choices):
        picked = [pairs(c) for c in choices]
        for measure in PICKS:
            for option in options:
                count = sum(p.get(measure) == option for p in picked)
                yield measure, option, share(count, len(choices)), key.get(measure) == option

    def unchosen_flags(self, measures):
        """Only the key's own picks: a wrong option nobody picks as most is expected."""
        return [f"option {option} chosen as {measure} by nobody"
                for measure, option, value, key_value in measures if key_value == 1 and value == 0]

    def best_option(self, key):
        return key["most"]

    def sample_answer(self, item: Item, key, p, rng):
        letters = list(item.options)
        most = key["most"] if rng.random() < p else rng.choice([x for x in letters if x != key["most"]])
        least = key["least"] if rng.random() < p else rng.choice([x for x in letters if x not in (key["least"], most)])
        return {"most": most, "least": least}


FORMAT = MostLeast()
