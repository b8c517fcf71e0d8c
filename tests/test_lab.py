"""`make lab`'s set-up: the learner's workspace and JupyterLab's first layout.
(The browser test opens the course it serves: tests/test_browser.py.)"""
import json
import sys

from peercourse import lab


def make_release(root):
    for name, text in {"lesson-0/start-here.ipynb": "start", "lesson-1/lived-experience.ipynb": "one",
                       "lesson-2/empathy.ipynb": "two"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_new_lessons_are_copied_and_the_learners_own_files_are_never_replaced(tmp_path):
    release = make_release(tmp_path / "release")
    workspace = tmp_path / "workspace"
    (workspace / "lesson-1").mkdir(parents=True)
    (workspace / "lesson-1/lived-experience.ipynb").write_text("the learner's notes")
    (workspace / "lesson-1/lived-experience.responses.json").write_text("{}")
    copied = lab.copy_new_lessons(release, workspace)
    assert copied == [workspace / "lesson-0/start-here.ipynb", workspace / "lesson-2/empathy.ipynb"]
    assert (workspace / "lesson-1/lived-experience.ipynb").read_text() == "the learner's notes"
    assert (workspace / "lesson-1/lived-experience.responses.json").read_text() == "{}"
    assert lab.copy_new_lessons(release, workspace) == []


def test_the_first_layout_opens_start_here_then_lesson_1_and_is_imported_once(tmp_path):
    workspace = make_release(tmp_path / "workspace")
    lab.seed_layout(workspace)
    saved = list((workspace / lab.LAYOUTS).iterdir())
    assert [path.suffix for path in saved] == [".jupyterlab-workspace"]
    layout = json.loads(saved[0].read_text())
    assert layout["metadata"]["id"] == "default"
    assert layout["data"]["layout-restorer:data"]["main"]["dock"]["widgets"] == [
        "notebook:lesson-0/start-here.ipynb", "notebook:lesson-1/lived-experience.ipynb"]
    assert layout["data"]["notebook:lesson-1/lived-experience.ipynb"] == {
        "data": {"path": "lesson-1/lived-experience.ipynb", "factory": "Notebook"}}

    saved[0].write_text('{"data": {}, "metadata": {"id": "default"}}')  # the learner's own layout since
    lab.seed_layout(workspace)
    assert [path.name for path in (workspace / lab.LAYOUTS).iterdir()] == [saved[0].name]
    assert saved[0].read_text() == '{"data": {}, "metadata": {"id": "default"}}'


def test_jupyterlab_serves_the_whole_workspace_and_keeps_layouts_in_it(tmp_path):
    command = lab.lab_command(tmp_path, ["--no-browser"])
    assert command[1:5] == ["-m", "jupyterlab", f"--ServerApp.root_dir={tmp_path}",
                            f"--LabApp.workspaces_dir={tmp_path / lab.LAYOUTS}"]
    assert command[-1] == "--no-browser"


def test_stopping_peercourse_lab_stops_its_server(tmp_path):
    """`peercourse lab` becomes the JupyterLab server: SIGTERM to it ends the server, and
    nothing is left running (it used to leave JupyterLab behind, without its parent). On the
    way: what the learner's terminal shows, and the learner's own server settings at work."""
    import json
    import os
    import secrets
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    import psutil

    from conftest import ROOT, free_port

    port = free_port()
    token, workspace = secrets.token_hex(8), tmp_path / "workspace"
    log = open(tmp_path / "lab.log", "w")
    started = subprocess.Popen(
        [sys.executable, "-m", "peercourse.cli", "--course", str(ROOT), "lab", "--workspace", str(workspace),
         "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, JUPYTER_PLATFORM_DIRS="1"))
    try:
        deadline = time.monotonic() + 90
        while True:  # wait until the server answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and started.poll() is None, (tmp_path / "lab.log").read_text()
                time.sleep(0.3)
        assert psutil.Process(started.pid).cwd() == str(workspace)  # the server itself, in the workspace
        base = f"http://127.0.0.1:{port}"
        # A short banner that says how to stop, and none of the server's INFO log
        shown = (tmp_path / "lab.log").read_text()
        assert "To stop the course: come back to this window and press Ctrl+C twice." in shown
        assert f"Your answers are saved as you go, in {workspace}" in shown
        assert "[I " not in shown and "[W " not in shown, shown
        # No instructors' panels or menus: the nbgrader parts a learner has no use for are off
        page = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10).read().decode()
        config = json.loads(page.split('id="jupyter-config-data" type="application/json">')[1].split("</script>")[0])
        disabled = config["disabledExtensions"]
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list",
                "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"} <= set(disabled)
        # The course's own extension, loaded from the package, in place of JupyterLab's cell executor
        assert "@jupyterlab/notebook-extension:cell-executor" in disabled
        (ours,) = [e for e in config["federated_extensions"] if e["name"] == "peercourse-learner"]
        served = urllib.request.urlopen(f"{base}/lab/extensions/peercourse-learner/{ours['load']}?token={token}", timeout=10)
        assert served.status == 200 and b'_JUPYTERLAB)["peercourse-learner"]' in served.read()
        try:
            urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=10)
            formgrader = 200
        except urllib.error.HTTPError as error:
            formgrader = error.code
        assert formgrader == 404
        # The saving hook: a notebook saved with a widget view keeps a plain line in its place
        from peercourse.notebook_saving import RUN_ALL_LINE, WIDGET_VIEW
        view = {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"}, "text/plain": "VBox(...)"}
        notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "id": "c1", "metadata": {}, "source": "lesson.show('x')", "execution_count": 1,
             "outputs": [{"output_type": "display_data", "metadata": {}, "data": view}]}]}
        request = urllib.request.Request(
            f"{base}/api/contents/saved.ipynb?token={token}", method="PUT",
            data=json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode())
        urllib.request.urlopen(request, timeout=10)
        import nbformat
        saved = nbformat.read(workspace / "saved.ipynb", as_version=4)
        assert saved.cells[0].outputs[0].data == {"text/plain": RUN_ALL_LINE}
        # Validate answers in the course's words: the item's title where nbgrader shows its code
        request = urllib.request.Request(
            f"{base}/assignments/validate?path=lesson-1/lived-experience.ipynb", method="POST", data=b"",
            headers={"Authorization": f"token {token}"})
        result = json.loads(urllib.request.urlopen(request, timeout=120).read())
        assert result["success"] is True
        failed = result["value"]["failed"]
        assert len(failed) == 12  # Lesson 1's twelve graded items, reflections too, none answered yet
        assert failed[0]["source"] == 'The item "Keeping your history out of it?" (l1-g01)'
        assert failed[0]["raw_error"] == (
            "l1-g01 has no complete answer yet.\n('Keeping your history out of it?')\nAnswer it above, then validate again.\n")
        assert "lesson." not in json.dumps(result)
        started.send_signal(signal.SIGTERM)
        assert started.wait(30) is not None
    finally:
        if started.poll() is None:
            started.kill()
            started.wait()
        log.close()
    left = [p for p in psutil.process_iter(["cwd"]) if (p.info.get("cwd") or "").startswith(str(workspace))]
    assert left == []


