"""The course directory a hook works in: the running nbgrader app's, as its converters use it."""
from __future__ import annotations

from nbgrader.coursedir import CourseDirectory


def course_directory(configurable) -> CourseDirectory:
    """The running nbgrader application's CourseDirectory (its root, its folder names), or
    one built from the hook's own configuration when no application is running."""
    from traitlets.config import Application

    app = Application.instance() if Application.initialized() else None
    return getattr(app, "coursedir", None) or CourseDirectory(parent=configurable)
