"""`make demo` on a small cohort: the command finishes, prints where its outputs are, and
every output exists and parses."""
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import ROOT

pytestmark = pytest.mark.pipeline

STUDENTS = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "peercourse.cli", "demo", "--students", str(STUDENTS), "--seed", "3", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, done.stdout


def test_it_prints_progress_timings_outputs_and_a_summary(demo):
    out, printed = demo
    assert f"A term for {STUDENTS} learners and 10 lessons" in printed
    assert "lesson-9: autograded 3 submissions in" in printed
    assert "Where the time went:" in printed and "autograde" in printed
    for line in (f"nbgrader's grades (totals):  {out / 'grades.csv'}", f"per-item scores:             {out / 'item-scores.csv'}",
                 f"item-analysis report:        {out / 'report/item-analysis.html'}"):
        assert line in printed
    assert printed.rstrip().endswith("their text appears in no export.")


def test_the_grades_and_item_csvs_parse_with_one_row_per_learner_and_item(demo):
    out, _ = demo
    grades = pd.read_csv(out / "grades.csv")
    submitted = grades.dropna(subset=["timestamp"])
    assert len(submitted) == STUDENTS * 9 and set(submitted["assignment"]) == {f"lesson-{n}" for n in range(1, 10)}
    items = pd.read_csv(out / "item-scores.csv", keep_default_na=False)
    assert len(items) == STUDENTS * (5 * 12 + 14 + 18 + 14 + 14)  # graded items, reflections included
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
    assert len(images) > 60
    for src in images:
        assert (out / "report" / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
