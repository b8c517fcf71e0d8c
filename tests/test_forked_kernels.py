"""Grading kernels forked from the kernel template (nbgrader_hooks/forked_kernels.py,
kernel_template.py): each notebook gets its own new process, none of one notebook's state
reaches the next, the course's config selects them, and when the template cannot serve,
kernels start normally and the log says so once."""
from __future__ import annotations

import copy
import logging
import os

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

from peercourse.course_config import load_config
from peercourse.nbgrader_hooks import GradingExecute, IsolatedKernelManager
from peercourse.nbgrader_hooks.execute import NotebookTimeout
from peercourse.nbgrader_hooks.forked_kernels import ForkedKernelProvisioner, close_templates, launcher_of

from conftest import ROOT


@pytest.fixture
def course_config():
    """The kernel settings of the course's own nbgrader_config.py, and a fresh template for
    each test (stopped after it, with whatever it forked)."""
    close_templates()
    yield load_config(ROOT)
    close_templates()


def run(cells: list[str], config, folder) -> list[str]:
    """Run `cells` as one notebook the way grading does; each cell's printed text."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=60, kernel_name="python3", kernel_manager_class=IsolatedKernelManager, config=config,
                   shutdown_kernel="immediate", resources={"metadata": {"path": str(folder)}}).execute()
    return ["".join(output.get("text", "") for output in cell.outputs).strip() for cell in nb.cells]


def template_pids() -> list[int]:
    return [child.pid for child in psutil.Process().children() if "peercourse.kernel_template" in child.cmdline()]


WHO = "import os, sys; print(os.getpid(), os.getppid(), 'peercourse.lesson' in sys.modules)"
LEAVE_STATE = ("import os, json, peercourse; os.environ['LEFT_BY_A'] = 'a'; peercourse.left_by_a = 'a'; "
               "json.left_by_a = 'a'; __builtins__.left_by_a = 'a'; print('left')")
LOOK_FOR_STATE = ("import os, json, builtins, peercourse; print(os.environ.get('LEFT_BY_A'), "
                  "getattr(peercourse, 'left_by_a', None), getattr(json, 'left_by_a', None), "
                  "getattr(builtins, 'left_by_a', None))")


def test_each_notebook_gets_a_new_forked_process_that_sees_nothing_of_the_one_before(course_config, tmp_path):
    first = run([WHO, LEAVE_STATE, LOOK_FOR_STATE], course_config, tmp_path)
    second = run([WHO, LOOK_FOR_STATE], course_config, tmp_path)
    assert first[1:] == ["left", "a a a a"]  # the state was really left, in the first kernel
    assert second[1] == "None None None None"  # and none of it reached the second
    (pid_a, parent_a, preloaded_a), (pid_b, parent_b, preloaded_b) = first[0].split(), second[0].split()
    [template] = template_pids()
    # both forked from the one template (not started by this process), each a process of its own,
    # and both found the course's modules imported before any cell ran
    assert (int(parent_a), int(parent_b)) == (template, template)
    assert pid_a != pid_b and int(pid_a) != template and (preloaded_a, preloaded_b) == ("True", "True")
    assert not psutil.pid_exists(int(pid_a)) and not psutil.pid_exists(int(pid_b))  # both stopped, and reaped


def test_a_forked_kernel_is_as_isolated_as_a_started_one(course_config, tmp_path):
    (tmp_path / "decimal.py").write_text("raise SystemExit('imported from the folder')")
    (tmp_path / "sitecustomize.py").write_text("raise SystemExit('imported from the folder')")
    [printed] = run(["import sys, os, decimal\nprint(sys.flags.isolated, os.getcwd(), os.getcwd() in sys.path, "
                     "'' in sys.path, decimal.__file__, os.environ.get('JPY_PARENT_PID'))"], course_config, tmp_path)
    flag, cwd, cwd_on_path, empty_on_path, where, parent = printed.split()
    assert (flag, cwd, cwd_on_path, empty_on_path) == ("1", str(tmp_path), "False", "False")
    assert not where.startswith(str(tmp_path))
    assert parent == str(os.getpid())  # the environment jupyter_client made for this kernel, not the template's


def test_a_forked_kernel_past_the_notebook_limit_is_killed_with_what_it_started(course_config, tmp_path):
    marker = tmp_path / "pids"
    cells = [f"import os, subprocess, sys, time; child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
             f"open({str(marker)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}'); time.sleep(60)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    config = copy.deepcopy(course_config)
    config.Execute.on_notebook_start = None  # this cell is not one of the course's: let it run
    with pytest.raises(NotebookTimeout):
        GradingExecute(config=config, notebook_timeout=4, timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    kernel, child = map(int, marker.read_text().split())
    gone, alive = psutil.wait_procs([p for p in (psutil.Process(pid) for pid in (kernel, child) if psutil.pid_exists(pid))], timeout=10)
    assert alive == []  # the kernel's whole process group went with it


def test_when_the_template_cannot_serve_kernels_start_normally_and_the_log_says_so_once(tmp_path, caplog):
    close_templates()
    config = load_config(ROOT)
    config.ForkedKernelProvisioner.ready_timeout = 0.001  # no template imports ipykernel that fast
    try:
        with caplog.at_level(logging.WARNING):
            outputs = [run([WHO], config, tmp_path)[0] for _ in range(2)]
    finally:
        close_templates()
    parents = {int(printed.split()[1]) for printed in outputs}
    assert parents == {os.getpid()}  # started by this process, as jupyter_client starts a kernel
    said = [r.getMessage() for r in caplog.records if "without the kernel template" in r.getMessage()]
    assert said == ["peercourse: starting grading kernels normally, without the kernel template: "
                    "the template was not ready within 0.001 s"]
    assert template_pids() == []  # the one that was too slow was stopped


@pytest.fixture
def taken_port(monkeypatch):
    """A port another process holds, handed to the next kernel (or every kernel, if told) as
    its control port: the race Jupyter's port choice loses now and then with several workers."""
    import socket

    from jupyter_client.connect import LocalPortCache

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port, handed = holder.getsockname()[1], {"times": 1}
    real = LocalPortCache.find_available_port
    calls = []

    def find_available_port(self, ip):
        calls.append(ip)
        if len(calls) % 5 == 0 and handed["times"] > 0:  # the fifth of a kernel's five ports: its control port
            handed["times"] -= 1
            return port
        return real(self, ip)

    monkeypatch.setattr(LocalPortCache, "find_available_port", find_available_port)
    yield handed
    holder.close()


