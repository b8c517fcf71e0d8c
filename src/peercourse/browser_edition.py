"""What differs in the browser edition (the JupyterLite study edition lite_site.py builds),
where Python is Pyodide's: no server, no nbgrader, no threads, and files in the browser's own
storage. The places that behave differently ask `in_browser()`:

- responses.py saves without a lock file (see ResponsesFile._locked);
- exam_view.py runs the full exam's clock on the page's event loop instead of a thread;
- progress.py leaves out its chart (no matplotlib there; the tables give the same numbers);
- a lesson's last cell (Lesson.feedback_button) offers what this module holds instead of
  nbgrader's self-study grading:

**Scoring a finished lesson.** The site, and only the site, carries each lesson's answer key
beside it (`<lesson>.answer-key.json`, written by lite_site.py from the hidden tests of source/;
not a dot file, which JupyterLite would leave out of the browser's files).
"Score this lesson" scores every item with the course's own `grading.grade`, as the hidden
tests do under nbgrader: the graded items and the reflections' completion points make the
lesson's score (what nbgrader's autograde would give the same answers), the practice items are
scored beside it, and each item shows its explanations. The result is kept in
`.self-study.json`, as a self-study grading on a laptop is, so My progress counts it.

**Downloading.** "Download my answers page" saves the lesson's "My answers and notes" page as
a file (a page written into the browser's storage cannot be opened in a tab). "Download my
work" zips every lesson notebook and answers file in the learner's course folder, laid out as
an instructor's `submitted/<learner>/` folder takes them, each notebook's kernel set back to
the course's own, so nbgrader autogrades the zip as it would a hub submission. The browser
saves both through an anywidget (download.js): no server.
"""
from __future__ import annotations

import base64
import functools
import io
import json
import sys
import zipfile
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Callable

KEYS_SCHEMA = 1
# What a released notebook's kernel is: a downloaded notebook gets it back, for nbgrader
COURSE_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
NO_KEYS = ("<p>This copy of the lesson has no answer key beside it, so it cannot be scored in the browser. "
           "Your practice items' Check buttons still work, and your answers are saved in this browser.</p>")
RUBRIC_WHERE = "near the end of the lesson"  # where the reflections' rubric is, for summary()


def in_browser() -> bool:
    """True in the browser edition: Python is Pyodide's, inside a web page."""
    return sys.platform == "emscripten"


def keys_path(folder: Path, lesson: str) -> Path:
    return Path(folder) / f"{lesson}.answer-key.json"


def keys_data(source) -> dict:
    """A lesson's keys file, from its source (lesson_sources.LessonSource): each graded item's
    key and rationales, the points of each test cell, and the rubric points the reflections
    carry (what the learner judges with the rubric)."""
    tested, rubric = {}, 0.0
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        name = meta.get("grade_id", "")
        if meta.get("grade") and name.startswith("test-"):
            tested[name.removeprefix("test-")] = float(meta.get("points", 0))
        elif meta.get("task"):
            rubric += float(meta.get("points", 0))
    return {"schema": KEYS_SCHEMA, "lesson": source.stem, "rubric_possible": rubric, "tested": tested,
            "keys": {item_id: {"key": graded.key, "rationales": graded.rationales}
                     for item_id, graded in sorted(source.keys.items())}}


