"""Grading on a Dask cluster, tested as two machines on one: a scheduler (a LocalCluster with
no workers of its own) and two `dask worker` processes, each started like a machine's, in a
folder of its own with an environment of its own, sharing only the course directory and a
throwaway PostgreSQL gradebook. Twenty learners, two lessons; one worker is killed in the
middle of a learner. Every learner's per-item scores must equal a sequential run's, and
nobody is lost or graded twice."""
from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import psutil
import pytest

from peercourse import autograde_pool, cli
from peercourse.cluster_grading import ClusterGraders

from conftest import ROOT, wait_for
from dask_machines import Machines
from postgres import postgres  # noqa: F401 (a fixture)
from tiny_course import KEYS, expected_points, make_course, processes_in, submit

pytestmark = pytest.mark.pipeline

LESSONS = ("tiny", "tiny-b")
# the last learner's grading of lesson "tiny" waits for the test (tiny_course.SETUP), so the
# test can kill the worker grading them in the middle of it
LEARNERS = [f"learner-{n:02}" for n in range(1, 20)] + ["waits-20"]
LETTERS = "ABCD"


def answers(learner: int, lesson: int) -> dict:
    """Each learner's own answers, a different mix per lesson: some keys, some not."""
    return {item: LETTERS[(learner * (n + 2) + lesson * 3) % 4] for n, item in enumerate(KEYS)}


def cohort(root: Path, settings: str = "") -> Path:
    course = make_course(root, settings, also=LESSONS[1:])
    for number, learner in enumerate(LEARNERS, 1):
        for index, lesson in enumerate(LESSONS):
            submit(course, learner, answers(number, index), lesson)
    return course


