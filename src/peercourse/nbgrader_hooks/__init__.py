"""The course's additions to nbgrader, one per module as nbgrader's own preprocessors/,
switched on in nbgrader_config.py (and, for learners, etc/jupyter/nbgrader_config.py).

In a stock nbgrader course, whatever code a learner adds runs in the same kernel as the
tests during autograde, and any file a learner adds sits in the folder the kernel starts
in. This course's exercises need no learner code at all: every answer is data in the
responses file. So grading runs only the course's own cells, on the course's own files
and the learner's answers file, in a kernel that imports nothing from its folder.

- `GradingFolder` (grading_folder.py): the first autograde step; the folder grading works
  in keeps only the course's files, the notebooks and their answers files.
- `CourseCellsOnly` (course_cells.py): the notebook is rebuilt from the course's cells as
  the gradebook holds them; the learner's own cells follow as bounded plain text.
- `GradingExecute` and `IsolatedKernelManager` (execute.py): nbgrader's Execute with a
  time limit per notebook, in kernels started in Python's isolated mode.
- `ForkedKernelProvisioner` (forked_kernels.py): a jupyter_client kernel provisioner; each
  notebook's kernel is a new process forked from a template that imported ipykernel and
  the course once (../kernel_template.py). `PromptKernelClient` (kernel_client.py): the
  kernel is used as soon as it answers, without jupyter_client's extra 0.2 s wait.
- `CheckCellMetadataOnce` (cell_metadata.py): nbgrader's metadata check, with nbgrader's
  schema itself checked once per process instead of once per cell.
- `share_gradebook_engines` (gradebook_engine.py): nbgrader's Gradebooks in one process
  share one SQLAlchemy engine per gradebook, instead of compiling every query again.
- `ShownItems` (shown_items.py): under autograde, GradingExecute has the grading process
  print the lesson's show cells (a plain-text copy of each item), so the kernel runs only
  the setup cell and the tests.
- `ScoresFromTheCourseOnly` (scores.py): a grade cell without the course's score scores 0.
- `skip_learner_cells` (validate.py): validate and autograde run only cells the released
  course vouches for (validate: a manifest of the released cells shipped in the package).
- `warn_about_renamed_notebooks` (renamed.py): answers whose notebook was renamed.
- `LatePenalty` (late.py): the late policy, with a cut-off at the release of feedback.
- `exclude_unusable_ids` (student_ids.py): learner ids that nbgrader would read as
  patterns are refused by name, never globbed.
- `RecordingReleaseFeedback` (release_feedback.py): notes when a lesson's feedback first
  went out, for the late policy's cut-off.
- `KernelInfoReleaseAssignment` (release_assignment.py): lessons released to a hub carry
  the language_info of the learners' kernels, so an untouched lesson closes without asking
  to be saved.
- `GuardedCollect` (collect.py): collect refuses links, entries in another learner's name,
  and backdated times in the shared exchange.
"""
from .cell_metadata import CheckCellMetadataOnce
from .collect import GuardedCollect
from .course_cells import (
    LEARNER_CELLS_HEADING, NOT_LEARNER_WORK, NOT_RUN, SKIP_TAG, CourseCellsOnly, as_learner_cell, mark_not_run,
)
from .execute import GradingExecute, IsolatedKernelManager
from .gradebook_engine import share_gradebook_engines
from .grading_folder import GradingFolder
from .late import LatePenalty
from .release_assignment import KernelInfoReleaseAssignment
from .release_feedback import RecordingReleaseFeedback, feedback_released_at, record_feedback_release
from .renamed import warn_about_renamed_notebooks
from .scores import NOT_SCORED, ScoresFromTheCourseOnly, shows_a_score
from .student_ids import exclude_unusable_ids, unusable_id_problem
from .validate import skip_learner_cells

__all__ = [
    "LEARNER_CELLS_HEADING", "NOT_LEARNER_WORK", "NOT_RUN", "NOT_SCORED", "SKIP_TAG", "CheckCellMetadataOnce", "CourseCellsOnly",
    "GradingExecute", "GradingFolder", "GuardedCollect", "IsolatedKernelManager", "KernelInfoReleaseAssignment", "LatePenalty",
    "RecordingReleaseFeedback",
    "ScoresFromTheCourseOnly", "as_learner_cell", "exclude_unusable_ids", "feedback_released_at", "mark_not_run",
    "record_feedback_release", "share_gradebook_engines", "shows_a_score", "skip_learner_cells", "unusable_id_problem",
    "warn_about_renamed_notebooks",
]
