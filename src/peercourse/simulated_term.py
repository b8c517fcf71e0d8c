"""A term of the course run through nbgrader's real exchange, on one machine.

On JupyterHub the exchange is a directory every user can reach; here a temporary
`Exchange.root` stands in for it, and each learner gets a home folder. Every step runs
the code behind nbgrader's commands, in this process: the instructor's through
NbGraderAPI with the course's nbgrader_config.py, the learners' (fetch, submit, fetch
feedback) through the exchange classes themselves. Learners are told apart with
nbgrader's own student id setting (`--student`), as on a hub where each has an account.
"""
from __future__ import annotations

import shutil
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit
from traitlets.config import Config

from .course_config import environment_bin_on_path, load_api
from .nbgrader_hooks import NOT_LEARNER_WORK
from .responses import ResponsesFile, responses_path

CONFIG = '''"""A term run by peercourse: the course's settings plus this term's exchange."""
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}  # first: the course's settings look in this course directory
load_subconfig({course_config!r})  # noqa: F821
c.Exchange.root = {exchange!r}
c.Exchange.cache = {cache!r}
# One account plays every learner here, so entries cannot belong to the learners they name.
c.ExchangeCollect.check_owner = False
# The course's settings ran as a subconfig, which cannot see this root: check this course's ids.
from peercourse.nbgrader_hooks import exclude_unusable_ids  # noqa: E402
exclude_unusable_ids(c)
'''
DB_CONFIG = "c.CourseDirectory.db_url = {db_url!r}\n"


class TermError(RuntimeError):
    """An nbgrader step that failed; the message carries nbgrader's own output."""


