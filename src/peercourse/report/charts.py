"""PNG charts for the item-analysis report.

Figures are built with matplotlib's object API on an Agg canvas, never through pyplot, so
nothing opens a window and nothing touches the global backend of a notebook that calls us.
Meaning never rests on colour alone: key bars are hatched and say "(key)" in their label,
and the scatter uses marker shapes and hatched bands with a legend.
"""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from ..items import FORMATS, is_written
from .analysis import DEFAULTS, FORMAT_LABELS, Analysis
from .settings import ReportSettings

WRITTEN_LABEL = " or ".join(fmt.short_label for fmt in FORMATS.values() if fmt.written)  # e.g. reflection

DPI = 100
BAR = "#5b7fa6"        # one calm colour for every bar; the key is told by hatching
KEY_HATCH = "xx"
SECOND_HATCH = "//"


@dataclass
class ChartFiles:
    """Where write_charts put each chart. Keys are lesson ids, or (lesson, item) pairs."""

    totals: dict[str, Path] = field(default_factory=dict)
    scatter: dict[str, Path] = field(default_factory=dict)
    options: dict[tuple[str, str], Path] = field(default_factory=dict)
    areas: Path | None = None
    competencies: Path | None = None


def write_charts(analysis: Analysis, charts_dir: Path) -> ChartFiles:
    """Write every chart of the report into charts_dir (created if needed)."""
    charts_dir = Path(charts_dir)
    charts_dir.mkdir(parents=True, exist_ok=True)
    names = _FileNames(charts_dir)
    files = ChartFiles()
    for lesson in analysis.lessons["lesson"]:
        totals = analysis.totals[analysis.totals["lesson"] == lesson]
        files.totals[lesson] = totals_histogram(totals, lesson, names.new(f"{lesson}-totals"))
        items = analysis.items[analysis.items["lesson"] == lesson]
        files.scatter[lesson] = difficulty_scatter(items, lesson, names.new(f"{lesson}-difficulty"), analysis.settings)
    for (lesson, item), rows in analysis.options.groupby(["lesson", "item"], sort=False):
        files.options[(lesson, item)] = option_chart(rows, item, names.new(f"{lesson}-{item}-options"))
    if len(analysis.mastery_by_area):
        areas = analysis.mastery_by_area
        files.areas = mastery_chart(areas["exam_area"], areas["mastery"], areas["items"], "Mastery by exam area",
                                    names.new("mastery-exam-areas"))
    if len(analysis.mastery_by_competency):
        table = analysis.mastery_by_competency
        labels = [f"{c}. {name}" if name else c for c, name in zip(table["competency"], table["name"])]
        files.competencies = mastery_chart(labels, table["mastery"], table["items"], "Mastery by SB 803 competency",
                                           names.new("mastery-competencies"))
    return files


# --- one function per chart ------------------------------------------------------------------

def totals_histogram(totals: pd.DataFrame, lesson: str, path: Path) -> Path:
    """Histogram of one lesson's totals, one bar per whole point (wider past 40 points).

    Partial credit makes totals fractional; a bar at k counts totals in [k - 0.5, k + 0.5).
    """
    fig, ax = _figure(6.4, 3.6)
    possible = float(totals["possible"].max())
    width = 1.0 if possible <= 40 else float(math.ceil(possible / 40))
    # Bins centred on whole points, so a bar stands right above the score it counts.
    edges = np.arange(-width / 2, possible + width, width)
    ax.hist(totals["points"], bins=edges, color=BAR, edgecolor="black", linewidth=0.6)
    mean = totals["points"].mean()
    ax.axvline(mean, color="black", linestyle="--", linewidth=1.2, label=f"mean {mean:.2f}")
    ax.set_xlim(edges[0], edges[-1])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{lesson}: lesson totals ({_count(len(totals), 'student')})")
    ax.set_xlabel(f"Lesson total (points out of {possible:g})")
    ax.set_ylabel("Students")
    ax.legend(loc="upper left")
    return _save(fig, path)


