"""The instructors' item-analysis report (peercourse.report).

Expected values are worked out by hand in the comments from a six-student cohort, and
correlations are checked against an explicit Pearson formula written out here, never
against the package's own helpers.
"""
from __future__ import annotations

import math
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercourse.report import Analysis, analyse, write_report
from peercourse.report.analysis import extreme_groups

LESSON = "lesson-1"
OPTIONS = ["A", "B", "C", "D"]
KEYS = {
    "i1": {"format": "single_best", "options": OPTIONS, "key": "B"},
    "i2": {"format": "rating", "options": OPTIONS, "key": {"A": 4, "B": 2, "C": 1, "D": 3}},
    "i3": {"format": "select_all", "options": OPTIONS, "key": ["A", "C"]},
    "r1": {"format": "reflection", "options": [], "key": None},
}
COLUMNS = ["student", "lesson", "item", "format", "exam_area", "competencies", "points", "possible", "choice"]
# item -> (format, exam area, competencies, possible)
ITEMS = {
    "i1": ("single_best", "Interpersonal Skills", "1;11", 2.0),
    "i2": ("rating", "Recovery Support", "1", 2.0),
    "i3": ("select_all", "Advocacy", "11;16", 2.0),
    "r1": ("reflection", "Recovery Support", "8", 1.0),
}
# student -> item -> (choice, points). Lesson totals out of 7:
#   s1 2+2+2+1 = 7, s2 2+1+2+1 = 6, s3 2+2+1+1 = 6, s4 2+1+0+0 = 3, s5 0+0+1+1 = 2, s6 0.
# s2 and s3 tie on 6, which decides the upper group (see test_upper_lower).
# s5 leaves option D unrated on i2; s4 and s6 leave i3 blank.
ANSWERS = {
    "s1": {"i1": ("B", 2), "i2": ("A=4;B=2;C=1;D=3", 2), "i3": ("A;C", 2), "r1": ("", 1)},
    "s2": {"i1": ("B", 2), "i2": ("A=4;B=3;C=1;D=2", 1), "i3": ("A;C", 2), "r1": ("", 1)},
    "s3": {"i1": ("B", 2), "i2": ("A=4;B=2;C=1;D=3", 2), "i3": ("A", 1), "r1": ("", 1)},
    "s4": {"i1": ("B", 2), "i2": ("A=3;B=2;C=1;D=4", 1), "i3": ("", 0), "r1": ("", 0)},
    "s5": {"i1": ("", 0), "i2": ("A=1;B=2;C=3", 0), "i3": ("A;B;C", 1), "r1": ("", 1)},
    "s6": {"i1": ("A", 0), "i2": ("", 0), "i3": ("", 0), "r1": ("", 0)},
}