class Term:
    def __init__(self, root: Path, db_url: str | None = None):
        self.root = Path(root)
        self.course = self.root / "course"
        self.exchange = self.root / "exchange"
        self.homes = self.root / "homes"
        self.caches = self.root / "caches"
        self._api = None
        self.db_url = db_url or f"sqlite:///{self.course / 'gradebook.db'}"
        environment_bin_on_path()

    @classmethod
    def create(cls, root: Path, course_source: Path, db_url: str | None = None) -> "Term":
        """A fresh course directory holding the lessons of course_source/source/ and the
        course's nbgrader_config.py, wired to an exchange of its own, and to db_url as its
        gradebook if one is given (SQLite's gradebook.db otherwise)."""
        term = cls(root, db_url)
        for folder in (term.course, term.exchange, term.homes, term.caches):
            folder.mkdir(parents=True, exist_ok=True)
        term.exchange.chmod(0o777)  # as on a hub: every user can reach the exchange
        shutil.copytree(Path(course_source) / "source", term.course / "source")
        (term.course / "nbgrader_config.py").write_text(
            CONFIG.format(
                course_config=str((Path(course_source) / "nbgrader_config.py").resolve()),
                root=str(term.course),
                exchange=str(term.exchange),
                cache=str(term.caches / "instructor"),
            )
            + (DB_CONFIG.format(db_url=db_url) if db_url else "")
        )
        return term

    # -- the instructor, with nbgrader's API ----------------------------------------------
    # NbGraderAPI runs the same apps as the commands (formgrader uses it), in this process:
    # nbgrader's imports alone take seconds, paid once here instead of once per command.

    @property
    def api(self):
        if self._api is None:
            self._api = load_api(self.course)  # the term's config sets the root itself
        return self._api

    @property
    def course_id(self) -> str:
        """The course id the course's own nbgrader_config.py sets (written once, there)."""
        return self.api.coursedir.course_id

    def _instructor(self, action: str, *args, **kwargs) -> str:
        from sqlalchemy.exc import SAWarning

        with warnings.catch_warnings():
            # nbgrader's own session handling trips these; they say nothing about the course
            warnings.simplefilter("ignore", SAWarning)
            result = getattr(self.api, action)(*args, **kwargs)
        if not result["success"]:
            raise TermError(f"nbgrader {action} {' '.join(map(str, args))} failed:\n{result.get('log', '')}{result.get('error', '')}")
        return result.get("log", "")

    def release(self, lesson: str, due: datetime | None = None) -> None:
        self._instructor("generate_assignment", lesson, force=True)
        if due is not None:
            with Gradebook(self.db_url, self.course_id) as gb:
                gb.update_or_create_assignment(lesson, duedate=due)
        self._instructor("release_assignment", lesson)

    def add_students(self, students: list[str]) -> None:
        with Gradebook(self.db_url, self.course_id) as gb:
            for student in students:
                gb.update_or_create_student(student)

    def collect(self, lesson: str) -> str:
        return self._instructor("collect", lesson, update=True)

    def autograde(self, lesson: str, jobs: int = 1, graders=None):
        """nbgrader's autograde for every submission, over `jobs` worker processes (or the
        workers of `graders`, an autograde_pool.Graders kept open across lessons)."""
        from .autograde_pool import autograde

        run = graders.autograde(lesson) if graders is not None else autograde(self.course, lesson, jobs=jobs)
        if run.failed:
            raise TermError(f"autograde {lesson} failed for {', '.join(r.student for r in run.failed)}: "
                            f"{run.failed[0].why()}\n{run.failed[0].log}")
        return run

    def generate_feedback(self, lesson: str) -> str:
        return self._instructor("generate_feedback", lesson, force=True)

    def release_feedback(self, lesson: str) -> str:
        return self._instructor("release_feedback", lesson)

    def export(self, path: Path) -> Path:
        """nbgrader's CSV of totals, from its own export plugin (what `nbgrader export` runs)."""
        from nbgrader.plugins import CsvExportPlugin

        plugin = CsvExportPlugin(parent=self.api)
        plugin.to = str(path)
        with Gradebook(self.db_url, self.course_id) as gb:
            plugin.export(gb)
        return path

    # -- learners, through the exchange -------------------------------------------------

    def home(self, student: str) -> Path:
        return self.homes / student

    def _exchange_step(self, step, student: str, lesson: str, as_student: bool):
        config = Config()
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.exchange)
        config.Exchange.cache = str(self.caches / student)
        config.Exchange.assignment_dir = str(self.home(student))
        config.CourseDirectory.ignore = NOT_LEARNER_WORK  # as the learner-side config sets it
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = lesson
        if as_student:
            coursedir.student_id = student
        self.home(student).mkdir(parents=True, exist_ok=True)
        step(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()

    def fetch(self, student: str, lesson: str) -> Path:
        """The learner's copy of a released lesson, as `nbgrader fetch_assignment` makes it."""
        self._exchange_step(ExchangeFetchAssignment, student, lesson, as_student=False)
        return self.home(student) / lesson

    def submit(self, student: str, lesson: str) -> None:
        self._exchange_step(ExchangeSubmit, student, lesson, as_student=True)

    def fetch_feedback(self, student: str, lesson: str) -> list[Path]:
        """The feedback pages the learner received, as `nbgrader fetch_feedback` delivers them."""
        self._exchange_step(ExchangeFetchFeedback, student, lesson, as_student=True)
        return sorted((self.home(student) / lesson / "feedback").glob("*/*.html"))


def run_term(
    term: Term,
    lessons: list,
    learners: list,
    answers: Callable[[object, object], dict],
    jobs: int = 1,
    say: Callable[[str], None] = print,
    timings: dict[str, float] | None = None,
) -> list:
    """A whole term on `term`: every lesson (a lesson_sources.LessonSource) is released; each
    learner (anything with an `id` and a set of `late` lesson ids) fetches it and, for a
    graded lesson, saves answers(learner, lesson) in its answers file and submits (late
    learners after the due date); then collect, autograde with `jobs` workers, feedback
    generated and released, and fetched by every learner. Returns the graded lessons; the
    seconds each step took are added to timings."""
    from .autograde_pool import Graders

    timings = {} if timings is None else timings

    @contextmanager
    def step(name: str):
        begun = time.perf_counter()
        yield
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - begun

    graded_lessons = [lesson for lesson in lessons if any(item.graded for item in lesson.bank.items.values())]
    with step("release (generate_assignment, release_assignment)"):
        for lesson in lessons:
            term.release(lesson.assignment, due=datetime.now(timezone.utc) + timedelta(days=7))
        term.add_students([learner.id for learner in learners])
    say(f"  released {', '.join(lesson.assignment for lesson in lessons)}")

    def take(learner, lesson) -> None:
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
    return graded_lessons


def _close_at_due_date(term: Term, lesson: str) -> None:
    """Make the due date now, so the learners who submit after this are really late."""
    with Gradebook(term.db_url, course_id=term.course_id) as gb:
        gb.update_or_create_assignment(lesson, duedate=datetime.now(timezone.utc))
    time.sleep(1.1)  # nbgrader's timestamps must fall clearly after the due date
