"""A full-length practice exam: single-best-answer items from the exam bank, as many and as
long as the real exam (120 items, 150 minutes, a short break offered after item 60: the
numbers CalMHSA publishes), one item at a time, with a timer, flags for review and a summary
before submitting; no feedback until then. The exam's area weights are not public, so a form
gives each exam area an even share of its items.

Two fixed forms share no item (forms "1" and "2"), so a learner can take the exam twice
before seeing a repeat; any other form name is a new random form (`FullExam("r17")`). The
answers, the flags, the time used and the place reached live in the form's own answers file
(`full-exam-<form>.responses.json`), so a closed and reopened exam goes on where it was, with
the time that was left: the clock runs only while the exam is open.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .certification import EXAM_AREAS, weakest_areas
from .exam_bank import read_bank
from .exam_practice import ExamPractice
from .items import FORMATS, Item

EXAM_QUESTIONS, EXAM_MINUTES, BREAK_AFTER = 120, 150, 60
STATE = "_exam"  # the answers file's entry that holds the exam's own state, beside the answers
FIXED_FORMS = ("1", "2")


class FormError(ValueError):
    """The bank cannot make the form asked for; the message says why, for the learner."""


def assemble(pool: list[Item], size: int, seed: int, exclude: set[str] = frozenset()) -> list[Item]:
    """`size` items of the pool, none of `exclude`, spread as evenly as the pool allows over
    the exam areas (an area with too few items gives its share to the others), in an order
    and a choice that the seed fixes."""
    rng = random.Random(seed)
    by_area = {area: sorted((item for item in pool if item.exam_area == area and item.id not in exclude),
                            key=lambda item: item.id) for area in EXAM_AREAS}
    available = sum(len(items) for items in by_area.values())
    if available < size:
        raise FormError(f"the exam bank has {available} items for this form, and a form needs {size}")
    quota = dict.fromkeys(EXAM_AREAS, 0)
    while sum(quota.values()) < size:  # one more item to each area that still has one, in turn
        for area in EXAM_AREAS:
            if quota[area] < len(by_area[area]) and sum(quota.values()) < size:
                quota[area] += 1
    chosen = [item for area in EXAM_AREAS for item in rng.sample(by_area[area], quota[area])]
    rng.shuffle(chosen)
    return chosen


def form_items(pool: list[Item], form: str, size: int) -> list[Item]:
    """Form "1" and form "2" share no item; "r<number>" is a random form of that seed."""
    first = assemble(pool, size, seed=1)
    if form == "1":
        return first
    if form == "2":
        return assemble(pool, size, seed=2, exclude={item.id for item in first})
    if form.startswith("r") and form[1:].isdigit():
        return assemble(pool, size, seed=int(form[1:]) + 1000)
    raise FormError(f"there is no form {form!r}: use '1', '2', or 'r' and a number for a random form")


@dataclass
class Clock:
    """Seconds used of a time limit; it runs only between start() and pause()."""

    limit: float
    used: float = 0.0
    running_since: float | None = None

    def start(self, now: float) -> None:
        if self.running_since is None:
            self.running_since = now

    def pause(self, now: float) -> None:
        self.used = self.used_at(now)
        self.running_since = None

    def used_at(self, now: float) -> float:
        return self.used + (now - self.running_since if self.running_since is not None else 0.0)

    def left(self, now: float) -> float:
        return max(0.0, self.limit - self.used_at(now))


def clock_text(seconds: float) -> str:
    seconds = int(seconds + 0.999)  # a started second counts
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class FullExam(ExamPractice):
    def __init__(self, form: str = "1", directory: str | Path | None = None, size: int = EXAM_QUESTIONS,
                 minutes: float = EXAM_MINUTES, now: Callable[[], float] = time.monotonic):
        directory = Path(directory) if directory is not None else Path.cwd()
        banks, _ = read_bank(directory, check_schema=False)
        pool = [item for _, bank in banks for item in bank.items.values()]
        chosen = form_items(pool, str(form), size)
        name = f"full-exam-{form}" if size == EXAM_QUESTIONS else f"full-exam-{form}-{size}"  # a form of its own
        self._open(name, f"Full practice exam, form {form}", chosen, directory,
                   {item.id: "the exam bank" for item in chosen})
        self.form, self.now = str(form), now
        state = self._state()
        self.clock = Clock(minutes * 60, used=float(state.get("used", 0.0)))
        self.flagged: set[str] = set(state.get("flagged", [])) & set(self.bank.items)
        self.position = min(int(state.get("position", 0)), len(chosen) - 1)
        self.submitted: str | None = state.get("submitted")
        self.on_break = False
        self._view = None
        if not self.submitted:
            self.clock.start(self.now())

    # -- the exam's state, kept in its answers file ------------------------------------------

    def _state(self) -> dict:
        entry = self.responses.load().answers.get(STATE, {})
        value = entry.get("value") if isinstance(entry, dict) else None
        return value if isinstance(value, dict) else {}

    def save_state(self) -> None:
        self.responses.save(STATE, {
            "used": round(self.clock.used_at(self.now()), 1), "flagged": sorted(self.flagged),
            "position": self.position, "submitted": self.submitted,
        })

    def time_left(self) -> float:
        return self.clock.left(self.now())

    def toggle_flag(self, item_id: str) -> bool:
        """Flag the item for review, or unflag it; returns whether it is flagged now."""
        self.flagged ^= {item_id}
        self.save_state()
        return item_id in self.flagged

    def unanswered(self) -> list[int]:
        """Question numbers with no complete answer."""
        saved = self.saved_answers()
        return [number for number, item in enumerate(self.bank.items.values(), start=1)
                if not FORMATS[item.format].is_answered(item, saved[item.id][0])]

    def flagged_numbers(self) -> list[int]:
        return [number for number, item_id in enumerate(self.bank.items, start=1) if item_id in self.flagged]

    def take_break(self) -> None:
        """The break after item BREAK_AFTER: the course pauses its timer for it (a choice of
        this practice exam; how the real exam times its break is not in its public outline)."""
        self.on_break = True
        self.clock.pause(self.now())
        self.save_state()

    def end_break(self) -> None:
        self.on_break = False
        self.clock.start(self.now())

    def submit(self) -> None:
        if not self.submitted:
            self.clock.pause(self.now())
            self.submitted = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self.save_state()

    def tick(self) -> bool:
        """What the timer does each second: when the time is up, the exam is submitted as it
        stands (as on the real exam). Returns whether it is over."""
        if not self.submitted and not self.on_break and self.time_left() <= 0:
            self.submit()
        return bool(self.submitted)

    # -- results -------------------------------------------------------------------------

    def weakest_areas(self, rows=None, most: int = 2) -> list[str]:
        """The exam areas with the lowest share of points earned (below full marks), lowest first."""
        return weakest_areas(self.area_totals(rows if rows is not None else self.scores()), most)

    def missed(self) -> list[str]:
        return [item.id for _, item, _, points in self.scores() if points < item.points]

    def retry_missed(self) -> ExamPractice:
        """The missed items again, as a short practice of their own (its own answers file)."""
        missed = [self.bank.items[item_id] for item_id in self.missed()]
        return ExamPractice.of(f"{self.bank.lesson}-retry", f"Retry of form {self.form}", missed,
                               self.responses.path.parent, dict(self.source_of))

    def results_html(self, rows=None) -> str:
        """The short practice's results (score, by area, every missed item with its reasons),
        led by the weakest areas named; the answers are read once for both."""
        from html import escape

        rows = rows if rows is not None else self.scores()
        weakest = self.weakest_areas(rows)
        head = (f"<p><strong>Your weakest exam areas on this form: {escape(', '.join(weakest))}.</strong> "
                "Review the lessons and practice items tagged with them.</p>") if weakest else ""
        return head + super().results_html(rows)

    # -- the widgets -----------------------------------------------------------------------

    def show_exam(self) -> None:
        """The exam, one question at a time, with its timer (the notebook's one cell)."""
        from IPython.display import display

        from .exam_view import ExamView

        self._view = ExamView(self)
        display(self._view.box)
        self._view.start_timer()


def take_exam(form: str = "1", size: int = EXAM_QUESTIONS, minutes: float | None = None) -> FullExam | None:
    """The notebook's cell: open the form and show it, or say in words why it cannot be made
    (a bank still too small for a full form names the largest form it can make)."""
    try:
        exam = FullExam(form, size=size, minutes=minutes if minutes is not None else EXAM_MINUTES * size / EXAM_QUESTIONS)
    except FormError as error:
        banks, _ = read_bank(Path.cwd(), check_schema=False)
        total = sum(len(bank.items) for _, bank in banks)
        print(f"This form cannot be made: {error}. The bank holds {total} items so far; until it holds "
              f"{2 * EXAM_QUESTIONS}, take a shorter form, for example take_exam(form={form!r}, size={max(total // 2, 1)}).")
        return None
    exam.show_exam()
    return exam