def difficulty_scatter(items: pd.DataFrame, lesson: str, path: Path, settings: ReportSettings = DEFAULTS) -> Path:
    """Difficulty (x) against corrected point-biserial (y), every item labelled by id."""
    fig, ax = _figure(7.2, 5.4)
    plotted = items.dropna(subset=["point_biserial"])
    # Zoom to the data (always showing 0 and some room), since r rarely spans -1..1 and
    # crowded labels need the space.
    low = min(-0.25, plotted["point_biserial"].min() - 0.1) if len(plotted) else -1.0
    high = max(0.6, plotted["point_biserial"].max() + 0.1) if len(plotted) else 1.0
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(max(-1.05, low), min(1.05, high))
    ax.axvspan(settings.very_easy, 1.05, facecolor="none", edgecolor="0.6", hatch="\\\\", linewidth=0,
               label=f"very easy (difficulty > {settings.very_easy:g})")
    ax.axvspan(-0.05, settings.very_hard, facecolor="none", edgecolor="0.6", hatch="//", linewidth=0,
               label=f"very hard (difficulty < {settings.very_hard:g})")
    ax.axhline(0, color="black", linestyle="--", linewidth=1, label="zero: below it, negative discrimination")
    written = plotted["format"].map(is_written).astype(bool)  # bool even when nothing is plotted
    choice = plotted[~written]
    reflection = plotted[written]
    ax.scatter(choice["difficulty"], choice["point_biserial"], marker="o", s=36, color=BAR,
               edgecolor="black", zorder=3, label="choice item")
    ax.scatter(reflection["difficulty"], reflection["point_biserial"], marker="s", s=36, color="white",
               edgecolor="black", zorder=3, label=WRITTEN_LABEL)
    ax.set_title(f"{lesson}: difficulty and discrimination")
    ax.set_xlabel("Difficulty (share of points earned; right = easier)")
    ax.set_ylabel("Discrimination (corrected point-biserial)")
    # Outside the axes, so that it never hides a point (weak items sit bottom left).
    fig.legend(loc="outside lower center", ncols=3, fontsize=8)
    missing = items.loc[items["point_biserial"].isna(), "item"].tolist()
    if missing:
        ax.set_title(f"{lesson}: difficulty and discrimination\n"
                     + _wrap("Not plotted (point-biserial n/a): " + ", ".join(missing), 90), fontsize=10)
    _label_points(ax, plotted["difficulty"].tolist(), plotted["point_biserial"].tolist(), plotted["item"].tolist())
    return _save(fig, path)


def option_chart(rows: pd.DataFrame, item: str, path: Path) -> Path:
    """Bar chart of one choice item's option_frequencies rows."""
    fmt = rows["format"].iloc[0]
    answered = int(rows["answered"].iloc[0])
    fig, ax = _figure(6.4, 3.6)
    chart, words = FORMATS[fmt].chart, FORMATS[fmt].chart_words
    if chart == "scale":
        _given_against_key(ax, rows, words)
    elif chart == "two_picks":
        _most_and_least(ax, rows)
    else:
        _shares(ax, rows, words["verb"])
    ax.set_title(f"{item} ({FORMAT_LABELS[fmt]}): option choices, {answered} answered")
    if answered == 0:
        ax.text(0.5, 0.5, "Nobody answered this item", transform=ax.transAxes, ha="center", va="center",
                fontsize=12)
    return _save(fig, path)


def mastery_chart(labels, values, item_counts, title: str, path: Path) -> Path:
    """Horizontal bars of mean proportion of points, one per label, top to bottom, each
    with its value and how many items it rests on (few items: a shaky number)."""
    labels, values = list(labels), list(values)
    labels = [_wrap(label, 40) for label in labels]
    fig, ax = _figure(8.0, max(2.6, 1.2 + 0.45 * len(labels)))
    positions = np.arange(len(labels))[::-1]  # first label on top
    bars = ax.barh(positions, values, color=BAR, edgecolor="black", linewidth=0.6)
    ax.bar_label(bars, labels=[f"{_two_decimals(v)} ({_items(n)})" for v, n in zip(values, item_counts)],
                 padding=3, fontsize=9)
    ax.set_yticks(positions, labels, fontsize=9)
    ax.set_xlim(0, 1.25)  # room for "1.00 (12 items)" beside a full bar
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("Mean proportion of points earned (0 to 1)")
    ax.set_title(title)
    return _save(fig, path)


# --- option chart bodies ---------------------------------------------------------------------

def _shares(ax, rows: pd.DataFrame, verb: str) -> None:
    keyed = rows["key_value"] == 1
    labels = [f"{o} (key)" if k else o for o, k in zip(rows["option"], keyed)]
    bars = ax.bar(labels, rows["value"].fillna(0), color=BAR, edgecolor="black", linewidth=0.6,
                  hatch=[KEY_HATCH if k else "" for k in keyed])
    ax.bar_label(bars, labels=[_two_decimals(v) for v in rows["value"]], padding=2, fontsize=9)
    ax.set_ylim(0, 1.15)
    ax.set_xlabel("Option (hatched = key)")
    ax.set_ylabel(f"Share of those who answered\nwho {verb}")