def read_keys(folder: Path, lesson: str) -> dict | None:
    try:
        data = json.loads(keys_path(folder, lesson).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == KEYS_SCHEMA else None


def score_lesson(lesson, keys: dict):
    """Every item of `lesson` (a Lesson) scored: (an Attempt for .self-study.json, and each
    item's (item, answer in words, Grade)) in the lesson's order."""
    from .answers_page import items_in_order
    from .grading import grade
    from .items import FORMATS
    from .self_study import Attempt

    saved = lesson.saved_answers()
    points = possible = 0.0
    by_area: dict[str, list] = {}
    scored = []
    for item in items_in_order(lesson):
        answer, _ = saved[item.id]
        if item.graded:
            given = keys["keys"].get(item.id, {})
            key, rationales = given.get("key"), given.get("rationales")
        else:
            key, rationales = item.key, item.rationales
        result = grade(item, answer, key, rationales)
        scored.append((item, FORMATS[item.format].describe(item, answer), result))
        if item.id in keys["tested"]:  # a hidden test's item: it counts as nbgrader counts it
            earned = min(result.earned, keys["tested"][item.id])
            points += earned
            possible += keys["tested"][item.id]
            tally = by_area.setdefault(item.exam_area, [0.0, 0.0, 0])
            tally[0] += earned
            tally[1] += keys["tested"][item.id]
            tally[2] += 1
    folder = lesson.responses.path.parent
    attempt = Attempt(folder.name, datetime.now(timezone.utc).isoformat(timespec="seconds"), points, possible,
                      keys["rubric_possible"], "", by_area)
    return attempt, scored


def scored_html(attempt, scored) -> str:
    from .items import kind_line
    from .self_study import summary

    parts = [f"<p><strong>{escape(summary(attempt, RUBRIC_WHERE))}</strong></p>",
             "<p>Practice items are scored below too; they do not count toward the lesson's score.</p>"]
    for item, answer, result in scored:
        lines = "".join(f"<li>{escape(line)}</li>" for line in result.lines)
        parts.append(f"<section><h4>{escape(item.title)}</h4><p>{escape(kind_line(item))}</p>"
                     f"<p>Your answer: {escape(answer)}</p><ul>{lines}</ul></section>")
    return "".join(parts)


def score_button(lesson):
    """The last cell's scoring, in the browser: a button that scores the whole lesson."""
    import ipywidgets as widgets

    from .self_study import record_attempt

    folder = lesson.responses.path.parent
    keys = read_keys(folder, lesson.bank.lesson)
    if keys is None:
        return widgets.HTML(NO_KEYS)
    intro = widgets.HTML("<p>When you have answered everything, score the whole lesson here. You will see each "
                         "item's score and why each choice is or is not effective. You can change answers and "
                         "score again. (The course's grader, nbgrader, cannot run in a browser; the course's "
                         "own scoring gives the same points.)</p>")
    run = widgets.Button(description="Score this lesson", button_style="primary", icon="check",
                         tooltip="Score every item of this lesson and show why")
    result = widgets.HTML(layout=widgets.Layout(min_height="2em"))
    result.add_class("peercourse-feedback")

    def on_click(_):
        attempt, scored = score_lesson(lesson, keys)
        record_attempt(folder.parent, attempt)
        result.value = scored_html(attempt, scored)

    run.on_click(on_click)
    return widgets.VBox([intro, run, result])


# -- downloading one's work --------------------------------------------------------------


def work_zip(course: Path) -> bytes:
    """Every lesson notebook and answers file of the learner's course folder, as
    `<assignment>/<file>`: what an instructor puts under submitted/<learner>/."""
    course = Path(course)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(course.glob("*/*")):
            if path.suffix == ".ipynb" and not path.name.startswith("."):
                try:
                    notebook = json.loads(path.read_text(encoding="utf-8"))
                    notebook.setdefault("metadata", {})["kernelspec"] = dict(COURSE_KERNELSPEC)
                    data = json.dumps(notebook, indent=1, ensure_ascii=False).encode("utf-8")
                except (OSError, ValueError, AttributeError):  # not a notebook the course can fix: as it is
                    data = path.read_bytes()
                archive.writestr(path.relative_to(course).as_posix(), data)
            elif path.name.endswith(".responses.json"):
                archive.write(path, path.relative_to(course).as_posix())
    return buffer.getvalue()


def download_name(now: datetime | None = None) -> str:
    return f"my-peer-support-work-{(now or datetime.now()).strftime('%Y-%m-%d-%H%M')}.zip"


@functools.cache
def _download_widget():
    """The buttons' widget class, made once: anywidget and its script load only where a
    learner's kernel shows a button, never in grading."""
    import anywidget
    import traitlets

    class Download(anywidget.AnyWidget):
        _esm = Path(__file__).with_name("download.js")
        label = traitlets.Unicode("").tag(sync=True)

    return Download


def download_button(label: str, make: Callable[[], tuple[str, bytes, str]], said: str):
    """A button whose click makes a file in the kernel (make: its name, bytes and type) and
    saves it through the browser (download.js): the browser edition has no server to fetch a
    file from, and what the kernel writes lives in the browser's storage, not in a URL."""
    button = _download_widget()(label=label)

    def on_message(widget, content, buffers):
        if isinstance(content, dict) and content.get("event") == "download":
            name, data, kind = make()
            widget.send({"name": name, "data": base64.b64encode(data).decode("ascii"), "type": kind, "said": said})

    button.on_msg(on_message)
    return button


def work_button(course: Path):
    """"Download my work": the zip of every notebook and answers file (work_zip)."""
    return download_button("Download my work", lambda: (download_name(), work_zip(course), "application/zip"),
                           "It holds your lessons and answers.")


def answers_page_button(lesson):
    """"My answers and notes" in the browser: the page (answers_page.py) as a file to save,
    print or keep, since a page written into the browser's storage cannot be opened in a tab."""
    from .answers_page import SUFFIX, page_html

    return download_button(
        "Download my answers page",
        lambda: (f"{lesson.bank.lesson}{SUFFIX}", page_html(lesson).encode("utf-8"), "text/html"),
        "Open it from there; your browser's Print makes it a PDF.")