def frame(answers=ANSWERS, items=ITEMS, lesson=LESSON) -> pd.DataFrame:
    rows = []
    for student, picks in answers.items():
        for item, (choice, points) in picks.items():
            fmt, area, competencies, possible = items[item]
            rows.append({
                "student": student, "lesson": lesson, "item": item, "format": fmt, "exam_area": area,
                "competencies": competencies, "points": float(points), "possible": possible, "choice": choice,
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def explicit_pearson(x, y):
    """r = sum(dx*dy) / sqrt(sum(dx^2) * sum(dy^2)), written out for the test."""
    mx, my = sum(x) / len(x), sum(y) / len(y)
    dx, dy = [v - mx for v in x], [v - my for v in y]
    return sum(a * b for a, b in zip(dx, dy)) / math.sqrt(sum(a * a for a in dx) * sum(b * b for b in dy))


@pytest.fixture(scope="module")
def cohort() -> Analysis:
    return analyse(frame(), KEYS)


def by_item(table: pd.DataFrame, column: str) -> dict:
    return dict(zip(table["item"], table[column]))


def test_n_difficulty_and_blank_share(cohort):
    items = cohort.items
    assert list(items["item"]) == ["i1", "i2", "i3", "r1"]
    assert by_item(items, "n") == {"i1": 6, "i2": 6, "i3": 6, "r1": 6}
    # proportions per student s1..s6:
    # i1 [1, 1, 1, 1, 0, 0] -> 4/6;  i2 [1, .5, 1, .5, 0, 0] -> 3/6
    # i3 [1, 1, .5, 0, .5, 0] -> 3/6; r1 [1, 1, 1, 0, 1, 0] -> 4/6
    assert by_item(items, "difficulty") == pytest.approx({"i1": 4 / 6, "i2": 0.5, "i3": 0.5, "r1": 4 / 6})
    # blanks: i1 s5; i2 s6; i3 s4 and s6; reflections have no blank share.
    blank = by_item(items, "blank_share")
    assert (blank["i1"], blank["i2"], blank["i3"]) == pytest.approx((1 / 6, 1 / 6, 2 / 6))
    assert math.isnan(blank["r1"])
    assert by_item(items, "answered")["i3"] == 4


def test_corrected_point_biserial(cohort):
    # rest of the lesson = (lesson total - item points) / (7 - item possible), s1..s6
    x_y = {
        "i1": ([1, 1, 1, 1, 0, 0], [5 / 5, 4 / 5, 4 / 5, 1 / 5, 2 / 5, 0 / 5]),
        "i2": ([1, .5, 1, .5, 0, 0], [5 / 5, 5 / 5, 4 / 5, 2 / 5, 2 / 5, 0 / 5]),
        "i3": ([1, 1, .5, 0, .5, 0], [5 / 5, 4 / 5, 5 / 5, 3 / 5, 1 / 5, 0 / 5]),
        "r1": ([1, 1, 1, 0, 1, 0], [6 / 6, 5 / 6, 5 / 6, 3 / 6, 1 / 6, 0 / 6]),
    }
    # By hand (deviations from the means, then sum(dx dy) / sqrt(sum dx^2 sum dy^2)):
    # i1: sum dxdy = 2/3, sum dx^2 = 4/3, sum dy^2 = 174/225  -> 5 / sqrt(58)
    # i2: 0.7 / sqrt(1 * 0.8)                                  -> 7 / sqrt(80)
    # i3: 0.6 / sqrt(1 * 0.88)                                 -> 3 / sqrt(22)
    # r1: (11/18) / sqrt(4/3 * 22/27)                           -> sqrt(11 / 32)
    by_hand = {"i1": 5 / math.sqrt(58), "i2": 7 / math.sqrt(80), "i3": 3 / math.sqrt(22), "r1": math.sqrt(11 / 32)}
    for item, (x, y) in x_y.items():
        assert explicit_pearson(x, y) == pytest.approx(by_hand[item])
    assert by_item(cohort.items, "point_biserial") == pytest.approx(by_hand)


def test_upper_lower(cohort):
    # n = 6 -> groups of round(0.27 * 6) = round(1.62) = 2. Ranked by total, ties by id:
    # s1 7, s2 6, s3 6, s5 2, s4 3 ... i.e. s1, s2, s3, s4, s5, s6; upper {s1, s2}, lower {s5, s6}.
    # s2 beats s3 (both 6) on id; with s3 instead, i2 would give 1.0 instead of 0.75.
    # i1: (1+1)/2 - (0+0)/2 = 1;     i2: (1+.5)/2 - (0+0)/2 = 0.75
    # i3: (1+1)/2 - (.5+0)/2 = 0.75; r1: (1+1)/2 - (1+0)/2 = 0.5
    assert by_item(cohort.items, "upper_lower") == pytest.approx({"i1": 1.0, "i2": 0.75, "i3": 0.75, "r1": 0.5})
    # the upper group's own mean: i2 (1 + 0.5) / 2 = 0.75; r1 (1 + 1) / 2 = 1 (no flag below 0.5)
    assert by_item(cohort.items, "upper_mean") == pytest.approx({"i1": 1.0, "i2": 0.75, "i3": 1.0, "r1": 1.0})


def test_group_size_rounds_half_up():
    def group(n):
        return pd.DataFrame({"student": [f"s{i:03d}" for i in range(n)], "lesson_points": range(n)})

    # 0.27 * 50 = 13.5 -> 14; 0.27 * 10 = 2.7 -> 3; 0.27 * 2 = 0.54 -> 0, raised to 1
    assert [len(extreme_groups(group(n))[0]) for n in (50, 10, 2)] == [14, 3, 1]
    upper, lower = extreme_groups(group(10))
    assert list(upper["student"]) == ["s009", "s008", "s007"]
    assert list(lower["student"]) == ["s002", "s001", "s000"]


def option_values(analysis, item, measure):
    rows = analysis.options[(analysis.options["item"] == item) & (analysis.options["measure"] == measure)]
    return dict(zip(rows["option"], rows["value"])), dict(zip(rows["option"], rows["key_value"]))


def test_option_frequencies(cohort):
    # i1: 5 answered (s5 blank): B by s1-s4, A by s6
    values, key = option_values(cohort, "i1", "chosen")
    assert values == pytest.approx({"A": 1 / 5, "B": 4 / 5, "C": 0.0, "D": 0.0})
    assert key == {"A": 0.0, "B": 1.0, "C": 0.0, "D": 0.0}
    # i2: 5 answered (s6 blank). A: 4,4,4,3,1 -> 16/5; B: 2,3,2,2,2 -> 11/5; C: 1,1,1,1,3 -> 7/5;
    # D: 3,2,3,4 (s5 left D unrated) -> 12/4
    values, key = option_values(cohort, "i2", "mean rating")
    assert values == pytest.approx({"A": 3.2, "B": 2.2, "C": 1.4, "D": 3.0})
    assert key == {"A": 4.0, "B": 2.0, "C": 1.0, "D": 3.0}
    # i3: 4 answered (s1 "A;C", s2 "A;C", s3 "A", s5 "A;B;C")
    values, key = option_values(cohort, "i3", "ticked")
    assert values == pytest.approx({"A": 4 / 4, "B": 1 / 4, "C": 3 / 4, "D": 0.0})
    assert key == {"A": 1.0, "B": 0.0, "C": 1.0, "D": 0.0}
    assert set(cohort.options["item"]) == {"i1", "i2", "i3"}  # no options for reflections


def test_most_least_and_ranking_frequencies():
    items = {"m": ("most_least", "Advocacy", "2", 2.0), "k": ("ranking", "Advocacy", "2", 2.0)}
    keys = {"m": {"format": "most_least", "options": OPTIONS, "key": {"most": "A", "least": "D"}},
            "k": {"format": "ranking", "options": OPTIONS, "key": ["B", "A", "D", "C"]}}
    answers = {
        "s1": {"m": ("most=A;least=D", 2), "k": ("B>A>D>C", 2)},
        "s2": {"m": ("most=B;least=D", 1), "k": ("A>B>D>C", 1)},
        "s3": {"m": ("least=C", 0), "k": ("", 0)},
        "s4": {"m": ("", 0), "k": ("B>A>C>D", 1)},
    }
    analysis = analyse(frame(answers, items), keys)
    # m: 3 answered; most: A s1, B s2 -> 1/3 each; least: D s1 s2 -> 2/3, C s3 -> 1/3
    most, most_key = option_values(analysis, "m", "most")
    least, least_key = option_values(analysis, "m", "least")
    assert most == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 0.0, "D": 0.0})
    assert least == pytest.approx({"A": 0.0, "B": 0.0, "C": 1 / 3, "D": 2 / 3})
    assert (most_key["A"], least_key["D"], most_key["D"]) == (1.0, 1.0, 0.0)
    # k: 3 answered; ranks A: 2,1,2 -> 5/3; B: 1,2,1 -> 4/3; C: 4,4,3 -> 11/3; D: 3,3,4 -> 10/3
    ranks, key_ranks = option_values(analysis, "k", "mean rank")
    assert ranks == pytest.approx({"A": 5 / 3, "B": 4 / 3, "C": 11 / 3, "D": 10 / 3})
    assert key_ranks == {"A": 2.0, "B": 1.0, "C": 4.0, "D": 3.0}


