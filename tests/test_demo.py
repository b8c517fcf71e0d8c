"""`make demo` on a small cohort: the command finishes, prints where its outputs are, and
every output exists and parses.

It runs on the fixture course (one lesson, tests/fixtures/course) with the course's own
nbgrader_config.py: the command is the same whatever the lessons, and a term over the real
course's ten lessons took over a minute of make test's 20 (the real lessons are graded end
to end in test_pipeline.py)."""
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import ROOT
from fixture_course import ASSIGNMENT, GRADED_KEYS, REFLECTIONS, SOURCE

pytestmark = pytest.mark.pipeline

STUDENTS = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    course = tmp_path_factory.mktemp("fixture-course")
    shutil.copytree(SOURCE, course / "source")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    done = subprocess.run(
        [sys.executable, "-m", "peercourse.cli", "--course", str(course), "demo", "--students", str(STUDENTS), "--seed", "3",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, done.stdout


def test_it_prints_progress_timings_outputs_and_a_summary(demo):
    out, printed = demo
    assert f"A term for {STUDENTS} learners and 1 lessons" in printed
    assert f"{ASSIGNMENT}: autograded 3 submissions in" in printed
    assert "Where the time went:" in printed and "autograde" in printed
    for line in (f"nbgrader's grades (totals):  {out / 'grades.csv'}", f"per-item scores:             {out / 'item-scores.csv'}",
                 f"item-analysis report:        {out / 'report/item-analysis.html'}"):
        assert line in printed
    assert printed.rstrip().endswith("their text appears in no export.")


def test_the_grades_and_item_csvs_parse_with_one_row_per_learner_and_item(demo):
    out, _ = demo
    grades = pd.read_csv(out / "grades.csv")
    submitted = grades.dropna(subset=["timestamp"])
    assert len(submitted) == STUDENTS and set(submitted["assignment"]) == {ASSIGNMENT}
    items = pd.read_csv(out / "item-scores.csv", keep_default_na=False)
    graded = [*GRADED_KEYS, *(item for item, mode in REFLECTIONS.items() if mode == "graded")]
    assert sorted(set(items["item"])) == sorted(graded)  # graded items, reflections included
    assert len(items) == STUDENTS * len(graded)
    assert ((items["points"] >= 0) & (items["points"] <= items["possible"])).all()
    per_lesson = items.groupby(["lesson", "student"])["points"].sum().round(2)
    raw = submitted.set_index(["assignment", "student_id"])["raw_score"].round(2)
    assert per_lesson.to_dict() == {key: raw[key] for key in per_lesson.index}  # the two exports agree


def test_the_report_parses_and_its_charts_exist(demo):
    out, _ = demo
    images = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                images.append(dict(attrs)["src"])

    Images().feed((out / "report/item-analysis.html").read_text())
    assert images == [f"charts/{ASSIGNMENT}-totals.png", f"charts/{ASSIGNMENT}-difficulty.png",
                      *(f"charts/{ASSIGNMENT}-{item}-options.png" for item in GRADED_KEYS),
                      "charts/mastery-exam-areas.png", "charts/mastery-competencies.png"]
    for src in images:
        assert (out / "report" / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
