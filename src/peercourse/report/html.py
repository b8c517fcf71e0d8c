"""The report's one HTML page (templates/report.html): inline CSS, no scripts, charts linked
as relative PNG paths.

The template escapes every piece of text that comes from data (lesson and item ids, areas,
flags). The page shows only ids, tags, numbers and flags: no student ids and no learner free
text (the input has none, and nothing here may add any).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..pages import render
from .analysis import FORMAT_LABELS, Analysis
from .settings import ReportSettings
from .charts import ChartFiles


def flag_guide(settings: ReportSettings) -> list[tuple[str, str, str]]:
    """Flag -> (what it means, what an instructor might do), with the thresholds in use.
    The flags match analysis.item_flags."""
    return [
        ("option X chosen by nobody",
         "No student who answered picked (or, for select-all items, ticked) option X.",
         "A distractor nobody finds plausible does no work: rewrite it or replace it. If X is part "
         "of the key, check the key."),
        ("option X chosen as most / least by nobody",
         "Most/least items: nobody picked the key's most (or least) effective response in that role.",
         "Check the key first, then the wording of the situation and of that option."),
        ("nobody answered",
         "Every student left the item blank.",
         "Check that the item shows and saves in the released notebook."),
        ("strong students miss the key",
         f"The top {settings.extreme_group_percent}% of students (by lesson total) earned less than half of the "
         "item's points on average: for a single best answer, fewer than half of them chose the key.",
         "Check the key. Then look for a second defensible answer or an ambiguous word in the prompt. "
         "(Choice items only.)"),
        ("negative discrimination",
         "The corrected point-biserial is below 0: students who did well on the rest of the lesson "
         "did worse on this item.",
         "Review the item's wording and check the key; a miskeyed item often shows up this way."),
        ("very easy",
         f"Difficulty above {settings.very_easy:.2f}: nearly everyone earned the points.",
         "Fine for an item meant to build confidence; otherwise make the distractors more plausible. "
         "Reflections that most students complete are expected to show up here."),
        ("very hard",
         f"Difficulty below {settings.very_hard:.2f}: few students earned the points.",
         "Check the key, check that the lesson teaches what the item asks, and review the wording."),
    ]


def render_page(analysis: Analysis, charts: ChartFiles, out_dir: Path) -> str:
    """The whole page as a string; chart paths are written relative to out_dir."""
    out_dir = Path(out_dir)
    settings = analysis.settings
    return render(
        "report.html",
        overview=_overview(analysis),
        group_percent=settings.extreme_group_percent,
        min_students_for_flags=settings.min_students_for_flags,
        guide=flag_guide(settings),
        lessons=[_lesson(analysis, lesson, charts, out_dir) for lesson in analysis.lessons.itertuples(index=False)],
        areas_chart=_figure(charts.areas, out_dir, "Mastery by exam area"),
        areas=_mastery_rows(analysis.mastery_by_area, "exam_area"),
        competencies_chart=_figure(charts.competencies, out_dir, "Mastery by competency"),
        competencies=_mastery_rows(analysis.mastery_by_competency, "competency", "name"),
    )


def _overview(analysis: Analysis) -> dict | None:
    if not len(analysis.items):
        return None
    # "_count" names, as in _mastery_rows: overview.items would be the dict's items method
    return {"students": analysis.totals["student"].nunique(), "lesson_count": len(analysis.lessons),
            "item_count": len(analysis.items)}


def _lesson(analysis: Analysis, lesson, charts: ChartFiles, out_dir: Path) -> dict:
    name = lesson.lesson
    items = analysis.items[analysis.items["lesson"] == name]
    return {
        "name": name,
        "anchor": _anchor(name),
        "students": lesson.students,
        "possible": f"{lesson.possible:g}",
        **{stat: _number(getattr(lesson, stat)) for stat in ("mean", "sd", "median", "min", "max")},
        "totals_chart": _figure(charts.totals.get(name), out_dir, f"Histogram of lesson totals for {name}"),
        "item_rows": _item_rows(items),
        "scatter_chart": _figure(charts.scatter.get(name), out_dir,
                                 f"Difficulty against point-biserial for the items of {name}"),
        "option_charts": [
            _figure(charts.options[(name, item.item)], out_dir, f"Option choices for {item.item}",
                    caption=f"{item.item} ({FORMAT_LABELS[item.format]})"
                            + (f" — flags: {item.flags}" if item.flags else ""))
            for item in items.itertuples(index=False) if (name, item.item) in charts.options
        ],
    }


def _item_rows(items: pd.DataFrame) -> list[dict]:
    return [
        {
            "item": item.item,
            "format": FORMAT_LABELS[item.format],
            "exam_area": item.exam_area,
            "n": item.n,
            **{column: _number(getattr(item, column))
               for column in ("difficulty", "point_biserial", "upper_lower", "blank_share")},
            "flags": item.flags,
        }
        for item in items.itertuples(index=False)
    ]


def _mastery_rows(table: pd.DataFrame, *labels: str) -> list[dict]:
    # "item_count", not "items": in a template, row.items would be the dict's items method
    return [
        {**{label: getattr(row, label) for label in labels}, "item_count": row.items, "responses": row.responses,
         "mastery": _number(row.mastery)}
        for row in table.itertuples(index=False)
    ]


# --- helpers ---------------------------------------------------------------------------------

def _figure(path: Path | None, out_dir: Path, alt: str, caption: str = "") -> dict | None:
    if path is None:
        return None
    return {"src": Path(path).relative_to(out_dir).as_posix(), "alt": alt, "caption": caption}


def _number(value) -> str:
    """Two decimals, or n/a for NaN (a statistic that cannot be computed)."""
    return "n/a" if pd.isna(value) else f"{value:.2f}"


def _anchor(lesson: str) -> str:
    return "section-" + re.sub(r"[^A-Za-z0-9_-]+", "-", lesson)
