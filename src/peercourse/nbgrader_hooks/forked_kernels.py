"""`ForkedKernelProvisioner`: grading kernels forked from a kernel template
(kernel_template.py) instead of started from nothing.

A jupyter_client kernel provisioner, registered as `peercourse-forked` and chosen in the
course's nbgrader_config.py (`c.KernelProvisionerFactory.default_provisioner_name`), so
`nbgrader autograde`, `nbgrader validate` and `peercourse autograde` all use it. Each
notebook still gets its own new process that no other notebook's code has touched; what
it skips is importing Python, ipykernel and the course again (docs/performance.md).

It stands in for jupyter_client's LocalProvisioner, which it extends: the connection file,
ports, environment and folder are prepared exactly as for a local kernel, and only the
last step differs. If the kernel's command is not `PYTHON [FLAGS] -m ipykernel_launcher`,
it is started normally. If the template cannot start or stops answering, the kernel is
started normally too, and the log says so once per process.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import signal
import subprocess
import threading

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Float, List, Unicode

from ..kernel_template import KernelTemplate, TemplateUnavailable

# What a grading kernel imports on its way to running the course's cells. Each fork finds
# them already imported; none of them runs course code as it is imported.
PRELOAD = [
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.comm", "ipykernel.iostream",
    "ipykernel.debugger", "IPython.core.interactiveshell", "IPython.core.completer", "IPython.core.history",
    "jupyter_client.session", "zmq.eventloop.zmqstream", "tornado.ioloop", "asyncio", "sqlite3", "psutil", "pdb",
    "json", "yaml", "peercourse", "peercourse.lesson", "peercourse.responses", "peercourse.itembank",
    "peercourse.items",
]


class ForkedProcess:
    """The part of subprocess.Popen that LocalProvisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, template: KernelTemplate, pid: int):
        self.template, self.pid = template, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.template.returncode(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            self.returncode = self.template.wait(self.pid, timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_templates: dict[tuple, KernelTemplate] = {}
_unavailable: dict[tuple, str] = {}  # templates that could not start, and why
_said: set[tuple] = set()  # launchers whose fallback the log has named
_lock = threading.Lock()


def _forget_after_fork() -> None:
    # a process forked from a grader (a worker) starts its own template, if it needs one:
    # the parent's connection is not its to use
    global _lock
    _templates.clear()
    _unavailable.clear()
    _said.clear()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def close_templates() -> None:
    """Stop this process's templates (at exit, and in tests)."""
    with _lock:
        for template in _templates.values():
            template.close()
        _templates.clear()
        _unavailable.clear()
        _said.clear()


atexit.register(close_templates)


# Interpreter flags that take no value: a template started with them is the same Python
# the kernel's own command would start. Any other flag (-c, -W, -X ...) starts the kernel normally.
PLAIN_FLAGS = {"-I", "-E", "-s", "-S", "-B", "-u", "-O", "-OO", "-P", "-q", "-R", "-b", "-bb"}


def launcher_of(cmd: list[str]) -> list[str] | None:
    """`PYTHON [FLAGS]` of a `PYTHON [FLAGS] -m ipykernel_launcher ARGS` command, else None."""
    if not cmd or not os.path.basename(cmd[0]).startswith("python"):
        return None
    at = 1
    while at < len(cmd) and cmd[at] in PLAIN_FLAGS:
        at += 1
    if cmd[at:at + 2] == ["-m", "ipykernel_launcher"] and len(cmd) > at + 2:
        return cmd[:at]
    return None


class ForkedKernelProvisioner(LocalProvisioner):
    """Python kernels forked from a template process that has imported ipykernel and the course."""

    preload = List(
        Unicode(), default_value=PRELOAD,
        help="Modules the kernel template imports once, so that each forked kernel finds them imported. "
        "Only modules whose import runs no course or learner code belong here.",
    ).tag(config=True)

    ready_timeout = Float(
        60.0,
        help="Most seconds to wait for the kernel template's imports. Past it, kernels start normally.",
    ).tag(config=True)

    async def launch_kernel(self, cmd: list[str], **kwargs):
        launcher = launcher_of(cmd)
        if launcher is None or not hasattr(os, "fork"):
            return await super().launch_kernel(cmd, **kwargs)
        try:
            template = await asyncio.get_running_loop().run_in_executor(None, self._template, launcher)
            opened = [os.open(os.devnull, os.O_RDWR)]  # the kernel reads nothing from stdin
            stdio = [opened[0], *(self._stream(kwargs.get(name), fd, opened) for name, fd in (("stdout", 1), ("stderr", 2)))]
            try:
                env = dict(kwargs.get("env") or os.environ)
                if not kwargs.get("independent"):
                    env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
                cwd = kwargs.get("cwd") or os.getcwd()
                pid = template.fork(cmd[len(launcher) + 2:], cwd, env, stdio)
            finally:
                for descriptor in opened:  # the kernel holds its own copies now
                    os.close(descriptor)
        except TemplateUnavailable as why:
            self._say_once(launcher, str(why))
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(template, pid)
        self.pid = self.pgid = pid  # the kernel leads its own process group (setsid)
        self.cwd = kwargs.get("cwd") or os.getcwd()
        return self.connection_info

    def _template(self, launcher: list[str]) -> KernelTemplate:
        key = (tuple(launcher), tuple(self.preload))
        with _lock:
            if key in _unavailable:
                raise TemplateUnavailable(_unavailable[key])
            template = _templates.get(key)
            if template is None or template.closed:
                try:
                    template = _templates[key] = KernelTemplate(launcher, self.preload, self.ready_timeout)
                except TemplateUnavailable as why:
                    _unavailable[key] = str(why)
                    raise
                if template.failed_imports:
                    self.log.warning("peercourse: the kernel template could not import %s",
                                     "; ".join(template.failed_imports))
            return template

    def _say_once(self, launcher: list[str], why: str) -> None:
        if tuple(launcher) not in _said:
            _said.add(tuple(launcher))
            self.log.warning("peercourse: starting grading kernels normally, without the kernel template: %s", why)

    @staticmethod
    def _stream(given, default_fd: int, opened: list[int]) -> int:
        """Where a kernel's stdout or stderr goes: what the caller gave Popen, else ours."""
        if given is None:
            return default_fd
        if hasattr(given, "fileno"):
            return given.fileno()
        if given == subprocess.DEVNULL:
            opened.append(os.open(os.devnull, os.O_WRONLY))
            return opened[-1]
        if isinstance(given, int) and given >= 0:
            return given
        return default_fd

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart)
        await self._settle()

    async def _settle(self, limit: float = 2.0) -> None:
        """Return once a killed kernel is gone, so jupyter_client's first check finds it ended
        instead of sleeping 0.1 s and looking again."""
        if isinstance(self.process, ForkedProcess):
            process = self.process
            await asyncio.get_running_loop().run_in_executor(None, process.wait, limit)

    async def wait(self) -> int | None:
        if isinstance(self.process, ForkedProcess):
            process = self.process
            while await self.poll() is None:
                await asyncio.get_running_loop().run_in_executor(None, process.wait, 0.1)
            self.process = None
            return process.returncode
        return await super().wait()