def test_flags(cohort):
    # n = 6 >= 5. i1: nobody picked C or D. i3: nobody ticked D. No item has r < 0, an upper
    # group below half full points, or difficulty outside 0.2..0.9.
    assert list(cohort.flags.itertuples(index=False, name=None)) == [
        (LESSON, "i1", "option C chosen by nobody"),
        (LESSON, "i1", "option D chosen by nobody"),
        (LESSON, "i3", "option D chosen by nobody"),
    ]
    assert by_item(cohort.items, "flags") == {
        "i1": "option C chosen by nobody; option D chosen by nobody", "i2": "", "i3": "option D chosen by nobody",
        "r1": "",
    }


def test_the_thresholds_are_settings_an_instructor_can_change(tmp_path):
    """c.ReportSettings.* in nbgrader_config.py, as `peercourse report` reads them."""
    from traitlets.config import Config

    from peercourse.report.settings import ReportSettings

    config = Config()
    config.ReportSettings.very_easy = 0.6  # i1 and r1 (difficulty 4/6) become "very easy"
    config.ReportSettings.extreme_group_percent = 50  # upper and lower groups of 3, not 2
    strict = analyse(frame(), KEYS, ReportSettings(config=config))
    assert by_item(strict.items, "flags") == {
        "i1": "option C chosen by nobody; option D chosen by nobody; very easy", "i2": "",
        "i3": "option D chosen by nobody", "r1": "very easy",
    }
    # upper half by lesson total: s1, s2, s3 (i1 all 2 of 2); lower half: s4, s5, s6 (2, 0, 0 of 6)
    assert by_item(strict.items, "upper_lower")["i1"] == pytest.approx(1 - 2 / 6)
    page = write_report(strict, tmp_path / "strict").read_text(encoding="utf-8")
    assert "Difficulty above 0.60" in page and "The top 50% of students" in page
    few = ReportSettings(min_students_for_flags=7)  # n = 6: too few for any flag
    assert analyse(frame(), KEYS, few).flags.empty
    with pytest.raises(Exception, match="extreme_group_percent"):
        ReportSettings(extreme_group_percent=60)  # groups of more than half would overlap


