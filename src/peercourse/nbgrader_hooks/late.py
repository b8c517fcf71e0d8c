"""`LatePenalty`, the course's late-submission policy, as an nbgrader plugin.

Late work is accepted with a penalty that grows by the day and stops at a cap, up to a
cut-off: after it, late work scores 0. By default the cut-off is the moment the lesson's
feedback was first released (feedback shows every key, so work handed in after it could
copy them); an instructor can set a date per lesson instead, or switch the cut-off off.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Bool, Dict, Float, Unicode

from .paths import course_directory
from .release_feedback import feedback_released_at


def as_utc(when: datetime) -> datetime:
    """nbgrader keeps naive datetimes in UTC; the course compares aware ones."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


class LatePenalty(LateSubmissionPlugin):
    """percent_per_day of the autograded score for each started day late, at most
    max_percent; all of it for late work submitted after the lesson's cut-off. nbgrader
    applies it when it autogrades; rubric points given later by hand are not reduced."""

    percent_per_day = Float(10.0, help="Percent of the score taken off for each started day late.").tag(config=True)
    max_percent = Float(50.0, help="The most a late submission can lose, in percent, before the cut-off.").tag(config=True)
    cutoff_at_feedback = Bool(
        True,
        help="Late work submitted after the lesson's feedback was first released (nbgrader release_feedback) scores 0.",
    ).tag(config=True)
    cutoffs = Dict(
        key_trait=Unicode(), value_trait=Unicode(),
        help="Per lesson, a date and time after which late work scores 0, e.g. {'lesson-1': '2027-02-08 17:00-08:00'}. "
        "It takes the place of the feedback cut-off for that lesson.",
    ).tag(config=True)

    def cutoff(self, lesson: str) -> datetime | None:
        if lesson in self.cutoffs:
            return as_utc(datetime.fromisoformat(self.cutoffs[lesson]))
        if self.cutoff_at_feedback:
            return feedback_released_at(Path(course_directory(self).root), lesson)
        return None

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        if total_seconds_late <= 0:
            return None
        lesson, submitted = self._submission(student_id)
        cutoff = self.cutoff(lesson) if lesson else None
        if cutoff is not None and submitted is not None and as_utc(submitted) > cutoff:
            self.log.warning("%s: submitted %s, after %s's cut-off (%s): late work after it scores 0",
                             student_id, as_utc(submitted).isoformat(timespec="seconds"), lesson,
                             cutoff.isoformat(timespec="seconds"))
            return score
        days = math.ceil(total_seconds_late / 86400)
        percent = min(self.max_percent, days * self.percent_per_day)
        penalty = round(score * percent / 100, 2)
        self.log.warning("%s: %d day(s) late, %g%% off: %g points", student_id, days, percent, penalty)
        return penalty

    def _submission(self, student_id: str) -> tuple[str | None, datetime | None]:
        """The lesson and submission time nbgrader's AssignLatePenalties (this plugin's
        parent) is working on; (None, None) when called on its own."""
        parent = self.parent
        lesson = getattr(parent, "assignment_id", None)
        gradebook = getattr(parent, "gradebook", None)
        if not lesson or gradebook is None:
            return None, None
        return lesson, gradebook.find_submission(lesson, student_id).timestamp
