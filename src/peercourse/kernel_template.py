"""A kernel template: one Python process that has imported ipykernel and the course's
modules once, and forks a fresh kernel process for each notebook that grading runs.

A new kernel normally spends most of its start importing Python's standard library,
IPython, ipykernel, zmq and the course (docs/performance.md). The template pays that once
per grading process. For each kernel it forks: the child is a new process, with its own
memory copied from a template that has never run a notebook's cell, so nothing one
notebook does (a module global, an environment variable, a file handle) can reach the
next. The template only imports modules: it never builds a kernel, opens a socket to a
kernel or starts a thread, so each child starts from the same clean state a fresh
`python -m ipykernel_launcher` would reach after its imports.

Two halves, one protocol:

- `serve()` runs in the template process (`python -I -m peercourse.kernel_template FD`,
  with the same interpreter and flags as the kernel's own command). It reads requests
  from the grading process on the socket FD: each holds the kernel's arguments, folder,
  environment and standard streams (passed as file descriptors). It answers each with
  the new kernel's process id, and tells of every kernel that ends with its exit code.
- `KernelTemplate` runs in the grading process: it starts the template, asks it for
  kernels and keeps the exit codes. `nbgrader_hooks/forked_kernels.py` is the jupyter_client
  provisioner that uses it.

Each message is a 4-byte length and a JSON object. If the grading process goes away, the
template sees its socket close, kills the kernels it forked and exits; a kernel whose
template goes away exits too (ipykernel's parent poller, given the template's pid).
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

_HEADER = struct.Struct("!I")


class TemplateUnavailable(RuntimeError):
    """The template could not start, or stopped answering: start this kernel normally."""


def _send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    sent = socket.send_fds(sock, [data], list(fds)) if fds else sock.send(data)
    if sent < len(data):
        sock.sendall(data[sent:])


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks += chunk
    return chunks


def _receive(sock: socket.socket, max_fds: int = 0) -> tuple[dict, list[int]]:
    """One message, and the file descriptors sent with it."""
    if max_fds:
        # the descriptors travel with the first bytes of their message: the header
        header, fds, _flags, _addr = socket.recv_fds(sock, _HEADER.size, max_fds)
        if not header:
            raise EOFError("the other end closed the connection")
        header += _recv_exact(sock, _HEADER.size - len(header))
    else:
        header, fds = _recv_exact(sock, _HEADER.size), []
    (size,) = _HEADER.unpack(header)
    return json.loads(_recv_exact(sock, size)), list(fds)


# ---------------------------------------------------------------------------------------
# The template process


def serve(fd: int, preload: list[str]) -> None:
    """The template's life: import, say ready, then fork a kernel per request."""
    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C at the grader's terminal is the grader's to handle
    failed = []
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module that cannot load is imported by the kernel itself, if it needs it
            failed.append(f"{name}: {type(error).__name__}: {error}")
    # Forking is safe only while this process is one thread with no open kernel sockets:
    # what the imports above must not have changed.
    threads = threading.active_count()
    try:
        _send(sock, {"ready": threads == 1, "threads": threads, "failed": failed, "pid": os.getpid()})
    except OSError:
        return  # the grading process stopped waiting for us
    if threads != 1:
        return

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select() through the pipe
    children: set[int] = set()
    try:
        while True:
            ready, _, _ = select.select([sock, wake_r], [], [])
            if wake_r in ready:
                os.read(wake_r, 4096)
                _report_exits(sock, children)
            if sock in ready:
                try:
                    request, fds = _receive(sock, max_fds=3)
                except (EOFError, OSError):
                    return  # the grading process is gone
                sys.stdout.flush()
                sys.stderr.flush()
                try:
                    pid = os.fork()
                except OSError as error:  # no process left to be had: the grader starts this one normally
                    _send(sock, {"id": request.get("id"), "error": f"fork failed: {error}"})
                    pid = None
                if pid == 0:
                    _become_kernel(request, fds, closing=[sock.fileno(), wake_r, wake_w])
                for descriptor in fds:
                    os.close(descriptor)
                if pid is not None:
                    children.add(pid)
                    _send(sock, {"pid": pid, "id": request.get("id")})
                _report_exits(sock, children)
    except OSError:
        return  # the grading process is gone: nobody to answer
    finally:
        for pid in children:  # kernels outlive no grader
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def _report_exits(sock: socket.socket, children: set[int]) -> None:
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            children.discard(pid)
            _send(sock, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _become_kernel(request: dict, fds: list[int], closing: list[int]) -> None:
    """In the forked child: turn into `python -m ipykernel_launcher ARGS`, never return."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client starts a local kernel
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for descriptor in closing:
            os.close(descriptor)
        for target, descriptor in zip((0, 1, 2), fds):
            os.dup2(descriptor, target)
        for descriptor in fds:
            if descriptor > 2:
                os.close(descriptor)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # the template stands in for the grading process as this kernel's parent: if it goes,
        # the kernel goes (ipykernel read JPY_PARENT_PID when the template imported it)
        sys.argv = ["ipykernel_launcher", *request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        import runpy

        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# ---------------------------------------------------------------------------------------
# The grading process's side


class KernelTemplate:
    """A running template process, and the kernels it forked for this process."""

    def __init__(self, launcher: list[str], preload: list[str], ready_timeout: float = 60.0):
        self.launcher, self.preload = list(launcher), list(preload)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock = ours
        self._lock = threading.Lock()
        self._exited: dict[int, int] = {}
        self._replies: dict[int, dict] = {}
        self._requests = 0
        self.closed = False
        try:
            self.process = subprocess.Popen(
                [*self.launcher, "-m", "peercourse.kernel_template", str(theirs.fileno()), *self.preload],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                # as jupyter_client sets for every kernel: debugpy (imported for ipykernel's
                # debugger) otherwise warns on stderr about Python's frozen modules
                env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
            )
        except OSError as error:
            ours.close()
            raise TemplateUnavailable(f"could not start {self.launcher[0]}: {error}") from None
        finally:
            theirs.close()
        ours.settimeout(ready_timeout)
        try:
            hello, _ = _receive(ours)
        except socket.timeout:
            self.close(kill=True)
            raise TemplateUnavailable(f"the template was not ready within {ready_timeout:g} s") from None
        except (EOFError, OSError) as error:
            self.close(kill=True)
            raise TemplateUnavailable(f"the template did not start ({error})") from None
        ours.settimeout(None)
        self.pid = self.process.pid
        self.failed_imports = hello.get("failed", [])
        if not hello.get("ready"):
            self.close(kill=True)
            raise TemplateUnavailable(f"the template's imports started {hello.get('threads')} threads, so it cannot fork safely")

    def fork(self, argv: list[str], cwd: str, env: dict[str, str], stdio: list[int], timeout: float = 30.0) -> int:
        """A new kernel process running `ipykernel_launcher argv`; its pid."""
        with self._lock:
            if self.closed:
                raise TemplateUnavailable("the template has stopped")
            self._requests += 1
            number = self._requests
            try:
                _send(self._sock, {"id": number, "argv": list(argv), "cwd": str(cwd), "env": dict(env)}, stdio)
                deadline = time.monotonic() + timeout
                while number not in self._replies:
                    if not self._read(max(0.0, deadline - time.monotonic())) and time.monotonic() >= deadline:
                        raise TemplateUnavailable(f"the template did not fork a kernel within {timeout:g} s")
            except (EOFError, OSError) as error:
                self._stop()
                raise TemplateUnavailable(f"the template stopped answering ({error})") from None
            reply = self._replies.pop(number)
            if "error" in reply:
                raise TemplateUnavailable(reply["error"])
            return reply["pid"]

    def returncode(self, pid: int) -> int | None:
        """The kernel's exit code once it has ended, else None."""
        with self._lock:
            if pid not in self._exited and not self.closed:
                try:
                    while self._read(0.0):
                        pass
                except (EOFError, OSError):
                    self._stop()
            if pid not in self._exited and self.closed and not _exists(pid):
                self._exited[pid] = -signal.SIGKILL  # the template killed it as it stopped
            return self._exited.get(pid)

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """Wait (at most `timeout` seconds) for the kernel to end; its exit code, or None."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.returncode(pid)) is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            if self.closed:
                time.sleep(0.01)
                continue
            with self._lock:
                try:
                    self._read(0.05 if left is None else min(0.05, left))
                except (EOFError, OSError):
                    self._stop()
        return code

    def _read(self, timeout: float) -> bool:
        """Take in one message if one comes within `timeout` seconds (lock held)."""
        ready, _, _ = select.select([self._sock], [], [], timeout)
        if not ready:
            return False
        message, _ = _receive(self._sock)
        if "exited" in message:
            self._exited[message["exited"]] = message["code"]
        elif "id" in message:
            self._replies[message["id"]] = message
        return True

    def _stop(self) -> None:
        self.closed = True
        try:
            self._sock.close()
        except OSError:
            pass

    def close(self, timeout: float = 10.0, kill: bool = False) -> None:
        """Stop the template (it kills any kernel of ours still running); `kill` for one
        that has forked nothing yet."""
        self._stop()
        if kill:
            self.process.kill()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2:])
