from statistics import mean

from peercourse import lesson_sources, synthetic_learners
from peercourse.grading import earned_points

from conftest import ROOT


def lesson():
    return lesson_sources.read_lesson(ROOT / "source/lesson-3/hope-from-experience.ipynb")


def test_the_same_seed_gives_the_same_cohort_and_answers():
    one = synthetic_learners.learners(20, seed=5, lessons=["lesson-3"])
    two = synthetic_learners.learners(20, seed=5, lessons=["lesson-3"])
    assert [(l.id, l.ability, l.late) for l in one] == [(l.id, l.ability, l.late) for l in two]
    assert [synthetic_learners.answers(l, lesson(), 5) for l in one] == [synthetic_learners.answers(l, lesson(), 5) for l in two]
    assert synthetic_learners.learners(3, seed=6, lessons=[])[0].ability != one[0].ability
    assert [l.id for l in synthetic_learners.learners(12, 1, [])][:2] == ["learner-01", "learner-02"]


def test_stronger_learners_score_better_and_every_answer_is_valid():
    source = lesson()
    learners = synthetic_learners.learners(120, seed=11, lessons=["lesson-3"])
    totals = {}
    for learner in learners:
        given = synthetic_learners.answers(learner, source, 11)
        points = 0.0
        for item in source.bank.items.values():
            if item.id in given:
                from peercourse.items import FORMATS

                answer = FORMATS[item.format].read_answer(item, given[item.id])  # raises if invalid
                points += earned_points(item, answer, source.key_for(item))
        totals[learner.id] = points
    ranked = sorted(learners, key=lambda l: l.ability)
    weakest, strongest = ranked[:30], ranked[-30:]
    assert mean(totals[l.id] for l in strongest) > mean(totals[l.id] for l in weakest) + 4
    late = sum(1 for l in learners if "lesson-3" in l.late)
    assert 4 <= late <= 24  # about 10%
