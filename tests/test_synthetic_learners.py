"""Synthetic learners' answers, on the tests' own lesson (tests/fixture_course.py)."""
from statistics import mean

from peercourse import synthetic_learners
from peercourse.grading import earned_points
from peercourse.items import FORMATS

import fixture_course
from fixture_course import ASSIGNMENT


def test_the_same_seed_gives_the_same_cohort_and_answers(fixture_lesson):
    one = synthetic_learners.learners(20, seed=5, lessons=[ASSIGNMENT])
    two = synthetic_learners.learners(20, seed=5, lessons=[ASSIGNMENT])
    assert [(l.id, l.ability, l.late) for l in one] == [(l.id, l.ability, l.late) for l in two]
    given = [synthetic_learners.answers(l, fixture_lesson, 5) for l in one]
    assert given == [synthetic_learners.answers(l, fixture_lesson, 5) for l in two]
    assert given != [synthetic_learners.answers(l, fixture_lesson, 6) for l in one]
    assert set().union(*given) == set(fixture_course.ITEM_IDS)  # every item, each left blank by some at most
    assert synthetic_learners.learners(3, seed=6, lessons=[])[0].ability != one[0].ability
    assert [l.id for l in synthetic_learners.learners(12, 1, [])][:2] == ["learner-01", "learner-02"]


def test_stronger_learners_score_better_and_every_answer_is_valid(fixture_lesson):
    learners = synthetic_learners.learners(120, seed=11, lessons=[ASSIGNMENT])
    totals = {}
    for learner in learners:
        given = synthetic_learners.answers(learner, fixture_lesson, 11)
        assert set(given) <= set(fixture_lesson.bank.items)
        points = 0.0
        for item in fixture_lesson.bank.items.values():
            if item.id in given:
                answer = FORMATS[item.format].read_answer(item, given[item.id])  # raises if invalid
                points += earned_points(item, answer, fixture_lesson.key_for(item))
        totals[learner.id] = points
    assert max(totals.values()) <= 22  # the fixture's points: 10 choice items of 2, 2 reflections of 1
    ranked = sorted(learners, key=lambda l: l.ability)
    weakest, strongest = ranked[:30], ranked[-30:]
    assert mean(totals[l.id] for l in strongest) > mean(totals[l.id] for l in weakest) + 4
    late = sum(1 for l in learners if ASSIGNMENT in l.late)
    assert 4 <= late <= 24  # about 10%