def _most_and_least(ax, rows: pd.DataFrame) -> None:
    options = list(dict.fromkeys(rows["option"]))
    x = np.arange(len(options))
    labels = []
    for offset, measure, hatch in ((-0.2, "most", ""), (0.2, "least", SECOND_HATCH)):
        part = rows[rows["measure"] == measure].set_index("option").loc[options]
        bars = ax.bar(x + offset, part["value"].fillna(0), width=0.4, color=BAR if measure == "most" else "white",
                      edgecolor="black", linewidth=0.6, hatch=hatch, label=f"picked as {measure}")
        ax.bar_label(bars, labels=[_two_decimals(v) for v in part["value"]], padding=2, fontsize=8)
    for option in options:
        roles = rows[(rows["option"] == option) & (rows["key_value"] == 1)]["measure"].tolist()
        labels.append(f"{option} (key {' & '.join(roles)})" if roles else option)
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.2)
    ax.set_xlabel("Option")
    ax.set_ylabel("Share of those who answered")
    ax.legend(loc="upper right", fontsize=8)


def _given_against_key(ax, rows: pd.DataFrame, words: dict) -> None:
    """Mean given against the key's, per option, on the format's scale (words: its "word",
    its "axis" label, and its "top" value, or None for one step per option)."""
    word = words["word"]
    x = np.arange(len(rows))
    given = ax.bar(x - 0.2, rows["value"].fillna(0), width=0.4, color=BAR, edgecolor="black", linewidth=0.6,
                   label=f"mean {word} given")
    key = ax.bar(x + 0.2, rows["key_value"], width=0.4, color="white", edgecolor="black", linewidth=0.6,
                 hatch=KEY_HATCH, label=f"key {word}")
    ax.bar_label(given, labels=[_two_decimals(v) for v in rows["value"]], padding=2, fontsize=8)
    ax.bar_label(key, labels=[f"{v:g}" for v in rows["key_value"]], padding=2, fontsize=8)
    ax.set_xticks(x, [f"{o} (key {k:g})" for o, k in zip(rows["option"], rows["key_value"])])
    top = words["top"] or len(rows)
    ax.set_ylim(0, top * 1.25)  # headroom for the value labels and the legend
    ax.set_yticks(range(top + 1))
    ax.set_xlabel("Option")
    ax.set_ylabel(words["axis"])
    ax.legend(loc="upper right", fontsize=8, ncols=2)


# --- helpers ---------------------------------------------------------------------------------

def _figure(width: float, height: float):
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, format="png", facecolor="white")
    return path


def _items(count: int) -> str:
    return _count(count, "item")


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _two_decimals(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.2f}"


# Where an item id may go around its point, in points: near first, then farther with a leader.
_NEAR = [(5, 5, "left", "bottom"), (5, -5, "left", "top"), (-5, 5, "right", "bottom"),
         (-5, -5, "right", "top"), (0, 7, "center", "bottom"), (0, -7, "center", "top")]
_FAR = [(dx * 3, dy * 3, ha, va) for dx, dy, ha, va in _NEAR]


def _label_points(ax, xs: list[float], ys: list[float], labels: list[str]) -> None:
    """Annotate each point with its label where it overlaps no other label or point."""
    fig = ax.figure
    fig.canvas.draw()  # settle the layout so that data -> pixel positions are final
    renderer = fig.canvas.get_renderer()
    pixels = ax.transData.transform(np.column_stack([xs, ys])) if xs else []
    taken = [_box(px, py, 4) for px, py in pixels]
    area = ax.get_window_extent(renderer)
    for (x, y), label in zip(zip(xs, ys), labels):
        for dx, dy, ha, va in _NEAR + _FAR:
            far = (dx, dy, ha, va) in _FAR
            text = ax.annotate(label, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                               fontsize=8, zorder=4,
                               arrowprops={"arrowstyle": "-", "linewidth": 0.5} if far else None)
            box = text.get_window_extent(renderer)
            fits = area.contains(box.x0, box.y0) and area.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
        else:  # crowded everywhere: accept the first spot rather than drop the id
            text = ax.annotate(label, (x, y), xytext=_NEAR[0][:2], textcoords="offset points", fontsize=8, zorder=4)
            taken.append(text.get_window_extent(renderer))


def _box(px: float, py: float, radius: float) -> Bbox:
    return Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)


class _FileNames:
    """Unique, file-system-safe PNG paths in one directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.used: set[str] = set()

    def new(self, stem: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "chart"
        name, number = safe, 1
        while name.lower() in self.used:  # lower(): case-insensitive file systems
            number += 1
            name = f"{safe}-{number}"
        self.used.add(name.lower())
        return self.directory / f"{name}.png"
