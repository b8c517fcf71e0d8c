""""My answers and notes": a page per lesson that a learner can print or keep.

Exporting a lesson notebook to HTML or PDF shows each item as a widget's Python repr
(`VBox(children=(HTML(value='<style>...`), so a learner had no way to keep their answers or
the explanations they read. This page has each item in the order the lesson shows them, the
learner's answer in words, their reflections in full, and, for the practice items they
checked, the explanations they saw then (the answers file notes each check). It is written
beside the lesson, as `<lesson>.my-answers.html`: learner data, private like the answers file
(never committed, never in an export). The browser's Print makes it a PDF.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .grading import grade
from .items import FORMATS, kind_line, read_saved
from .items.base import option_label
from .lesson import SHOW_CELL
from .lesson_sources import cell_source
from .pages import render

SUFFIX = ".my-answers.html"


def items_in_order(lesson) -> list:
    """The lesson's items in the order its notebook shows them (the items file's order for
    any the notebook does not show, or when there is no notebook beside the answers file)."""
    notebook = lesson.responses.path.parent / f"{lesson.bank.lesson}.ipynb"
    order: list[str] = []
    if notebook.is_file():
        # The notebook's JSON as such, not nbformat: only the cells' sources are needed, and
        # nbformat's validator is not in the browser edition (lite_site.py)
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):  # unreadable: the items file's order will do
            cells = []
        for cell in cells if isinstance(cells, list) else []:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            shown = SHOW_CELL.match(cell_source(cell).strip())
            if shown and shown.group(1) in lesson.bank.items:
                order.append(shown.group(1))
    order += [item_id for item_id in lesson.bank.items if item_id not in order]
    return [lesson.bank.items[item_id] for item_id in dict.fromkeys(order)]


def page_html(lesson, now: datetime | None = None) -> str:
    entries = lesson.responses.load().answers
    rows = []
    for item in items_in_order(lesson):
        fmt = FORMATS[item.format]
        answer, note = read_saved(item, entries)
        seen = not item.graded and fmt.has_options and answer is not None and "checked" in entries.get(item.id, {})
        rows.append({
            "kind": kind_line(item),
            "title": item.title,
            "prompt": [part.strip() for part in item.prompt.split("\n\n") if part.strip()],
            "options": [option_label(item, letter) for letter in item.options],
            "answer": fmt.describe(item, answer) if answer is not None else "Not answered yet.",
            "written": fmt.written and answer is not None,
            "note": note,
            "explanations": list(grade(item, answer, item.key, item.rationales).lines) if seen else [],
            "unseen": not item.graded and fmt.has_options and not seen,
        })
    return render("my_answers.html", title=lesson.bank.title, rows=rows,
                  made=(now or datetime.now()).strftime("%d %B %Y, %H:%M"))


def write(lesson) -> Path:
    """Write the page beside the lesson and return its path."""
    path = lesson.responses.path.parent / f"{lesson.bank.lesson}{SUFFIX}"
    path.write_text(page_html(lesson), encoding="utf-8")
    return path


def button(lesson):
    """The lesson's last cell offers this beside self-study grading: make the page, then a link."""
    from html import escape

    import ipywidgets as widgets

    make = widgets.Button(description="Make my answers page", icon="print",
                          tooltip="A page with every item, your answers and the explanations you have seen, to print or keep")
    result = widgets.HTML()

    def on_click(_):
        path = write(lesson)
        result.value = (f'<p>Made <a href="{escape(path.name)}" target="_blank">{escape(path.name)}</a>, beside this lesson. '
                        "To print it or keep it as a PDF: in the file browser, right-click it, choose "
                        "Open in New Browser Tab, then use your browser's Print.</p>")

    make.on_click(on_click)
    return widgets.VBox([make, result])
