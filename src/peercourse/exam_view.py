"""The widgets of the full practice exam (full_exam.py): one question at a time, a header
with the question number, the time left and the flags, buttons to move, flag and review, the
break after question 60, the summary before submitting, then the results."""
from __future__ import annotations

import threading
from html import escape

import ipywidgets as widgets

from .full_exam import BREAK_AFTER, FullExam, clock_text

SAVE_EVERY = 30  # seconds between saves of the time used, so a closed exam loses little


class ExamView:
    def __init__(self, exam: FullExam):
        self.exam = exam
        self.header = widgets.HTML()
        self.body = widgets.VBox()
        self.previous = widgets.Button(description="Previous", icon="arrow-left")
        self.next = widgets.Button(description="Next", icon="arrow-right")
        self.flag = widgets.Button(description="Flag for review", icon="flag")
        self.review = widgets.Button(description="Review and submit", button_style="primary")
        self.nav = widgets.HBox([self.previous, self.next, self.flag, self.review])
        self.box = widgets.VBox([self.header, self.body, self.nav])
        self.box.add_class("peercourse-exam")  # names for the page's tests and styles
        self.header.add_class("peercourse-exam-header")
        self.previous.on_click(lambda _: self.go(self.exam.position - 1))
        self.next.on_click(lambda _: self.forward())
        self.flag.on_click(lambda _: self.toggle_flag())
        self.review.on_click(lambda _: self.summary())
        self.break_offered = exam.position >= BREAK_AFTER
        self.showing = None  # "question", "break", "summary" or "results"
        self._stop = threading.Event()
        if exam.submitted:
            self.results()
        else:
            self.go(exam.position, save=False)  # showing the exam again changes nothing on disk

    # -- what is on screen -----------------------------------------------------------------

    def refresh_header(self) -> None:
        exam = self.exam
        # A heading for each question (under the notebook's title, above the item's own h3),
        # so a screen reader's heading list steps through the exam in order.
        if exam.submitted:
            self.header.value = f"<h2>Form {escape(exam.form)}: submitted</h2>"
            return
        where = f"Question {exam.position + 1} of {len(exam.bank.items)}" if self.showing == "question" else "Review"
        timer = "paused for your break" if exam.on_break else clock_text(exam.time_left())
        self.header.value = (f"<h2>{where}</h2><p>Time left: <strong>{timer}</strong> "
                             f"&middot; Flagged for review: {len(exam.flagged)}</p>")

    def go(self, position: int, save: bool = True) -> None:
        exam = self.exam
        position = max(0, min(position, len(exam.bank.items) - 1))
        exam.position = position
        if save:
            exam.save_state()
        item_id = list(exam.bank.items)[position]
        self.body.children = [exam.view(item_id).box]
        self.flag.description = "Remove flag" if item_id in exam.flagged else "Flag for review"
        self.previous.disabled = position == 0
        self.nav.layout.display = None
        self.showing = "question"
        self.refresh_header()

    def forward(self) -> None:
        if self.exam.position + 1 == BREAK_AFTER and not self.break_offered:
            self.offer_break()
        elif self.exam.position + 1 >= len(self.exam.bank.items):
            self.summary()
        else:
            self.go(self.exam.position + 1)

    def toggle_flag(self) -> None:
        flagged = self.exam.toggle_flag(list(self.exam.bank.items)[self.exam.position])
        self.flag.description = "Remove flag" if flagged else "Flag for review"
        self.refresh_header()

    def offer_break(self) -> None:
        self.break_offered = True
        take = widgets.Button(description="Take a break", icon="pause")
        skip = widgets.Button(description="Go on without a break")
        note = widgets.HTML(f"<p>You have reached the end of question {BREAK_AFTER}. On the real exam a short break "
                            "comes about here. In this practice exam the timer pauses while you take it.</p>")
        take.on_click(lambda _: self.on_break())
        skip.on_click(lambda _: self.go(BREAK_AFTER))
        self.body.children = [note, widgets.HBox([take, skip])]
        self.nav.layout.display = "none"
        self.showing = "break"
        self.refresh_header()

    def on_break(self) -> None:
        self.exam.take_break()
        resume = widgets.Button(description="Continue the exam", button_style="primary")

        def back(_):
            self.exam.end_break()
            self.go(BREAK_AFTER)

        resume.on_click(back)
        self.body.children = [widgets.HTML("<p>On a break. Stretch, drink some water, rest your eyes. "
                                           "Press Continue when you are ready.</p>"), resume]
        self.refresh_header()

    def summary(self) -> None:
        exam = self.exam
        unanswered, flagged = exam.unanswered(), exam.flagged_numbers()
        lines = [f"<p>You have answered {len(exam.bank.items) - len(unanswered)} of {len(exam.bank.items)} questions.</p>",
                 "<p>Not answered yet: " + (", ".join(map(str, unanswered)) or "none") + ".</p>",
                 "<p>Flagged for review: " + (", ".join(map(str, flagged)) or "none") + ".</p>",
                 "<p>Once you submit, you cannot change your answers; then you see your score and every "
                 "question you missed, with the reasons.</p>"]
        choices = sorted(set(unanswered) | set(flagged)) or list(range(1, len(exam.bank.items) + 1))
        jump = widgets.Dropdown(options=[(f"Question {n}", n) for n in choices], description="Go to")
        go = widgets.Button(description="Go")
        submit = widgets.Button(description="Submit my answers", button_style="warning", icon="check")
        go.on_click(lambda _: self.go(jump.value - 1))
        submit.on_click(lambda _: self.submit())
        self.body.children = [widgets.HTML("".join(lines)), widgets.HBox([jump, go]), submit]
        self.nav.layout.display = "none"
        self.showing = "summary"
        self.refresh_header()

    def submit(self) -> None:
        self.exam.submit()
        self.results()

    def results(self, note: str = "") -> None:
        self._stop.set()
        retry = widgets.Button(description="Retry the ones I missed", icon="redo")
        retry.on_click(lambda _: self.retry())
        rows = self.exam.scores()  # the answers, read once for the page and the retry button
        children = [widgets.HTML(note + self.exam.results_html(rows))]
        if any(points < item.points for _, item, _, points in rows):
            children.append(retry)
        self.body.children = children
        self.nav.layout.display = "none"
        self.showing = "results"
        self.refresh_header()

    def retry(self) -> None:
        practice = self.exam.retry_missed()
        check = widgets.Button(description="Score my retry", button_style="primary")
        outcome = widgets.HTML()
        check.on_click(lambda _: setattr(outcome, "value", practice.results_html()))
        views = [practice.view(item_id).box for item_id in practice.bank.items]
        self.body.children = [widgets.HTML(f"<h2>Retry: the {len(views)} questions you missed</h2>"), *views, check, outcome]

    # -- the timer ---------------------------------------------------------------------------

    def tick(self, beat: int = 0) -> None:
        """One second of the timer: the header, the time used saved every SAVE_EVERY
        seconds, and the exam submitted when its time is up."""
        if self.showing == "results":
            return
        if self.exam.tick():
            self.results("<p><strong>Time is up: your answers were submitted as they stood.</strong></p>")
            return
        if beat and beat % SAVE_EVERY == 0 and not self.exam.on_break:
            self.exam.save_state()
        self.refresh_header()

    def start_timer(self) -> None:
        from .browser_edition import in_browser

        if in_browser():  # Pyodide has no threads: the clock runs on the page's event loop
            import asyncio

            async def beats():
                beat = 0
                while not self._stop.is_set():
                    await asyncio.sleep(1.0)
                    if not self._stop.is_set():
                        beat += 1
                        self.tick(beat)

            asyncio.ensure_future(beats())
            return

        def run():
            beat = 0
            while not self._stop.wait(1.0):
                beat += 1
                self.tick(beat)

        threading.Thread(target=run, name="peercourse-exam-timer", daemon=True).start()
