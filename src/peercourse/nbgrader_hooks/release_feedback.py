"""When each lesson's feedback first went out to learners, for the late policy's cut-off.

Feedback shows every key and rationale, so late work submitted after it is released could
copy them. `RecordingReleaseFeedback` is nbgrader's own release_feedback for the default
exchange (`c.ExchangeFactory.release_feedback` in nbgrader_config.py) that also notes, the
first time a lesson's feedback is released, the time in `feedback-released.json` in the
course directory. Later releases (a regrade) keep the first time.

It also releases every learner's feedback that can be released when one learner's cannot.
nbgrader names each released page after the submission's secret (`submission_secret.txt`,
which `nbgrader submit` writes), and stops the whole release at the first submission
without one, such as a folder a learner wrote into the exchange by hand. Here such a learner
is left out by nbgrader's own exclusion list, named with the reason, and the command ends
with an error once everyone else's feedback is out.
"""
from __future__ import annotations

import glob
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

RECORD = "feedback-released.json"


def _read(root: Path) -> dict:
    try:
        data = json.loads((Path(root) / RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ValueError(f"{Path(root) / RECORD} could not be read ({error}); fix or remove it") from None
    return data if isinstance(data, dict) else {}


def _released(record: dict, lesson: str) -> datetime | None:
    when = record.get(lesson)
    return datetime.fromisoformat(when) if isinstance(when, str) else None


def feedback_released_at(root: Path, lesson: str) -> datetime | None:
    """The first release of the lesson's feedback, in UTC, or None if it never went out."""
    return _released(_read(root), lesson)


def record_feedback_release(root: Path, lesson: str, when: datetime | None = None) -> datetime:
    """Note that the lesson's feedback went out at `when` (now), unless an earlier release
    is already noted. Returns the time that stands."""
    root = Path(root)
    record = _read(root)
    earlier = _released(record, lesson)
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    if earlier is not None and earlier <= when:
        return earlier
    record[lesson] = when.isoformat()
    handle, temporary = tempfile.mkstemp(dir=root, prefix=f".{RECORD}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=1, sort_keys=True)
    os.replace(temporary, root / RECORD)
    return when


NEEDED = ("timestamp.txt", "submission_secret.txt")  # what nbgrader reads beside each feedback page


class RecordingReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, plus a note of when each lesson's feedback first went out;
    a learner whose feedback cannot be released does not stop the others'."""

    def _cannot_release(self) -> dict[str, str]:
        """{learner: why} for each generated feedback folder lacking a file nbgrader needs
        (feedback/<learner>/<lesson>/, nbgrader's default layout)."""
        found = {}
        for html in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            folder = Path(html).parent
            missing = [name for name in NEEDED if not (folder / name).is_file()]
            if missing:
                found[folder.parent.name] = (
                    f"{folder / missing[0]} is missing: the submission was not handed in with nbgrader "
                    f"submit, so its feedback cannot reach the learner through the exchange; give them "
                    f"{html} yourself")
        return found

    def copy_files(self):
        unreleasable = self._cannot_release()
        if unreleasable:
            excluded = [s for s in (self.coursedir.student_id_exclude or "").split(",") if s]
            self.coursedir.student_id_exclude = ",".join(excluded + sorted(unreleasable))
        super().copy_files()
        released = {Path(html).parent.name for html in glob.glob(os.path.join(self.src_path, "*.html"))
                    if Path(html).parent.parent.name not in unreleasable}
        for lesson in sorted(released):
            when = record_feedback_release(Path(self.coursedir.root), lesson)
            self.log.info("peercourse: feedback for %s counts as released from %s (late work after it scores 0)",
                          lesson, when.isoformat(timespec="seconds"))
        for learner, why in sorted(unreleasable.items()):
            self.log.error("peercourse: feedback for %s not released: %s", learner, why)
        if unreleasable:
            self.fail(f"feedback not released for {len(unreleasable)} learner(s): {', '.join(sorted(unreleasable))} "
                      "(every other learner's is released; see the messages above)")
