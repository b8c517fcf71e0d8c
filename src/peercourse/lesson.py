"""What a lesson notebook talks to: one object per notebook that shows items, records the
answers in the responses file and, in the instructor's hidden tests, scores them.

    lesson = open_lesson("lived-experience")   # setup cell
    lesson.show(item_id)                          # an item's cell
    lesson.recorded(item_id)                      # a test cell's visible part
    lesson.score(item_id, key=..., rationales=...)  # its hidden part (source/ only)
"""
from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

from .grading import grade
from .itembank import ItemBank, check_rationales, items_path, load_bank
from .items import FORMATS, Item, ItemError, kind_line, read_saved
from .responses import ResponsesFile, responses_path


# How the course's cells call a lesson, as lesson_builder writes them; read back by the authors'
# checks, the "My answers and notes" page and Validate's wording (validate_words.py).
SETUP_CELL = re.compile(r'^from peercourse import open_lesson\n\nlesson = open_lesson\("([^"]+)"\)$')  # a lesson's first cell


def setup_source(name: str) -> str:
    """The source of a lesson's setup cell, its first code cell (SETUP_CELL matches it)."""
    return f'from peercourse import open_lesson\n\nlesson = open_lesson("{name}")'


SHOW_CELL = re.compile(r'^lesson\.show\("([^"]+)"\)$')  # an item's cell, its whole (stripped) source
ITEM_CALL = re.compile(r'lesson\.(?:recorded|score)\(\s*"([^"]+)"')  # the item a test cell records or scores


def execution_mode() -> str:
    """'autograde' or 'validate' when nbgrader runs the notebook, else 'learner'."""
    return os.environ.get("NBGRADER_EXECUTION") or "learner"


def open_lesson(name: str, directory: str | os.PathLike | None = None) -> "Lesson":
    return Lesson(name, directory)


