"""Learner-side nbgrader settings: installed into the environment's etc/jupyter/ by
`make lab` / `make test` (on a hub, put it in the image's etc/jupyter/). It makes
`nbgrader validate` and the Validate button run only the course's own cells, as released
(the list of released cells ships inside the course's package)."""
from peercourse.nbgrader_hooks import NOT_LEARNER_WORK, skip_learner_cells

c = get_config()  # noqa: F821  (nbgrader provides get_config)
c.Execute.timeout = 60
c.Execute.on_notebook_start = skip_learner_cells
c.Execute.extra_arguments = ["--IPKernelApp.ignore_cwd=True"]  # the notebook's folder is not on the kernel's sys.path
c.CourseDirectory.ignore = NOT_LEARNER_WORK  # what `nbgrader submit` leaves out
