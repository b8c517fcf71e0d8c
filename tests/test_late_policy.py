"""The late policy through nbgrader's real exchange: late work loses 10% a day until the
lesson's feedback is released; after that, feedback shows every key, and late work scores 0."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from peercourse.nbgrader_hooks import feedback_released_at
from peercourse.responses import ResponsesFile
from peercourse.simulated_term import Term, TermError

from tiny_course import KEYED_ANSWERS, LESSON, NOTEBOOK, make_course

pytestmark = pytest.mark.pipeline


def answer_and_submit(term: Term, learner: str) -> None:
    folder = term.fetch(learner, LESSON)
    ResponsesFile(folder / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many(KEYED_ANSWERS)
    term.submit(learner, LESSON)


def test_late_work_after_the_feedback_is_released_scores_zero(tmp_path):
    course = make_course(tmp_path / "tiny")
    term = Term.create(tmp_path / "term", course)
    due = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=2, hours=1)  # nbgrader: naive UTC
    term.release(LESSON, due=due)

    answer_and_submit(term, "before-feedback")  # 2 days and an hour late: 3 started days, 30% off
    term.collect(LESSON)
    term.autograde(LESSON)
    term.generate_feedback(LESSON)
    assert feedback_released_at(term.course, LESSON) is None  # generated is not yet released
    log = term.release_feedback(LESSON)
    released = feedback_released_at(term.course, LESSON)
    assert released is not None and abs(datetime.now(timezone.utc) - released) < timedelta(minutes=5)
    assert "late work after it scores 0" in log

    answer_and_submit(term, "after-feedback")  # as late, but with the keys out
    term.collect(LESSON)
    term.autograde(LESSON)
    term.release_feedback(LESSON)  # a second release keeps the first one's time
    assert feedback_released_at(term.course, LESSON) == released
    assert json.loads((term.course / "feedback-released.json").read_text()) == {LESSON: released.isoformat()}

    grades = pd.read_csv(term.export(tmp_path / "grades.csv")).set_index("student_id")
    assert grades.loc["before-feedback", ["raw_score", "late_submission_penalty", "score"]].tolist() == [4.0, 1.2, 2.8]
    assert grades.loc["after-feedback", ["raw_score", "late_submission_penalty", "score"]].tolist() == [4.0, 4.0, 0.0]


def test_one_learner_without_a_submission_secret_does_not_stop_the_others_feedback(tmp_path):
    """A folder written into the exchange by hand has no submission_secret.txt; nbgrader's own
    release_feedback stopped at it, releasing nothing for anyone after it."""
    course = make_course(tmp_path / "tiny")
    term = Term.create(tmp_path / "term", course)
    term.release(LESSON, due=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1))
    for learner in ("ana", "ben", "cy"):
        answer_and_submit(term, learner)
    term.collect(LESSON)
    (term.course / "submitted" / "ben" / LESSON / "submission_secret.txt").unlink()  # as if handed in by hand
    term.autograde(LESSON)
    term.generate_feedback(LESSON)
    with pytest.raises(TermError) as failed:
        term.release_feedback(LESSON)
    message = str(failed.value)
    assert "feedback not released for 1 learner(s): ben (every other learner's is released" in message
    assert f"feedback for ben not released: {term.course / 'feedback' / 'ben' / LESSON / 'submission_secret.txt'} is missing" in message
    assert [len(term.fetch_feedback(learner, LESSON)) for learner in ("ana", "ben", "cy")] == [1, 0, 1]
    assert feedback_released_at(term.course, LESSON) is not None  # the others' release counts for the late policy
