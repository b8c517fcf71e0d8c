"""The learner's "My progress" page: what is answered in each lesson, how the practice items
went, readiness by exam area across everything scored, and what to do next.

It reads the answers files beside each lesson in the learner's course folder (lessons side
by side, as `make lab` and nbgrader's fetch lay them out) and writes nothing. Graded items
count only as answered or not, until a lesson is graded in self-study (self_study.py): their
keys are not in the learner's copy, and the course does not guess. Readiness by area adds up
the practice items, each lesson's latest self-study grading, the short exam practices and
the full practice exams. The page's markup is in templates/progress_*.html.
"""
from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .certification import EXAM_AREAS, weakest_areas
from .grading import earned_points
from .itembank import ItemBank, course_banks
from .items import FORMATS, read_saved
from .pages import render
from .responses import ResponsesFile, responses_path
from .self_study import attempts


@dataclass
class LessonProgress:
    lesson: str  # folder name, e.g. "lesson-2"
    title: str
    graded: int = 0
    graded_answered: int = 0
    practice: int = 0
    practice_answered: int = 0
    practice_points: float = 0.0  # earned on the answered practice items
    practice_possible: float = 0.0  # of the answered practice items
    reflections: int = 0
    reflections_written: int = 0
    problem: str | None = None  # the answers file could not be read

    @property
    def to_do(self) -> int:
        return (self.graded - self.graded_answered) + (self.practice - self.practice_answered)

    @property
    def started(self) -> bool:
        return self.graded_answered + self.practice_answered > 0


@dataclass
class CourseProgress:
    lessons: list[LessonProgress] = field(default_factory=list)
    by_area: dict[str, list[float]] = field(default_factory=dict)  # area -> [earned, possible, answered]
    problems: list[str] = field(default_factory=list)
    self_study: list = field(default_factory=list)  # self_study.Attempt, oldest first
    exams: list = field(default_factory=list)  # ExamResult of each submitted full practice exam

    def next_step(self) -> str:
        if not self.lessons:
            return "No lessons were found beside this folder. Open this notebook from inside the course folder."
        if not any(lesson.started for lesson in self.lessons):
            first = self.lessons[0]
            return f"Start with {_name(first)}: {first.title}."
        for lesson in self.lessons:
            if lesson.to_do:
                parts = []
                if lesson.graded > lesson.graded_answered:
                    parts.append(_count(lesson.graded - lesson.graded_answered, "graded item"))
                if lesson.practice > lesson.practice_answered:
                    parts.append(_count(lesson.practice - lesson.practice_answered, "practice item"))
                return f"Next: {_name(lesson)} ({lesson.title}) has {' and '.join(parts)} left to answer."
        return ("Every item in every lesson has an answer. Try the exam-practice notebook, review the practice "
                "items you missed, and submit your lessons.")


def read(course: Path) -> CourseProgress:
    banks, problems = course_banks(course)
    progress = CourseProgress(by_area={area: [0.0, 0.0, 0] for area in EXAM_AREAS}, problems=problems)
    for folder, bank in banks:
        progress.lessons.append(_lesson(folder, bank, progress.by_area))
    progress.self_study = attempts(course)
    _self_study_areas(progress.self_study, progress.by_area)
    _short_practice(course, progress.by_area)
    progress.exams = _exams(course, progress.by_area)
    return progress


def _add(by_area: dict, area: str, earned: float, possible: float, count: int) -> None:
    tally = by_area[area]
    tally[0] += earned
    tally[1] += possible
    tally[2] += count


def _self_study_areas(tries: list, by_area: dict) -> None:
    """Each lesson's latest self-study grading counts toward readiness: its graded items,
    scored by nbgrader (earlier tries of the same lesson would count its items twice)."""
    latest = {attempt.lesson: attempt for attempt in tries}  # oldest first, so the last one stays
    for attempt in latest.values():
        for area, (earned, possible, count) in attempt.by_area.items():
            if area in by_area:
                _add(by_area, area, earned, possible, count)


SHORT_PRACTICE = re.compile(r"^exam-practice-\d+\.responses\.json$")


def _short_practice(course: Path, by_area: dict) -> None:
    """The answered questions of every short exam practice (exam-practice-<seed>), scored by
    the bank's keys: practice items, whose keys the learner's copy holds."""
    from .exam_bank import read_bank

    files = [path for path in sorted(Path(course).glob("*/exam-practice-*.responses.json"))
             if SHORT_PRACTICE.match(path.name)]
    if not files:
        return
    banks, _ = read_bank(files[0].parent, check_schema=False)
    items = {item.id: item for _, bank in banks for item in bank.items.values()}
    for path in files:
        loaded = ResponsesFile(path, path.name.removesuffix(".responses.json")).load()
        for item_id in loaded.answers:
            item = items.get(item_id)
            if item is None:
                continue  # a question the bank no longer has, or a lesson's practice item
            answer, _ = read_saved(item, loaded.answers)
            if FORMATS[item.format].is_answered(item, answer):
                _add(by_area, item.exam_area, earned_points(item, answer, item.key), item.points, 1)


