"""Item analysis of graded scores: pure pandas computations, no files and no charts.

Input is the `scores` frame (one row per student, lesson and graded item) and the `keys`
dict described in `peercourse.report`. Every public function returns a new DataFrame and
leaves its arguments unchanged. Lessons and items keep the order in which they first
appear in `scores` (the lead's notebook order), students are sorted by id.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..certification import COMPETENCIES, EXAM_AREAS
from ..items import FORMATS, is_choice
from .settings import ReportSettings

# Short names for charts and tables, from each format.
FORMAT_LABELS = {name: fmt.short_label for name, fmt in FORMATS.items()}
SCORE_COLUMNS = (
    "student", "lesson", "item", "format", "exam_area", "competencies", "points", "possible", "choice",
)

# The thresholds (fewest students for flags, the upper and lower groups' size, very easy and
# very hard) are settings an instructor can change: report/settings.py.
DEFAULTS = ReportSettings()

ITEM_COLUMNS = [
    "lesson", "item", "format", "exam_area", "competencies", "possible", "n", "answered",
    "difficulty", "point_biserial", "upper_lower", "upper_mean", "blank_share",
]
OPTION_COLUMNS = ["lesson", "item", "format", "measure", "option", "value", "key_value", "answered"]


@dataclass(frozen=True)
class Analysis:
    """Everything the report shows, as DataFrames (see each function for the columns)."""

    items: pd.DataFrame          # item_statistics, plus a "flags" column ("; "-joined, "" if none)
    options: pd.DataFrame        # option_frequencies
    flags: pd.DataFrame          # item_flags: one row per (lesson, item, flag)
    totals: pd.DataFrame         # lesson_totals: one row per (lesson, student)
    lessons: pd.DataFrame        # lesson_summary: one row per lesson
    mastery_by_area: pd.DataFrame
    mastery_by_competency: pd.DataFrame
    settings: ReportSettings = DEFAULTS  # the thresholds used


def analyse(scores: pd.DataFrame, keys: dict, settings: ReportSettings | None = None) -> Analysis:
    """Run every computation below on one cohort's scores, with the given thresholds."""
    settings = settings or DEFAULTS
    scores = prepare(scores)
    items = item_statistics(scores, settings)
    options = option_frequencies(scores, keys)
    flags = item_flags(items, options, settings)
    joined = flags.groupby(["lesson", "item"], sort=False)["flag"].agg("; ".join)
    items = items.assign(flags=[joined.get((lesson, item), "") for lesson, item in zip(items["lesson"], items["item"])])
    totals = lesson_totals(scores)
    return Analysis(
        items=items,
        options=options,
        flags=flags,
        totals=totals,
        lessons=lesson_summary(totals),
        mastery_by_area=mastery_by_area(scores),
        mastery_by_competency=mastery_by_competency(scores),
        settings=settings,
    )


