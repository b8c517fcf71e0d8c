"""nbgrader settings for the course. Run nbgrader's commands from this directory."""
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

from peercourse.nbgrader_hooks import CourseCellsOnly, skip_learner_cells, warn_about_renamed_notebooks

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "ca-peer-support"

# Seconds per cell. The course's cells are quick; this only stops a runaway cell.
c.Execute.timeout = 60

# Grading runs only the course's own cells (see src/peercourse/nbgrader_hooks.py): learners
# answer in data files, never in code, so nothing they add to a notebook can touch a score.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CourseCellsOnly, CheckCellMetadata,
]
c.Execute.on_notebook_start = skip_learner_cells  # also guards `nbgrader validate`
c.Autograde.pre_convert_hook = warn_about_renamed_notebooks

# CourseCellsOnly puts back every course cell a learner deleted, grade and task cells
# included. nbgrader's own add_missing_cells stays off: it raises KeyError on the empty
# metadata that DeduplicateIds leaves on a duplicated cell, failing the whole submission.
c.OverwriteCells.add_missing_cells = False
