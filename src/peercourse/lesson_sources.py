"""The lessons in source/ as the instructor's tools read them: each notebook with its items
file, and the graded keys and rationales read back (as data, never run) from the hidden
tests. Instructor-side only: a learner's copy has no source/ to read. The authors' checks
on these lessons are in authoring_checks.py.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .itembank import ItemBank, items_path, lesson_number, load_bank
from .items import FORMATS, Item

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


@dataclass(frozen=True)
class GradedKey:
    key: object
    rationales: dict | None


@dataclass(frozen=True)
class LessonSource:
    assignment: str  # nbgrader's assignment id, e.g. "lesson-1"
    notebook: Path
    bank: ItemBank
    keys: dict[str, GradedKey]  # graded items' keys, from the hidden tests
    cells: tuple[dict, ...]

    @property
    def stem(self) -> str:
        return self.bank.lesson

    def key_for(self, item: Item):
        """The item's key: from the items file for practice, the hidden test for graded
        items; None for reflections, or for a graded item whose hidden test is missing."""
        if not item.graded:
            return item.key
        graded = self.keys.get(item.id)
        return graded.key if graded else None

    def rationales_for(self, item: Item) -> dict | None:
        if not item.graded:
            return item.rationales
        graded = self.keys.get(item.id)
        return graded.rationales if graded else None


def lesson_notebooks(source_dir: Path) -> list[Path]:
    """Every lesson notebook under source/ (one with an items file beside it), in lesson order."""
    notebooks = [
        notebook for notebook in Path(source_dir).glob("*/*.ipynb")
        if items_path(notebook.parent, notebook.stem).exists()  # progress and exam practice have none
    ]
    return sorted(notebooks, key=lambda notebook: (lesson_number(notebook.parent.name), notebook.parent.name))


def find_lessons(source_dir: Path) -> list[LessonSource]:
    """Every lesson under source/, read, in lesson order; ItemError at the first that can't be."""
    return [read_lesson(notebook) for notebook in lesson_notebooks(source_dir)]


def read_lesson(notebook: Path) -> LessonSource:
    notebook = Path(notebook)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    bank = load_bank(items_path(notebook.parent, notebook.stem))
    cells = tuple(nb["cells"])
    keys = {}
    for cell in cells:
        for item_id, graded_key in hidden_keys(cell_source(cell)).items():
            keys[item_id] = graded_key
    return LessonSource(notebook.parent.name, notebook, bank, keys, cells)


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def hidden_keys(source: str) -> dict[str, GradedKey]:
    """The lesson.score(...) calls inside a cell's hidden-test region, read as data."""
    found = {}
    for region in HIDDEN.findall(source):
        for node in ast.walk(ast.parse(region)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "score":
                item_id = ast.literal_eval(node.args[0])
                kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
                found[item_id] = GradedKey(kwargs.get("key"), kwargs.get("rationales"))
    return found


def key_answers(lesson: LessonSource) -> dict[str, object]:
    """The answers of a learner who matches every key: what `peercourse key` writes."""
    answers = {}
    for item in lesson.bank.items.values():
        answers[item.id] = FORMATS[item.format].model_answer(item, lesson.key_for(item))
    return answers


def bank_files(source_dir: Path) -> list[Path]:
    """Every exam-bank items file under source/ (source/<assignment>/bank/*.items.yaml)."""
    from .exam_bank import bank_paths

    return [path for folder in sorted(p for p in Path(source_dir).iterdir() if p.is_dir()) for path in bank_paths(folder)]


def read_bank_source(path: Path) -> LessonSource:
    """An exam-bank file, read as a lesson of practice items with no notebook (its keys are
    in the file), for authoring_checks.bank_problems."""
    path = Path(path)
    return LessonSource(path.parent.parent.name, path, load_bank(path), {}, ())
