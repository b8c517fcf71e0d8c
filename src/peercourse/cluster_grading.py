"""`peercourse autograde LESSON --cluster ADDRESS`: the same grading as `--jobs N`, spread
over the workers of a Dask distributed cluster, on as many machines as it has.

One Dask task per learner. A task runs on a Dask worker through that worker's own
`Graders` (autograde_pool.py), opened once per worker and run: the same code that grades
a local run, with its time limit per learner, its fresh kernel per notebook and its
second try for a learner whose grading failed. So a learner gets the same scores,
feedback and gradebook rows whichever machine grades them.

What a worker needs is the course package installed, the course directory at the same
path (or at `ClusterAutograde.worker_course_directory`) and the gradebook the course's
nbgrader_config.py names, which must be a database server such as PostgreSQL: a SQLite
file cannot be written safely from several machines.

If a worker dies mid-learner (its machine goes away, it runs out of memory), the scheduler
gives that learner to another worker; after `distributed.scheduler.allowed-failures`
deaths (Dask's setting, 3 by default) it gives up and the learner is reported. Grading the
learner again is safe: nbgrader's autograde with force replaces what a half-finished
grading left, and a dead worker's grading processes and kernels end with it
(autograde_pool.die_with_parent), so no learner is graded by two machines at once.
"""
from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

from traitlets import Callable, Float, Unicode
from traitlets.config import Configurable

from .autograde_pool import AutogradeRun, Graded, Graders, sqlite_path, submitted_students
from .course_config import load_api
from .nbgrader_hooks.student_ids import unusable_id_problem

PLUGIN = "peercourse-graders"


class ClusterAutograde(Configurable):
    """Settings of `peercourse autograde --cluster`, read from the course's nbgrader_config.py."""

    scheduler_address = Unicode(
        "",
        help="The Dask scheduler to grade on when --cluster is given without an address, such as "
        "tcp://grading-scheduler:8786.",
    ).tag(config=True)

    cluster = Callable(
        None, allow_none=True,
        help="A function that returns a Dask cluster object (a LocalCluster, a dask-kubernetes KubeCluster, "
        "a Dask Gateway cluster), used when --cluster is given without an address and no scheduler_address "
        "is set. It is called only for such a run, and the cluster is closed when the run ends.",
    ).tag(config=True)

    worker_course_directory = Unicode(
        "",
        help="The course directory's path on the workers, when the shared volume is mounted there at another "
        "path than on the machine that starts the run (default: the same path).",
    ).tag(config=True)

    worker_wait = Float(
        120.0,
        help="Most seconds to wait for the cluster's first worker (a cluster that scales up from none "
        "starts its workers when asked).",
    ).tag(config=True)


def _graders_plugin():
    # the class is made here, not at import: importing this module (the command line, the
    # settings reference) must not import distributed; cloudpickle sends it to the workers
    from distributed.diagnostics.plugin import WorkerPlugin

    class CourseGraders(WorkerPlugin):
        """Lives on each Dask worker: one Graders per course directory, opened at the first
        learner and closed (its grading process, template and kernels ended) when the worker
        closes or the plugin is replaced by the next run's."""

        def setup(self, worker):
            self.graders: dict[str, Graders] = {}
            self.lock = threading.Lock()  # one learner at a time per Dask worker, whatever its threads

        def teardown(self, worker):
            with self.lock:
                for graders in self.graders.values():
                    graders.__exit__(None, None, None)
                self.graders.clear()

    return CourseGraders()


def grade_learner(course: str, lesson: str, student: str) -> Graded:
    """A Dask task: grade one learner's lesson on this worker, as a local run would."""
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins[PLUGIN]
    with plugin.lock:
        graders = plugin.graders.get(course)
        if graders is None:
            graders = plugin.graders[course] = Graders(Path(course), jobs=1).__enter__()
        [result] = graders.autograde(lesson, [student], say=lambda *_: None).results
    result.worker = worker.address
    return result


class ClusterGraders:
    """Grades lessons on a Dask cluster; the counterpart of autograde_pool.Graders."""

    def __init__(self, course: Path, address: str = ""):
        self.course, self.address = Path(course).resolve(), address

    def __enter__(self) -> "ClusterGraders":
        from distributed import Client

        api = load_api(self.course)
        self.settings = ClusterAutograde(config=api.config)
        if sqlite_path(api.coursedir.db_url) is not None:
            raise SystemExit(
                f"peercourse: the gradebook {api.coursedir.db_url} is a SQLite file, which a cluster's machines cannot "
                "share safely. Give the course a PostgreSQL gradebook (docs/instructors.md), or grade on this "
                "machine with --jobs.")
        self._cluster = None
        address = self.address or self.settings.scheduler_address
        if not address:
            if self.settings.cluster is None:
                raise SystemExit(
                    "peercourse: --cluster needs a scheduler address (tcp://host:8786), or "
                    "c.ClusterAutograde.scheduler_address or c.ClusterAutograde.cluster in nbgrader_config.py")
            self._cluster = self.settings.cluster()
            address = self._cluster
        try:
            self.client = Client(address, set_as_default=False)
        except (OSError, TimeoutError) as error:
            if self._cluster is not None:
                self._cluster.close()
            raise SystemExit(f"peercourse: no Dask scheduler answered at {address} ({error})") from None
        try:
            self.client.wait_for_workers(1, timeout=self.settings.worker_wait)
        except TimeoutError:
            self.__exit__()
            raise SystemExit(f"peercourse: the Dask cluster has no worker after {self.settings.worker_wait:g} s "
                             "(ClusterAutograde.worker_wait)") from None
        # a fresh plugin each run: workers load the course's config as it is now
        self.client.register_plugin(_graders_plugin(), name=PLUGIN)
        self.where = self.client.scheduler.address
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def autograde(self, lesson: str, students: list[str] | None = None) -> AutogradeRun:
        from distributed import as_completed

        students = students if students is not None else submitted_students(self.course, lesson)
        run = AutogradeRun(lesson, self.workers())
        run.where = self.where
        begun = time.perf_counter()
        refused = [Graded(s, False, 0.0, reason=unusable_id_problem(s)) for s in students if unusable_id_problem(s)]
        on_workers = self.settings.worker_course_directory or str(self.course)
        run_id = uuid.uuid4().hex[:8]
        futures = {self.client.submit(grade_learner, on_workers, lesson, student, pure=False,
                                      key=f"autograde-{lesson}-{student}-{run_id}"): student
                   for student in students if not unusable_id_problem(student)}
        results = []
        for future in as_completed(futures, loop=self.client.loop):
            student = futures[future]
            if future.status == "finished":
                results.append(future.result())
            else:  # the workers that took this learner all died (KilledWorker), or could not grade at all
                error = future.exception()
                results.append(Graded(student, False, time.perf_counter() - begun, reason=(
                    f"the cluster could not grade it: {type(error).__name__}: {str(error).strip()}")))
            future.release()
        run.results = sorted(results + refused, key=lambda r: r.student)
        run.seconds = time.perf_counter() - begun
        return run


def autograde(course: Path, lesson: str, address: str = "", students: list[str] | None = None) -> AutogradeRun:
    """Grade one lesson's submissions on the Dask cluster at `address` (or the course's)."""
    with ClusterGraders(course, address) as graders:
        return graders.autograde(lesson, students)
