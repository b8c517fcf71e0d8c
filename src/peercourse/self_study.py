"""Self-study feedback: a learner studying alone gets a lesson graded and explained by
nbgrader itself, as an instructor's learners do.

`peercourse feedback LESSON --workspace DIR` (and the button at the end of each lesson)
grades the learner's copy of a lesson in a private course of one learner, kept beside the
workspace and never in it (`.<workspace>-grading/`): the course's own source/ and
nbgrader_config.py, so the same autograde steps, keys and rationales as an instructor's
grading. nbgrader's generate_assignment, autograde and generate_feedback run there; the
feedback page is copied into the lesson's folder (`feedback/<notebook>.html`, replacing an
earlier one), and each attempt's points are added to `.self-study.json` in the workspace,
which My progress reads.

It needs the keys, so it works only where the learner's copy of the course has them: a
local clone, where `make lab` notes the course folder in the workspace (COURSE_NOTE). On a
hub, learners hold no keys: the button says to submit the lesson to the instructor.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .responses import write_atomically

COURSE_NOTE = ".peercourse-course.json"  # in the workspace: {"course": "<the clone's folder>"}
ATTEMPTS = ".self-study.json"  # in the workspace: every self-study grading's points
LEARNER = "me"  # the one learner of the private course
CONFIG = '''"""The private course of one self-study learner: the course's own settings, this root."""
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}  # first: the course's settings look in this course directory
load_subconfig({course_config!r})  # noqa: F821
c.CourseDirectory.root = {root!r}
'''


class SelfStudyError(RuntimeError):
    """Why a lesson could not be graded here, in words for the learner."""


@dataclass(frozen=True)
class Attempt:
    lesson: str
    graded_at: str  # ISO 8601, UTC
    points: float  # autograded points earned
    possible: float  # autograded points possible
    rubric_possible: float  # reflections' rubric points: the learner judges them with the rubric
    feedback: str  # the feedback page, relative to the workspace
    # {exam area: [points earned, points possible, items]} of the graded items, for the
    # readiness view of My progress; records written before it existed have none
    by_area: dict = field(default_factory=dict)


def private_course(workspace: Path) -> Path:
    """Beside the workspace, never in it: it holds the course's keys."""
    workspace = Path(workspace).resolve()
    return workspace.parent / f".{workspace.name}-grading"


def note_course(workspace: Path, course: Path) -> None:
    """Written by `make lab`: where this workspace's course, with its keys, lives."""
    (Path(workspace) / COURSE_NOTE).write_text(json.dumps({"course": str(Path(course).resolve())}) + "\n", encoding="utf-8")


def course_of(workspace: Path) -> Path | None:
    """The course folder noted in the workspace, if it is there and holds the keys (source/)."""
    try:
        course = Path(json.loads((Path(workspace) / COURSE_NOTE).read_text(encoding="utf-8"))["course"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return course if (course / "source").is_dir() and (course / "nbgrader_config.py").is_file() else None


def grade(course: Path, workspace: Path, lesson: str) -> Attempt:
    """Grade the workspace's copy of `lesson` with nbgrader in the private course; copy the
    feedback page into the lesson's folder and record the attempt."""
    from sqlalchemy.exc import SAWarning

    from .course_config import load_api
    from .lesson_sources import lesson_notebooks

    course, workspace = Path(course).resolve(), Path(workspace).resolve()
    source = course / "source" / lesson
    notebooks = [nb for nb in lesson_notebooks(course / "source") if nb.parent == source]
    if not notebooks:
        raise SelfStudyError(f"there is no lesson {lesson!r} in {course / 'source'}")
    mine = workspace / lesson
    if not all((mine / nb.name).is_file() for nb in notebooks):
        raise SelfStudyError(f"{mine} has no copy of {', '.join(nb.name for nb in notebooks)} to grade")
    root = private_course(workspace)
    _prepare(course, root, lesson)
    submitted = root / "submitted" / LEARNER / lesson
    if submitted.exists():
        shutil.rmtree(submitted)
    submitted.mkdir(parents=True)
    for nb in notebooks:  # only the notebooks and their answers: nothing else of the folder is graded
        shutil.copy2(mine / nb.name, submitted / nb.name)
        answers = mine / f"{nb.stem}.responses.json"
        if answers.is_file():
            shutil.copy2(answers, submitted / answers.name)
    api = load_api(root)
    for step, args in (("autograde", (lesson, LEARNER)), ("generate_feedback", (lesson, LEARNER))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session handling, not the learner's concern
            result = getattr(api, step)(*args, force=True, **({"create": True} if step == "autograde" else {}))
        if not result["success"]:
            raise SelfStudyError(f"nbgrader {step} failed:\n{result.get('log', '')}{result.get('error', '')}")
    points, possible, rubric, by_area = _points(api, lesson, _areas_of(notebooks))
    feedback_dir = mine / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    for nb in notebooks:
        shutil.copy2(root / "feedback" / LEARNER / lesson / f"{nb.stem}.html", feedback_dir / f"{nb.stem}.html")
    attempt = Attempt(lesson, datetime.now(timezone.utc).isoformat(timespec="seconds"), points, possible, rubric,
                      (feedback_dir / f"{notebooks[0].stem}.html").relative_to(workspace).as_posix(), by_area)
    record_attempt(workspace, attempt)
    return attempt


def _prepare(course: Path, root: Path, lesson: str) -> None:
    """The private course, made or brought up to date: the lesson's source as the course has
    it now, the course's own settings, and the lesson generated into its gradebook."""
    from .course_config import load_api

    root.mkdir(mode=0o700, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(root), course_config=str(course / "nbgrader_config.py")), encoding="utf-8")
    target = root / "source" / lesson
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(course / "source" / lesson, target)
    result = load_api(root).generate_assignment(lesson, force=True)
    if not result["success"]:
        raise SelfStudyError(f"nbgrader generate_assignment failed:\n{result.get('log', '')}{result.get('error', '')}")


def _areas_of(notebooks: list[Path]) -> dict[str, str]:
    """{item id: exam area} of the lesson's items, from its source (where the keys are)."""
    from .itembank import SUFFIX, load_bank

    return {item.id: item.exam_area for nb in notebooks
            for item in load_bank(nb.with_name(nb.stem + SUFFIX), check_schema=False).items.values()}


def _points(api, lesson: str, area_of: dict[str, str]) -> tuple[float, float, float, dict]:
    """(autograded points earned, autograded points possible, rubric points possible, and the
    autograded points by exam area: {area: [earned, possible, items]})."""
    from nbgrader.api import Gradebook

    earned = possible = rubric = 0.0
    by_area: dict[str, list] = {}
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        submission = gb.find_submission(lesson, LEARNER)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell.cell_type == "code":  # a test cell, "test-<item id>": scored by autograde
                    earned += grade.score or 0.0
                    possible += grade.max_score
                    area = area_of.get(grade.cell.name.removeprefix("test-"))
                    if area:
                        tally = by_area.setdefault(area, [0.0, 0.0, 0])
                        tally[0] += grade.score or 0.0
                        tally[1] += grade.max_score
                        tally[2] += 1
                else:  # a rubric task cell: points an instructor (here, the learner) gives by hand
                    rubric += grade.max_score
    return earned, possible, rubric, by_area


def attempts(workspace: Path) -> list[Attempt]:
    """Every self-study grading recorded in the workspace, oldest first; [] if none or unreadable."""
    try:
        rows = json.loads((Path(workspace) / ATTEMPTS).read_text(encoding="utf-8"))["attempts"]
        return [Attempt(**row) for row in rows]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def record_attempt(workspace: Path, attempt: Attempt) -> None:
    rows = [asdict(each) for each in attempts(workspace)] + [asdict(attempt)]
    write_atomically(workspace / ATTEMPTS, (json.dumps({"attempts": rows}, indent=1) + "\n").encode("utf-8"))


def summary(attempt: Attempt, rubric_where: str = "shown in the feedback") -> str:
    """The attempt in words, for the command line and the button (and the browser edition's
    scoring, whose rubric is the lesson's own)."""
    text = f"{attempt.lesson}: {attempt.points:g} of {attempt.possible:g} autograded points ({attempt.points / attempt.possible:.0%})." \
        if attempt.possible else f"{attempt.lesson}: no autograded items."
    if attempt.rubric_possible:
        text += (f" Your reflections have {attempt.rubric_possible:g} more rubric points: "
                 f"judge them yourself with the rubric {rubric_where}.")
    return text


# -- the button at the end of each lesson (the learner's kernel) -----------------------------

ON_A_HUB = ("<p>Your instructor gives the feedback on this lesson: when you are done, submit it "
            "(in JupyterLab's Assignments tab). Your answers are saved already.</p>")


def button(lesson_folder: Path):
    """The widget that grades this lesson in self-study, or, where this copy of the course
    holds no keys (a hub), a note that says to submit the lesson instead. (The browser
    edition has its own: browser_edition.score_button.)"""
    import ipywidgets as widgets

    lesson_folder = Path(lesson_folder).resolve()
    workspace = lesson_folder.parent
    course = course_of(workspace)
    if course is None:
        return widgets.HTML(ON_A_HUB)
    run = widgets.Button(description="Grade my answers", button_style="primary", icon="check",
                         tooltip="Grade this lesson and open the feedback, as an instructor's grading would")
    result = widgets.HTML(layout=widgets.Layout(min_height="2em"))

    def on_click(_):
        run.disabled = True
        result.value = "<p>Grading your answers (about half a minute)&hellip;</p>"
        try:
            result.value = feedback_html(course, workspace, lesson_folder.name)
        finally:
            run.disabled = False

    run.on_click(on_click)
    return widgets.VBox([run, result])


def feedback_html(course: Path, workspace: Path, lesson: str) -> str:
    """Run `peercourse feedback` in its own process (nbgrader's steps would otherwise load
    into the learner's kernel) and say what came of it, with a link to the feedback page."""
    from html import escape

    done = subprocess.run(
        [sys.executable, "-m", "peercourse.cli", "--course", str(course), "feedback", lesson, "--workspace", str(workspace)],
        capture_output=True, text=True, cwd=workspace)
    said = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not said:
        why = (done.stderr.strip().splitlines() or said or ["no reason given"])[-1]
        return f"<p>Your answers could not be graded: {escape(why)}</p>"
    page = next((line.split(": ", 1)[1] for line in said if line.startswith("feedback: ")), None)
    text = "".join(f"<p>{escape(line)}</p>" for line in said if not line.startswith("feedback: "))
    if page:
        # a link relative to the notebook: JupyterLab opens it in a tab of its own
        relative = os.path.relpath(workspace / page, workspace / lesson)
        text += f'<p><a href="{escape(relative)}" target="_blank">Open your feedback</a> (every item, with why each option is or is not the best).</p>'
    return text