def test_flags_for_a_miskeyed_item_and_easy_and_hard_items():
    names = ["good", "good2", "bad", "easy", "hard"]
    items = {name: ("single_best", "Advocacy", "2", 2.0) for name in names}
    keys = {name: {"format": "single_best", "options": ["A", "B"], "key": "A"} for name in names}
    # Who picks the key A (2 points; everyone else picks B, 0 points):
    earned = {"good": {1, 2, 3}, "good2": {1, 2}, "bad": {5}, "easy": {1, 2, 3, 4, 5}, "hard": set()}
    answers = {f"s{i}": {name: ("A", 2) if i in who else ("B", 0) for name, who in earned.items()}
               for i in range(1, 6)}
    # Totals s1..s5: 6, 6, 4, 2, 4. Ranked: s1, s2, s3, s5, s4; groups of round(1.35) = 1:
    # upper {s1}, lower {s4}.
    flags = analyse(frame(answers, items), keys).flags
    listed = {item: list(group["flag"]) for item, group in flags.groupby("item", sort=False)}
    # bad: x = [0,0,0,0,1], rest = [6,6,4,2,2]/8; dx = [-.2]*4 + [.8], dy (x8) = [2,2,0,-2,-2]
    # -> sum dxdy < 0: negative. s1 (upper group) misses it: 0 of 1 < half. difficulty 1/5 = 0.2
    # is not below 0.2.
    assert explicit_pearson([0, 0, 0, 0, 1], [6, 6, 4, 2, 2]) < 0
    assert listed["bad"] == ["strong students miss the key", "negative discrimination"]
    # easy: difficulty 1 > 0.9; B chosen by nobody. hard: difficulty 0 < 0.2, A (the key) by
    # nobody; r is n/a (all item scores 0), so no "negative discrimination".
    assert listed["easy"] == ["option B chosen by nobody", "very easy"]
    assert listed["hard"] == ["option A chosen by nobody", "strong students miss the key", "very hard"]
    # good: x = [1,1,1,0,0], rest = [4,4,2,2,4]/8 -> positive; good2 likewise.
    assert explicit_pearson([1, 1, 1, 0, 0], [4, 4, 2, 2, 4]) > 0
    assert list(listed) == ["bad", "easy", "hard"]


def test_lesson_totals_and_summary(cohort):
    totals = cohort.totals
    assert list(totals["student"]) == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert list(totals["points"]) == [7, 6, 6, 3, 2, 0]
    assert set(totals["possible"]) == {7}
    summary = cohort.lessons.iloc[0]
    # mean 24/6 = 4; median of 0,2,3,6,6,7 = (3+6)/2 = 4.5
    assert (summary["students"], summary["possible"], summary["mean"], summary["median"], summary["min"],
            summary["max"]) == (6, 7, 4, 4.5, 0, 7)


