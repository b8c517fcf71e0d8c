"""Scoring an item against its key, with feedback in words. Hidden test cells call this
through Lesson.score; practice items' Check button calls it too."""
from __future__ import annotations

import math

from dataclasses import dataclass

from .items import FORMATS, Item


@dataclass(frozen=True)
class Grade:
    earned: float
    possible: float
    lines: tuple[str, ...]  # feedback, one sentence or rationale per line

    def text(self) -> str:
        return "\n".join(self.lines)


def earned_points(item: Item, answer, key) -> float:
    """The item's score, rounded to hundredths and held within [0, points] whatever the
    format function returns."""
    raw = float(FORMATS[item.format].score(item, answer, key))
    if not math.isfinite(raw):  # NaN would slip through min and max
        return 0.0
    return min(max(round(raw, 2), 0.0), float(item.points))


def grade(item: Item, answer, key, rationales: dict | None) -> Grade:
    fmt = FORMATS[item.format]
    earned = earned_points(item, answer, key)
    lines = [f"Score: {earned:g} of {item.points:g} point{'' if item.points == 1 else 's'}."]
    lines += fmt.judge(item, answer, key)
    if rationales:
        lines.append("Why each response is or is not effective:")
        lines += [f"{letter}. {rationales[letter]}" for letter in item.options]
    return Grade(earned=earned, possible=float(item.points), lines=tuple(lines))
