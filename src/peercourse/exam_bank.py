"""The exam bank: items in the exam's own format (single best answer, options A to D),
written apart from the lessons, so that exam practice asks questions a learner has not
already seen with their keys.

One items file per exam area, in the exam-practice assignment's `bank/` folder
(source/exam-practice/bank/<area>.items.yaml), checked by the same schema as a lesson's items
file; nbgrader's release copies it beside the exam-practice notebook, with its keys and
rationales, as a lesson's practice items are released: it is practice, never graded.
`peercourse check` checks it (authoring_checks.bank_problems).
"""
from __future__ import annotations

from pathlib import Path

from .itembank import SUFFIX, ItemBank, load_bank
from .items import ItemError

FOLDER = "bank"


def bank_paths(assignment: Path) -> list[Path]:
    """The bank's items files in an assignment folder (source/ or a learner's copy), by name."""
    return sorted((Path(assignment) / FOLDER).glob(f"*{SUFFIX}"))


def read_bank(assignment: Path, check_schema: bool = True) -> tuple[list[tuple[Path, ItemBank]], list[str]]:
    """Every bank file of the assignment folder, read, and a note for each that can't be.
    Learners' kernels pass check_schema=False, as for lessons (itembank.load_bank)."""
    found, problems = [], []
    for path in bank_paths(assignment):
        try:
            found.append((path, load_bank(path, check_schema=check_schema)))
        except ItemError as error:
            problems.append(str(error))
    return found, problems