def prepare(scores: pd.DataFrame) -> pd.DataFrame:
    """Check the input contract and add `proportion` = points / possible.

    Raises ValueError for missing columns, unknown formats, possible <= 0 or a student with
    two rows for the same item, because each would silently skew every statistic below.
    A missing choice (NaN) is read as "" (unanswered). Idempotent, so every public function
    below calls it on its input and can be used on its own.
    """
    missing = [column for column in SCORE_COLUMNS if column not in scores.columns]
    if missing:
        raise ValueError(f"scores is missing columns: {', '.join(missing)}")
    frame = scores.loc[:, list(SCORE_COLUMNS)].copy()
    frame["choice"] = frame["choice"].fillna("").astype(str)
    frame["competencies"] = frame["competencies"].fillna("").astype(str)
    for column in ("student", "lesson", "item", "format", "exam_area"):
        frame[column] = frame[column].astype(str)
    frame["points"] = frame["points"].astype(float)
    frame["possible"] = frame["possible"].astype(float)
    unknown = sorted(set(frame["format"]) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown item formats: {', '.join(unknown)}")
    if (frame["possible"] <= 0).any():
        raise ValueError("every row needs possible > 0")
    duplicated = frame.duplicated(["student", "lesson", "item"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ValueError(f"student {first['student']!r} has more than one row for item {first['item']!r}")
    frame["proportion"] = frame["points"] / frame["possible"]
    return frame


# --- per student and lesson ------------------------------------------------------------------

def lesson_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (lesson, student): points = sum of points earned on the lesson's graded
    items, possible = sum of their possible points, proportion = points / possible.

    A student who submitted nothing still appears (with 0 points) when they have rows.
    """
    scores = prepare(scores)
    totals = scores.groupby(["lesson", "student"], sort=False)[["points", "possible"]].sum().reset_index()
    totals["proportion"] = totals["points"] / totals["possible"]
    return _lessons_in_order(totals, scores, "student")


def lesson_summary(totals: pd.DataFrame) -> pd.DataFrame:
    """One row per lesson from `lesson_totals`: students, possible (the largest student
    possible), and mean, sd (population, ddof=0), min, median and max of the totals."""
    grouped = totals.groupby("lesson", sort=False)["points"]
    summary = pd.DataFrame({
        "students": grouped.size(),
        "possible": totals.groupby("lesson", sort=False)["possible"].max(),
        "mean": grouped.mean(),
        "sd": grouped.std(ddof=0),
        "min": grouped.min(),
        "median": grouped.median(),
        "max": grouped.max(),
    })
    return summary.reset_index()


# --- per item --------------------------------------------------------------------------------

def item_statistics(scores: pd.DataFrame, settings: ReportSettings = DEFAULTS) -> pd.DataFrame:
    """One row per (lesson, item) with the classical item statistics.

    n               students with a row for the item.
    answered        students whose choice is not "" (choice items; NaN for reflections).
    difficulty      mean of points / possible over those n students (the p-value, 0..1;
                    higher means easier).
    point_biserial  corrected item-total correlation: Pearson r between the item's
                    points / possible and the student's proportion on the rest of the same
                    lesson, (lesson points - item points) / (lesson possible - item possible).
                    Students with no other item in the lesson are left out. NaN when fewer
                    than 2 students remain or either variable has zero variance.
    upper_lower     mean item proportion in the upper group minus the lower group. Students
                    are ranked by lesson total points (highest first, ties by student id
                    ascending); each group holds k = max(1, round_half_up(0.27 * n)) students,
                    upper = first k, lower = last k. NaN when n < 2 (the groups would be the
                    same student).
    upper_mean      mean item proportion in the upper group alone: for a single best answer,
                    the share of strong students who chose the key; for partial-credit
                    formats, how close they came to it.
    blank_share     share of the n students whose choice is "" (choice items only; a
                    select_all with nothing ticked also counts as blank, because the input
                    cannot tell the two apart). NaN for reflections.
    """
    scores = prepare(scores)
    totals = lesson_totals(scores).rename(columns={"points": "lesson_points", "possible": "lesson_possible"})
    merged = scores.merge(totals[["lesson", "student", "lesson_points", "lesson_possible"]], on=["lesson", "student"])
    rows = [_item_row(group, settings) for _, group in merged.groupby(["lesson", "item"], sort=False)]
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _item_row(group: pd.DataFrame, settings: ReportSettings) -> dict:
    first = group.iloc[0]
    choice_item = is_choice(first["format"])
    rest_possible = group["lesson_possible"] - group["possible"]
    has_rest = rest_possible > 0
    rest = (group["lesson_points"] - group["points"])[has_rest] / rest_possible[has_rest]
    upper, lower = extreme_groups(group, settings.extreme_group_percent)
    return {
        "lesson": first["lesson"],
        "item": first["item"],
        "format": first["format"],
        "exam_area": first["exam_area"],
        "competencies": first["competencies"],
        "possible": group["possible"].max(),
        "n": len(group),
        "answered": int((group["choice"] != "").sum()) if choice_item else np.nan,
        "difficulty": group["proportion"].mean(),
        "point_biserial": pearson(group["proportion"][has_rest].to_numpy(), rest.to_numpy()),
        "upper_lower": np.nan if upper is None else upper["proportion"].mean() - lower["proportion"].mean(),
        "upper_mean": np.nan if upper is None else upper["proportion"].mean(),
        "blank_share": (group["choice"] == "").mean() if choice_item else np.nan,
    }


def extreme_groups(group: pd.DataFrame, percent: int = DEFAULTS.extreme_group_percent
                   ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The upper and lower 27% of one item's rows by `lesson_points` (see item_statistics)."""
    n = len(group)
    if n < 2:
        return None, None
    # Integer arithmetic so that 0.27 * 50 = 13.5 rounds up to 14 exactly, not by float luck.
    size = max(1, (percent * n + 50) // 100)
    ranked = group.sort_values(["lesson_points", "student"], ascending=[False, True], kind="stable")
    return ranked.head(size), ranked.tail(size)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r, or NaN when there are fewer than 2 pairs or either side is constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return np.nan
    dx, dy = x - x.mean(), y - y.mean()
    r = float((dx * dy).sum() / np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return min(1.0, max(-1.0, r))  # rounding can push |r| a hair past 1


# --- options ---------------------------------------------------------------------------------

def option_frequencies(scores: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """One row per (lesson, item, measure, option) for choice items.

    The denominator is `answered`, the students whose choice is not "".
    measure "chosen" (single_best), "most"/"least" (most_least), "ticked" (select_all):
        value = share of answering students picking the option that way (NaN if nobody
        answered); key_value = 1.0 if the key picks it that way, else 0.0.
    measure "mean rating" (rating): value = mean rating given to the option by the answering
        students who rated it (unrated options are omitted from the choice, so they do not
        count); key_value = the key's rating.
    measure "mean rank" (ranking): value = mean position given (1 = best); key_value = the
        key's position.
    Options come from keys[item]["options"]; picks of letters not in that list are ignored.
    """
    scores = prepare(scores)
    rows = []
    for (lesson, item), group in scores.groupby(["lesson", "item"], sort=False):
        fmt = group["format"].iloc[0]
        if not is_choice(fmt):
            continue
        if item not in keys:
            raise ValueError(f"keys has no entry for choice item {item!r}")
        spec = keys[item]
        answers = [choice for choice in group["choice"] if choice != ""]
        for measure, option, value, key_value in FORMATS[fmt].option_measures(spec["options"], spec["key"], answers):
            rows.append({
                "lesson": lesson, "item": item, "format": fmt, "measure": measure, "option": option,
                "value": value, "key_value": float(key_value), "answered": len(answers),
            })
    return pd.DataFrame(rows, columns=OPTION_COLUMNS)


# --- flags -----------------------------------------------------------------------------------

def item_flags(items: pd.DataFrame, options: pd.DataFrame, settings: ReportSettings = DEFAULTS) -> pd.DataFrame:
    """One row per (lesson, item, flag), from `item_statistics` and `option_frequencies`.

    Only items with n >= settings.min_students_for_flags (5) get flags. In this order:
    "nobody answered"                  choice item that every student left blank (then the
                                       option flags below are skipped: there is nothing to count).
    "option X chosen by nobody"        single_best and select_all: an option no answering
                                       student picked.
    "option X chosen as most by nobody" / "... as least ..."  most_least: the key's most
                                       (least) option that nobody picked as most (least).
    "strong students miss the key"     choice item where the upper group (27%) earned less than
                                       half of its points on average (upper_mean < 0.5).
    "negative discrimination"          point_biserial < 0.
    "very easy" / "very hard"          difficulty > settings.very_easy (0.9) / < settings.very_hard (0.2).
    """
    by_item = {key: group for key, group in options.groupby(["lesson", "item"], sort=False)}
    rows = []
    for item in items.itertuples(index=False):
        if item.n < settings.min_students_for_flags:
            continue
        item_options = by_item.get((item.lesson, item.item), options.iloc[0:0])
        for flag in _flags_for(item, item_options, settings):
            rows.append({"lesson": item.lesson, "item": item.item, "flag": flag})
    return pd.DataFrame(rows, columns=["lesson", "item", "flag"])


def _flags_for(item, item_options: pd.DataFrame, settings: ReportSettings) -> list[str]:
    flags = []
    choice_item = is_choice(item.format)
    if choice_item and item.answered == 0:
        flags.append("nobody answered")
    elif choice_item:
        measures = item_options[["measure", "option", "value", "key_value"]].itertuples(index=False, name=None)
        flags += FORMATS[item.format].unchosen_flags(list(measures))
    if choice_item and item.upper_mean < 0.5:
        flags.append("strong students miss the key")
    if item.point_biserial < 0:
        flags.append("negative discrimination")
    if item.difficulty > settings.very_easy:
        flags.append("very easy")
    elif item.difficulty < settings.very_hard:
        flags.append("very hard")
    return flags


# --- mastery ---------------------------------------------------------------------------------

def mastery_by_area(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per exam area present: items (distinct lesson items), responses (rows) and
    mastery = mean of points / possible over every student's row for the area's items.
    Areas follow the exam outline's order (certification.EXAM_AREAS), unknown areas after, by name."""
    scores = prepare(scores)
    table = _mastery(scores, "exam_area")
    order = {area: index for index, area in enumerate(EXAM_AREAS)}
    table["_order"] = [(order.get(area, len(order)), area) for area in table["exam_area"]]
    return table.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def mastery_by_competency(scores: pd.DataFrame) -> pd.DataFrame:
    """Like mastery_by_area, per SB 803 competency. An item tagged "1;11" counts in full
    toward both 1 and 11. competency is the tag as text; name is from certification.COMPETENCIES
    ("" when the number is not one of the 17). Sorted by number."""
    scores = prepare(scores)
    tagged = scores.assign(competency=scores["competencies"].str.split(";")).explode("competency")
    tagged["competency"] = tagged["competency"].str.strip()
    tagged = tagged[tagged["competency"] != ""]
    table = _mastery(tagged, "competency")
    numbers = [int(c) if c.isdigit() else None for c in table["competency"]]
    table.insert(1, "name", [COMPETENCIES.get(number, "") for number in numbers])
    table["_order"] = [(number is None, number or 0, c) for number, c in zip(numbers, table["competency"])]
    return table.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _mastery(scores: pd.DataFrame, column: str) -> pd.DataFrame:
    grouped = scores.groupby(column)
    return pd.DataFrame({
        "items": scores.drop_duplicates([column, "lesson", "item"]).groupby(column).size(),
        "responses": grouped.size(),
        "mastery": grouped["proportion"].mean(),
    }).reset_index()


# --- helpers ---------------------------------------------------------------------------------

def _lessons_in_order(frame: pd.DataFrame, scores: pd.DataFrame, then: str) -> pd.DataFrame:
    """Sort by lesson in order of first appearance in scores, then by `then`."""
    rank = {lesson: index for index, lesson in enumerate(pd.unique(scores["lesson"]))}
    ordered = frame.sort_values(["lesson", then], key=lambda s: s.map(rank) if s.name == "lesson" else s)
    return ordered.reset_index(drop=True)
