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
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from . import lesson_sources, synthetic_learners
from .exports import item_keys, item_scores
from .items import is_choice
from .autograde_pool import Graders
from .report import analyse, write_report
from .responses import ResponsesFile, responses_path
from .simulated_term import COURSE_ID, Term


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
    learners: list[synthetic_learners.Learner] | None = None,
    answers: Callable[[synthetic_learners.Learner, lesson_sources.LessonSource], dict] | None = None,
    only: list[str] | None = None,
    say: Callable[[str], None] = print,
    jobs: int = 1,
    db_url: str | None = None,
) -> DemoResult:
    """Run the term in out/term (made afresh) and write the exports into out/.
    learners, answers and only (lesson ids) let a test fix who answers what; jobs is the
    number of autograde workers; db_url a gradebook other than SQLite's."""
    out = Path(out)
    if (out / "term").exists():
        shutil.rmtree(out / "term")
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    @contextmanager
    def step(name: str):
        begun = time.perf_counter()
        yield
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - begun

    term = Term.create(out / "term", course_source, db_url)
    lessons = [
        lesson for lesson in lesson_sources.find_lessons(term.course / "source")
        if only is None or lesson.assignment in only
    ]
    graded_lessons = [lesson for lesson in lessons if any(item.graded for item in lesson.bank.items.values())]
    learners = learners or synthetic_learners.learners(students, seed, [lesson.assignment for lesson in graded_lessons])
    answers = answers or (lambda learner, lesson: synthetic_learners.answers(learner, lesson, seed))
    say(f"A term for {len(learners)} learners and {len(lessons)} lessons, in {out / 'term'}")

    with step("release (generate_assignment, release_assignment)"):
        for lesson in lessons:
            term.release(lesson.assignment, due=datetime.now(timezone.utc) + timedelta(days=7))
        term.add_students([learner.id for learner in learners])
    say(f"  released {', '.join(lesson.assignment for lesson in lessons)}")

    def take(learner: synthetic_learners.Learner, lesson: lesson_sources.LessonSource) -> None:
        folder = term.fetch(learner.id, lesson.assignment)
        if lesson not in graded_lessons:
            return  # a practice lesson: fetched, practised, never submitted
        given = answers(learner, lesson)
        if given:
            ResponsesFile(responses_path(folder, lesson.stem), lesson.stem).save_many(given)
        term.submit(learner.id, lesson.assignment)

    with step("learners fetch, answer and submit"):
        for lesson in lessons:
            late = [learner for learner in learners if lesson.assignment in learner.late]
            for learner in learners:
                if learner not in late:
                    take(learner, lesson)
            if late and lesson in graded_lessons:
                _close_at_due_date(term, lesson.assignment)
            for learner in late:
                take(learner, lesson)
            say(f"  {lesson.assignment}: {len(learners)} learners fetched it"
                + (f"; all submitted, {len(late)} of them late" if lesson in graded_lessons else " (practice only)"))

    with Graders(term.course, jobs) as graders:  # workers start once and grade every lesson
        for lesson in graded_lessons:
            with step("collect"):
                term.collect(lesson.assignment)
            begun = time.perf_counter()
            with step("autograde"):
                term.autograde(lesson.assignment, graders=graders)
            say(f"  {lesson.assignment}: autograded {len(learners)} submissions in {time.perf_counter() - begun:.1f} s"
                f" ({jobs} worker{'s' if jobs > 1 else ''})")
            with step("feedback (generate_feedback, release_feedback)"):
                term.generate_feedback(lesson.assignment)
                term.release_feedback(lesson.assignment)

    with step("learners fetch feedback"):
        received = sum(
            len(term.fetch_feedback(learner.id, lesson.assignment)) for lesson in graded_lessons for learner in learners
        )
    say(f"  learners fetched {received} feedback pages")

    with step("exports and report"):
        grades_csv = term.export(out / "grades.csv")
        scores = item_scores(term.course, term.db_url, graded_lessons, course_id=COURSE_ID)
        items_csv = out / "item-scores.csv"
        scores.to_csv(items_csv, index=False)
        analysis = analyse(scores, item_keys(graded_lessons))
        report_html = write_report(analysis, out / "report")
    timings["total"] = time.perf_counter() - started

    result = DemoResult(out, term, grades_csv, items_csv, report_html, timings)
    result.summary = summarize(pd.read_csv(grades_csv), scores, analysis, len(learners))
    return result


def _close_at_due_date(term: Term, lesson: str) -> None:
    """Make the due date now, so the learners who submit after this are really late."""
    from nbgrader.api import Gradebook

    with Gradebook(term.db_url, course_id=COURSE_ID) as gb:
        gb.update_or_create_assignment(lesson, duedate=datetime.now(timezone.utc))
    time.sleep(1.1)  # nbgrader's timestamps must fall clearly after the due date


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
