"""The report's one HTML page: inline CSS, no scripts, charts linked as relative PNG paths.

Every piece of text that comes from data (lesson and item ids, areas, flags) goes through
html.escape. The page shows only ids, tags, numbers and flags: no student ids and no learner
free text (the input has none, and nothing here may add any).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from .analysis import FORMAT_LABELS, Analysis
from .settings import ReportSettings
from .charts import ChartFiles

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #111; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; }
.flags { color: #7a0000; }
"""

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
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Item analysis</title><style>{STYLE}</style></head><body>",
        "<h1>Item analysis</h1>",
        _overview(analysis),
        _how_to_read(analysis.settings),
    ]
    for lesson in analysis.lessons.itertuples(index=False):
        parts.append(_lesson_section(analysis, lesson, charts, out_dir))
    parts.append(_mastery_section(analysis, charts, out_dir))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _overview(analysis: Analysis) -> str:
    students = analysis.totals["student"].nunique()
    if not len(analysis.items):
        return "<p>No graded scores were given, so there is nothing to analyse.</p>"
    links = "".join(f'<li><a href="#{_anchor(lesson)}">{_text(lesson)}</a></li>'
                    for lesson in analysis.lessons["lesson"])
    return (
        f"<p>{students} students, {len(analysis.lessons)} lessons, {len(analysis.items)} graded items.</p>"
        f'<nav><ul><li><a href="#how-to-read">How to read this report</a></li>{links}'
        '<li><a href="#mastery">Mastery</a></li></ul></nav>'
    )


def _how_to_read(settings: ReportSettings) -> str:
    k = settings.extreme_group_percent
    guide = "".join(f"<tr><td>{_text(flag)}</td><td>{_text(meaning)}</td><td>{_text(action)}</td></tr>"
                    for flag, meaning, action in flag_guide(settings))
    return f"""<section id="how-to-read">
<h2>How to read this report</h2>
<p>Each graded item is summarised over the students who have a score for it (<strong>n</strong>).
All numbers are shown to 2 decimals; <strong>n/a</strong> means the number cannot be computed
(for example, with one student, or when everyone has the same score).</p>
<dl>
<dt>Difficulty</dt>
<dd>The mean share of the item's points that students earned (points earned divided by points
possible, averaged over students). 1.00 means everyone earned full points, 0.00 that nobody
earned any: despite the name, a higher number means an easier item.</dd>
<dt>Point-biserial (corrected)</dt>
<dd>The correlation, from &minus;1 to 1, between students' share of points on this item and
their share of points on the rest of the same lesson (this item left out, so that it is not
compared with itself). Positive values mean students who did well on the lesson also did well
on the item; values near 0 mean the item does not tell stronger from weaker students; negative
values mean the reverse of what an item should do. A common rule of thumb takes 0.20 or more as
acceptable. It is n/a with fewer than two students, or when everyone has the same score on the
item or on the rest of the lesson.</dd>
<dt>Upper-lower index</dt>
<dd>Students are ranked by their lesson total (ties broken by student id). The top {k}% and the
bottom {k}% form two groups of equal size (0.{k} &times; n, rounded, at least one student each).
The index is the mean share of points on the item in the top group minus that in the bottom
group, from &minus;1 to 1, read like the point-biserial. It is n/a for a single student.</dd>
<dt>Blank share</dt>
<dd>The share of students who left a choice item unanswered. For select-all items, ticking
nothing counts as blank, because the gradebook cannot tell the two apart. Not shown for
reflections.</dd>
<dt>Option charts</dt>
<dd>For each choice item, what the students who answered chose. The key is hatched and marked
&ldquo;(key)&rdquo; in its label. Rating and ranking charts put the mean rating or rank students
gave beside the key's.</dd>
<dt>Difficulty and discrimination chart</dt>
<dd>One point per item, labelled with its id (circles: choice items; squares: reflections).
Further right is easier, higher discriminates better. The hatched bands mark very hard and very
easy items, and points below the dashed line discriminate negatively. Items whose point-biserial
is n/a are listed in the chart's title instead.</dd>
</dl>
<h3>Flags</h3>
<p>Flags are prompts to look at an item, not verdicts. Items with fewer than
{settings.min_students_for_flags} students get no flags, and with small cohorts every number moves a lot
from one student to the next.</p>
<table><thead><tr><th>Flag</th><th>What it means</th><th>What you might do</th></tr></thead>
<tbody>{guide}</tbody></table>
</section>"""