def test_every_notebook_gets_the_language_info_its_kernel_reports_and_nothing_else_changes(tmp_path):
    """A released notebook ships {"name": "python"} only; JupyterLab then fills in the rest as
    the kernel starts and marks an untouched lesson changed. `make lab` writes what the
    kernel will report, so opening and closing a lesson asks nothing (test_browser.py)."""
    import nbformat
    from conftest import ROOT

    release, workspace = ROOT / "release", tmp_path / "workspace"
    lab.copy_new_lessons(release, workspace)
    lesson = workspace / "lesson-1" / "lived-experience.ipynb"
    before = nbformat.read(lesson, as_version=4)
    assert before.metadata["language_info"] == {"name": "python"}
    changed = lab.match_kernel_language(workspace)
    assert len(changed) == len(list(release.rglob("*.ipynb"))) == 13
    after = nbformat.read(lesson, as_version=4)
    info = lab.kernel_language_info()
    assert after.metadata["language_info"] == info and info["version"] == sys.version.split()[0]
    assert info["codemirror_mode"] == {"name": "ipython", "version": 3} and info["pygments_lexer"] == "ipython3"
    assert after.cells == before.cells
    assert lab.match_kernel_language(workspace) == []  # done once: the learner's files are left alone after


def test_the_learners_jupyterlab_extension_is_built_from_its_source_and_both_set_ups_load_it():
    """The committed build matches labextension/ (run make labextension after changing it), and
    make lab's settings and the hub's give learners the same extension and switch off the
    executor it replaces (without the extension, no notebook would open)."""
    import json

    from conftest import ROOT
    from peercourse.lab import LABEXTENSION_BUILD, labextension_fingerprint

    build = ROOT / LABEXTENSION_BUILD
    assert json.loads((build / "built-from.json").read_text()) == labextension_fingerprint(ROOT)
    built = json.loads((build / "package.json").read_text())
    assert built["name"] == "peercourse-learner" and (build / built["jupyterlab"]["_build"]["load"]).is_file()
    for setup in ("etc/learner", "deploy/learner"):
        assert (ROOT / setup / "jupyter_server_config.py").read_text() == (ROOT / "etc/learner/jupyter_server_config.py").read_text()
        disabled = json.loads((ROOT / setup / "labconfig/page_config.json").read_text())["disabledExtensions"]
        assert disabled["@jupyterlab/notebook-extension:cell-executor"] is True
