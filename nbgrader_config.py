"""nbgrader settings for the course. Run nbgrader's commands from this directory."""
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, ClearOutput, DeduplicateIds, IgnorePattern, LimitOutput,
    OverwriteCells, OverwriteKernelspec, SaveAutoGrades,
)

from peercourse.nbgrader_hooks import (
    NOT_LEARNER_WORK, CheckCellMetadataOnce, CourseCellsOnly, GradingExecute, GradingFolder, GuardedCollect, IsolatedKernelManager,
    KernelInfoReleaseAssignment, LatePenalty, RecordingReleaseFeedback,
    ScoresFromTheCourseOnly, exclude_unusable_ids, share_gradebook_engines, skip_learner_cells,
    warn_about_renamed_notebooks,
)

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "ca-peer-support"

# Seconds per cell, and per notebook with its kernel's start. The course's cells are quick:
# these only stop a kernel in trouble. A notebook past either is reported as not graded.
c.Execute.timeout = 60
c.GradingExecute.notebook_timeout = 300
# `peercourse autograde`: seconds per learner before their worker is stopped and replaced.
c.ParallelAutograde.learner_timeout = 900

# Grading runs only the course's own cells, on the course's files and the learner's answers
# file (see src/peercourse/nbgrader_hooks/): learners answer in data files, never in code, so
# nothing they add to a notebook or its folder can run or touch a score. GradingFolder comes
# first: it empties the grading folder of every file the course did not choose.
c.Autograde.sanitize_preprocessors = [
    GradingFolder, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CourseCellsOnly, CheckCellMetadataOnce,
]
# What graders and feedback show of a learner's own cells: plain text, this much at most.
c.CourseCellsOnly.learner_cell_limit = 100_000
c.CourseCellsOnly.learner_text_limit = 1_000_000
c.Execute.on_notebook_start = skip_learner_cells  # also guards `nbgrader validate`
# nbgrader's own steps, with two changes: Execute runs kernels in Python's isolated mode with
# a time limit per notebook (GradingExecute), and a grade cell that shows no score of the
# course's scores 0, where nbgrader would give it full points.
c.Autograde.autograde_preprocessors = [
    GradingExecute, ScoresFromTheCourseOnly, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadataOnce,
]
# nbgrader's metadata check and nbconvert's notebook check, each costing CPU per notebook
# that grading does not need to spend (docs/performance.md): CheckCellMetadataOnce checks
# nbgrader's schema itself once per process, not once per cell (cell_metadata.py); and
# nbconvert checks the notebook against nbformat's schema once after the last step of each
# pass, not after every step (a step that broke the notebook still fails its submission).
c.Exporter.optimistic_validation = True
# nbgrader opens its gradebook about 13 times per graded notebook, each time with a new
# SQLAlchemy engine that compiles every query again. In every process that loads these
# settings, Gradebooks share one engine per gradebook (connections still close with each
# Gradebook; nbgrader_hooks/gradebook_engine.py). share_gradebook_engines(False) undoes it.
share_gradebook_engines()
c.Autograde.pre_convert_hook = warn_about_renamed_notebooks

# CourseCellsOnly puts back every course cell a learner deleted, grade and task cells
# included. nbgrader's own add_missing_cells stays off: it raises KeyError on the empty
# metadata that DeduplicateIds leaves on a duplicated cell, failing the whole submission.
c.OverwriteCells.add_missing_cells = False

# Late work: accepted, minus 10% of the autograded score per started day late, at most 50%,
# until the cut-off: late work submitted after the lesson's feedback was first released
# (feedback shows every key) scores 0. release_feedback notes that moment in
# feedback-released.json. For a date of your own per lesson instead:
#   c.LatePenalty.cutoffs = {"lesson-1": "2027-02-08 17:00-08:00"}
# For no penalty at all, use nbgrader's own plugin: c.LateSubmissionPlugin.penalty_method = "none"
# and drop the plugin_class line.
c.AssignLatePenalties.plugin_class = LatePenalty
c.LatePenalty.percent_per_day = 10
c.LatePenalty.max_percent = 50
c.LatePenalty.cutoff_at_feedback = True
c.ExchangeFactory.release_feedback = RecordingReleaseFeedback

# Lessons released to a hub's exchange carry the language_info of the learners' kernels (the
# hub's one Python), so an untouched lesson closes without "Save your work?"
# (src/peercourse/nbgrader_hooks/release_assignment.py).
c.ExchangeFactory.release_assignment = KernelInfoReleaseAssignment

# Collect from the shared exchange only what a learner cannot have forged: no links, no entry
# in another learner's name (by the folder's owner), no time earlier than the files were
# written (src/peercourse/nbgrader_hooks/collect.py).
c.ExchangeFactory.collect = GuardedCollect

# Learner ids with * ? [ ] would be read by nbgrader as patterns and grade the wrong learners:
# each is excluded from grading and named on every nbgrader command until it is renamed.
exclude_unusable_ids(c, os.path.dirname(os.path.abspath(__file__)))

# nbgrader's ignore list plus the lock beside each answers file and interrupted saves' leftovers.
c.CourseDirectory.ignore = NOT_LEARNER_WORK

# Grading kernels: no history file (nbgrader's default), and no log lines on the console for
# each of hundreds of kernels (ipykernel 7 warns at every start that local TCP is unencrypted).
# (GradingExecute also starts them as `python -I`, so their folder is never on sys.path.)
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR", "--IPKernelApp.ignore_cwd=True",
]
# Kernels without the wait of a kernel start (docs/performance.md): each notebook's kernel is
# a new process forked from a template that imported ipykernel and the course once
# (nbgrader_hooks/forked_kernels.py; it starts kernels normally if it cannot), and it is
# used as soon as it answers, where jupyter_client waits 0.2 s more (kernel_client.py).
# For `nbgrader validate` run here too. To start every kernel normally, drop the first line.
c.KernelProvisionerFactory.default_provisioner_name = "peercourse-forked"
c.IsolatedKernelManager.client_class = "peercourse.nbgrader_hooks.kernel_client.PromptKernelClient"
c.Execute.kernel_manager_class = IsolatedKernelManager
# A graded kernel has nothing left to save when its notebook ends: stop it at once instead of
# waiting for a polite shutdown (about 0.15 s per notebook; see docs/performance.md).
c.Execute.shutdown_kernel = "immediate"

# The item-analysis report's thresholds (`peercourse report`), shown with their defaults.
# docs/instructors.md lists every setting the course adds, with what it does.
# c.ReportSettings.very_easy = 0.9
# c.ReportSettings.very_hard = 0.2
# c.ReportSettings.min_students_for_flags = 5
# c.ReportSettings.extreme_group_percent = 27
