"""Writing a new lesson: a lesson's text and its keyed items become the source notebook and
items file that nbgrader and the course read (`peercourse new-lesson`).

An author writes two files. The lesson's text is Markdown in which a line holding only an
item id in double braces (`{{ item-id }}`) places that item, and a line holding only `%%`
starts a new cell. The items are one YAML file in the items-file format, with a key and a
rationale for every option of every item, graded ones included. From them this writes:

- `source/<folder>/<stem>.items.yaml`: the items, with graded items' keys and rationales
  taken out (learners get this file; the keys live only in hidden tests);
- `source/<folder>/<stem>.ipynb`: the text cells, a setup cell after the first, a show
  cell for each placed item, then the "Before you submit" cells: one test cell per graded
  item holding its key and rationales in a hidden-test region, and for each reflection its
  completion test and its rubric (a manually graded task), then the self-study feedback
  button, as Lessons 1 to 5 have them.

It writes nothing over an existing lesson unless asked to (`replace=True`).
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import nbformat
import yaml

from .itembank import SUFFIX, ItemError, load_bank
from .items import FORMATS
from .lesson import setup_source

PLACED = re.compile(r"^\{\{\s*([a-z0-9-]+)\s*\}\}\s*$")
BREAK = "%%"
KERNEL = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}
RUBRIC_POINTS = 2

BEFORE_SUBMIT = """## Before you submit: your recorded answers

Run the cells below (or *Run > Run All Cells*). Each one shows a graded answer exactly as it
is recorded in your answers file. If a cell says an item has no answer yet, go back up and
answer it. To check every item at once, press the *Validate* button in the toolbar: it
lists any graded item that still needs an answer.

When you submit, your answers file is submitted with this notebook. Your instructor's
grading scores each item, and your feedback explains every option."""

RUBRIC = """**Rubric for the reflection "{title}"** (scored by your instructor, {points} points)

- **2 points:** answers every part of the prompt, links it to this lesson's ideas, and
  gives a concrete example or plan. Keeps other people's identities private.
- **1 point:** on topic, but general, or answers only part of the prompt.
- **0 points:** missing, or not about the prompt.

Completing the reflection (at least {words} words of your own) earns 1 more point
automatically."""

FEEDBACK_INTRO = ("## Feedback on this lesson\n\nStudying on your own? When you have answered every item, press "
                  "**Grade my answers**. The course grades this lesson the way an instructor's grading would, then "
                  "gives you a link to your feedback: your score, and why each option is or is not the best. You can "
                  "change answers and grade again; My progress keeps each try.\n\nIn a class, your instructor gives "
                  "the feedback: submit the lesson when you are done.")

class LessonBuildError(ValueError):
    """Why the lesson could not be written, in words for its author."""


def _meta(grade_id: str, grade: bool = False, points: int | None = None, task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _literal(value, indent: str) -> str:
    """A key or rationales as the hidden tests write them: dicts one entry a line, the rest inline."""
    if isinstance(value, dict):
        inner = "".join(f"{indent}    {json.dumps(k)}: {_literal(v, indent + '    ')},\n" for k, v in value.items())
        return "{\n" + inner + indent + "}"
    return json.dumps(value, ensure_ascii=False)


def test_source(item: dict) -> str:
    """A graded item's test cell: the recorded answer shown, the key scored in hidden tests."""
    item_id, fmt = item["id"], FORMATS[item["format"]]
    if fmt.written:
        return (f'"""Reflection {item_id}: shows the text and awards the completion point."""\n'
                f'lesson.recorded("{item_id}")\nlesson.score("{item_id}")')
    return (f'"""Item {item_id}, {fmt.label.lower()}: shows the recorded answer; the hidden part scores it."""\n'
            f'lesson.recorded("{item_id}")\n### BEGIN HIDDEN TESTS\nlesson.score(\n    "{item_id}",\n'
            f'    key={_literal(item["key"], "    ")},\n    rationales={_literal(item["rationales"], "    ")},\n)\n'
            "### END HIDDEN TESTS")


def split_text(text: str) -> list[tuple[str, str]]:
    """The lesson's text as ("markdown", text) and ("item", id) parts, in order."""
    parts, lines = [], []

    def flush():
        block = "\n".join(lines).strip("\n")
        if block.strip():
            parts.append(("markdown", block))
        lines.clear()

    for line in text.splitlines():
        placed = PLACED.match(line)
        if placed:
            flush()
            parts.append(("item", placed.group(1)))
        elif line.strip() == BREAK:
            flush()
        else:
            lines.append(line)
    flush()
    return parts