def test_student_who_submitted_nothing_still_counts():
    answers = {"s1": {"i1": ("B", 2)}, "s2": {"i1": ("", 0)}}
    totals = analyse(frame(answers, {"i1": ITEMS["i1"]}), KEYS).totals
    assert list(zip(totals["student"], totals["points"])) == [("s1", 2.0), ("s2", 0.0)]


def test_mastery(cohort):
    # proportions summed over s1..s6: i1 4, i2 3, i3 3, r1 4 (6 scores each)
    areas = cohort.mastery_by_area
    # exam-outline order: Interpersonal Skills, Recovery Support, Advocacy
    assert list(areas["exam_area"]) == ["Interpersonal Skills", "Recovery Support", "Advocacy"]
    assert list(areas["mastery"]) == pytest.approx([4 / 6, (3 + 4) / 12, 3 / 6])
    assert list(areas["items"]) == [1, 2, 1]
    assert list(areas["responses"]) == [6, 12, 6]
    competencies = cohort.mastery_by_competency
    # 1: i1 + i2; 8: r1; 11: i1 + i3 (i1 counts toward both 1 and 11); 16: i3. Numeric order.
    assert list(competencies["competency"]) == ["1", "8", "11", "16"]
    assert list(competencies["mastery"]) == pytest.approx([7 / 12, 4 / 6, 7 / 12, 3 / 6])
    assert list(competencies["responses"]) == [12, 6, 12, 6]
    assert competencies["name"].iloc[0] == "Hope, recovery and wellness"


def test_inputs_are_not_changed():
    scores = frame()
    before = scores.copy()
    analyse(scores, KEYS)
    pd.testing.assert_frame_equal(scores, before)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="missing columns: choice"):
        analyse(frame().drop(columns="choice"), KEYS)
    with pytest.raises(ValueError, match="more than one row"):
        analyse(pd.concat([frame(), frame().head(1)]), KEYS)
    with pytest.raises(ValueError, match="no entry for choice item 'i1'"):
        analyse(frame(), {k: v for k, v in KEYS.items() if k != "i1"})


# --- edge cases ------------------------------------------------------------------------------

def test_one_student_has_no_discrimination_and_no_flags(tmp_path):
    analysis = analyse(frame({"s1": ANSWERS["s1"]}), KEYS)
    assert analysis.items["point_biserial"].isna().all()
    assert analysis.items["upper_lower"].isna().all()
    assert analysis.flags.empty  # i1 C and D chosen by nobody, but n = 1 < 5
    assert list(analysis.items["difficulty"]) == [1.0, 1.0, 1.0, 1.0]
    page = parse(write_report(analysis, tmp_path).read_text())
    assert "n/a" in page.text
    assert_images_exist(page, tmp_path)


def test_item_nobody_answered():
    answers = {f"s{i}": {"i1": ("", 0), "i3": ("A;C" if i % 2 else "A", 2 if i % 2 else 1)} for i in range(1, 6)}
    analysis = analyse(frame(answers), KEYS)
    i1 = analysis.items.set_index("item").loc["i1"]
    assert (i1["n"], i1["answered"], i1["difficulty"], i1["blank_share"]) == (5, 0, 0.0, 1.0)
    assert math.isnan(i1["point_biserial"])  # item scores are all 0: zero variance
    assert i1["upper_lower"] == 0.0
    values, _ = option_values(analysis, "i1", "chosen")
    assert all(math.isnan(v) for v in values.values())  # 0 / 0 answered
    flags = list(analysis.flags.loc[analysis.flags["item"] == "i1", "flag"])
    # no "option X chosen by nobody" for an item nobody answered
    assert flags == ["nobody answered", "strong students miss the key", "very hard"]


