"""The course's nbgrader settings, loaded in one place, as nbgrader's own commands load them.

nbgrader's tools in this package (the parallel autograde, the simulated term, the report,
the Canvas export) run nbgrader in-process through NbGraderAPI, or start nbgrader as a
child process; both need the course's nbgrader_config.py and the environment's bin folder on
PATH (nbgrader runs `alembic` by name when it creates a gradebook).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def environment_bin() -> str:
    """The folder of the Python running this code: where `alembic` and `nbgrader` live."""
    return str(Path(sys.executable).parent)


def with_environment_bin(env: dict | None = None) -> dict:
    """A copy of env (os.environ by default) whose PATH starts with environment_bin()."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = os.pathsep.join([environment_bin(), env.get("PATH", "")])
    return env


def environment_bin_on_path() -> None:
    """Put environment_bin() on this process's PATH, once."""
    if environment_bin() not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = with_environment_bin()["PATH"]


def load_config(course: Path):
    """The traitlets Config of course/nbgrader_config.py, with the course directory as its
    root unless the file sets one."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if "root" not in config.CourseDirectory:
        config.CourseDirectory.root = str(course)
    return config


def load_api(course: Path):
    """NbGraderAPI with the course's own nbgrader_config.py, as the commands would load it."""
    from nbgrader.apps import NbGraderAPI

    environment_bin_on_path()
    return NbGraderAPI(config=load_config(Path(course)))
