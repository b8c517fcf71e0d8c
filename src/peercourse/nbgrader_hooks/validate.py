"""`skip_learner_cells`, an `Execute.on_notebook_start` hook (nbclient), run before the
first cell: it marks every code cell that is not the course's own not to be run. It is
what protects `nbgrader validate` and the Validate button, whose list of steps can't be
configured, and it guards autograde a second time.

Which cells are the course's? Not those whose nbgrader checksum matches: a learner can
compute that checksum for any cell they write. Under validate, a cell is the course's when
its id and its text are those of a released cell, as listed in a manifest shipped inside
the course's package (`released_cells.json`, written by `peercourse release`), which a
learner's notebook cannot change. Under autograde, CourseCellsOnly has already rebuilt the
notebook from the gradebook, and only the course's cells carry nbgrader's metadata.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.utils import compute_checksum

from .course_cells import SKIP_TAG, cell_text, mark_not_run

MANIFEST = "released_cells.json"


def cell_digest(cell) -> str:
    """What identifies a released cell's content: its type and text."""
    return hashlib.sha256(f"{cell.get('cell_type')}\0{cell_text(cell)}".encode("utf-8")).hexdigest()


def released_cells(notebook: dict) -> dict[str, str]:
    """grade_id -> digest of every course code cell of a released notebook."""
    cells = {}
    for cell in notebook["cells"]:
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if cell.get("cell_type") == "code" and grade_id:
            cells[grade_id] = cell_digest(cell)
    return cells


def build_manifest(release: Path) -> dict[str, dict[str, str]]:
    """notebook name -> its released cells, for every notebook under release/."""
    return {
        path.stem: released_cells(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(release).glob("*/*.ipynb"))
    }


def manifest_path() -> Path:
    return Path(__file__).resolve().parents[1] / MANIFEST


def write_manifest(release: Path, path: Path | None = None) -> Path:
    path = path or manifest_path()
    path.write_text(json.dumps(build_manifest(release), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def load_manifest() -> dict[str, dict[str, str]]:
    try:
        return json.loads(resources.files("peercourse").joinpath(MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _grade_id(cell) -> str | None:
    return (cell.metadata.get("nbgrader") or {}).get("grade_id")


def _released_entry(notebook: NotebookNode, manifest: dict) -> dict[str, str]:
    """The released notebook this one is a copy of: the manifest entry sharing most cell
    ids with it (so a renamed copy is still recognised). Empty if none shares any."""
    ids = {_grade_id(cell) for cell in notebook.cells} - {None}
    best = max(manifest.values(), key=lambda cells: len(ids & set(cells)), default={})
    return best if ids & set(best) else {}


def _checksum_matches(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader") or {}
    if not (meta.get("locked") or meta.get("grade")):
        return False
    try:
        return meta.get("checksum") == compute_checksum(cell)
    except (KeyError, TypeError, ValueError):
        return False


def course_code_cells(notebook: NotebookNode) -> list[NotebookNode]:
    """The code cells that are the course's own, each grade id's first copy only: the cells
    grading and validate run (skip_learner_cells) and the grader may print (shown_items.py)."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # Rebuilt by CourseCellsOnly from the gradebook: only course cells carry metadata.
        is_course_cell = _checksum_matches
    else:
        released = _released_entry(notebook, load_manifest())

        def is_course_cell(cell):
            return released.get(_grade_id(cell)) == cell_digest(cell)

    seen: set = set()
    course = []
    for cell in notebook.cells:
        grade_id = _grade_id(cell) if cell.get("cell_type") == "code" else None
        if grade_id and grade_id not in seen and is_course_cell(cell):
            seen.add(grade_id)
            course.append(cell)
    return course


def skip_learner_cells(notebook: NotebookNode, **_) -> None:
    """Mark every code cell that is not the course's own (added, edited, forged, or a second
    copy of a cell) not to be run; make sure every course cell runs."""
    course = {id(cell) for cell in course_code_cells(notebook)}
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        if id(cell) in course:
            tags = cell.metadata.get("tags")
            if isinstance(tags, list) and SKIP_TAG in tags:  # neither checksums nor the manifest cover tags
                tags.remove(SKIP_TAG)
        else:
            mark_not_run(cell)