def test_zero_variance_totals():
    # Everyone earns full points: item and rest are constant -> r is n/a; groups tie -> 0.
    everyone = {f"s{i}": {"i1": ("B", 2), "i3": ("A;C", 2)} for i in range(1, 6)}
    items = analyse(frame(everyone), KEYS).items
    assert items["point_biserial"].isna().all()
    assert list(items["upper_lower"]) == [0.0, 0.0]
    # i1 varies but the rest of the lesson (i3) does not -> r is n/a too.
    mixed = {f"s{i}": {"i1": ("B" if i < 3 else "A", 2 if i < 3 else 0), "i3": ("A;C", 2)} for i in range(1, 6)}
    items = analyse(frame(mixed), KEYS).items.set_index("item")
    assert math.isnan(items.loc["i1", "point_biserial"])
    # totals 4,4,2,2,2 -> upper {s1} (2 of 5 rounds to 1), lower {s5}: 1 - 0
    assert items.loc["i1", "upper_lower"] == 1.0


def test_empty_scores(tmp_path):
    analysis = analyse(frame({}), KEYS)
    assert analysis.items.empty and analysis.totals.empty and analysis.mastery_by_area.empty
    page = parse(write_report(analysis, tmp_path).read_text())
    assert "How to read this report" in page.text


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "A", "B"]), st.sampled_from([0, 1, 2]), st.sampled_from([0, 1])),
                min_size=1, max_size=12))
def test_statistics_stay_in_range(rows):
    answers = {f"s{i:02d}": {"i1": (choice, 2 if choice == "B" else 0), "i3": ("A", ticked), "r1": ("", r)}
               for i, (choice, ticked, r) in enumerate(rows)}
    items = analyse(frame(answers), KEYS).items
    assert items["difficulty"].between(0, 1).all()
    for column in ("point_biserial", "upper_lower"):
        values = items[column].dropna()
        assert values.between(-1, 1).all()


# --- the written report ----------------------------------------------------------------------

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.ids: list[str] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if "id" in attrs:
            self.ids.append(attrs["id"])

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.chunks)


def parse(source: str) -> Page:
    page = Page()
    page.feed(source)
    page.close()
    return page


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_images_exist(page: Page, out_dir):
    for src in page.images:
        path = out_dir / src
        assert path.is_file(), src
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), src
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 400 and height >= 200, (src, width, height)  # a real chart, not a stub
        assert len(data) > 5_000, src


def test_write_report(cohort, tmp_path):
    path = write_report(cohort, tmp_path / "out")
    out = tmp_path / "out"
    assert path == out / "item-analysis.html"
    page = parse(path.read_text(encoding="utf-8"))
    assert "how-to-read" in page.ids and "How to read this report" in page.text
    for term in ("Difficulty", "Point-biserial", "Upper-lower", "27%", "strong students miss the key",
                 "negative discrimination", "check the key"):
        assert term.lower() in page.text.lower(), term
    for item in ("i1", "i2", "i3", "r1"):
        assert item in page.text
    # 1 histogram + 1 scatter + 3 option charts + 2 mastery charts
    assert len(page.images) == 7
    assert sorted(p.name for p in (out / "charts").iterdir()) == sorted(src.split("/")[-1] for src in page.images)
    assert_images_exist(page, out)
    assert "0.67" in page.text and "0.66" in page.text  # i1 difficulty 4/6, r = 0.6565...
    assert "s1" not in page.text  # no student ids on the page


def test_report_escapes_text(tmp_path):
    items = {"<b>x</b>": ("single_best", "Area & <i>co</i>", "1", 2.0)}
    keys = {"<b>x</b>": {"format": "single_best", "options": ["A", "B"], "key": "A"}}
    analysis = analyse(frame({"s1": {"<b>x</b>": ("A", 2)}}, items, lesson="l<1>"), keys)
    source = write_report(analysis, tmp_path).read_text()
    assert "<b>x</b>" not in source and "&lt;b&gt;x&lt;/b&gt;" in source
    assert "<i>co</i>" not in source
    assert_images_exist(parse(source), tmp_path)


# --- a larger synthetic cohort, as the lead's real data will look --------------------------

