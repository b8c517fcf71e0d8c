"""Graders' nbgrader settings on the hub: the course directory in the grader's home, and
the course's own settings from it, for formgrader and for nbgrader run from any folder."""
import os

from peercourse.nbgrader_hooks import exclude_unusable_ids

c = get_config()  # noqa: F821  (nbgrader provides get_config)
COURSE = os.path.expanduser("~/peer-course")
c.CourseDirectory.root = COURSE  # first: the course's settings look in this course directory
if os.path.exists(os.path.join(COURSE, "nbgrader_config.py")):
    load_subconfig(os.path.join(COURSE, "nbgrader_config.py"))  # noqa: F821
    exclude_unusable_ids(c, COURSE)
