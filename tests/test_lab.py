"""`make lab`'s set-up: the learner's workspace and JupyterLab's first layout.
(The browser test opens the course it serves: tests/test_browser.py.)"""
import json

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