def item_scores(course: Path, db_url: str) -> dict:
    """Every learner's score on every graded item of both lessons, from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(db_url, course_id="ca-peer-support") as gradebook:
        for lesson in LESSONS:
            for submission in gradebook.assignment_submissions(lesson):
                [notebook] = submission.notebooks
                for grade in notebook.grades:
                    scores[(lesson, submission.student_id, grade.name)] = grade.score
    return scores


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    course = cohort(tmp_path_factory.mktemp("sequential"))
    (course / "waits-20.go").write_text("go")
    for lesson in LESSONS:
        run = autograde_pool.autograde(course, lesson, jobs=1)
        assert run.failed == [] and len(run.results) == len(LEARNERS)
    return item_scores(course, f"sqlite:///{course / 'gradebook.db'}")


@pytest.fixture
def machines(tmp_path):
    machines = Machines(tmp_path / "machines")
    try:
        machines.start_worker("machine-a")
        machines.start_worker("machine-b")
        machines.wait_for_workers()
        yield machines
    finally:
        machines.close()


def test_two_workers_grade_as_a_sequential_run_and_survive_a_killed_one(postgres, sequential, machines, tmp_path):
    db_url = postgres.create_database("cluster")
    address = machines.scheduler.scheduler_address
    course = cohort(tmp_path / "course", f'c.CourseDirectory.db_url = "{db_url}"\n')
    names = {info["name"]: worker for worker, info in machines.scheduler.scheduler_info["workers"].items()}
    outcome = {}
    with ClusterGraders(course, address) as graders:
        # Lesson 2, on both machines
        run = graders.autograde("tiny-b")
        assert (run.jobs, run.where, run.failed) == (2, address, [])
        assert [r.student for r in run.results] == LEARNERS and {r.worker for r in run.results} == set(names.values())

        # Lesson 1, with machine-a or machine-b killed while it grades waits-20
        grading = threading.Thread(target=lambda: outcome.update(run=graders.autograde("tiny")))
        grading.start()
        try:
            folder = course / "autograded" / "waits-20" / "tiny"
            kernel = wait_for(lambda: next(iter(processes_in(folder)), None), "waits-20's kernel")
            lost = machines.worker_of(kernel)
            assert lost in machines.workers
            family = psutil.Process(machines.workers[lost].pid).children(recursive=True)
            assert kernel in family
            machines.workers[lost].send_signal(signal.SIGKILL)  # the Dask worker alone, as if its machine went away
            machines.workers[lost].wait(30)
            # its fork server, grading process, kernel template and kernel end by themselves: none grades on
            _, orphans = psutil.wait_procs(family, timeout=30)
            assert orphans == []
            # and the scheduler gives the learner to the other machine, which starts on it again
            survivor = next(name for name in machines.workers if name != lost)
            wait_for(lambda: [p for p in processes_in(folder) if machines.worker_of(p) == survivor],
                     f"waits-20's grading to start again on {survivor}")
        finally:
            (course / "waits-20.go").write_text("go")
            grading.join(120)
    run = outcome["run"]
    assert run.failed == [] and [r.student for r in run.results] == LEARNERS  # each learner once
    assert run.results[-1].worker == names[survivor]

    scores = item_scores(course, db_url)
    assert scores == sequential and len(scores) == len(LEARNERS) * len(LESSONS) * len(KEYS)
    assert sum(scores[("tiny", learner, f"test-{item}")] for learner in LEARNERS for item in KEYS) == \
        sum(expected_points(answers(n, 0)) for n in range(1, 21))
    assert not (course / "gradebook.db").exists()  # nothing went to SQLite by mistake


def bare_course(root: Path, settings: str = "", learners: tuple[str, ...] = ()) -> Path:
    """A course directory with the course's settings and learners' submission folders, and
    nothing to grade: enough for what happens before a learner reaches a worker."""
    for learner in learners:
        (root / "submitted" / learner / "tiny").mkdir(parents=True)
    (root / "source").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})  # noqa: F821\n" + settings)
    return root


def test_a_sqlite_gradebook_or_no_cluster_is_refused_before_any_cluster_is_reached(tmp_path):
    course = bare_course(tmp_path / "course")  # the course's default gradebook: gradebook.db
    with pytest.raises(SystemExit, match=r"gradebook sqlite:///.*gradebook.db is a SQLite file, which a cluster's machines"):
        ClusterGraders(course, "tcp://127.0.0.1:9").__enter__()
    with open(course / "nbgrader_config.py", "a") as config:  # a server gradebook, but no cluster named
        config.write('\nc.CourseDirectory.db_url = "postgresql+psycopg://grader@127.0.0.1:9/none"\n')
    with pytest.raises(SystemExit, match=r"--cluster needs a scheduler address \(tcp://host:8786\), or c.ClusterAutograde"):
        cli.main(["--course", str(course), "autograde", "tiny", "--cluster"])
    with open(course / "nbgrader_config.py", "a") as config:  # a scheduler named by the config, not answering
        config.write('c.ClusterAutograde.scheduler_address = "tcp://127.0.0.1:9"\n')
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(SystemExit, match=r"^peercourse: no Dask scheduler answered at tcp://127.0.0.1:9 \("):
        cli.main(["--course", str(course), "autograde", "tiny", "--cluster"])


def test_a_cluster_made_by_the_course_config_reports_learners_it_cannot_grade_and_is_closed(postgres, tmp_path, capsys):
    """The config's cluster function is called for the run and its cluster closed after; a
    course directory the workers cannot find fails each learner with the reason, not the run."""
    course = bare_course(tmp_path / "course", f'c.CourseDirectory.db_url = "{postgres.create_database("made")}"\n'
                         "def one_machine():\n"
                         "    from distributed import LocalCluster\n"
                         "    return LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None)\n"
                         "c.ClusterAutograde.cluster = one_machine\n"
                         'c.ClusterAutograde.worker_course_directory = "/nowhere/course"\n', ("ana", "ben"))
    before = set(psutil.Process().children(recursive=True))
    assert cli.main(["--course", str(course), "autograde", "tiny", "--cluster"]) == 1
    # (multiprocessing's resource tracker, started for the LocalCluster, serves this process until it ends)
    started = {p for p in set(psutil.Process().children(recursive=True)) - before
               if "multiprocessing.resource_tracker" not in " ".join(p.cmdline())}
    summary, *not_graded = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"tiny: graded 0 of 2 learner\(s\) with 1 worker\(s\) on the Dask cluster at "
                        r"tcp://127\.0\.0\.1:\d+ in [0-9.]+ s; 2 not graded", summary)
    reason = ("the cluster could not grade it: ConfigFileNotFound: File 'nbgrader_config.py' does not exist in any "
              "of the search paths: ('/nowhere/course',)")
    assert not_graded == [f"  not graded: ana: {reason}", f"  not graded: ben: {reason}"]
    _, left = psutil.wait_procs(started, timeout=30)
    assert left == []
