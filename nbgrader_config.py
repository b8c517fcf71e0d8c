"""nbgrader settings for the course. Run nbgrader's commands from this directory."""
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, Execute, IgnorePattern, LimitOutput,
    OverwriteCells, OverwriteKernelspec, SaveAutoGrades,
)

from peercourse.nbgrader_hooks import (
    NOT_LEARNER_WORK, CourseCellsOnly, LatePenalty, ScoresFromTheCourseOnly, skip_learner_cells,
    warn_about_renamed_notebooks,
)

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
# nbgrader's own steps, plus one: a grade cell that shows no score of the course's scores 0,
# where nbgrader would give it full points.
c.Autograde.autograde_preprocessors = [
    Execute, ScoresFromTheCourseOnly, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
c.Autograde.pre_convert_hook = warn_about_renamed_notebooks

# CourseCellsOnly puts back every course cell a learner deleted, grade and task cells
# included. nbgrader's own add_missing_cells stays off: it raises KeyError on the empty
# metadata that DeduplicateIds leaves on a duplicated cell, failing the whole submission.
c.OverwriteCells.add_missing_cells = False

# Late work: accepted, minus 10% of the autograded score per started day late, at most 50%.
# For no penalty at all, use nbgrader's own plugin: c.LateSubmissionPlugin.penalty_method = "none"
# and drop the plugin_class line.
c.AssignLatePenalties.plugin_class = LatePenalty
c.LatePenalty.percent_per_day = 10
c.LatePenalty.max_percent = 50

# nbgrader's ignore list plus the lock beside each answers file and interrupted saves' leftovers.
c.CourseDirectory.ignore = NOT_LEARNER_WORK

# Grading kernels: no history file (nbgrader's default), and no log lines on the console for
# each of hundreds of kernels (ipykernel 7 warns at every start that local TCP is unencrypted).
# The kernel also leaves the submission's folder off sys.path, so a file a learner adds
# (a peercourse.py, say) can't stand in for the course's package.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR", "--IPKernelApp.ignore_cwd=True",
]
# A graded kernel has nothing left to save when its notebook ends: stop it at once instead of
# waiting for a polite shutdown (about 0.15 s per notebook; see docs/performance.md).
c.Execute.shutdown_kernel = "immediate"
