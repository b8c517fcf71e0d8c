"""Lessons released to a hub's exchange carry the language_info the learners' kernels report.

release/ is made once, for learners on many Pythons, so its notebooks carry almost no
language_info. JupyterLab fills it in as the kernel starts and marks the untouched lesson
changed, so closing it asked "Save your work?" for nothing. `make lab` mends the learner's
own copy (lab.match_kernel_language). On a hub, learners fetch from the exchange, and their
kernels run in the course's one environment, the same Python the grader's release command
runs in (deploy/setup-hub.sh). So `KernelInfoReleaseAssignment`, nbgrader's own
release_assignment for the default exchange (`c.ExchangeFactory.release_assignment` in
nbgrader_config.py), writes this Python's kernel language_info into each notebook it has
copied to the exchange, before nbgrader sets the exchange's permissions on them. Only that
metadata changes.
"""
from __future__ import annotations

from pathlib import Path

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment


class KernelInfoReleaseAssignment(ExchangeReleaseAssignment):
    def do_copy(self, src, dest):
        super().do_copy(src, dest)
        from ..lab import match_kernel_language

        for path in match_kernel_language(Path(dest)):
            self.log.info("Set the kernel's language_info in %s", path)
