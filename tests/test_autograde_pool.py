"""Parallel autograde gives exactly the scores of a sequential one, on SQLite and on
PostgreSQL; and the whole exchange cycle runs on a PostgreSQL gradebook."""
from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from peercourse import autograde_pool, lesson_sources, synthetic_learners
from peercourse.exports import item_scores
from peercourse.responses import ResponsesFile
from peercourse.simulated_term import Term

from conftest import ROOT
from postgres import postgres  # noqa: F401 (a fixture)
from test_pipeline import MIXED, MIXED_TOTAL

pytestmark = pytest.mark.pipeline

LESSON, STEM = "lesson-1", "lived-experience"
LEARNERS, SEED = 8, 4


def cohort_course(root, db_url=None) -> tuple[Term, lesson_sources.LessonSource]:
    term = Term.create(root, ROOT, db_url)
    term.release(LESSON)
    lesson = lesson_sources.read_lesson(term.course / "source" / LESSON / f"{STEM}.ipynb")
    for learner in synthetic_learners.learners(LEARNERS, SEED, [LESSON]):
        folder = term.course / "submitted" / learner.id / LESSON
        shutil.copytree(term.course / "release" / LESSON, folder)
        ResponsesFile(folder / f"{STEM}.responses.json", STEM).save_many(synthetic_learners.answers(learner, lesson, SEED))
    return term, lesson


