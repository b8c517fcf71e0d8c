"""The instructor's term through nbgrader's real exchange: release, fetch, answer, submit,
collect, autograde, feedback out and back, export. Three learners, exact numbers."""
from __future__ import annotations

import stat

import pandas as pd
import pytest

from peercourse import demo, lesson_sources
from peercourse.synthetic_learners import Learner
from peercourse.items import FORMATS
from peercourse.simulated_term import Term, run_term

from conftest import ROOT, visible_text
from test_pipeline import MIXED, MIXED_TOTAL

pytestmark = pytest.mark.pipeline

LESSON, STEM = "lesson-1", "lived-experience"


def three_learner_term(out, lessons: list[str], jobs: int = 1, db_url: str | None = None) -> demo.DemoResult:
    """A term of `lessons` for three learners with known answers to lesson-1: "keyed" (every
    key), "blank" (nothing) and "mixed" (test_pipeline's MIXED, submitted late), and its exports."""
    lesson = lesson_sources.read_lesson(ROOT / "source" / LESSON / f"{STEM}.ipynb")
    answers = {"keyed": lesson_sources.key_answers(lesson), "blank": {}, "mixed": {k: v for k, (v, _) in MIXED.items()}}
    learners = [Learner("keyed", 1.0), Learner("blank", 0.0), Learner("mixed", 0.0, late={LESSON})]
    term = Term.create(out / "term", ROOT, db_url)
    chosen = [each for each in lesson_sources.find_lessons(term.course / "source") if each.assignment in lessons]
    graded = run_term(term, chosen, learners, lambda learner, _: answers[learner.id], jobs=jobs, say=lambda _: None)
    return demo.write_outputs(term, graded, out)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    lesson = lesson_sources.read_lesson(ROOT / "source" / LESSON / f"{STEM}.ipynb")
    return three_learner_term(tmp_path_factory.mktemp("term"), ["lesson-0", LESSON]), lesson


def test_grades_export_has_exact_totals_and_the_late_penalty(term):
    result, _ = term
    assert result.term.course_id == "ca-peer-support"  # from the course's nbgrader_config.py
    grades = pd.read_csv(result.grades_csv)
    practice = grades[grades["assignment"] == "lesson-0"]
    assert practice["timestamp"].isna().all() and (practice["max_score"] == 0).all()  # fetched, not submitted
    grades = grades[grades["assignment"] == LESSON].set_index("student_id")
    assert sorted(grades.index) == ["blank", "keyed", "mixed"]
    assert (grades["max_score"] == 26.0).all()
    assert grades.loc["keyed", ["raw_score", "late_submission_penalty", "score"]].tolist() == [22.0, 0.0, 22.0]
    assert grades.loc["blank", ["raw_score", "late_submission_penalty", "score"]].tolist() == [0.0, 0.0, 0.0]
    # mixed was late: 10% of the autograded 10.46 for one started day, rounded to hundredths
    assert grades.loc["mixed", "raw_score"] == pytest.approx(MIXED_TOTAL)
    assert grades.loc["mixed", "late_submission_penalty"] == pytest.approx(1.05)
    assert grades.loc["mixed", "score"] == pytest.approx(MIXED_TOTAL - 1.05)


def test_each_learner_fetched_feedback_with_their_own_answers_and_the_rationales(term):
    result, lesson = term
    given = {"keyed": lesson_sources.key_answers(lesson), "blank": {}, "mixed": {k: v for k, (v, _) in MIXED.items()}}
    graded = [item for item in lesson.bank.items.values() if item.graded and item.format != "reflection"]
    assert len(graded) == 10

    def recorded(learner, item):
        fmt = FORMATS[item.format]
        answer = fmt.read_answer(item, given[learner].get(item.id))
        return f"{item.title} ({item.id}), recorded answer: {fmt.describe(item, answer)}"

    for learner in given:
        pages = result.term.fetch_feedback(learner, LESSON)
        assert [page.name for page in pages] == [f"{STEM}.html"]
        text = visible_text(pages[0].read_text())
        lines = set(text.splitlines())
        for item in graded:
            assert recorded(learner, item) in lines  # their own answer, item by item
            for other in given:
                if recorded(other, item) != recorded(learner, item):
                    assert recorded(other, item) not in lines  # and nobody else's
            for letter, rationale in lesson.keys[item.id].rationales.items():
                assert f"{letter}. {rationale}" in text


def test_answers_files_stay_private_yet_travel_through_submit_and_collect(term):
    result, _ = term
    for learner in ("keyed", "mixed"):
        home = result.term.home(learner) / LESSON / f"{STEM}.responses.json"
        collected = result.term.course / "submitted" / learner / LESSON / f"{STEM}.responses.json"
        assert stat.S_IMODE(home.stat().st_mode) == 0o600
        assert collected.read_bytes() == home.read_bytes()
        assert not list((result.term.course / "submitted" / learner / LESSON).glob(".*.lock"))