def synthetic_cohort(students: int = 120, seed: int = 7) -> tuple[pd.DataFrame, dict]:
    """5 graded lessons of 10 choice items (2 points) and 2 reflections (1 point).

    Each student has an ability; an item is answered correctly with a logistic chance of it.
    In each lesson the third item is miskeyed (its "key" is the option weak students pick),
    one item is nearly free, and one nearly impossible.
    """
    rng = np.random.default_rng(seed)
    formats = ["single_best", "most_least", "rating", "ranking", "select_all"] * 2
    areas = ["Interpersonal Skills", "Recovery Support", "Advocacy", "Crisis Management", "Resource Linkage",
             "Behavioral Health Foundations", "Community Inclusion", "Administrative Responsibilities"]
    ability = {f"student-{i:03d}": rng.normal() for i in range(students)}
    rows, keys = [], {}
    for lesson_number in range(1, 6):
        lesson = f"lesson-{lesson_number}"
        for index in range(12):
            item = f"l{lesson_number}-g{index + 1:02d}"
            fmt = formats[index] if index < 10 else "reflection"
            area = areas[(lesson_number + index) % len(areas)]
            competencies = f"{1 + (lesson_number * 3 + index) % 17};{1 + (index * 5) % 17}"
            key = _synthetic_key(fmt, rng)
            keys[item] = {"format": fmt, "options": OPTIONS if fmt != "reflection" else [], "key": key}
            difficulty = {1: -3.0, 2: 2.5}.get(index, rng.uniform(-1.5, 1.0))
            sign = -1.0 if index == 3 else 1.0
            for student, theta in ability.items():
                p = 1 / (1 + math.exp(-sign * 1.7 * (theta - difficulty)))
                blank = fmt != "reflection" and rng.random() < 0.04
                choice, points = _synthetic_answer(fmt, key, rng.random() < p, blank, rng)
                rows.append({"student": student, "lesson": lesson, "item": item, "format": fmt,
                             "exam_area": area, "competencies": competencies, "points": points,
                             "possible": 1.0 if fmt == "reflection" else 2.0, "choice": choice})
    return pd.DataFrame(rows), keys


def _synthetic_key(fmt, rng):
    order = list(rng.permutation(OPTIONS))
    return {
        "single_best": order[0],
        "most_least": {"most": order[0], "least": order[3]},
        "rating": {o: 4 - i for i, o in enumerate(order)},
        "ranking": order,
        "select_all": sorted(order[:2]),
        "reflection": None,
    }[fmt]


def _synthetic_answer(fmt, key, correct, blank, rng):
    if fmt == "reflection":
        return "", float(correct)
    if blank:
        return "", 0.0
    if fmt == "single_best":
        # D is never a plausible distractor, to show the "chosen by nobody" flag
        wrong = [o for o in "ABC" if o != key] or ["A"]
        return (key, 2.0) if correct else (str(rng.choice(wrong)), 0.0)
    if fmt == "most_least":
        most = key["most"] if correct else str(rng.choice(OPTIONS))
        least = key["least"] if correct or rng.random() < 0.5 else str(rng.choice(OPTIONS))
        points = float((most == key["most"]) + (least == key["least"]))
        return f"most={most};least={least}", points
    if fmt == "rating":
        given = {o: r if correct else int(rng.integers(1, 5)) for o, r in key.items()}
        points = 2.0 * sum(given[o] == r for o, r in key.items()) / 4  # fractional totals
        return ";".join(f"{o}={given[o]}" for o in OPTIONS), float(points)
    if fmt == "ranking":
        order = list(key) if correct else list(rng.permutation(key))
        return ">".join(order), 2.0 if order == list(key) else 0.0
    ticked = list(key) if correct else sorted(rng.choice(OPTIONS, size=int(rng.integers(1, 4)), replace=False))
    return ";".join(ticked), 2.0 if ticked == list(key) else 0.0


def test_report_for_a_synthetic_cohort(tmp_path):
    scores, keys = synthetic_cohort()
    analysis = analyse(scores, keys)
    assert len(analysis.items) == 60 and len(analysis.lessons) == 5
    # every lesson's miskeyed item (index 3, the 4th) discriminates negatively
    for lesson in range(1, 6):
        assert "negative discrimination" in analysis.items.set_index("item").loc[f"l{lesson}-g04", "flags"]
    path = write_report(analysis, tmp_path)
    page = parse(path.read_text())
    assert all(item in page.text for item in analysis.items["item"])
    # 5 histograms + 5 scatters + 50 option charts + 2 mastery charts
    assert len(page.images) == 62
    assert_images_exist(page, tmp_path)
