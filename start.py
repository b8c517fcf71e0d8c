"""Set up the course and open it, on any computer with Python 3.11 or newer, with no `make`.

    Windows:        py start.py
    macOS, Linux:   python3 start.py

The first run makes `.venv/` (the course's own Python packages, at the versions CI tested) and
takes a few minutes; after that it opens the course at once. `make setup` (and so `make lab`
and `make test`) runs this file's set-up too, so the two ways can never disagree. Only the
standard library is used here: it runs before anything is installed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
# Written when this file's set-up finishes (make keeps its own stamp, .venv/.installed, which
# also records that the instructors' and test tools are there)
STAMP = VENV / ".start-installed"
# What the set-up is made from: a change to any of them means installing again
INPUTS = ["pyproject.toml", "etc/lab/overrides.json", "etc/jupyter/nbgrader_config.py", "etc/kernels/python3/kernel.json"]


def venv_python(venv: Path = VENV) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pins() -> Path:
    return HERE / "constraints" / f"python{sys.version_info[0]}.{sys.version_info[1]}.txt"


def up_to_date() -> bool:
    if not (STAMP.exists() and venv_python().exists()):
        return False
    made = STAMP.stat().st_mtime
    return all((HERE / name).stat().st_mtime <= made for name in [*INPUTS, str(pins().relative_to(HERE))])


def setup_steps(extras: list[str]) -> list[list[str]]:
    """The commands that set up .venv, in order (each run in the course folder)."""
    python = str(venv_python())
    package = "." + (f"[{','.join(extras)}]" if extras else "")
    return [
        [sys.executable, "-m", "venv", str(VENV)],
        [python, "-m", "pip", "install", "--quiet", "--upgrade", "pip>=23.2"],
        # the course and what it needs, each at the version pinned for this Python
        [python, "-m", "pip", "install", "--quiet", "-c", str(pins()), "-e", package],
        # every Python kernel starts in isolated mode (python -I): a file beside a notebook,
        # such as a learner's ipykernel_launcher.py, is never imported, whoever opens or validates it
        [python, "-m", "jupyter", "kernelspec", "install", str(HERE / "etc/kernels/python3"),
         "--sys-prefix", "--replace", "--name", "python3"],
    ]


def install_settings() -> None:
    """Course-wide JupyterLab defaults (no "Jupyter news?" prompt) and the learner-side
    nbgrader settings (Validate runs only the course's own cells), inside .venv."""
    lab = VENV / "share/jupyter/lab/settings"
    jupyter = VENV / "etc/jupyter"
    lab.mkdir(parents=True, exist_ok=True)
    jupyter.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "etc/lab/overrides.json", lab / "overrides.json")
    shutil.copyfile(HERE / "etc/jupyter/nbgrader_config.py", jupyter / "nbgrader_config.py")


def setup(extras: list[str]) -> None:
    if not pins().exists():
        raise SystemExit(f"No pinned versions for Python {sys.version_info[0]}.{sys.version_info[1]} ({pins().name}): "
                         "the course is tested on Python 3.11 and 3.12. Please install one of those, then run this again.")
    print("Setting up the course (the first time takes a few minutes)...", flush=True)
    for step in setup_steps(extras):
        done = subprocess.run(step, cwd=HERE, capture_output=True, text=True)  # quiet unless it fails
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr + "\nThe set-up stopped at: " + " ".join(step)
                             + "\nThe lines above say why.")
    install_settings()
    STAMP.write_text("installed by start.py\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Set up the course, then open it in JupyterLab.")
    parser.add_argument("--setup-only", action="store_true", help="set up .venv and stop (what make setup runs)")
    parser.add_argument("--extras", default="", help="the package's extras to install too, e.g. instructor,browser,test")
    parser.add_argument("--workspace", default="workspace", help="the learner's copy of the course (default: workspace)")
    # anything else is for JupyterLab, e.g. --no-browser or --ServerApp.port=8890
    args, for_lab = parser.parse_known_args(argv)
    if sys.version_info < (3, 11):
        raise SystemExit("The course needs Python 3.11 or newer; this is " + sys.version.split()[0] + ".")
    extras = [extra for extra in args.extras.split(",") if extra]
    if args.setup_only or not up_to_date():
        setup(extras)
    if args.setup_only:
        return 0
    lab = [str(venv_python()), "-m", "peercourse.cli", "--course", str(HERE), "lab", "--workspace", args.workspace, *for_lab]
    if os.name == "nt":
        return subprocess.call(lab, cwd=HERE)
    os.chdir(HERE)
    os.execv(lab[0], lab)  # become the course's server: Ctrl+C reaches it directly
    return 0


if __name__ == "__main__":
    sys.exit(main())
