"""`peercourse autograde LESSON --jobs N`: nbgrader's own autograde, spread over N worker
processes. nbgrader grades one submission at a time; a class of hundreds is thousands of
notebooks, and each waits mostly on its own kernel, so workers on other cores finish the
class sooner.

Each worker is a process that loads the course's nbgrader_config.py once and runs
nbgrader's Autograde app (through NbGraderAPI, as formgrader does) for one learner at a
time, taken from a shared queue. The gradebook must take concurrent writers: PostgreSQL
does; a SQLite gradebook is switched to write-ahead logging, where writers wait their turn
instead of failing. Any learner whose grading fails (a lock, a kernel that did not start)
is graded once more, alone, at the end.
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


def available_cores() -> int:
    """Cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota (a
    JupyterHub pod's limit), where os.cpu_count() would report the whole host."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


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


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite gradebook; None for a server such as PostgreSQL."""
    return Path(db_url[len("sqlite:///"):]) if db_url.startswith("sqlite:///") else None


def allow_concurrent_writers(db_url: str) -> None:
    """Write-ahead logging for a SQLite gradebook; PostgreSQL needs nothing."""
    path = sqlite_path(db_url)
    if path is not None and path.exists():  # a new gradebook is nbgrader's to create
        with sqlite3.connect(path) as db:
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


# SQLite's write-ahead log needs shared memory between processes, which network file
# systems do not give: there, several grading processes can corrupt the gradebook.
NETWORK_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "fuse.sshfs"}


def file_system(path: Path, mounts: str | None = None) -> str:
    """The type of the file system `path` lives on, from /proc/mounts ("" if unknown)."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    path = Path(path).resolve()
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (path == Path(point) or Path(point) in path.parents) and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def check_gradebook_for_workers(db_url: str, jobs: int) -> None:
    path = sqlite_path(db_url)
    if jobs > 1 and path is not None:
        kind = file_system(path.parent)
        if kind in NETWORK_FILE_SYSTEMS:
            raise SystemExit(
                f"peercourse: the gradebook {db_url} is on a network file system ({kind}), where SQLite cannot take "
                "several writers safely. Grade with --jobs 1, or use a PostgreSQL gradebook (docs/instructors.md)."
            )


class Graders:
    """N worker processes that each load nbgrader and the course's config once, then grade
    learners from a shared queue. Keep one open to grade several lessons without starting
    the workers again (each start loads nbgrader, a few seconds)."""

    def __init__(self, course: Path, jobs: int = 1):
        self.course, self.jobs = Path(course).resolve(), max(1, jobs)
        self._pool = None

    def __enter__(self) -> "Graders":
        api = load_api(self.course)
        check_gradebook_for_workers(api.coursedir.db_url, self.jobs)
        self.db_url = api.coursedir.db_url
        if self.jobs > 1:
            context = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited kernels or sessions
            self._pool = context.Pool(self.jobs, initializer=_start_worker, initargs=(str(self.course),))
        else:
            _start_worker(str(self.course))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()

    def autograde(self, lesson: str, students: list[str] | None = None, say=print) -> AutogradeRun:
        students = students if students is not None else submitted_students(self.course, lesson)
        run = AutogradeRun(lesson, self.jobs)
        begun = time.perf_counter()
        allow_concurrent_writers(self.db_url)  # here, not on entry: the gradebook may not exist yet
        work = [(lesson, student) for student in students]
        if self._pool is None:
            grade_one = _grade
            results = [_grade(job) for job in work]
        else:
            grade_one = lambda job: self._pool.apply(_grade, (job,))  # noqa: E731
            results = list(self._pool.imap_unordered(_grade, work))
        # A failure can be passing (a gradebook lock among workers, a kernel whose port another
        # process took first): each failed learner is graded once more, alone, at the end. A
        # submission that really cannot be graded fails twice and is reported.
        failed = [r for r in results if not r.ok]
        if failed:
            say(f"  grading {len(failed)} learner(s) again, alone, after a failure")
            again = {r.student: grade_one((lesson, r.student)) for r in failed}
            results = [again.get(r.student, r) for r in results]
        run.results = sorted(results, key=lambda r: r.student)
        run.seconds = time.perf_counter() - begun
        return run


def autograde(course: Path, lesson: str, jobs: int = 1, students: list[str] | None = None, say=print) -> AutogradeRun:
    """Grade one lesson's submissions with `jobs` workers started for it."""
    with Graders(course, jobs) as graders:
        return graders.autograde(lesson, students, say)