def build(text_path: Path, keyed_items_path: Path, source_dir: Path, folder: str, replace: bool = False) -> Path:
    """Write source/<folder>/<stem>.ipynb and its items file; return the notebook's path."""
    keyed = yaml.safe_load(Path(keyed_items_path).read_text(encoding="utf-8"))
    stem = keyed["lesson"]
    target = Path(source_dir) / folder
    notebook_path, items_path = target / f"{stem}.ipynb", target / f"{stem}{SUFFIX}"
    if notebook_path.exists() and not replace:
        raise LessonBuildError(f"{notebook_path} exists; pass replace=True (--replace) to write over it")
    items = {item["id"]: item for item in keyed["items"]}
    parts = split_text(Path(text_path).read_text(encoding="utf-8"))
    placed = [value for kind, value in parts if kind == "item"]
    problems = [f"{item_id} is placed in the text but not in the items file" for item_id in placed if item_id not in items]
    problems += [f"{item_id} is in the items file but not placed in the text" for item_id in items if item_id not in placed]
    problems += [f"{item_id} is placed twice" for item_id in sorted({i for i in placed if placed.count(i) > 1})]
    if not parts or parts[0][0] != "markdown":
        problems.append("the text must start with the lesson's title and introduction, before any item")
    if problems:
        raise LessonBuildError("; ".join(problems))

    learners = []  # the items file learners get: graded keys and rationales stay in the notebook
    for item in keyed["items"]:
        copy = dict(item)
        if copy.get("mode") == "graded":
            copy.pop("key", None)
            copy.pop("rationales", None)
        learners.append(copy)
    header = {key: value for key, value in keyed.items() if key != "items"}

    cells, md_number = [], 0
    for kind, value in parts:
        if kind == "markdown":
            md_number += 1
            grade_id = f"md-{md_number:02d}"
            cells.append(nbformat.v4.new_markdown_cell(value, id=grade_id, metadata=_meta(grade_id)))
            if md_number == 1:
                setup = setup_source(stem)
                cells.append(nbformat.v4.new_code_cell(setup, id="setup", metadata=_meta("setup")))
        else:
            # the learner sees the item, not the line of code that shows it
            cells.append(nbformat.v4.new_code_cell(f'lesson.show("{value}")', id=f"show-{value}",
                                                   metadata={"jupyter": {"source_hidden": True}, **_meta(f"show-{value}")}))
    graded = [items[item_id] for item_id in placed if items[item_id].get("mode") == "graded"]
    if graded:  # a lesson of practice items only (Lesson 0) has nothing to submit or grade
        cells.append(nbformat.v4.new_markdown_cell(BEFORE_SUBMIT, id="md-before-submit", metadata=_meta("md-before-submit")))
    written = [i for i in graded if FORMATS[i["format"]].written]  # reflections: after every choice item
    for item in [i for i in graded if i not in written] + written:
        grade_id = f"test-{item['id']}"
        cells.append(nbformat.v4.new_code_cell(test_source(item), id=grade_id,
                                               metadata=_meta(grade_id, grade=True, points=item["points"])))
        if item in written:
            rubric = RUBRIC.format(title=item["title"], points=RUBRIC_POINTS, words=item.get("min_words", 40))
            cells.append(nbformat.v4.new_markdown_cell(rubric, id=f"rubric-{item['id']}",
                                                       metadata=_meta(f"rubric-{item['id']}", points=RUBRIC_POINTS, task=True)))
    if graded:
        cells.append(nbformat.v4.new_markdown_cell(FEEDBACK_INTRO, id="feedback-intro", metadata=_meta("feedback-intro")))
        cells.append(nbformat.v4.new_code_cell("lesson.feedback_button()", id="feedback-button", metadata=_meta("feedback-button")))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=dict(KERNEL))

    items_text = ("# yaml-language-server: $schema=../../src/peercourse/items.schema.json\n"
                  + yaml.safe_dump({**header, "items": learners}, sort_keys=False, allow_unicode=True, width=100))
    with tempfile.TemporaryDirectory() as scratch:  # the course's own checks, before anything is written
        trial = Path(scratch) / items_path.name
        trial.write_text(items_text, encoding="utf-8")
        load_bank(trial)  # ItemError, and the lesson there now (if any) is left as it was
    target.mkdir(parents=True, exist_ok=True)
    items_path.write_text(items_text, encoding="utf-8")
    nbformat.write(notebook, str(notebook_path))
    return notebook_path

