"""`peercourse demo` (`make demo`): a whole term for a synthetic cohort, on one machine.

Every lesson is released through nbgrader's exchange; each learner fetches it, answers
(the course's own code writes the answers file), and submits; some submit late. The
instructor collects, autogrades, generates and releases feedback; learners fetch it.
Then the grades are exported: nbgrader's CSV of totals, the course's per-item CSV, and
the item-analysis report.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import lesson_sources, synthetic_learners
from .exports import item_keys, item_scores
from .items import is_choice
from .report import analyse, write_report
from .simulated_term import Term, run_term


@dataclass
class DemoResult:
    out: Path
    term: Term
    grades_csv: Path
    items_csv: Path
    report_html: Path
    timings: dict[str, float] = field(default_factory=dict)
    summary: str = ""


def run(
    course_source: Path,
    out: Path,
    students: int = 40,
    seed: int = 7,
    say: Callable[[str], None] = print,
    jobs: int = 1,
    db_url: str | None = None,
) -> DemoResult:
    """Run the term for `students` synthetic learners in out/term (made afresh) and write
    its exports into out/. jobs is the number of autograde workers; db_url a gradebook
    other than SQLite's."""
    out = Path(out)
    if (out / "term").exists():
        shutil.rmtree(out / "term")
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    term = Term.create(out / "term", course_source, db_url)
    lessons = lesson_sources.find_lessons(term.course / "source")
    graded = [lesson.assignment for lesson in lessons if any(item.graded for item in lesson.bank.items.values())]
    learners = synthetic_learners.learners(students, seed, graded)
    say(f"A term for {len(learners)} learners and {len(lessons)} lessons, in {out / 'term'}")
    graded_lessons = run_term(term, lessons, learners, lambda learner, lesson: synthetic_learners.answers(learner, lesson, seed),
                              jobs=jobs, say=say, timings=timings)
    result = write_outputs(term, graded_lessons, out, timings)
    timings["total"] = time.perf_counter() - started
    return result


def write_outputs(term: Term, graded_lessons: list[lesson_sources.LessonSource], out: Path,
                  timings: dict[str, float] | None = None) -> DemoResult:
    """A finished term's exports in out/: nbgrader's grades CSV, the per-item scores CSV,
    the item-analysis report, and a summary in words."""
    timings = {} if timings is None else timings
    begun = time.perf_counter()
    grades_csv = term.export(out / "grades.csv")
    scores = item_scores(term.course, term.db_url, graded_lessons, course_id=term.course_id)
    items_csv = out / "item-scores.csv"
    scores.to_csv(items_csv, index=False)
    analysis = analyse(scores, item_keys(graded_lessons))
    report_html = write_report(analysis, out / "report")
    timings["exports and report"] = time.perf_counter() - begun
    grades = pd.read_csv(grades_csv)
    result = DemoResult(out, term, grades_csv, items_csv, report_html, timings)
    result.summary = summarize(grades, scores, analysis, grades["student_id"].nunique())
    return result


def summarize(grades: pd.DataFrame, scores: pd.DataFrame, analysis, learners: int) -> str:
    graded = grades.dropna(subset=["timestamp"])
    auto_possible = scores.groupby(["lesson", "student"])["possible"].sum().groupby("lesson").first()
    mean_share = (scores.groupby(["lesson", "student"])["points"].sum() / scores.groupby(["lesson", "student"])["possible"].sum()).mean()
    late = int((graded["late_submission_penalty"] > 0).sum())
    blank = (scores.loc[scores["format"].map(is_choice).astype(bool), "choice"] == "").mean()
    items = analysis.items
    hardest = items.sort_values("difficulty").iloc[0]
    flagged = int((items["flags"] != "").sum())
    mastery = analysis.mastery_by_area.dropna(subset=["mastery"]).sort_values("mastery")
    weakest = mastery.iloc[0]
    return (
        f"{learners} learners submitted {len(graded)} lessons ({late} late, each penalised by the course's "
        f"late policy). On average they earned {mean_share:.0%} of the autograded points "
        f"({len(auto_possible)} lessons of {auto_possible.max():g} points each); {blank:.0%} of choice items "
        f"were left blank. The hardest item was {hardest['item']} (difficulty {hardest['difficulty']:.2f}); "
        f"{flagged} of {len(items)} items carry a flag for review in the report. The weakest exam area was "
        f"{weakest['exam_area']} ({weakest['mastery']:.0%} mastery). Reflections' rubric points await grading "
        "in formgrader; their text appears in no export."
    )
