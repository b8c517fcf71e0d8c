"""`peercourse autograde LESSON --jobs N`: nbgrader's own autograde, spread over N worker
processes. nbgrader grades one submission at a time; a class of hundreds is thousands of
notebooks, and each waits mostly on its own kernel, so workers on other cores finish the
class sooner.

Each worker is a process that loads the course's nbgrader_config.py once and runs
nbgrader's Autograde app (through NbGraderAPI, as formgrader does) for one learner at a
time, taken from a shared queue. The gradebook must take concurrent writers: PostgreSQL
does; a SQLite gradebook is switched to write-ahead logging, where writers wait their turn
instead of failing, and any learner whose grading still hits a lock is graded again, alone,
at the end.
"""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

_api = None  # each worker's NbGraderAPI


@dataclass
class Graded:
    student: str
    ok: bool
    seconds: float
    log: str = ""


@dataclass
class AutogradeRun:
    lesson: str
    jobs: int
    results: list[Graded] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Graded]:
        return [result for result in self.results if not result.ok]


def submitted_students(course: Path, lesson: str) -> list[str]:
    return sorted(folder.parent.name for folder in (Path(course) / "submitted").glob(f"*/{lesson}") if folder.is_dir())


def load_api(course: Path):
    """NbGraderAPI with the course's own nbgrader_config.py, as the commands would load it."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    here = str(Path(sys.executable).parent)  # nbgrader runs `alembic` by name
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([here, os.environ.get("PATH", "")])
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if "root" not in config.CourseDirectory:
        config.CourseDirectory.root = str(course)
    return NbGraderAPI(config=config)


def allow_concurrent_writers(db_url: str) -> None:
    """Write-ahead logging for a SQLite gradebook; PostgreSQL needs nothing."""
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url[len("sqlite:///"):]) as db:
            db.execute("PRAGMA journal_mode=WAL")


def _start_worker(course: str) -> None:
    global _api
    _api = load_api(Path(course))


def _grade(job: tuple[str, str]) -> Graded:
    from sqlalchemy.exc import SAWarning

    lesson, student = job
    begun = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's session handling, not the course's
        result = _api.autograde(lesson, student, force=True, create=True)
    return Graded(student, bool(result["success"]), time.perf_counter() - begun,
                  result.get("log", "") + result.get("error", ""))


def autograde(course: Path, lesson: str, jobs: int = 1, students: list[str] | None = None, say=print) -> AutogradeRun:
    course = Path(course).resolve()
    students = students if students is not None else submitted_students(course, lesson)
    run = AutogradeRun(lesson, jobs)
    begun = time.perf_counter()
    api = load_api(course)
    allow_concurrent_writers(api.coursedir.db_url)
    work = [(lesson, student) for student in students]
    if jobs <= 1 or len(students) <= 1:
        _start_worker(str(course))
        results = [_grade(job) for job in work]
    else:
        context = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited kernels or sessions
        with context.Pool(jobs, initializer=_start_worker, initargs=(str(course),)) as pool:
            results = list(pool.imap_unordered(_grade, work))
        locked = [r for r in results if not r.ok and "database is locked" in r.log]
        if locked:
            say(f"  grading {len(locked)} learner(s) again, alone, after a gradebook lock")
            _start_worker(str(course))
            again = {r.student: _grade((lesson, r.student)) for r in locked}
            results = [again.get(r.student, r) for r in results]
    run.results = sorted(results, key=lambda r: r.student)
    run.seconds = time.perf_counter() - begun
    return run
