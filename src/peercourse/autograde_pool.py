"""`peercourse autograde LESSON --jobs N`: nbgrader's own autograde, spread over N worker
processes. nbgrader grades one submission at a time; a class of hundreds is thousands of
notebooks, and each waits mostly on its own kernel, so workers on other cores finish the
class sooner.

Each worker is a process that loads the course's nbgrader_config.py once and runs
nbgrader's Autograde app (through NbGraderAPI, as formgrader does) for one learner at a
time, sent to it by this process. Workers are forked from multiprocessing's fork server,
which imports nbgrader once for them all, so a worker is ready in a fraction of a second
instead of the seconds a fresh interpreter takes; each worker's kernels come from its own
kernel template (nbgrader_hooks/forked_kernels.py). The gradebook must take concurrent writers: PostgreSQL
does; a SQLite gradebook is switched to write-ahead logging, where writers wait their turn
instead of failing.

No learner can stop the run. Each learner has a time limit (`ParallelAutograde.learner_timeout`);
a worker that dies, or runs past the limit, is stopped with its kernels and replaced, and
that learner alone is reported. Any learner whose grading fails (a lock, a kernel that did
not start) is graded once more, alone, at the end (one stopped at the time limit is not:
it would hold a worker for the whole limit again). Learner ids nbgrader would read as
patterns are refused by name (nbgrader_hooks/student_ids.py). The run always ends with a
summary of who was graded and who was not, and why.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sqlite3
import time
import traceback
import warnings
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from traitlets import Enum, Float
from traitlets.config import Configurable

from .course_config import load_api
from .nbgrader_hooks.student_ids import QUIET, unusable_id_problem

_api = None  # each worker's NbGraderAPI

# What every worker needs before it can grade: loaded once by multiprocessing's fork server,
# a clean process that then forks each worker with them already imported (importing nbgrader
# takes seconds, most of it jsonschema's format checkers; docs/performance.md).
WORKER_PRELOAD = [
    "peercourse.autograde_pool", "nbgrader.apps.api", "nbgrader.apps.autogradeapp", "peercourse.nbgrader_hooks",
    "peercourse.nbgrader_hooks.forked_kernels", "peercourse.nbgrader_hooks.kernel_client", "sqlalchemy.exc",
]


def start_fork_server() -> bool:
    """Start multiprocessing's fork server, importing WORKER_PRELOAD; False if this system has
    none (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(WORKER_PRELOAD)
    forkserver.ensure_running()
    return True


def worker_context(start_method: str = "forkserver"):
    """Where workers come from: by default forked from multiprocessing's fork server, which
    imports WORKER_PRELOAD once per grading process and has no threads, sessions or kernels
    to pass on; a fresh interpreter per worker ("spawn") where there is no fork server
    (Windows) or when the course's config asks for it."""
    if start_method == "forkserver" and start_fork_server():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class ParallelAutograde(Configurable):
    """Settings of `peercourse autograde`, read from the course's nbgrader_config.py."""

    learner_timeout = Float(
        900.0,
        help="Most seconds one learner's grading may take. Past it, the worker grading them is stopped "
        "with its kernels, and the learner is reported as not graded; the others go on.",
    ).tag(config=True)

    start_method = Enum(
        ["forkserver", "spawn"], "forkserver",
        help="How worker processes start: forked from a server that has imported nbgrader once "
        "(forkserver), or each as a fresh interpreter that imports nbgrader itself (spawn, seconds each).",
    ).tag(config=True)


@dataclass
class Graded:
    student: str
    ok: bool
    seconds: float
    log: str = ""
    reason: str = ""  # one line, when not graded
    worker: str = ""  # the Dask worker that graded it, on a cluster (cluster_grading.py)
    timed_out: bool = False  # stopped at ParallelAutograde.learner_timeout

    def why(self) -> str:
        return self.reason or last_error(self.log) or "nbgrader could not grade it (see its log)"


def last_error(log: str) -> str:
    """The last error nbgrader logged, in one line: what the summary says for a failure."""
    errors = [(name, text) for name, text in re.findall(r"^\s*(?:\w+\.)*(\w*(?:Error|Exception|Timeout)): (.+)$", log, flags=re.M)
              if name != "NbGraderException"]  # nbgrader's closing "see the traceback above"
    return f"{errors[-1][0]}: {errors[-1][1].strip()}" if errors else ""


@dataclass
class AutogradeRun:
    lesson: str
    jobs: int
    results: list[Graded] = field(default_factory=list)
    seconds: float = 0.0
    where: str = ""  # the Dask scheduler's address, for a run on a cluster

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


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite gradebook; None for a server such as PostgreSQL."""
    return Path(db_url[len("sqlite:///"):]) if db_url.startswith("sqlite:///") else None


def allow_concurrent_writers(db_url: str) -> None:
    """Write-ahead logging for a SQLite gradebook; PostgreSQL needs nothing."""
    path = sqlite_path(db_url)
    if path is not None and path.exists():  # a new gradebook is nbgrader's to create
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA journal_mode=WAL")


def _start_worker(course: str, environment: dict | None = None, folder: str | None = None) -> None:
    global _api
    if environment is not None:  # a worker forked from the fork server has the server's, from its start
        os.environ.clear()
        os.environ.update(environment)
    if folder is not None:
        os.chdir(folder)
    os.environ[QUIET] = "1"  # the parent names refused learner ids, once
    _api = load_api(Path(course))


def _grade(job: tuple[str, str]) -> Graded:
    from sqlalchemy.exc import SAWarning

    lesson, student = job
    begun = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's session handling, not the course's
            result = _api.autograde(lesson, student, force=True, create=True)
    except Exception:  # nbgrader's API catches its own; anything else fails this learner alone
        return Graded(student, False, time.perf_counter() - begun, traceback.format_exc())
    return Graded(student, bool(result["success"]), time.perf_counter() - begun,
                  result.get("log", "") + result.get("error", ""))


def die_with_parent() -> None:
    """End this worker the moment the grading process that started it ends, however it ends
    (even by SIGKILL, as when a cluster's worker is lost): otherwise the worker would finish
    its learner as an orphan while the run grades that learner again elsewhere. Its kernel
    template sees it go and ends the kernels (kernel_template.py). multiprocessing gives
    every child a sentinel of its parent, readable once the parent is gone."""
    import signal
    import threading

    parent = multiprocessing.parent_process()

    def watch() -> None:
        wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGKILL)

    if parent is not None:
        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _serve(course: str, connection, environment: dict | None = None, folder: str | None = None) -> None:
    """A worker: load nbgrader and the course's config once, then grade what it is sent."""
    die_with_parent()
    _start_worker(course, environment, folder)
    try:
        while True:
            try:
                job = connection.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            connection.send(_grade(job))
    finally:
        # a worker ends without Python's exit handlers (multiprocessing): stop its kernel
        # template here, so that it and its kernels are ended and reaped by this worker
        from .nbgrader_hooks.forked_kernels import close_templates

        close_templates()


def kill_with_descendants(pid: int, kill) -> None:
    """Call `kill` (which ends process `pid`), then kill every process `pid` had started, and
    wait for them. The descendants are listed first: once their parent is gone they belong
    to init and can no longer be found from it."""
    import psutil

    try:
        family = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        family = []
    kill()
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(family, timeout=10)


class _Worker:
    def __init__(self, context, course: Path):
        self.connection, theirs = context.Pipe()
        # this process's environment and folder now, as a spawned worker would inherit them
        self.process = context.Process(target=_serve, args=(str(course), theirs, dict(os.environ), os.getcwd()), daemon=True)
        self.process.start()
        theirs.close()
        self.job: tuple[str, str] | None = None
        self.begun = self.deadline = 0.0

    def send(self, job: tuple[str, str], limit: float) -> None:
        self.job, self.begun = job, time.monotonic()
        self.deadline = self.begun + limit
        self.connection.send(job)

    def stop(self) -> None:
        """End the worker and every process it started (its kernels), now."""
        kill_with_descendants(self.process.pid, self.process.kill)
        self.process.join(10)
        self.connection.close()

    def close(self) -> None:
        try:
            self.connection.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(30)
        if self.process.is_alive():
            self.stop()


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
    """N worker processes that each load the course's config once, then grade learners one at
    a time. Keep one open to grade several lessons without starting the workers again (each
    worker starts its own kernel template, a fraction of a second)."""

    def __init__(self, course: Path, jobs: int = 1, learner_timeout: float | None = None):
        self.course, self.jobs = Path(course).resolve(), max(1, jobs)
        self.learner_timeout = learner_timeout
        self._workers: list[_Worker] = []

    def __enter__(self) -> "Graders":
        start_fork_server()  # its imports run while this process loads nbgrader and the config
        api = load_api(self.course)
        settings = ParallelAutograde(config=api.config)
        self._context = worker_context(settings.start_method)
        check_gradebook_for_workers(api.coursedir.db_url, self.jobs)
        self.db_url = api.coursedir.db_url
        self._coursedir = api.coursedir
        if self.learner_timeout is None:
            self.learner_timeout = settings.learner_timeout
        self._workers = [_Worker(self._context, self.course) for _ in range(self.jobs)]
        return self

    def __exit__(self, *exc) -> None:
        for worker in self._workers:
            worker.close()
        self._workers = []

    def autograde(self, lesson: str, students: list[str] | None = None, say=print) -> AutogradeRun:
        students = students if students is not None else submitted_students(self.course, lesson)
        run = AutogradeRun(lesson, self.jobs)
        begun = time.perf_counter()
        allow_concurrent_writers(self.db_url)  # here, not on entry: the gradebook may not exist yet
        refused = [Graded(s, False, 0.0, reason=unusable_id_problem(s)) for s in students if unusable_id_problem(s)]
        work = [(lesson, s) for s in students if not unusable_id_problem(s)]
        results = self._run(work, self._workers)
        # A failure can be passing (a gradebook lock among workers, a kernel whose port another
        # process took first): each failed learner is graded once more, alone, at the end. A
        # submission that really cannot be graded fails twice and is reported. Not a learner
        # stopped at the time limit: a second try would hold a worker for the whole limit again.
        failed = [r for r in results if not r.ok and not r.timed_out]
        if failed:
            say(f"  grading {len(failed)} learner(s) again, alone, after a failure")
            again = {r.student: r for r in self._run([(lesson, r.student) for r in failed], self._workers[:1])}
            results = [again.get(r.student, r) for r in results]
        run.results = sorted(results + refused, key=lambda r: r.student)
        run.seconds = time.perf_counter() - begun
        return run

    def _run(self, work: list[tuple[str, str]], workers: list[_Worker]) -> list[Graded]:
        """Grade each job on one of `workers`; a worker that dies or runs past the time
        limit is replaced (in self._workers too) and its learner reported."""
        pending, idle, busy, results = deque(work), list(workers), [], []
        while pending or busy:
            while idle and pending:
                worker = idle.pop()
                worker.send(pending.popleft(), self.learner_timeout)
                busy.append(worker)
            soonest = min(worker.deadline for worker in busy)
            ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                         timeout=max(0.0, soonest - time.monotonic()))
            for worker in list(busy):
                outcome, student, ended = None, worker.job[1], worker.process.sentinel in ready
                if worker.connection in ready or ended:
                    try:
                        if worker.connection.poll():
                            outcome = worker.connection.recv()
                    except (EOFError, OSError):  # the pipe closed: the worker is gone
                        ended = True
                    if outcome is None and not ended:
                        continue  # woken for nothing
                    if outcome is None:
                        worker.process.join(5)
                        outcome = Graded(student, False, time.monotonic() - worker.begun, reason=(
                            f"its grading process ended unexpectedly (exit code {worker.process.exitcode}) "
                            "before it finished"))
                elif time.monotonic() >= worker.deadline:
                    outcome = Graded(student, False, time.monotonic() - worker.begun, timed_out=True, reason=(
                        f"not graded within the time limit of {self.learner_timeout:g} s "
                        "(ParallelAutograde.learner_timeout); its grading process was stopped"))
                if outcome is None:
                    continue
                busy.remove(worker)
                results.append(outcome)
                if outcome.reason:  # the worker is gone or stuck: replace it
                    worker.stop()
                    # as nbgrader does for a learner it fails: no half-graded notebook is left
                    # for formgrader or feedback to show
                    shutil.rmtree(self._coursedir.format_path(self._coursedir.autograded_directory, student,
                                                              worker.job[0]), ignore_errors=True)
                    fresh = _Worker(self._context, self.course)
                    self._workers[self._workers.index(worker)] = fresh
                    if worker in workers:
                        workers[workers.index(worker)] = fresh
                    worker = fresh
                idle.append(worker)
        return results


def autograde(course: Path, lesson: str, jobs: int = 1, students: list[str] | None = None, say=print,
              learner_timeout: float | None = None) -> AutogradeRun:
    """Grade one lesson's submissions with `jobs` workers started for it."""
    with Graders(course, jobs, learner_timeout) as graders:
        return graders.autograde(lesson, students, say)