@dataclass
class ExamResult:
    form: str
    submitted: str  # ISO 8601
    earned: float
    possible: float
    by_area: dict[str, tuple[float, float]]  # area -> (earned, possible)


EXAM_FILE = re.compile(r"^full-exam-(?P<form>[a-z0-9]+?)(?:-(?P<size>\d+))?\.responses\.json$")


def _exams(course: Path, by_area: dict) -> list[ExamResult]:
    """Every submitted full practice exam beside the course's exam-practice notebook, oldest
    first; their items count toward readiness by area, as practice items do."""
    from .full_exam import EXAM_QUESTIONS, FormError, FullExam

    found = []
    for path in sorted(Path(course).glob("*/full-exam-*.responses.json")):
        match = EXAM_FILE.match(path.name)
        if not match:
            continue  # a retry of missed items: practice, not an exam
        size = int(match["size"] or EXAM_QUESTIONS)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # its opening note is for the exam's own notebook
                exam = FullExam(match["form"], path.parent, size=size)
        except FormError:
            continue  # the bank has changed since: the form can no longer be rebuilt
        if not exam.submitted:
            continue
        areas = exam.area_totals(exam.scores())
        for area, (got, out_of, count) in areas.items():
            _add(by_area, area, got, out_of, count)
        found.append(ExamResult(match["form"], exam.submitted, sum(a[0] for a in areas.values()),
                                sum(a[1] for a in areas.values()),
                                {area: (got, out_of) for area, (got, out_of, _) in areas.items()}))
    return sorted(found, key=lambda result: result.submitted)


def _lesson(folder: Path, bank: ItemBank, by_area: dict) -> LessonProgress:
    loaded = ResponsesFile(responses_path(folder, bank.lesson), bank.lesson).load()
    row = LessonProgress(folder.name, bank.title.split(": ", 1)[-1], problem=loaded.problem)
    for item in bank.items.values():
        fmt = FORMATS[item.format]
        answer, _ = read_saved(item, loaded.answers)  # an unusable value counts as unanswered
        answered = fmt.is_answered(item, answer)
        if fmt.written:
            row.reflections += 1
            row.reflections_written += answered
        if item.graded:
            row.graded += 1
            row.graded_answered += answered
        elif fmt.has_options:
            row.practice += 1
            row.practice_answered += answered
            if answered:
                earned = earned_points(item, answer, item.key)
                row.practice_points += earned
                row.practice_possible += item.points
                _add(by_area, item.exam_area, earned, item.points, 1)
    return row


def _name(lesson: LessonProgress) -> str:
    return lesson.lesson.replace("lesson-", "Lesson ")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def next_step_html(progress: CourseProgress) -> str:
    notes = progress.problems + [f"{l.lesson}: {l.problem}" for l in progress.lessons if l.problem]
    return render("progress_next_step.html", next_step=progress.next_step(), notes=notes)


def table_html(progress: CourseProgress) -> str:
    rows = []
    for lesson in progress.lessons:
        practice = (
            f"{lesson.practice_points:g} of {lesson.practice_possible:g} points "
            f"({lesson.practice_points / lesson.practice_possible:.0%})" if lesson.practice_possible else "none checked yet"
        )
        rows.append((
            _name(lesson), lesson.title,
            f"{lesson.graded_answered} of {lesson.graded}" if lesson.graded else "none in this lesson",
            f"{lesson.practice_answered} of {lesson.practice}", practice,
            f"{lesson.reflections_written} of {lesson.reflections}",
        ))
    return render("progress_table.html", caption="Your progress by lesson", rows=rows, head=(
        "Lesson", "Topic", "Graded items answered", "Practice items answered", "Practice score", "Reflections complete"))


READY_AFTER = 10  # questions scored in an area before the page compares it with the others


def readiness(progress: CourseProgress) -> dict:
    """The readiness view's words: the areas with too few questions scored to say, and the
    weakest of the others (lowest share of points, at most two, below full marks)."""
    scored = {area: tally for area, tally in progress.by_area.items() if tally[2] >= READY_AFTER}
    return {"weakest": weakest_areas(scored),
            "too_few": [area for area in progress.by_area if area not in scored], "ready_after": READY_AFTER}


def area_table_html(progress: CourseProgress) -> str:
    rows = []
    for area, (earned, possible, answered) in progress.by_area.items():
        score = f"{earned:g} of {possible:g} points ({earned / possible:.0%})" if possible else "nothing scored yet"
        rows.append((area, answered, score))
    table = render("progress_table.html", caption=READINESS_CAPTION, rows=rows,
                   head=("Exam area", "Questions scored", "Score"))
    return table + render("progress_readiness.html", **readiness(progress))


