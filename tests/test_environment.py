"""pyproject.toml (pip) and environment.yml (conda-forge, for hubs) must declare the same
packages with the same version ranges."""
import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from conftest import ROOT

CONDA_NAMES = {"jupyterlab-widgets": "jupyterlab_widgets"}  # conda-forge's spelling


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [req for extra in project["optional-dependencies"].values() for req in extra]
    found = {}
    for req in map(Requirement, reqs):
        assert found.setdefault(_norm(req.name), str(req.specifier)) == str(req.specifier), f"{req.name}: two ranges"
    return found, project["requires-python"]


def conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    found, python = {}, None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert dep == {"pip": ["."]}, "only the course itself comes from pip, built as a wheel (not -e)"
            continue
        name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep).groups()
        if name == "python":
            python = spec
        elif name != "pip":
            found[_norm(name)] = str(Requirement(f"x{spec}").specifier)
    return found, python


def test_the_two_files_agree():
    pip, pip_python = pip_requirements()
    conda, conda_python = conda_requirements()
    assert conda == pip
    assert conda_python == pip_python


def test_the_environment_running_the_tests_has_what_pyproject_declares():
    """`make setup` installs the course with its instructor, browser and test extras: every
    such requirement that applies to this Python is installed, at a version inside its
    declared range."""
    from importlib.metadata import PackageNotFoundError, version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wrong = []
    extras = project["optional-dependencies"]
    for req in map(Requirement, project["dependencies"] + extras["instructor"] + extras["browser"] + extras["test"]):
        if req.marker and not req.marker.evaluate():
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            wrong.append(f"{req.name} is not installed")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            wrong.append(f"{req.name} {installed} is outside {req.specifier}")
    assert wrong == []


def test_the_environment_starts_every_python_kernel_in_isolated_mode():
    """make setup installs etc/kernels/python3 over ipykernel's own: any kernel, a learner's
    in JupyterLab or an instructor's validating a submission where it lies, starts as
    `python -I`, so no file beside the notebook is ever on its import path."""
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[:4] == ["python", "-I", "-m", "ipykernel_launcher"]
    assert spec.argv == json.loads((ROOT / "etc/kernels/python3/kernel.json").read_text())["argv"]


PINNED_PYTHONS = ["3.11", "3.12"]


def constraints(python: str | None = None) -> dict[str, str]:
    """{package: version} pinned for a Python (this one by default) in constraints/."""
    import sys

    python = python or "%d.%d" % sys.version_info[:2]
    pins = {}
    for line in (ROOT / "constraints" / f"python{python}.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[_norm(name)] = pinned
    return pins


@pytest.mark.parametrize("python", PINNED_PYTHONS)
def test_the_constraints_pin_every_declared_package_inside_its_range(python):
    """constraints/python3.X.txt (make constraints) pins each package pyproject declares, in
    every extra, at a version inside the declared range: a hub built from it gets what CI
    tested."""
    declared, _ = pip_requirements()
    pins = constraints(python)
    outside = {name: pins.get(name) for name, spec in declared.items()
               if name not in pins or not Requirement(f"x{spec}").specifier.contains(pins[name])}
    assert outside == {}
    assert sorted(path.stem for path in (ROOT / "constraints").glob("*.txt")) == [f"python{v}" for v in PINNED_PYTHONS]


def test_make_setup_installed_exactly_the_pinned_versions():
    import sysconfig
    from importlib.metadata import distributions

    pins = constraints()
    # the environment's own site-packages only: setuptools vendors packages of its own with
    # their metadata, which would show up on sys.path once it is imported
    site = list({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {_norm(dist.metadata["Name"]): dist.version for dist in distributions(path=site)}
    differ = {name: (installed[name], pinned) for name, pinned in pins.items() if name in installed and installed[name] != pinned}
    assert differ == {}
    assert {"pandas", "jinja2", "jsonschema", "playwright", "nbgrader"} <= installed.keys() & pins.keys()


def test_what_a_learners_notebooks_import_needs_no_instructor_or_test_package():
    """Learners install the package without extras: the modules their notebooks use must
    not import pandas, textstat or playwright (the instructor and browser extras)."""
    import subprocess
    import sys

    code = ("import sys, peercourse, peercourse.lesson, peercourse.view, peercourse.progress, peercourse.exam_practice\n"
            "print(sorted({'pandas', 'textstat', 'playwright'} & {name.split('.')[0] for name in sys.modules}))")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_norm(Requirement(req).name) for req in project["dependencies"]} & {"pandas", "textstat", "playwright"} == set()
