"""Items shown by the grading process: under autograde, a lesson's show cells
(`lesson.show("<item id>")`) print a plain-text copy of the item with the learner's recorded
answer, for formgrader and the feedback. That text depends only on the course's items file
and the learner's answers file, both data, so `GradingExecute` has it printed here, in the
grading process, by the same `Lesson.show` the kernel would run, and the kernel runs only
the cells that need it: the setup cell and the tests. A lesson has about as many show cells
as tests, and every cell costs a round trip to the kernel and back (about 10 ms of CPU
between the two processes); skipping them is a third of a notebook's grading CPU
(docs/performance.md).

Nothing here runs a learner's code: a show cell is printed here only if its source is
exactly the course's `lesson.show("<item id>")`, the notebook's setup cell is exactly the
course's `open_lesson("<name>")`, and the item is in the course's items file (which
GradingFolder copied from source/). The answers file is read as data, with its size limit.
Any other cell, or any problem printing a show cell (a missing item, an items file that will
not load), is left to the kernel, which gives the same output or error it always did.

The kernel then checks the grading process's reading: its setup cell opens the same lesson
and must print exactly what opening it printed here (nothing, or the same problem with the
answers file). The kernel takes the answers file's size limit from IPython's configuration
(`c.ResponsesSettings.max_bytes`, docs/instructors.md), which this process does not read; if
an instructor's setting makes the two read the file differently, or the kernel could not
open the lesson at all, GradingExecute runs the whole notebook again in a new kernel, every
cell included, and says so in the log.

The notebook comes out as if the kernel had run every cell: the printed cells carry the
output the kernel would have sent, and every run cell's execution count (and its result's)
is its place among the cells run, the number IPython would have given it.
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output

from ..itembank import ItemBank, items_path, load_bank, read_items_file
from ..lesson import SETUP_CELL, SHOW_CELL, Lesson, execution_mode
from .course_cells import cell_text, text_of
from .validate import course_code_cells


@dataclass
class ShownItems:
    """The show cells printed in the grading process, taken out of a notebook while the rest runs."""

    cells: list[NotebookNode]  # the notebook's cells as they were, all of them
    printed: set[int] = field(default_factory=set)  # id() of each cell printed here
    setup: NotebookNode | None = None  # the setup cell, and what opening the lesson printed here
    setup_printed: str = ""

    @classmethod
    def take_out(cls, nb: NotebookNode, folder: str | Path) -> "ShownItems":
        """Print each show cell this process can, and leave nb with the cells the kernel must run."""
        shown = cls(list(nb.cells))
        if execution_mode() != "autograde":  # a learner's or validate's run shows widgets, or checks answers
            return shown
        course = course_code_cells(nb)  # the cells the kernel would run; a learner's never print here
        lesson = shown._open_lesson(course[0], Path(folder)) if course else None
        if lesson is None:
            return shown
        for cell in course[1:]:
            item_id = _shown_item(cell)
            if item_id is None or item_id not in lesson.bank.items:
                continue
            text = io.StringIO()
            try:
                with contextlib.redirect_stdout(text):
                    lesson.show(item_id)
            except Exception:  # noqa: BLE001  the kernel will run it, and show what went wrong there
                continue
            cell.outputs = [new_output("stream", name="stdout", text=text.getvalue())] if text.getvalue() else []
            shown.printed.add(id(cell))
        nb.cells = [cell for cell in nb.cells if id(cell) not in shown.printed]
        return shown

    def kernel_agrees(self) -> bool:
        """Whether the kernel's setup cell, now run, opened the lesson as this process did: the
        same words printed (none, or the same problem with the answers file), no error. The
        kernel takes the answers file's size limit from IPython's configuration, which this
        process does not read; where the two differ, or the kernel could not open the lesson,
        the printed cells must be run by the kernel after all."""
        if not self.printed:
            return True
        outputs = self.setup.get("outputs", [])
        if any(output.get("output_type") != "stream" or output.get("name") != "stdout" for output in outputs):
            return False
        return "".join(text_of(output.get("text", "")) for output in outputs) == self.setup_printed

    def put_back(self, nb: NotebookNode) -> None:
        """Every cell back in place, numbered as if the kernel had run them all in order."""
        nb.cells = self.cells
        if not self.printed:
            return
        count = 0
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            if id(cell) not in self.printed and cell.get("execution_count") is None:
                continue  # not run: a learner's cell, or an empty one
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output.execution_count = count

    def give_back(self, nb: NotebookNode) -> None:
        """Every cell back in place, the printed ones emptied, for the kernel to run them all."""
        nb.cells = self.cells
        for cell in nb.cells:
            if id(cell) in self.printed:
                cell.outputs, cell.execution_count = [], None
        self.printed = set()

    def _open_lesson(self, setup: NotebookNode, folder: Path) -> Lesson | None:
        """The Lesson the kernel's setup cell opens in `folder`, if the first course cell is the course's setup cell."""
        match = SETUP_CELL.match(cell_text(setup).strip())
        if match is None:
            return None
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):  # the setup cell's output: the kernel's must match it
                lesson = Lesson(match.group(1), folder, bank=_bank(items_path(folder, match.group(1))))
        except Exception:  # noqa: BLE001  the kernel's setup cell will fail and say why; show cells then run there too
            return None
        self.setup, self.setup_printed = setup, printed.getvalue()
        return lesson


def _shown_item(cell: NotebookNode) -> str | None:
    match = SHOW_CELL.match(cell_text(cell).strip())
    return match.group(1) if match else None


BANKS_KEPT = 16  # more than a course's lessons: a worker grading one lesson after another parses each once
_banks: dict[tuple[str, str], ItemBank] = {}  # (file name, its text) -> the items parsed from it


def _bank(path: Path) -> ItemBank:
    """The items in `path`, parsed once per process for each text the file has had. Every
    notebook of a lesson is graded beside a copy of the same items file (GradingFolder copies
    it from source/), and Lesson only reads its bank, so a worker parses each lesson's file
    once instead of once per notebook. The key is the file's whole text, so a changed file is
    parsed again; a file that fails to load is never kept, and fails the same way each time."""
    text = read_items_file(path)
    key = (path.name, text)
    if key not in _banks:
        if len(_banks) >= BANKS_KEPT:
            del _banks[next(iter(_banks))]  # the oldest
        _banks[key] = load_bank(path, check_schema=False, text=text)
    return _banks[key]