READINESS_CAPTION = ("Readiness by exam area: every question scored so far (lesson practice items, lessons graded "
                     "in self-study, exam practice and full practice exams)")


def self_study_html(progress: CourseProgress) -> str:
    """Every self-study grading, latest first; earlier attempts stay listed."""
    rows = []
    for attempt in reversed(progress.self_study):
        share = f" ({attempt.points / attempt.possible:.0%})" if attempt.possible else ""
        rows.append((attempt.lesson.replace("lesson-", "Lesson "), attempt.graded_at.replace("T", " ")[:16] + " UTC",
                     f"{attempt.points:g} of {attempt.possible:g}{share}", f"{attempt.rubric_possible:g}"))
    return render("progress_table.html", caption="Your lessons graded in self-study (latest first)", rows=rows,
                  head=("Lesson", "Graded on", "Autograded points", "Rubric points to judge yourself"))


def exams_html(progress: CourseProgress) -> str:
    """Every submitted practice exam: its date, score, and score by area."""
    rows = []
    for result in progress.exams:
        areas = "; ".join(f"{area} {got:g} of {out_of:g}" for area, (got, out_of) in result.by_area.items())
        rows.append((f"Form {result.form}", result.submitted.replace("T", " ")[:16] + " UTC",
                     f"{result.earned:g} of {result.possible:g} ({result.earned / result.possible:.0%})", areas))
    return render("progress_table.html", caption="Your full practice exams", rows=rows,
                  head=("Exam", "Submitted on", "Score", "By exam area"))


def chart(progress: CourseProgress):
    """Two bar charts: answered share per lesson, and practice score per exam area. Bars
    carry their numbers and hatching, so nothing depends on colour."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.2]})
    names = [_name(lesson) for lesson in progress.lessons][::-1]
    graded = [lesson.graded_answered / lesson.graded if lesson.graded else 0 for lesson in progress.lessons][::-1]
    practice = [lesson.practice_answered / lesson.practice if lesson.practice else 0 for lesson in progress.lessons][::-1]
    y = range(len(names))
    bars_g = left.barh([i + 0.2 for i in y], graded, height=0.38, label="graded items", color="#1f4e79")
    bars_p = left.barh([i - 0.2 for i in y], practice, height=0.38, label="practice items", color="#9ecae1",
                       hatch="//", edgecolor="#1f4e79")
    for bars in (bars_g, bars_p):
        left.bar_label(bars, labels=[f"{b.get_width():.0%}" for b in bars], padding=2, fontsize=8)
    left.set_yticks(list(y), names)
    left.set_xlim(0, 1.15)
    left.set_xlabel("share answered")
    left.set_title("Answered, by lesson")
    left.legend(loc="lower right", fontsize=8)

    areas = [area for area in EXAM_AREAS][::-1]
    shares = [(progress.by_area[a][0] / progress.by_area[a][1]) if progress.by_area[a][1] else 0 for a in areas]
    bars = right.barh(range(len(areas)), shares, color="#2b8a3e", hatch="..", edgecolor="#1b5e20")
    right.bar_label(bars, labels=[
        f"{s:.0%}" if progress.by_area[a][1] else "not yet" for a, s in zip(areas, shares)], padding=2, fontsize=8)
    right.set_yticks(range(len(areas)), areas, fontsize=8)
    right.set_xlim(0, 1.15)
    right.set_xlabel("share of points earned")
    right.set_title("Score so far, by exam area")
    fig.tight_layout()
    return fig


# The chart's text alternative: the same figures are in the tables under it.
CHART_ALT = ("Two bar charts. The first shows the share of graded and practice items answered in each lesson; "
             "the second, the share of practice points earned in each exam area. The tables below give the same numbers.")


def figure_html(fig, alt: str) -> str:
    """The chart as an image with a text alternative, which a figure displayed by itself lacks
    (axe: image-alt). The PNG is inside the page, so the page needs no file beside it."""
    import base64
    import io
    from html import escape

    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100)
    data = base64.b64encode(png.getvalue()).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}"></figure>'


def show(course: Path | None = None) -> None:
    """What the progress notebook's cell runs: next step, chart, then the tables. It returns
    nothing, so the cell shows the page and no Python value under it (issue 16: learners saw
    a raw CourseProgress(...) dump)."""
    from IPython.display import HTML, display

    course = Path(course) if course is not None else Path.cwd().parent
    progress = read(course)
    display(HTML(next_step_html(progress)))
    if progress.lessons:
        from .browser_edition import in_browser

        if not in_browser():  # the browser edition has no matplotlib; the tables hold the same numbers
            import matplotlib.pyplot as plt

            fig = chart(progress)
            display(HTML(figure_html(fig, CHART_ALT)))
            plt.close(fig)
        display(HTML(table_html(progress)))
        display(HTML(area_table_html(progress)))
        if progress.self_study:
            display(HTML(self_study_html(progress)))
        if progress.exams:
            display(HTML(exams_html(progress)))
