"""The exam-practice notebook: a shuffled set of questions, answered like an exam (no Check
buttons), then scored by exam area with a list of items to review.

The questions come from the exam bank beside the notebook (exam_bank.py): items in the
exam's format that no lesson shows. A course without a bank draws the lessons' practice
items instead (graded items' keys are not in the learner's copy). The seed
picks and orders the questions; each seed is its own attempt, with its own answers file.
The results' markup is in templates/exam_results.html.
"""
from __future__ import annotations

import random
from pathlib import Path

from markupsafe import Markup

from .certification import EXAM_AREAS
from .grading import earned_points, grade
from .exam_bank import read_bank
from .itembank import ItemBank, course_banks
from .items import FORMATS
from .lesson import Lesson
from .pages import render
from .view import paragraphs


class ExamPractice(Lesson):
    checkable = False  # as in the exam: answers are checked at the end

    def __init__(self, seed: int = 2026, count: int = 20, directory: str | Path | None = None):
        directory = Path(directory) if directory is not None else Path.cwd()
        exam_bank, _ = read_bank(directory, check_schema=False)  # checked at release, as lessons are
        if exam_bank:  # questions in the exam's format that the lessons never showed
            pool = [item for _, bank in exam_bank for item in bank.items.values()]
            self.source_of = {item.id: "the exam bank" for item in pool}
        else:  # a course without a bank: the lessons' practice items
            banks, _ = course_banks(directory.parent)
            pool = [
                item for folder, bank in banks for item in bank.items.values()
                if not item.graded and FORMATS[item.format].has_options
            ]
            self.source_of = {item.id: folder.name for folder, bank in banks for item in bank.items.values()}
        chosen = random.Random(seed).sample(pool, min(count, len(pool)))
        self._open(f"exam-practice-{seed}", f"Exam practice (seed {seed})", chosen, directory, self.source_of)
        self.seed = seed

    def _open(self, name: str, title: str, items: list, directory: Path, source_of: dict) -> None:
        """A lesson of these questions, in this order, with its own answers file `<name>.responses.json`."""
        bank = ItemBank(lesson=name, title=title, article_id="", items={item.id: item for item in items})
        Lesson.__init__(self, name, directory, bank=bank)
        self.source_of = source_of

    @classmethod
    def of(cls, name: str, title: str, items: list, directory: Path, source_of: dict) -> "ExamPractice":
        """A practice of given questions (a retry of missed ones, say), not drawn by a seed."""
        practice = cls.__new__(cls)
        practice._open(name, title, items, directory, source_of)
        practice.seed = None
        return practice

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

    def results_html(self, rows=None) -> str:
        """Score, score by area, and every missed question with its reasons; rows from
        scores(), read now if not given."""
        rows = rows if rows is not None else self.scores()
        review = [(n, item, answer) for n, item, answer, points in rows if points < item.points]
        return render(
            "exam_results.html",
            score=self._total(rows),
            areas=self._areas(rows),
            review=[self._question(number, item, answer) for number, item, answer in review],
        )

    @staticmethod
    def _total(rows) -> dict | None:
        earned = sum(points for *_, points in rows)
        possible = sum(item.points for _, item, _, _ in rows)
        if not possible:
            return None
        answered = sum(FORMATS[item.format].is_answered(item, answer) for _, item, answer, _ in rows)
        return {"earned": f"{earned:g}", "possible": f"{possible:g}", "percent": f"{earned / possible:.0%}",
                "answered": answered, "questions": len(rows)}

    @staticmethod
    def area_totals(rows) -> dict[str, tuple[float, float, int]]:
        """{exam area: (points earned, points possible, questions)} for the areas the rows
        hold, in the exam outline's order."""
        totals = {}
        for area in EXAM_AREAS:
            mine = [(item, points) for _, item, _, points in rows if item.exam_area == area]
            if mine:
                totals[area] = (sum(p for _, p in mine), sum(i.points for i, _ in mine), len(mine))
        return totals

    @classmethod
    def _areas(cls, rows) -> list[tuple[str, int, str]]:
        return [(area, count, f"{got:g} of {out_of:g} ({got / out_of:.0%})")
                for area, (got, out_of, count) in cls.area_totals(rows).items()]

    def _question(self, number: int, item, answer) -> dict:
        return {
            "number": number,
            "title": item.title,
            "source": self.source_of.get(item.id, "").replace("lesson-", "Lesson "),
            "exam_area": item.exam_area,
            # paragraphs() escapes each paragraph of the prompt itself; marking its output safe
            # keeps the one rule for splitting prompts (view.py) without escaping twice
            "prompt": Markup(paragraphs(item.prompt)),
            "options": list(item.options.items()),
            "answer": FORMATS[item.format].describe(item, answer),
            "feedback": grade(item, answer, item.key, item.rationales).lines,
        }

    def results(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.results_html()))
