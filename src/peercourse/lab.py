"""`make lab`: the learner's own copy of the course, opened in JupyterLab.

The learner works in a copy of release/ (the workspace) that updates never overwrite: a new
lesson is added, nothing already there is replaced, so answers and notes are never lost.
JupyterLab serves the whole workspace, so every lesson is in the file browser, and opens
with Start here and Lesson 1 in tabs the first time; after that it keeps the learner's layout.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .self_study import note_course

# The learner's own Jupyter settings, first on Jupyter's config path when `make lab` starts the
# server: no instructors' panels or menus, and the saving hook (notebook_saving.py).
LEARNER_CONFIG = Path("etc") / "learner"
BANNER = """
The course is starting in your web browser. If no browser opens, copy the address that
starts with http://localhost below into one.
To stop the course: come back to this window and press Ctrl+C twice.
Your answers are saved as you go, in {workspace}
"""
# The learner's JupyterLab extension: its source (labextension/) and its build, committed in the
# package (like release/, so neither make lab nor make test needs Node.js; make labextension
# rebuilds it). etc/learner/jupyter_server_config.py points JupyterLab at the build.
LABEXTENSION_SOURCES = ("labextension/index.js", "labextension/package.json", "labextension/package-lock.json")
LABEXTENSION_BUILD = Path("src") / "peercourse" / "labextensions" / "peercourse-learner"
FIRST_TABS = ["lesson-0/start-here.ipynb", "lesson-1/lived-experience.ipynb"]
# Hidden, so the file browser does not show it; inside the workspace, so it goes where the learner's work goes.
LAYOUTS = ".jupyterlab-workspaces"


def labextension_fingerprint(root: Path) -> dict:
    """The SHA-256 of each file the learner's extension is built from: make labextension
    writes it beside the build (built-from.json), and a test checks it still matches."""
    import hashlib

    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in LABEXTENSION_SOURCES}


def copy_new_lessons(release: Path, workspace: Path, skip=None) -> list[Path]:
    """Copy every file of release/ that the workspace lacks; return the ones copied. `skip`, a
    compiled pattern, leaves out the files whose path in release/ it matches."""
    copied = []
    for source in sorted(release.rglob("*")):
        if source.is_file() and not (skip and skip.search(source.relative_to(release).as_posix())):
            target = workspace / source.relative_to(release)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                copied.append(target)
    return copied


def kernel_language_info() -> dict:
    """What this Python's kernel reports about itself, as JupyterLab writes it into a notebook."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def match_kernel_language(workspace: Path, info: dict | None = None, kernelspec: dict | None = None) -> list[Path]:
    """Give each notebook in the workspace the language_info its kernel will report (this
    Python's, unless `info` says another's), and `kernelspec` if given; return the ones changed.
    A released notebook carries almost none (it is made once, for learners on many Python
    versions), so JupyterLab filled it in as the kernel started and marked the untouched lesson
    changed: closing it asked "Save your work?" for nothing. Only this metadata changes; cells,
    outputs and answers are left exactly as they are."""
    import nbformat

    info, changed = copy.deepcopy(info) if info is not None else kernel_language_info(), []
    for path in sorted(workspace.rglob("*.ipynb")):
        if LAYOUTS in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        try:
            notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        except Exception:  # not ours to judge: JupyterLab says what is wrong when it is opened
            continue
        wanted = {"language_info": info, **({"kernelspec": kernelspec} if kernelspec is not None else {})}
        if any(notebook.metadata.get(key) != value for key, value in wanted.items()):
            notebook.metadata.update(copy.deepcopy(wanted))
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def first_layout(tabs: list[str]) -> dict:
    """A JupyterLab workspace (the format `jupyter lab workspaces export` writes) with `tabs`
    open, the first one in front, and the file browser showing."""
    return {
        "data": {
            "layout-restorer:data": {
                "main": {
                    "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [f"notebook:{tab}" for tab in tabs]},
                    "current": f"notebook:{tabs[0]}",
                },
                "left": {"collapsed": False, "visible": True, "current": "filebrowser", "widgets": ["filebrowser"]},
            },
            **{f"notebook:{tab}": {"data": {"path": tab, "factory": "Notebook"}} for tab in tabs},
        },
        "metadata": {"id": "default"},
    }


def seed_layout(workspace: Path) -> None:
    """The first time only: import the opening layout as JupyterLab's default workspace."""
    layouts = workspace / LAYOUTS
    if layouts.is_dir() and any(layouts.iterdir()):
        return  # the learner's own layout, saved by JupyterLab
    tabs = [tab for tab in FIRST_TABS if (workspace / tab).is_file()]
    if not tabs:
        return
    layouts.mkdir(parents=True, exist_ok=True)
    layout = layouts / "first.json"
    layout.write_text(json.dumps(first_layout(tabs)), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "jupyterlab", "workspaces", "import",
         f"--WorkspaceImportApp.workspaces_dir={layouts}", str(layout)],
        check=True, capture_output=True,
    )
    layout.unlink()


def learner_environment(course: Path, environ: dict | None = None) -> dict:
    """The environment the learner's server runs in: the course's learner settings ahead of
    the installed ones (a learner's own ~/.jupyter still comes first, as Jupyter always does)."""
    env = dict(os.environ if environ is None else environ)
    paths = [str(course / LEARNER_CONFIG)] + ([env["JUPYTER_CONFIG_PATH"]] if env.get("JUPYTER_CONFIG_PATH") else [])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def lab_command(workspace: Path, extra: list[str]) -> list[str]:
    command = [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}",
        f"--LabApp.workspaces_dir={workspace / LAYOUTS}",
        # the address and warnings only: a learner has no use for the server's log
        "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    return command + extra


def run(release: Path, workspace: Path, extra: list[str]) -> int:
    if not release.is_dir():
        raise SystemExit(f"peercourse: no release/ directory at {release}")
    workspace.mkdir(parents=True, exist_ok=True)
    copied = copy_new_lessons(release, workspace)
    if copied:
        print(f"Added {len(copied)} new course file(s) to your course folder.")
    match_kernel_language(workspace)
    seed_layout(workspace)
    note_course(workspace, release.parent)  # this clone holds the keys: self-study feedback can grade here
    print(BANNER.format(workspace=workspace))
    sys.stdout.flush()
    command = lab_command(workspace, extra)
    env = learner_environment(release.parent)
    if os.name == "nt":  # Windows has no exec that keeps the process: wait for the server instead
        return subprocess.call(command, cwd=workspace, env=env)
    # Become the server, so that Ctrl-C or a SIGTERM sent to `peercourse lab` (or `make lab`)
    # reaches JupyterLab itself instead of leaving it running without its parent.
    os.chdir(workspace)
    os.execve(command[0], command, env)
