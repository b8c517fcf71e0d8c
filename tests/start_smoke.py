"""The one line a learner without `make` types (`py start.py`, `python3 start.py`), run as they
would and checked from outside: set-up (the first time), then the course served from their
workspace with the learner's settings, Lesson 1 run from end to end, and Lesson 1 graded for
self-study. Standard library only.

Run by tests/test_start.py here, and by .github/workflows/start.yml on GitHub's Windows and
macOS machines, where the course's CI cannot go.

    python tests/start_smoke.py [WORKSPACE]
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LESSON = "lesson-1/lived-experience.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, token: str, method: str, path: str, body: dict | None = None):
    request = urllib.request.Request(f"{base}/{path}", method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = response.read()
    return json.loads(data) if data[:1] in (b"{", b"[") else data.decode()


def until(condition, what: str, seconds: float, server: subprocess.Popen, log: Path):
    """Wait for `condition` (a server that answers), or stop with start.py's output."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{what}: not within {seconds:.0f} s\n--- start.py's output ---\n" + log.read_text(errors="replace"))
        time.sleep(0.5)


def stop(server: subprocess.Popen) -> None:
    """The server and everything it started (on Windows start.py waits on the server as a child)."""
    if server.poll() is None:
        if os.name == "nt":
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(server.pid)], capture_output=True)
        else:
            server.terminate()  # start.py has become the server, which stops its kernels on SIGTERM
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main(argv: list[str]) -> int:
    workspace = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="peercourse-start-")) / "workspace"
    port, token = free_port(), secrets.token_hex(12)
    log = workspace.parent / "start-smoke.log"
    workspace.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, str(HERE / "start.py"), "--workspace", str(workspace), "--no-browser",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"],
            cwd=HERE, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        # the first run sets up .venv, which takes minutes
        until(lambda: call(base, token, "GET", "api/status"), "the course's server answering", 1800, server, log)
        assert (workspace / LESSON).is_file(), f"{LESSON} was not copied into {workspace}"
        page = call(base, token, "GET", "lab")
        config = json.loads(page.split('id="jupyter-config-data" type="application/json">')[1].split("</script>")[0])
        extensions = [e["name"] for e in config["federated_extensions"]]
        assert "peercourse-learner" in extensions, extensions
        assert "@jupyter/nbgrader:formgrader" in config["disabledExtensions"], config["disabledExtensions"]
        # Lesson 1 runs, every cell, in the course's own kernel (python -I, from .venv)
        python = HERE / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        ran = subprocess.run([str(python), "-m", "jupyter", "execute", LESSON], cwd=workspace,
                             capture_output=True, text=True, timeout=600)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        # "Grade my answers" as a learner studying alone presses it: nbgrader grades the
        # lesson with the course's keys and writes the feedback page beside it
        graded = subprocess.run([str(python), "-m", "peercourse.cli", "--course", str(HERE), "feedback", Path(LESSON).parent.name,
                                 "--workspace", str(workspace)], cwd=HERE, capture_output=True, text=True, timeout=600)
        assert graded.returncode == 0, graded.stdout + graded.stderr
        page = Path(LESSON).parent / "feedback" / Path(LESSON).with_suffix(".html").name
        assert (workspace / page).is_file(), graded.stdout
        print(f"start.py: the course opened from {workspace}, with the learner's settings, Lesson 1 ran and was graded")
        return 0
    finally:
        stop(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
