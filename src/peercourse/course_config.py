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


# The course's grading with none of its fast path (docs/performance.md, section 5): kernels
# and workers started the usual way, nbgrader's own metadata check, nbconvert's notebook
# check after every step, every show cell run by the kernel, and a new SQLAlchemy engine
# for every nbgrader Gradebook. Added to the end of a
# course's nbgrader_config.py, it undoes the lines that switch the fast path on: the
# benchmark grades with it beside the course's settings, and tests/test_autograde_pool.py
# proves that both give the same scores, gradebook rows and graded notebooks.
WITHOUT_FAST_PATH = """
# -- the course without its fast path (peercourse.course_config.WITHOUT_FAST_PATH) --
from nbgrader.preprocessors import CheckCellMetadata as _CheckCellMetadata
from peercourse.nbgrader_hooks import CheckCellMetadataOnce as _CheckCellMetadataOnce, share_gradebook_engines as _share
c.KernelProvisionerFactory.default_provisioner_name = "local-provisioner"
c.IsolatedKernelManager.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
c.ParallelAutograde.start_method = "spawn"
c.GradingExecute.print_shown_items = False
c.Exporter.optimistic_validation = False
_share(False)
c.Autograde.sanitize_preprocessors = [
    _CheckCellMetadata if step is _CheckCellMetadataOnce else step for step in c.Autograde.sanitize_preprocessors]
c.Autograde.autograde_preprocessors = [
    _CheckCellMetadata if step is _CheckCellMetadataOnce else step for step in c.Autograde.autograde_preprocessors]
"""
