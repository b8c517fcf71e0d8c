"""peercourse: the toolkit behind the peer support specialist course.

A lesson notebook opens its lesson, shows items (ipywidgets that save every answer to a
responses file beside the notebook), and nbgrader's hidden tests score those answers.
"""
from .lesson import Lesson, open_lesson

__version__ = "0.1.0"

__all__ = ["Lesson", "open_lesson", "__version__"]
