"""When each lesson's feedback first went out to learners, for the late policy's cut-off.

Feedback shows every key and rationale, so late work submitted after it is released could
copy them. `RecordingReleaseFeedback` is nbgrader's own release_feedback for the default
exchange (`c.ExchangeFactory.release_feedback` in nbgrader_config.py) that also notes, the
first time a lesson's feedback is released, the time in `feedback-released.json` in the
course directory. Later releases (a regrade) keep the first time.
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


class RecordingReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, plus a note of when each lesson's feedback first went out."""

    def copy_files(self):
        super().copy_files()
        released = {Path(html).parent.name for html in glob.glob(os.path.join(self.src_path, "*.html"))}
        for lesson in sorted(released):
            when = record_feedback_release(Path(self.coursedir.root), lesson)
            self.log.info("peercourse: feedback for %s counts as released from %s (late work after it scores 0)",
                          lesson, when.isoformat(timespec="seconds"))
