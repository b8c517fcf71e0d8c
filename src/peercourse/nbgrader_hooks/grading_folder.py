"""`GradingFolder`, the first autograde step: the folder grading works in holds only what
the course put there and the learner's answers, before any kernel starts.

nbgrader copies every file of a submission into autograded/<learner>/<lesson>/ and starts
the grading kernel there; the instructor's formgrader and JupyterLab start kernels there
too. A learner's file in that folder, named after a module Python or the kernel imports
(`ipykernel_launcher.py`, say), would run as the grader. So instead of forbidding names,
this step keeps names the course chooses and removes everything else from the grading
copy (the learner's submitted/ folder is never touched):

- the course's own files from source/<lesson>/ (nbgrader has just copied them over the
  learner's copies), such as the items file;
- for each of the lesson's notebooks, `<notebook>.ipynb` and `<notebook>.responses.json`,
  as plain files (not folders, not links);
- nbgrader's own `timestamp.txt` and `submission_secret.txt` (release_feedback reads it).

None of these names is one Python imports. Grading kernels are also started in Python's
isolated mode (execute.py), so even a kept file could not be imported.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import find_all_files

from ..responses import SUFFIX
from .paths import course_directory

NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}  # what nbgrader itself keeps in a submission


def course_files(coursedir, lesson: str) -> set[str]:
    """Paths, relative to the lesson's folder, of the course's own files for the lesson."""
    source = coursedir.format_path(coursedir.source_directory, ".", lesson)
    return {os.path.relpath(path, source) for path in find_all_files(source, coursedir.ignore + ["*.ipynb"])}


def keep_only(folder: Path, files: set[str]) -> list[str]:
    """Remove from folder everything that is not one of `files` (relative paths) as a plain
    file, or a folder on the way to one. Returns what was removed, relative, sorted."""
    folder = Path(folder)
    needed_dirs = {parent.as_posix() for name in files for parent in Path(name).parents if parent != Path(".")}
    removed = []
    for directory, subdirs, names in os.walk(folder, topdown=True):
        here = Path(directory)
        for name in list(subdirs):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink() or relative not in needed_dirs:
                _remove(path)
                subdirs.remove(name)
                removed.append(relative + "/")
        for name in names:
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if relative not in files or path.is_symlink() or not path.is_file():
                _remove(path)
                removed.append(relative)
    return sorted(removed)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


class GradingFolder(NbGraderPreprocessor):
    """Autograde sanitize step, first in the list: the grading copy of a submission keeps
    the course's files, the lesson's notebooks and their answers files, nothing else."""

    def preprocess(self, nb, resources):
        lesson = resources["nbgrader"]["assignment"]
        student = resources["nbgrader"]["student"]
        coursedir = course_directory(self)
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            notebooks = [notebook.name for notebook in gb.find_assignment(lesson).notebooks]
        keep = course_files(coursedir, lesson) | NBGRADER_FILES
        keep |= {f"{name}.ipynb" for name in notebooks} | {f"{name}{SUFFIX}" for name in notebooks}
        folder = Path(coursedir.format_path(coursedir.autograded_directory, student, lesson))
        removed = keep_only(folder, keep)
        if removed:
            self.log.warning(
                "%s / %s: left out of grading (they stay in submitted/, and nothing in them is run): %s",
                student, lesson, ", ".join(removed[:20]) + (f" and {len(removed) - 20} more" if len(removed) > 20 else ""),
            )
        return nb, resources