def scores(term, lesson) -> pd.DataFrame:
    return item_scores(term.course, term.db_url, [lesson], course_id=term.course_id).sort_values(["student", "item"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    term, lesson = cohort_course(tmp_path_factory.mktemp("sequential"))
    run = autograde_pool.autograde(term.course, LESSON, jobs=1)
    assert run.failed == [] and len(run.results) == LEARNERS
    return term, lesson, scores(term, lesson)


def test_two_workers_give_every_item_the_same_score_as_one(sequential, tmp_path):
    _, _, expected = sequential
    assert expected["points"].sum() > 0 and len(expected) == LEARNERS * 12
    term, lesson = cohort_course(tmp_path / "parallel")  # the same cohort, a gradebook of its own
    run = autograde_pool.autograde(term.course, LESSON, jobs=2)
    assert run.failed == [] and [r.student for r in run.results] == [f"learner-{n}" for n in range(1, LEARNERS + 1)]
    pd.testing.assert_frame_equal(scores(term, lesson), expected)


def gradebook_rows(term) -> list[tuple]:
    """Every grade and comment row of the cohort's lesson, as nbgrader's Gradebook holds them."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(term.db_url, course_id=term.course_id) as gradebook:
        for learner in range(1, LEARNERS + 1):
            [notebook] = gradebook.find_submission(LESSON, f"learner-{learner}").notebooks
            rows += sorted((f"learner-{learner}", g.name, g.auto_score, g.manual_score, g.max_score) for g in notebook.grades)
            rows += sorted((f"learner-{learner}", c.name, c.auto_comment, c.manual_comment) for c in notebook.comments)
    return rows


def graded_outputs(term) -> dict[str, list]:
    """Each learner's autograded notebook: every cell's source, execution count and outputs (what feedback shows)."""
    import nbformat

    return {learner.name: [(cell.source, cell.get("execution_count"), joined(cell.get("outputs")))
                           for cell in nbformat.read(learner / LESSON / f"{STEM}.ipynb", 4).cells]
            for learner in sorted((term.course / "autograded").iterdir())}


def joined(outputs: list | None) -> list | None:
    """Outputs with printed text that follows printed text joined into one, as a page shows
    it: a kernel sends what a cell prints in one message or in several, by timing alone
    (ipykernel flushes printed text every 0.2 s), however the kernel was started."""
    if outputs is None:
        return None
    merged = []
    for output in outputs:
        if merged and output["output_type"] == "stream" and merged[-1]["output_type"] == "stream" \
                and merged[-1]["name"] == output["name"]:
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
        else:
            merged.append(dict(output))
    return merged


def test_the_fast_path_grades_exactly_as_the_course_without_it(sequential, tmp_path):
    from peercourse.course_config import WITHOUT_FAST_PATH

    fast, _, expected = sequential  # graded with the course's settings: the fast path on
    term, lesson = cohort_course(tmp_path / "normal")
    with open(term.course / "nbgrader_config.py", "a") as config:  # kernels started normally, every cell run there
        config.write(WITHOUT_FAST_PATH)
    run = autograde_pool.autograde(term.course, LESSON, jobs=1)
    assert run.failed == [] and len(run.results) == LEARNERS
    pd.testing.assert_frame_equal(scores(term, lesson), expected)
    # per learner: a grade for each of the 12 test cells and 2 rubric cells, a comment for each rubric cell
    assert gradebook_rows(term) == gradebook_rows(fast) and len(gradebook_rows(fast)) == LEARNERS * (12 + 2 + 2)
    assert graded_outputs(term) == graded_outputs(fast)
    assert feedback_pages(term) == feedback_pages(fast) and len(feedback_pages(fast)) == LEARNERS


def feedback_pages(term) -> dict[str, str]:
    """Each learner's feedback page for the lesson, as nbgrader generates it, from graded
    notebooks whose printed text is joined as a page shows it (joined(): where a kernel splits
    what a cell prints between messages is down to timing, run by run, either way)."""
    import nbformat

    for learner in (term.course / "autograded").iterdir():
        path = learner / LESSON / f"{STEM}.ipynb"
        nb = nbformat.read(path, 4)
        for cell in nb.cells:
            if "outputs" in cell:
                cell.outputs = [nbformat.from_dict(output) for output in joined(cell.outputs)]
        nbformat.write(nb, path)
    term.generate_feedback(LESSON)
    return {learner.name: (learner / LESSON / f"{STEM}.html").read_text(encoding="utf-8")
            for learner in sorted((term.course / "feedback").iterdir())}


def test_the_command_line_reports_what_it_graded(sequential, capsys):
    from peercourse import cli

    term, _, _ = sequential
    assert cli.main(["--course", str(term.course), "autograde", LESSON, "--jobs", "2", "--student", "learner-1", "--student", "learner-2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{LESSON}: graded 2 of 2 learner(s) with 2 worker(s) in ") and out.endswith("; 0 not graded\n")


def test_postgresql_gradebook_with_parallel_workers_gives_the_same_scores(postgres, sequential, tmp_path):
    _, _, expected = sequential
    term, lesson = cohort_course(tmp_path / "pg", postgres.create_database("parallel"))
    assert term.db_url.startswith("postgresql+psycopg://")
    run = autograde_pool.autograde(term.course, LESSON, jobs=2)
    assert run.failed == []
    pd.testing.assert_frame_equal(scores(term, lesson), expected)
    assert not (term.course / "gradebook.db").exists()  # nothing went to SQLite by mistake


def test_the_exchange_cycle_on_postgresql_gives_the_sqlite_numbers(postgres, tmp_path):
    from test_simulated_term import three_learner_term

    result = three_learner_term(tmp_path, [LESSON], jobs=2, db_url=postgres.create_database("term"))
    grades = pd.read_csv(result.grades_csv).set_index("student_id")
    assert grades.loc["keyed", "score"] == 22.0 and grades.loc["blank", "score"] == 0.0
    assert grades.loc["mixed", "raw_score"] == pytest.approx(MIXED_TOTAL)
    assert grades.loc["mixed", "late_submission_penalty"] == pytest.approx(1.05)  # 10% of 10.47, one day late
    items = pd.read_csv(result.items_csv).set_index(["student", "item"])["points"]
    assert {item: items[("mixed", item)] for item in MIXED} == {item: points for item, (_, points) in MIXED.items()}
    pages = result.term.fetch_feedback("mixed", LESSON)
    assert "recorded answer: B. Professional roles call" in pages[0].read_text()


MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
server:/export/home /home nfs4 rw,relatime 0 0
/dev/vdb /home/grader/local ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


def test_the_file_system_is_read_from_the_longest_matching_mount():
    assert autograde_pool.file_system("/home/ana/course", MOUNTS) == "nfs4"
    assert autograde_pool.file_system("/home/grader/local/course", MOUNTS) == "ext4"
    assert autograde_pool.file_system("/tmp/x", MOUNTS) == "tmpfs"
    assert autograde_pool.file_system("/srv/course", MOUNTS) == "ext4"


def test_autograde_pool_workers_on_a_sqlite_gradebook_over_nfs_are_refused(monkeypatch):
    monkeypatch.setattr(autograde_pool, "file_system", lambda path, mounts=None: "nfs4")
    with pytest.raises(SystemExit, match=r"is on a network file system \(nfs4\), where SQLite cannot take several writers"):
        autograde_pool.check_gradebook_for_workers("sqlite:////home/ana/course/gradebook.db", jobs=3)
    autograde_pool.check_gradebook_for_workers("sqlite:////home/ana/course/gradebook.db", jobs=1)  # one writer: fine
    autograde_pool.check_gradebook_for_workers("postgresql+psycopg://grader@db/course", jobs=3)  # a server: fine


def test_available_cores_respects_affinity():
    assert 1 <= autograde_pool.available_cores() <= len(os.sched_getaffinity(0))
