"""Item-analysis report for instructors: per-item statistics that nbgrader's totals hide.

    analysis = analyse(scores, keys)
    html_path = write_report(analysis, out_dir)   # out_dir/item-analysis.html + out_dir/charts/*.png

`scores` has one row per (student, lesson, item) for graded items, with columns student,
lesson, item, format, exam_area, competencies ("1;11"), points, possible and choice (the
learner's pick encoded as text, "" when unanswered and always "" for reflections). `keys`
maps item id -> {"format", "options", "key"}. See analysis.py for every formula.
"""
from __future__ import annotations

from pathlib import Path

from .analysis import Analysis, analyse
from .charts import write_charts
from .html import render_page

REPORT_NAME = "item-analysis.html"
CHARTS_DIR = "charts"

__all__ = ["Analysis", "analyse", "write_report"]


def write_report(analysis: Analysis, out_dir: str | Path) -> Path:
    """Write out_dir/item-analysis.html and its PNGs under out_dir/charts/; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = write_charts(analysis, out_dir / CHARTS_DIR)
    path = out_dir / REPORT_NAME
    path.write_text(render_page(analysis, charts, out_dir), encoding="utf-8")
    return path