class Lesson:
    checkable = True  # practice items get a Check button; an exam simulation turns it off

    def __init__(self, name: str, directory: str | os.PathLike | None = None, bank: ItemBank | None = None):
        directory = Path(directory) if directory is not None else Path.cwd()
        self.bank = bank or load_bank(items_path(directory, name), check_schema=False)  # checked at release
        self.responses = ResponsesFile(responses_path(directory, name), name)
        loaded = self.responses.load()
        self._answers = dict(loaded.answers)  # what widgets are restored from
        self._graded = None  # the answers as submitted, once read under autograde
        if execution_mode() == "learner":
            print(f"Your answers save automatically, as you give them, to {self.responses.path.name}.")
        if loaded.problem:
            print(
                f"Your saved answers could not be read: {loaded.problem} Nothing has been deleted. "
                "When you next answer an item, that file is kept aside under a new name and a fresh one is started."
            )

    # -- the learner's side ---------------------------------------------------------

    def show(self, item_id: str) -> None:
        """Show an item: its widget for a learner; under autograde, a plain-text copy with
        the recorded answer, so formgrader and the feedback show what was chosen."""
        from IPython.display import display

        if execution_mode() == "autograde":
            item = self.item(item_id)
            print(self._as_text(item, *self._read(item, self._current_answers())))
            return
        display(self.view(item_id).box)

    def view(self, item_id: str):
        """The item's widget (an ItemView), set to the saved answer. Building it saves nothing."""
        from .view import ItemView

        item = self.item(item_id)
        answer, note = self._read(item, self._answers)
        return ItemView(item, answer, self._save, note, checkable=self.checkable,
                        checked=lambda shown: self.responses.mark_checked(shown.id))

    def feedback_button(self) -> None:
        """The last cell of a lesson: in self-study, a button that grades the lesson and opens
        the feedback (self_study.py); on a hub, where the keys are the instructor's, a note to
        submit it; in the browser edition, its own scoring and "Download my work"
        (browser_edition.py). Nothing under nbgrader: grading is not the place for it."""
        if execution_mode() != "learner":
            return
        from IPython.display import display

        import ipywidgets as widgets

        from .answers_page import button as answers_button
        from .browser_edition import answers_page_button, in_browser, score_button, work_button
        from .self_study import button

        if in_browser():
            folder = self.responses.path.parent
            display(widgets.VBox([score_button(self), answers_page_button(self), work_button(folder.parent)]))
            return
        display(widgets.VBox([button(self.responses.path.parent), answers_button(self)]))

    def _save(self, item: Item, value) -> str | None:
        note = self.responses.save(item.id, value)
        self._answers[item.id] = {"value": value}
        return note

    # -- the grader's side ------------------------------------------------------------

    def recorded(self, item_id: str) -> float | None:
        """Print the recorded answer in words. Under `nbgrader validate`, an unanswered item
        is reported on stderr, which fails the cell: the learner sees that message alone,
        without a traceback, before submitting.

        Under autograde it returns 0.0: if a test cell's hidden part were ever missing, the
        cell would then earn nothing, not nbgrader's full credit for a cell without a number."""
        item = self.item(item_id)
        answer, note = self._read(item, self._current_answers())
        fmt = FORMATS[item.format]
        print(f"{item.title} ({item.id}), recorded answer: {fmt.describe(item, answer)}")
        if note:
            print(note)
        if not fmt.is_answered(item, answer):
            # short lines: nbgrader validate cuts long ones
            problem = fmt.answer_problem(item, answer)
            message = f"{item.id} has no complete answer yet.\n('{item.title}')" + (f"\n{problem}" if problem else "")
            if execution_mode() == "validate":
                print(message + "\nAnswer it above, then validate again.", file=sys.stderr)
            elif execution_mode() == "learner":
                print(message.replace("\n", " "))
        return 0.0 if execution_mode() == "autograde" else None

    def score(self, item_id: str, key=None, rationales: dict | None = None) -> float | None:
        """The points this item earns, printing why. A problem with the item, its key or the
        saved answer (ItemError) earns 0 points and says so. Anything else is a fault in the
        course's code: it is raised, so the cell fails with its traceback in the graded
        notebook for the instructor to see, and scores 0 (nbgrader goes on with the rest)."""
        try:
            with warnings.catch_warnings():  # anything on stderr would zero the test cell
                warnings.simplefilter("ignore")
                earned = self._score(item_id, key, rationales)
        except ItemError as error:  # a problem the message can name; grading goes on
            print(f"Item {item_id} could not be scored ({error}). It earns 0 points; your instructor can review it.")
            earned = 0.0
        if execution_mode() != "autograde" and item_id in self.bank.items and FORMATS[self.bank.items[item_id].format].written:
            # A reflection's test cell is visible and scores in the open. For the learner, and
            # for Validate, the printed words say it all: a number would show as "[31]: 0.0"
            # under the cell, and Validate would call a short reflection "Partial credit".
            return None
        return earned

    def _score(self, item_id: str, key, rationales) -> float:
        item = self.item(item_id)
        fmt = FORMATS[item.format]
        fmt.check_key(item, key)
        if fmt.has_options:
            check_rationales(item, rationales)
        answer, note = self._read(item, self._current_answers())
        if note:
            print(note)
        result = grade(item, answer, key, rationales)
        print(result.text())
        return result.earned

    # -- reading answers ------------------------------------------------------------

    def item(self, item_id: str) -> Item:
        try:
            return self.bank.items[item_id]
        except KeyError:
            raise ItemError(f"there is no item {item_id!r} in {self.bank.lesson}") from None

    def _current_answers(self) -> dict:
        """The answers on disk now. A learner's other open copy may have saved since the
        last look, so read again; under autograde nothing else can write, so read once."""
        if execution_mode() == "autograde" and self._graded is not None:
            loaded = self._graded
        else:
            loaded = self.responses.load()
            if execution_mode() == "autograde":
                self._graded = loaded
        if loaded.problem:
            print(f"The responses file could not be used: {loaded.problem}")
        return loaded.answers

    def saved_answers(self) -> dict[str, tuple]:
        """Every item's answer as saved on disk now, checked against its format:
        {item id: (answer, note)}, as `_read` gives them."""
        answers = self._current_answers()
        return {item.id: self._read(item, answers) for item in self.bank.items.values()}

    @staticmethod
    def _read(item: Item, answers: dict):
        """(answer, note): the item's saved answer checked against its format (read_saved)."""
        return read_saved(item, answers)

    def _as_text(self, item: Item, answer, note: str | None) -> str:
        lines = [kind_line(item), f"{item.title} ({item.id})", item.prompt]
        lines += [f"  {letter}. {text}" for letter, text in item.options.items()]
        lines.append(f"Recorded answer: {FORMATS[item.format].describe(item, answer)}")
        if note:
            lines.append(note)
        return "\n".join(lines)
