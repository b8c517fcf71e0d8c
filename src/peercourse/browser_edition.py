"""Where the course runs in the browser (the JupyterLite study edition that lite_site.py
builds), and so in Pyodide's Python: no server, no nbgrader, no subprocesses, and files in the
browser's own storage. The few places that behave differently there ask `in_browser()`:

- responses.py saves without a lock file (see ResponsesFile._locked);
- self_study.py's last cell says why nothing is graded there, instead of offering nbgrader.
"""
from __future__ import annotations

import sys


def in_browser() -> bool:
    """True in the browser edition: Python is Pyodide's, inside a web page."""
    return sys.platform == "emscripten"
