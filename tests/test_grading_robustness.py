"""No submission can stall grading or make it grade the wrong learner: kernels that die or
stop answering, a grading worker killed mid-learner, and learner ids nbgrader would read as
patterns. Each fails that learner alone, by name and with the reason, and everyone else is
graded exactly once with their own score, by `nbgrader autograde` and by
`peercourse autograde --jobs 2`. Runs on the tests' own tiny course (tiny_course.py)."""
from __future__ import annotations

import re

import pytest
from nbgrader.api import Gradebook

from peercourse import cli
from peercourse.cli import nbgrader

from tiny_course import LESSON, expected_points, make_course, submit, wait_until_no_processes_in

pytestmark = pytest.mark.pipeline

# Learners graded as usual. "ab", "b" and "cd" are what the pattern-like ids below match.
NORMAL = {
    "ok-1": {"t-g01": "B", "t-g02": "C"},
    "ab": {"t-g01": "B", "t-g02": "A"},
    "b": {},
    "cd": {"t-g01": "B", "t-g02": "C"},
}
# Ids nbgrader reads as glob patterns: a* matches ab, [ab] matches b, c? matches cd.
PATTERNS = {"a*": {"t-g01": "A"}, "[ab]": {"t-g01": "B"}, "c?": {}}
KEYED = {"t-g01": "B", "t-g02": "C"}


def scores(root) -> dict[str, float]:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="ca-peer-support") as gb:
        assignment = gb.find_assignment(LESSON)
        # nbgrader keeps a gradebook row for a learner it failed to grade, but no graded notebook
        return {s.student_id: s.score for s in assignment.submissions
                if (root / "autograded" / s.student_id / LESSON).is_dir()}


def times_graded(log: str, root, learner: str) -> int:
    return log.count(f"Autograding {root / 'autograded' / learner / LESSON / 'tiny.ipynb'}")


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """`nbgrader autograde`: a kernel that dies and one that stops answering (cells have 10 s)."""
    root = make_course(tmp_path_factory.mktemp("sequential"), "c.Execute.timeout = 10\n")
    for learner, answers in {**NORMAL, **PATTERNS, "kernel-dies": KEYED, "kernel-stops": KEYED}.items():
        submit(root, learner, answers)
    done = nbgrader(root, "autograde", LESSON)
    return root, done, done.stdout + done.stderr


def test_sequential_grades_everyone_else_exactly_once_with_their_own_score(sequential):
    root, _, log = sequential
    assert scores(root) == {learner: expected_points(answers) for learner, answers in NORMAL.items()}
    assert {learner: times_graded(log, root, learner) for learner in NORMAL} == {learner: 1 for learner in NORMAL}


def test_sequential_names_each_learner_not_graded_and_why(sequential):
    root, done, log = sequential
    assert done.returncode == 1
    summary = re.findall(r"There was an error processing assignment 'tiny' for student '(.+?)'$", log, flags=re.M)
    assert summary == ["kernel-dies", "kernel-stops"]
    reasons = re.findall(r"peercourse: (.+) not graded: (.+)$", log, flags=re.M)
    assert reasons == [("kernel-dies / tiny", "DeadKernelError: Kernel died"),
                       ("kernel-stops / tiny", "CellTimeoutError: A cell timed out while it was being executed, "
                                               "after 10 seconds.")]
    for learner in PATTERNS:
        assert log.count(f"learner id {learner!r} is not graded: it holds ") == 1
        assert not (root / "autograded" / learner).exists()
    assert sorted(p.parent.name for p in (root / "autograded").glob(f"*/{LESSON}")) == sorted(NORMAL)


def test_sequential_leaves_no_kernel_running(sequential):
    root, _, _ = sequential
    assert wait_until_no_processes_in(root) == []


@pytest.fixture(scope="module")
def parallel_run(tmp_path_factory):
    """`peercourse autograde --jobs 2`, with a 20 s limit per learner and cells allowed far
    longer, so that the stopped kernel is ended by the limit on its worker."""
    root = make_course(tmp_path_factory.mktemp("parallel"),
                       "c.Execute.timeout = 300\nc.ParallelAutograde.learner_timeout = 20\n")
    faulty = {"kernel-dies": KEYED, "kernel-stops": KEYED, "grader-dies": KEYED, "fails-once": KEYED}
    for learner, answers in {**NORMAL, **PATTERNS, **faulty}.items():
        submit(root, learner, answers)
    return root


def test_autograde_pool_finishes_with_a_summary_naming_each_learner_not_graded(parallel_run, capsys):
    root = parallel_run
    assert cli.main(["--course", str(root), "autograde", LESSON, "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert re.fullmatch(r"tiny: graded 5 of 11 learner\(s\) with 2 worker\(s\) in [0-9.]+ s; 6 not graded", lines[1])
    # not kernel-stops, stopped at the time limit: a second try would take the whole limit again
    assert lines[0] == "  grading 3 learner(s) again, alone, after a failure"
    not_graded = dict(line[len("  not graded: "):].split(": ", 1) for line in lines[2:])
    assert sorted(not_graded) == sorted([*PATTERNS, "grader-dies", "kernel-dies", "kernel-stops"])
    for learner in PATTERNS:
        assert not_graded[learner].startswith(f"learner id {learner!r} is not graded: it holds ")
    assert not_graded["grader-dies"] == "its grading process ended unexpectedly (exit code -9) before it finished"
    assert not_graded["kernel-dies"] == "DeadKernelError: Kernel died"
    assert not_graded["kernel-stops"] == ("not graded within the time limit of 20 s "
                                          "(ParallelAutograde.learner_timeout); its grading process was stopped")
    # the learner whose first grading failed was graded on the second try, with their own score
    assert scores(root) == {**{learner: expected_points(a) for learner, a in NORMAL.items()}, "fails-once": 4.0}
    assert (root / "fails-once.failed-once").exists()
    assert wait_until_no_processes_in(root) == []
