"""The item-analysis report's thresholds, as settings an instructor can change in the
course's nbgrader_config.py, as nbgrader's own options are set:

    c.ReportSettings.very_easy = 0.95

`peercourse report` reads them from there; docs/instructors.md lists them with this help text.
"""
from __future__ import annotations

from traitlets import Float, Integer
from traitlets.config import Configurable


class ReportSettings(Configurable):
    """Thresholds of the item-analysis report (`peercourse report`)."""

    min_students_for_flags = Integer(
        5, min=1,
        help="Items answered by fewer students than this get no flags: with so few, their statistics are noise.",
    ).tag(config=True)
    extreme_group_percent = Integer(
        27, min=1, max=50,
        help="The size of the upper and lower groups, in percent of students by lesson total (Kelley's 27%), "
        "for the upper-lower index and the 'strong students miss the key' flag.",
    ).tag(config=True)
    very_easy = Float(
        0.9, min=0.0, max=1.0,
        help="Items whose difficulty (share of points earned) is above this are flagged 'very easy'.",
    ).tag(config=True)
    very_hard = Float(
        0.2, min=0.0, max=1.0,
        help="Items whose difficulty (share of points earned) is below this are flagged 'very hard'.",
    ).tag(config=True)
