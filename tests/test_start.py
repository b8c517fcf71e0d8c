"""start.py: setting up and opening the course without `make` (Windows, macOS). `make setup`
runs the same set-up, so every CI run, from a fresh clone, proves it installs a working course;
these tests pin down the rest: standard library only, the exact steps, and the way it opens."""
import importlib.util
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.fixture
def start():
    spec = importlib.util.spec_from_file_location("start", ROOT / "start.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_runs_on_a_bare_python_with_no_packages():
    # -I -S: no site-packages at all, as on a computer where nothing is installed yet
    shown = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "start.py"), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "Set up the course, then open it in JupyterLab." in shown.stdout and "--setup-only" in shown.stdout


def test_the_set_up_steps_are_the_pinned_install_and_the_isolated_kernel(start):
    python = str(ROOT / ".venv/bin/python")
    pins = str(ROOT / f"constraints/python{sys.version_info[0]}.{sys.version_info[1]}.txt")
    assert start.setup_steps(["instructor", "test"]) == [
        [sys.executable, "-m", "venv", str(ROOT / ".venv")],
        [python, "-m", "pip", "install", "--quiet", "--upgrade", "pip>=23.2"],
        [python, "-m", "pip", "install", "--quiet", "-c", pins, "-e", ".[instructor,test]"],
        [python, "-m", "jupyter", "kernelspec", "install", str(ROOT / "etc/kernels/python3"), "--sys-prefix", "--replace",
         "--name", "python3"],
    ]
    assert start.setup_steps([])[2][-1] == "."  # a learner gets the course's own packages only


def test_on_windows_the_environment_python_is_in_scripts(start, monkeypatch):
    monkeypatch.setattr(start.os, "name", "nt")
    assert start.venv_python() == ROOT / ".venv" / "Scripts" / "python.exe"


def test_once_set_up_it_opens_the_course_at_once_and_otherwise_sets_up_first(start, monkeypatch):
    ran, opened = [], []
    monkeypatch.setattr(start, "setup", lambda extras: ran.append(extras))
    monkeypatch.setattr(start.os, "execv", lambda path, command: opened.append(command))
    monkeypatch.setattr(start.os, "chdir", lambda path: None)
    monkeypatch.setattr(start, "up_to_date", lambda: True)
    start.main([])
    assert ran == [] and opened == [[str(start.venv_python()), "-m", "peercourse.cli", "--course", str(ROOT), "lab",
                                     "--workspace", "workspace"]]
    monkeypatch.setattr(start, "up_to_date", lambda: False)
    start.main([])
    assert ran == [[]] and len(opened) == 2
    assert start.main(["--setup-only", "--extras", "instructor,browser,test"]) == 0
    assert ran == [[], ["instructor", "browser", "test"]] and len(opened) == 2


def test_make_setup_runs_start_py():
    makefile = (ROOT / "Makefile").read_text()
    assert "\t$(PYTHON) start.py --setup-only --extras instructor,browser,test,site,cluster\n" in makefile


def test_the_one_line_start_opens_the_course_and_runs_a_lesson(tmp_path):
    """tests/start_smoke.py, as GitHub's Windows and macOS machines run it too
    (.github/workflows/start.yml): start.py serves the learner's workspace with the learner's
    settings, Lesson 1 runs from end to end and is graded for self-study, and the server
    stops when asked."""
    import psutil

    workspace = tmp_path / "workspace"
    done = subprocess.run([sys.executable, str(ROOT / "tests/start_smoke.py"), str(workspace)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"start.py: the course opened from {workspace}, with the learner's settings, Lesson 1 ran and was graded"
    left = [p.pid for p in psutil.process_iter(["cwd"]) if (p.info.get("cwd") or "").startswith(str(tmp_path))]
    assert left == []
