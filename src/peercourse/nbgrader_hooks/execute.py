"""`GradingExecute`: nbgrader's Execute step for autograde, with two changes.

- Its kernels start in Python's isolated mode (`python -I`, through
  `IsolatedKernelManager`, a jupyter_client kernel manager): the folder a kernel starts in
  is not on its import path, and no PYTHON* variable or user site-packages folder is read.
  The grading folder already holds nothing importable (grading_folder.py); this makes sure
  that even a file that got there could not be imported.
- Each notebook has a time limit, kernel start included (`notebook_timeout`). A kernel that
  dies, or stops answering until a cell or the notebook runs out of time, fails that
  learner's notebook with a message, and nbgrader goes on to the next learner. The course's
  cells are quick, so a time-out means the machine or the kernel is in trouble, not that
  the learner did something: the learner is reported as not graded (to grade again later),
  where nbgrader's own Execute interrupts a cell that runs out of time and goes on, so the
  cell scores 0 and the learner is graded as if they had not answered that item.

It also leaves out of the kernel's work the lesson's show cells, whose plain-text copy of an
item the grading process prints itself (shown_items.py, `print_shown_items`); and a kernel
that stops before it is ready, before any cell has run, is started once more (`KERNEL_STARTS`).
Jupyter's protocol has the grading process pick a kernel's ports and the kernel bind them a
moment later; with several workers starting kernels at once, another process now and then
takes a port in between, and the kernel stops with "Address already in use" (a known race:
jupyter/jupyter_client, nteract/papermill#511). Nothing of the notebook has run then, so a
new kernel on new ports grades it exactly as the first would have.
"""
from __future__ import annotations

import math
import os
import time
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory
from jupyter_core.utils import run_sync
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from .shown_items import ShownItems


KERNEL_STARTS = 2  # a kernel that stops before it is ready gets one more start, on new ports


class NotebookTimeout(RuntimeError):
    """A notebook's grading ran past its time limit."""


class IsolatedKernelManager(AsyncKernelManager):
    """Starts Python kernels as `python -I -m ipykernel_launcher ...`, through the kernel
    provisioner the course's config names (`c.KernelProvisionerFactory.default_provisioner_name`)."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            # jupyter_client asks its factory singleton, which never sees the config nbgrader
            # loaded; a factory made from this manager's config follows the course's choice
            # (a provisioner named in the kernelspec still comes first)
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = KernelProvisionerFactory(config=self.config).create_provisioner_instance(
                self.kernel_id, self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        language = getattr(self.kernel_spec, "language", "")
        if language.lower() != "python" or not os.path.basename(cmd[0]).startswith("python"):
            raise RuntimeError(f"grading runs only Python kernels started by a python executable, not {cmd[:3]}")
        if "-I" not in cmd[1:2]:
            cmd.insert(1, "-I")
        return cmd


class GradingExecute(Execute):
    """nbgrader's Execute in isolated kernels, with a time limit per notebook."""

    notebook_timeout = Integer(
        300,
        help="Most seconds one notebook's grading may take, kernel start included. Past it the notebook "
        "fails (nbgrader reports the learner as not graded) instead of scoring what had run.",
    ).tag(config=True)

    interrupt_on_timeout = Bool(
        False,
        help="A cell that runs out of time fails the notebook (False), rather than being interrupted and "
        "scored 0 while the rest runs (nbgrader's True).",
    ).tag(config=True)

    print_shown_items = Bool(
        True,
        help="The grading process prints each show cell's plain-text copy of an item itself, with the "
        "course's own Lesson.show, instead of a round trip to the kernel per cell (shown_items.py). "
        "The graded notebook is the same either way.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", IsolatedKernelManager)
        super().__init__(*args, **kwargs)
        self._deadline = None
        self._kernel_ready = False

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        folder = ((resources or {}).get("metadata") or {}).get("path") or "."  # where the kernel runs
        shown = None
        try:
            shown = ShownItems.take_out(nb, folder) if self.print_shown_items else None
            result = self._execute(nb, resources, km)
            if shown is not None and not shown.kernel_agrees():
                # the kernel opened the lesson differently (another size limit for the answers
                # file in its IPython settings, or an error): its own run of every cell counts
                self.log.warning("peercourse: the grading kernel opened %s differently from the grading process; "
                                 "running every cell in the kernel", (resources or {}).get("unique_key", "the notebook"))
                shown.give_back(nb)
                shown = None
                result = self._execute(nb, resources, km)
            return result
        except Exception as error:
            # one line that names the learner and the reason, which nbgrader's own closing
            # list of failures ("There was an error processing ...") does not give
            who = (resources or {}).get("nbgrader", {})
            reason = (str(error).strip().splitlines() or [""])[0]
            self.log.error("peercourse: %s / %s not graded: %s: %s", who.get("student", "?"), who.get("assignment", "?"),
                           type(error).__name__, reason)
            raise
        finally:
            self._deadline = None
            if shown is not None:
                shown.put_back(nb)

    def _execute(self, nb, resources, km):
        """nbgrader's run of the notebook; if the kernel stopped before it was ready (no cell
        has run), once more with a new kernel on new ports, and the log says so."""
        for start in range(1, KERNEL_STARTS + 1):
            self._kernel_ready = False
            try:
                return super().preprocess(nb, resources, km)
            except Exception as error:  # noqa: BLE001  re-raised unless it is a start to try again
                if self._kernel_ready or km is not None or start == KERNEL_STARTS or self._past_deadline():
                    raise
                reason = (str(error).strip().splitlines() or [""])[0]
                self.log.warning("peercourse: the grading kernel for %s stopped before it was ready (%s: %s); "
                                 "starting a new one", (resources or {}).get("unique_key", "the notebook"),
                                 type(error).__name__, reason)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        self._kernel_ready = True  # it answered kernel_info: from here a failure is the notebook's
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # what nbconvert's preprocess calls

    def _past_deadline(self) -> NotebookTimeout | None:
        if self._deadline is not None and time.monotonic() >= self._deadline:
            return NotebookTimeout(f"grading this notebook took longer than its limit of {self.notebook_timeout} s "
                                   "(GradingExecute.notebook_timeout)")
        return None

    def _get_timeout(self, cell):
        """The cell's own limit, or the time the notebook has left if that is less."""
        timeout = super()._get_timeout(cell)
        if self._deadline is None:
            return timeout
        if (late := self._past_deadline()) is not None:
            raise late
        remaining = math.ceil(self._deadline - time.monotonic())
        return max(1, min(timeout or remaining, remaining))

    async def _async_handle_timeout(self, timeout, cell=None):
        if (late := self._past_deadline()) is not None:  # the notebook's limit, not the cell's
            raise late
        return await super()._async_handle_timeout(timeout, cell)