def test_the_per_item_export_has_exact_points_and_choices_but_no_reflection_text(term):
    result, _ = term
    items = pd.read_csv(result.items_csv, keep_default_na=False)
    assert list(items.columns) == [
        "student", "lesson", "item", "format", "points", "possible", "competencies", "exam_area", "choice",
        "rubric_points", "rubric_possible"]
    assert len(items) == 3 * 12
    reflections = items[items["format"] == "reflection"]
    assert len(reflections) == 6 and (reflections["rubric_possible"].astype(float) == 2.0).all()
    assert (reflections["rubric_points"] == "").all()  # not graded by hand yet
    assert (items.loc[items["format"] != "reflection", ["rubric_points", "rubric_possible"]] == "").all().all()
    mixed = items[items["student"] == "mixed"].set_index("item")
    assert mixed["points"].to_dict() == {item: points for item, (_, points) in MIXED.items()}
    assert mixed.loc[["l1-g01", "l1-g03", "l1-g05", "l1-g06", "l1-g07", "l1-g08", "l1-g09"], "choice"].tolist() == [
        "B", "most=A;least=B", "A=3;B=2;C=4;D=1", "A=2;B=3;D=4", "A>B>C>D", "", "B;D;E"]
    assert mixed.loc["l1-g03", ["format", "competencies", "exam_area"]].tolist() == ["most_least", "7;1", "Interpersonal Skills"]
    assert (items.loc[items["format"] == "reflection", "choice"] == "").all()
    reflection = MIXED["l1-r02"][0][:40]
    for export in (result.items_csv, result.grades_csv, result.report_html):
        assert reflection not in export.read_text()


def test_the_report_exists_and_names_every_graded_item(term):
    result, lesson = term
    html = result.report_html.read_text()
    for item in lesson.bank.items.values():
        if item.graded:
            assert item.id in html
    assert "How to read this report" in html


def test_peercourse_report_rebuilds_the_exports_from_the_gradebook(term, tmp_path, capsys):
    from peercourse import cli

    result, _ = term
    assert cli.main(["--course", str(result.term.course), "report", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'item-scores.csv'} (36 rows) and ")
    assert (tmp_path / "item-scores.csv").read_text() == result.items_csv.read_text()
    assert (tmp_path / "item-analysis.html").exists()


def test_peercourse_report_reads_its_thresholds_from_nbgrader_config(term, tmp_path, capsys):
    from peercourse import cli

    result, _ = term
    config = result.term.course / "nbgrader_config.py"
    before = config.read_text()
    try:
        config.write_text(before + "c.ReportSettings.very_easy = 0.05\nc.ReportSettings.extreme_group_percent = 40\n")
        assert cli.main(["--course", str(result.term.course), "report", "--out", str(tmp_path)]) == 0
    finally:
        config.write_text(before)
    page = (tmp_path / "item-analysis.html").read_text()
    assert "Difficulty above 0.05" in page and "The top 40% of students" in page


def test_the_canvas_export_has_one_column_per_lesson_by_login_and_numbers_only(term, tmp_path, capsys):
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column per assignment. nbgrader's totals with the late penalty off, nothing else."""
    import csv

    from peercourse import cli

    result, _ = term
    out = tmp_path / "canvas.csv"
    assert cli.main(["--course", str(result.term.course), "export", "canvas", LESSON, "lesson-0",
                     "--out", str(out), "--section", "Spring 2027"]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 2 lesson column(s), for Canvas's gradebook import\n"
    rows = list(csv.reader(out.open(newline="")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", LESSON, "lesson-0"]
    # mixed: 10.46 autograded, 1.05 off for one started day late (worked in test_grades_export...)
    assert rows[1:] == [
        ["blank", "", "", "blank", "Spring 2027", "0", ""],
        ["keyed", "", "", "keyed", "Spring 2027", "22", ""],
        ["mixed", "", "", "mixed", "Spring 2027", "9.41", ""],
    ]
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_the_canvas_export_refuses_a_lesson_the_gradebook_lacks(term, tmp_path):
    from peercourse import cli

    result, _ = term
    with pytest.raises(SystemExit, match=r"the gradebook has no such lesson \(No such assignment: lesson-9\)"):
        cli.main(["--course", str(result.term.course), "export", "canvas", "lesson-9", "--out", str(tmp_path / "x.csv")])


def test_rubric_points_given_in_formgrader_reach_the_per_item_export(term, tmp_path):
    """Last in this module: it changes the gradebook, as an instructor grading by hand would."""
    from nbgrader.api import Gradebook

    from peercourse import cli

    result, _ = term
    with Gradebook(result.term.db_url, result.term.course_id) as gb:
        for task, points in (("rubric-l1-r01", 2.0), ("rubric-l1-r02", 1.0)):
            gb.find_grade(task, STEM, LESSON, "keyed").manual_score = points
        gb.db.commit()
        total = gb.find_submission(LESSON, "keyed").score
    assert total == 22.0 + 3.0
    assert cli.main(["--course", str(result.term.course), "report", "--out", str(tmp_path)]) == 0
    items = pd.read_csv(tmp_path / "item-scores.csv")
    keyed = items[items["student"] == "keyed"].set_index("item")
    assert keyed.loc[["l1-r01", "l1-r02"], "rubric_points"].tolist() == [2.0, 1.0]
    assert keyed["points"].sum() + keyed["rubric_points"].sum() == total
    assert items.loc[items["student"] != "keyed", "rubric_points"].isna().all()