def _lesson_section(analysis: Analysis, lesson, charts: ChartFiles, out_dir: Path) -> str:
    name = lesson.lesson
    items = analysis.items[analysis.items["lesson"] == name]
    summary = (
        f"<p>{lesson.students} students; lesson total out of {lesson.possible:g}: "
        f"mean {_number(lesson.mean)}, sd {_number(lesson.sd)}, median {_number(lesson.median)}, "
        f"min {_number(lesson.min)}, max {_number(lesson.max)}.</p>"
    )
    parts = [
        f'<section id="{_anchor(name)}">',
        f"<h2>{_text(name)}</h2>",
        summary,
        _figure(charts.totals.get(name), out_dir, f"Histogram of lesson totals for {name}"),
        f"<h3>Items</h3>{_item_table(items)}",
        _figure(charts.scatter.get(name), out_dir, f"Difficulty against point-biserial for the items of {name}"),
    ]
    option_figures = [
        _figure(charts.options.get((name, item.item)), out_dir, f"Option choices for {item.item}",
                caption=f"{item.item} ({FORMAT_LABELS[item.format]})"
                        + (f" — flags: {item.flags}" if item.flags else ""))
        for item in items.itertuples(index=False) if (name, item.item) in charts.options
    ]
    if option_figures:
        parts.append("<h3>Option choices</h3>")
        parts += option_figures
    parts.append("</section>")
    return "\n".join(parts)


def _item_table(items: pd.DataFrame) -> str:
    head = ["Item", "Format", "Exam area", "n", "Difficulty", "Point-biserial", "Upper-lower",
            "Blank share", "Flags"]
    rows = []
    for item in items.itertuples(index=False):
        cells = [
            f"<td>{_text(item.item)}</td>",
            f"<td>{_text(FORMAT_LABELS[item.format])}</td>",
            f"<td>{_text(item.exam_area)}</td>",
            f'<td class="number">{item.n}</td>',
            *(f'<td class="number">{_number(v)}</td>'
              for v in (item.difficulty, item.point_biserial, item.upper_lower, item.blank_share)),
            f'<td class="flags">{_text(item.flags)}</td>',
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows)


def _mastery_section(analysis: Analysis, charts: ChartFiles, out_dir: Path) -> str:
    areas = analysis.mastery_by_area
    area_rows = [
        f"<tr><td>{_text(r.exam_area)}</td><td class=\"number\">{r.items}</td>"
        f"<td class=\"number\">{r.responses}</td><td class=\"number\">{_number(r.mastery)}</td></tr>"
        for r in areas.itertuples(index=False)
    ]
    competencies = analysis.mastery_by_competency
    competency_rows = [
        f"<tr><td>{_text(r.competency)}</td><td>{_text(r.name)}</td><td class=\"number\">{r.items}</td>"
        f"<td class=\"number\">{r.responses}</td><td class=\"number\">{_number(r.mastery)}</td></tr>"
        for r in competencies.itertuples(index=False)
    ]
    return "\n".join([
        '<section id="mastery">',
        "<h2>Mastery</h2>",
        "<p>Mean share of points earned over every student's score on every item tagged with the "
        "area or competency (lessons together). An item tagged with two competencies counts in "
        "full toward both.</p>",
        "<h3>By exam area</h3>",
        _figure(charts.areas, out_dir, "Mastery by exam area"),
        _table(["Exam area", "Items", "Scores", "Mastery"], area_rows),
        "<h3>By SB 803 competency</h3>",
        _figure(charts.competencies, out_dir, "Mastery by competency"),
        _table(["Competency", "Name", "Items", "Scores", "Mastery"], competency_rows),
        "</section>",
    ])


# --- helpers ---------------------------------------------------------------------------------

def _figure(path: Path | None, out_dir: Path, alt: str, caption: str | None = None) -> str:
    if path is None:
        return ""
    src = Path(path).relative_to(out_dir).as_posix()
    text = f"<figcaption>{_text(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{_text(src)}" alt="{_text(alt)}">{text}</figure>'


def _table(head: list[str], rows: list[str]) -> str:
    if not rows:
        return "<p>No data.</p>"
    header = "".join(f"<th>{_text(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _number(value) -> str:
    """Two decimals, or n/a for NaN (a statistic that cannot be computed)."""
    return "n/a" if pd.isna(value) else f"{value:.2f}"


def _text(value) -> str:
    return html.escape(str(value), quote=True)


def _anchor(lesson: str) -> str:
    return "section-" + re.sub(r"[^A-Za-z0-9_-]+", "-", lesson)
