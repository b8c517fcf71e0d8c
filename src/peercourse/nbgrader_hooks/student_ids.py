"""Learner ids that nbgrader cannot handle, refused by name instead of misread.

nbgrader finds submissions with glob patterns built from learner ids, so an id holding
`*`, `?` or `[`...`]` is read as a pattern: `a*` also matches `ab`'s folder, and `[ab]`
matches `a`'s instead of its own. Such a learner would be skipped, or other learners graded
in their place. `exclude_unusable_ids`, called from nbgrader_config.py, puts every such id
found in the course directory on nbgrader's own exclusion list
(`CourseDirectory.student_id_exclude`, compared literally) and names each one, so that
every other learner is graded as usual and these are not graded at all until renamed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PATTERN_CHARACTERS = "*?[]"
QUIET = "PEERCOURSE_GRADING_WORKER"
_said: set[tuple[str, str]] = set()  # (course directory, id): nbgrader may load its config more than once


def unusable_id_problem(student_id: str) -> str | None:
    """Why nbgrader cannot grade this learner id, or None if it can."""
    found = sorted({character for character in student_id if character in PATTERN_CHARACTERS})
    if not found:
        return None
    return (f"learner id {student_id!r} is not graded: it holds {' '.join(found)}, which nbgrader reads as a "
            "pattern, so grading it could grade other learners in its place. Rename the learner's folder in "
            "submitted/ (and the id in the gradebook), then grade again.")


def learner_ids(root: Path) -> set[str]:
    """Every learner id with a folder in the course's submitted/ or autograded/."""
    ids = set()
    for step in ("submitted", "autograded"):
        folder = Path(root) / step
        if folder.is_dir():
            ids |= {entry.name for entry in folder.iterdir() if entry.is_dir()}
    return ids


def exclude_unusable_ids(config, root: Path | str = ".", say=None) -> list[str]:
    """Add every unusable learner id in the course directory (the config's
    CourseDirectory.root, else `root`) to the config's CourseDirectory.student_id_exclude,
    saying why for each. Returns those ids. A config file that loads the course's with
    load_subconfig calls it again after setting its root: a subconfig cannot see it."""
    say = say or (lambda text: print(f"[peercourse | ERROR] {text}", file=sys.stderr))
    if "root" in config.CourseDirectory:
        root = config.CourseDirectory.root
    refused = sorted(student for student in learner_ids(Path(root)) if unusable_id_problem(student) and "," not in student)
    if refused:
        already = config.CourseDirectory.student_id_exclude if "student_id_exclude" in config.CourseDirectory else ""
        config.CourseDirectory.student_id_exclude = ",".join(filter(None, [already, *refused]))
        if not os.environ.get(QUIET):  # a grading worker: its parent reports these once
            for student in refused:
                if (str(root), student) not in _said:
                    _said.add((str(root), student))
                    say(unusable_id_problem(student))
    return refused