def test_a_kernel_that_loses_its_port_before_it_is_ready_is_started_again_once(course_config, tmp_path, taken_port, caplog):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WHO)])
    config = copy.deepcopy(course_config)
    config.Execute.on_notebook_start = None  # this cell is not one of the course's: let it run
    with caplog.at_level(logging.WARNING):
        GradingExecute(config=config, timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)},
                                                                         "unique_key": "ana/lesson-1"})
    pid, parent, preloaded = nb.cells[0].outputs[0]["text"].split()
    assert (int(parent), preloaded) == (template_pids()[0], "True") and nb.cells[0].execution_count == 1
    said = [r.getMessage() for r in caplog.records if "before it was ready" in r.getMessage()]
    assert said == ["peercourse: the grading kernel for ana/lesson-1 stopped before it was ready "
                    "(RuntimeError: Kernel died before replying to kernel_info); starting a new one"]


def test_a_kernel_that_cannot_start_twice_fails_the_notebook(course_config, tmp_path, taken_port, caplog):
    taken_port["times"] = 2
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WHO)])
    with caplog.at_level(logging.WARNING), pytest.raises(RuntimeError, match="^Kernel died before replying to kernel_info$"):
        GradingExecute(config=course_config, timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert len([r for r in caplog.records if "before it was ready" in r.getMessage()]) == 1
    assert nb.cells[0].outputs == []


def test_only_python_kernels_started_as_a_module_are_forked():
    assert launcher_of(["/usr/bin/python3", "-I", "-m", "ipykernel_launcher", "-f", "k.json"]) == ["/usr/bin/python3", "-I"]
    assert launcher_of(["/usr/bin/python3", "-m", "ipykernel_launcher"]) is None  # nothing after it to pass on
    assert launcher_of(["/usr/bin/python3", "-m", "ipykernel", "-f", "k.json"]) is None
    assert launcher_of(["/usr/bin/ir", "-m", "ipykernel_launcher", "-f", "k.json"]) is None
    assert launcher_of(["/usr/bin/python3", "-c", "-m", "ipykernel_launcher", "-f"]) is None  # -m is -c's code here
    assert launcher_of(["/usr/bin/python3", "-X", "dev", "-m", "ipykernel_launcher", "-f"]) is None


def test_the_course_selects_the_forked_kernels_for_autograde_and_validate():
    config = load_config(ROOT)
    assert config.KernelProvisionerFactory.default_provisioner_name == "peercourse-forked"
    assert config.Execute.kernel_manager_class is IsolatedKernelManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    # registered where jupyter_client looks (pyproject.toml's entry points)
    entries = KernelProvisionerFactory().get_provisioner_entries()
    assert entries["peercourse-forked"] == "peercourse.nbgrader_hooks.forked_kernels:ForkedKernelProvisioner"
    assert ForkedKernelProvisioner.__module__ == "peercourse.nbgrader_hooks.forked_kernels"
