"""`warn_about_renamed_notebooks`, an autograde `pre_convert_hook`: it tells the instructor
when a submission holds answers but not the notebook they belong to."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from ..responses import SUFFIX


def _log() -> logging.Logger:
    """The running nbgrader app's log, so messages appear among nbgrader's own."""
    from traitlets.config import Application

    return Application.instance().log if Application.initialized() else logging.getLogger("peercourse")


def warn_about_renamed_notebooks(notebooks=(), **_) -> None:
    """Autograde pre_convert_hook. nbgrader cannot grade a submission whose notebook was
    renamed; when the learner's answers file is there, say so, and how to grade it.
    (The hook's own student and assignment arguments are the command line's patterns,
    e.g. "*", so the folder, submitted/<student>/<lesson>/, names them.)"""
    folders = {os.path.dirname(path) for path in notebooks}
    for folder in folders:
        student, assignment = Path(folder).parent.name, Path(folder).name
        present = {Path(path).stem for path in notebooks if os.path.dirname(path) == folder}
        for answers in sorted(Path(folder).glob(f"*{SUFFIX}")):
            stem = answers.name[: -len(SUFFIX)]
            if stem not in present:
                others = ", ".join(sorted(p + ".ipynb" for p in present)) or "none"
                _log().warning(
                    "%s / %s: %s holds answers, but %s.ipynb was not submitted (notebooks found: %s). "
                    "nbgrader cannot grade it without that notebook. To grade these answers, copy "
                    "release/%s/%s.ipynb into the submission and run "
                    "`nbgrader autograde %s --student %s --force`.",
                    student, assignment, answers.name, stem, others, assignment, stem, assignment, student,
                )


