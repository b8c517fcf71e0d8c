"""The frame every item is shown in: heading, prompt, the format's controls, a status line
that confirms each save, and, for practice items, a Check button with feedback."""
from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Callable

import anywidget
import ipywidgets as widgets
import traitlets

from .grading import grade
from .items import FORMATS, Item, ItemError, kind_line
from .items.base import shared
from .responses import ResponsesError

# ipywidgets sizes radio and checkbox labels for one short line; options here are sentences.
STYLE = """<style>
.peercourse-item .widget-radio-box label, .peercourse-item .jupyter-widget-radio-box label {
  height: auto; line-height: 1.4; white-space: normal; margin: 0 0 0.5em 0;
  display: flex; flex-wrap: nowrap; align-items: flex-start; gap: 0.4em; }
.peercourse-item .widget-radio-box input, .peercourse-item .jupyter-widget-radio-box input {
  order: -1; flex: none; margin: 0.25em 0 0 0; }
.peercourse-item .jupyter-widget-radio, .peercourse-item .widget-radio { flex-direction: column; align-items: flex-start; }
.peercourse-item .jupyter-widget-radio > .widget-label, .peercourse-item .widget-radio > .widget-label {
  font-weight: bold; width: auto; }
.peercourse-item .jupyter-widget-checkbox, .peercourse-item .widget-checkbox { height: auto; }
.peercourse-item .jupyter-widget-checkbox label, .peercourse-item .widget-checkbox label {
  white-space: normal; height: auto; line-height: 1.4; align-items: flex-start; }
.peercourse-item .jupyter-widget-checkbox .widget-label-basic span,
.peercourse-item .widget-checkbox .widget-label-basic span { white-space: normal; }
.peercourse-item .peercourse-menu { flex-direction: column; align-items: flex-start; height: auto; margin: 0.6em 0 0 0; }
.peercourse-item .peercourse-menu > label { white-space: normal; width: auto; max-width: 100%; line-height: 1.4;
  height: auto; overflow: visible; text-align: left; margin: 0 0 0.3em 0; }
.peercourse-item .peercourse-menu > select { width: 16em; flex: none; }
.peercourse-item .peercourse-feedback p { margin: 0.3em 0; }
</style>"""


class ItemHead(anywidget.AnyWidget):
    """The item's heading, prompt and instructions. Its script (item_frame.js) also keeps keys
    inside the item, makes each set of round buttons a named group the arrow keys move
    through, and makes the save line and the feedback live regions for screen readers."""

    _esm = Path(__file__).with_name("item_frame.js")
    html = traitlets.Unicode("").tag(sync=True)


def paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


CHANGED_SINCE_CHECK = "Your answer has changed since you checked it. Press Check my answer again."


class ItemView:
    def __init__(
        self, item: Item, answer, save: Callable[[Item, object], str | None], note: str | None = None,
        checkable: bool = True, checked: Callable[[Item], None] | None = None,
    ):
        self.item, self.fmt, self.answer, self._save = item, FORMATS[item.format], answer, save
        self._checked = checked
        head = ItemHead(
            layout=shared("Layout"), html=STYLE
            + f"<p><strong>{escape(kind_line(item))}</strong></p>"
            + f"<h3>{escape(item.title)}</h3>{paragraphs(item.prompt)}"
            + f"<p><em>{escape(self.fmt.instructions)}</em></p>"
        )
        self.status = widgets.HTML(value=self._opening_status(note), layout=shared("Layout"), style=shared("HTMLStyle"))
        self.status.add_class("peercourse-status")  # a live region (item_frame.js)
        self.controls = self.fmt.controls(item, answer, self._changed)
        children = [head, *self.controls, self.status]
        self.check = self.feedback = None
        if checkable and not item.graded and self.fmt.has_options:
            self.check = widgets.Button(
                description="Check my answer", tooltip="Show whether your answer is right, and why",
                layout=shared("Layout"), style=shared("ButtonStyle"),
            )
            self.check.on_click(self._check)
            self.feedback = widgets.HTML(layout=shared("Layout"), style=shared("HTMLStyle"))
            self.feedback.add_class("peercourse-feedback")
            children += [self.check, self.feedback]
        self.box = widgets.VBox(children, layout=shared("Layout", border="1px solid #767676", padding="0.5em 1em", margin="1em 0"))
        self.box.add_class("peercourse-item")

    def _opening_status(self, note: str | None) -> str:
        text = "Your saved answer is restored above." if self.answer is not None else "Not answered yet."
        return f"<p>{escape(text)}</p>" + (f"<p><strong>Note:</strong> {escape(note)}</p>" if note else "")

    def _changed(self, value) -> None:
        self.answer = value
        try:
            note = self._save(self.item, value)
        except ResponsesError as error:
            self.status.value = f"<p><strong>Not saved:</strong> {escape(str(error))}.</p>"
            return
        saved = f"Saved at {datetime.now():%H:%M:%S}."
        after = (
            " This item is scored when your instructor grades the lesson."
            if self.item.graded
            else (" Press Check my answer when you are ready." if self.feedback is not None else "")
        )
        # A reflection's word counter already says how far along it is, at every keystroke
        problem = None if self.fmt.written else self._problem(value)
        self.status.value = f"<p>{escape(saved + after)}</p>" + "".join(
            f"<p><strong>Note:</strong> {escape(text)}</p>" for text in (problem, note) if text
        )
        if self.feedback is not None and self.feedback.value:
            # Say so rather than blank it: a change can reach the kernel just after a Check
            # (ipywidgets holds back a model's update while its previous one is in flight).
            self.feedback.value = f"<p>{escape(CHANGED_SINCE_CHECK)}</p>"

    def _problem(self, value) -> str | None:
        """What keeps the answer just saved from being complete, if anything (the format says)."""
        try:
            return self.fmt.answer_problem(self.item, self.fmt.read_answer(self.item, value))
        except ItemError:
            return None

    def _check(self, _button) -> None:
        result = grade(self.item, self.answer, self.item.key, self.item.rationales)
        self.feedback.value = "".join(f"<p>{escape(line)}</p>" for line in result.lines)
        if self._checked is not None and self.answer is not None:
            try:
                self._checked(self.item)
            except ResponsesError:
                pass  # only the answers page's note of it is lost; the feedback is on screen
