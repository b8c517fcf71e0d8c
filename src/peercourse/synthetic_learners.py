"""A synthetic cohort for demos and tests: learners whose answers follow a simple ability
model, so that stronger learners answer better, as in a real class.

Each learner has an ability a ~ Normal(0, 1); each item a difficulty b ~ Normal(0, 0.8),
both drawn from the seed. The chance of answering an item well is the logistic
p = 1 / (1 + exp(-1.7 (a - b))). How "well" shows depends on the format: the key is
picked with probability p; ratings and ranks drift away from the key more as p falls;
select-all ticks follow the key with probability p. Some items are left blank (more often
by weaker learners), and some learners submit late.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .lesson_sources import LessonSource
from .items import FORMATS

BLANK_RATE = 0.04  # share of items an average learner leaves blank
LATE_RATE = 0.1  # share of learners who submit each lesson late


@dataclass
class Learner:
    id: str
    ability: float
    late: set[str] = field(default_factory=set)  # lessons submitted after the due date


def learners(count: int, seed: int, lessons: list[str]) -> list[Learner]:
    rng = random.Random(f"learners-{seed}")
    width = len(str(count))
    cohort = []
    for n in range(1, count + 1):
        learner = Learner(f"learner-{n:0{width}d}", rng.gauss(0, 1))
        learner.late = {lesson for lesson in lessons if rng.random() < LATE_RATE}
        cohort.append(learner)
    return cohort


def chance(ability: float, difficulty: float) -> float:
    return 1 / (1 + math.exp(-1.7 * (ability - difficulty)))


def answers(learner: Learner, lesson: LessonSource, seed: int) -> dict:
    """The answers this learner gives in this lesson: item id -> saved value (blank items
    are simply absent, as when a learner never touches an item)."""
    given = {}
    for item in lesson.bank.items.values():
        rng = random.Random(f"{seed}-{learner.id}-{item.id}")
        difficulty = random.Random(f"{seed}-difficulty-{item.id}").gauss(0, 0.8)
        p = chance(learner.ability, difficulty)
        if rng.random() < BLANK_RATE * (2 if learner.ability < -1 else 1):
            continue
        given[item.id] = FORMATS[item.format].sample_answer(item, lesson.key_for(item), p, rng)
    return given


