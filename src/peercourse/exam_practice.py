"""The exam-practice notebook: a shuffled set of the course's practice items, answered like
an exam (no Check buttons), then scored by exam area with a list of items to review.

Only practice items are drawn: graded items' keys are not in the learner's copy. The seed
picks and orders the questions; each seed is its own attempt, with its own answers file.
"""
from __future__ import annotations

import random
from html import escape
from pathlib import Path

from .certification import EXAM_AREAS
from .grading import earned_points, grade
from .itembank import ItemBank, course_banks
from .items import FORMATS
from .lesson import Lesson
from .view import paragraphs


class ExamPractice(Lesson):
    checkable = False  # as in the exam: answers are checked at the end

    def __init__(self, seed: int = 2026, count: int = 20, directory: str | Path | None = None):
        directory = Path(directory) if directory is not None else Path.cwd()
        banks, _ = course_banks(directory.parent)
        pool = [
            item for folder, bank in banks for item in bank.items.values()
            if not item.graded and FORMATS[item.format].has_options
        ]
        self.source_of = {item.id: folder.name for folder, bank in banks for item in bank.items.values()}
        chosen = random.Random(seed).sample(pool, min(count, len(pool)))
        name = f"exam-practice-{seed}"
        bank = ItemBank(lesson=name, title=f"Exam practice (seed {seed})", article_id="", items={i.id: i for i in chosen})
        super().__init__(name, directory, bank=bank)
        self.seed = seed

    def show_all(self) -> None:
        from IPython.display import HTML, display

        total = len(self.bank.items)
        if not total:
            display(HTML("<p>No practice items were found beside this folder. Open this notebook from inside the course folder.</p>"))
        for number, item_id in enumerate(self.bank.items, start=1):
            display(HTML(f"<h2>Question {number} of {total}</h2>"))
            self.show(item_id)

    def scores(self) -> list[tuple[int, object, object, float]]:
        """(question number, item, answer or None, points earned) for every question."""
        saved = self.saved_answers()
        rows = []
        for number, item in enumerate(self.bank.items.values(), start=1):
            answer, _ = saved[item.id]
            rows.append((number, item, answer, earned_points(item, answer, item.key)))
        return rows

    def results_html(self) -> str:
        rows = self.scores()
        earned = sum(points for *_, points in rows)
        possible = sum(item.points for _, item, _, _ in rows)
        answered = sum(FORMATS[item.format].is_answered(item, answer) for _, item, answer, _ in rows)
        parts = [
            f"<p><strong>Score: {earned:g} of {possible:g} points ({earned / possible:.0%}).</strong> "
            f"You answered {answered} of {len(rows)} questions.</p>" if possible else "<p>No questions.</p>"
        ]
        area_rows = []
        for area in EXAM_AREAS:
            mine = [(item, points) for _, item, _, points in rows if item.exam_area == area]
            if mine:
                got, out_of = sum(p for _, p in mine), sum(i.points for i, _ in mine)
                area_rows.append(f"<tr><td>{escape(area)}</td><td>{len(mine)}</td><td>{got:g} of {out_of:g} ({got / out_of:.0%})</td></tr>")
        parts.append(
            "<table><caption>Score by exam area</caption><thead><tr><th scope='col'>Exam area</th>"
            "<th scope='col'>Questions</th><th scope='col'>Points</th></tr></thead>"
            f"<tbody>{''.join(area_rows)}</tbody></table>"
        )
        review = [(n, item, answer) for n, item, answer, points in rows if points < item.points]
        if review:
            parts.append(f"<h2>To review ({len(review)})</h2>")
        else:
            parts.append("<p>Nothing to review: every answer earned full points.</p>")
        for number, item, answer in review:
            result = grade(item, answer, item.key, item.rationales)
            where = self.source_of.get(item.id, "").replace("lesson-", "Lesson ")
            parts.append(
                f"<h3>Question {number}: {escape(item.title)} (from {escape(where)}, {escape(item.exam_area)})</h3>"
                + paragraphs(item.prompt)
                + "<ul>" + "".join(f"<li>{escape(letter)}. {escape(text)}</li>" for letter, text in item.options.items()) + "</ul>"
                + f"<p>Your answer: {escape(FORMATS[item.format].describe(item, answer))}</p>"
                + "".join(f"<p>{escape(line)}</p>" for line in result.lines)
            )
        return "".join(parts)

    def results(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.results_html()))
