"""nbgrader settings for the course. Run nbgrader's commands from this directory."""
c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "ca-peer-support"

# Seconds per cell. The course's cells are quick; this only stops a runaway cell.
c.Execute.timeout = 60

# Put back any grade cell a learner deleted, so deleting a test cell cannot dodge grading.
c.OverwriteCells.add_missing_cells = True
