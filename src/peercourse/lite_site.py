"""The study edition in the browser: `make site` (`peercourse site`) builds `site/`, a
JupyterLite site (JupyterLab with a Pyodide kernel, static files only) holding every lesson,
My progress and the exam practice as a learner sees them, with the course package inside.

Nothing at run time leaves the site's own host: Pyodide (the Python that runs in the
browser) and every wheel its kernel and the course import are in the site, and the kernel
is told never to fall back to PyPI (disablePyPIFallback). At build time the parts come from
the registries the project already uses, and are kept in `build/lite-cache/`:

- Pyodide's core, from npm (`pyodide@<version>`: the interpreter and its standard library).
  Its lock file, which lists the packages Pyodide can load and where from, points at a CDN;
  the copy in the site lists only the wheels shipped beside it, each with its own sha256.
- Pure-Python wheels from PyPI: what the kernel needs to start (IPython and its
  dependencies, at the versions Pyodide's lock file names) and what the course imports
  (ipywidgets, anywidget, filelock, Jinja2, ..., at the course's pinned versions).
- PyYAML and MarkupSafe are compiled for Pyodide only on its CDN. Both have pure-Python
  code that runs without their C part, so their Linux wheels are shipped with the compiled
  files taken out (`pure_wheel`); items files stay YAML, read as on a laptop.
- The course package itself, as a wheel built from this checkout.

The notebooks are release/'s, with their kernel set to the browser's Python. The site's first
page says what the site is, that answers stay in this browser, and that it is a study
edition, not a graded course.

The pieces JupyterLite needs are its own: `jupyter lite build` with a lite folder holding
jupyter-lite.json and the Pyodide folder at static/pyodide, which its Pyodide add-on picks up
and points the kernel at. Learner-facing behaviour in the browser (no nbgrader there) lives in
the course's own modules, which ask `browser_edition.in_browser()`.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from .pages import render

PYODIDE_CORE = ("pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide.mjs", "pyodide.js", "python_stdlib.zip",
                "pyodide-lock.json", "package.json")
# What the Pyodide kernel imports as it starts (its worker loads micropip; its pyodide_kernel
# wheel needs ipython and comm; IPython's completer uses jedi), taken at the versions of
# Pyodide's lock file together with everything they depend on there.
KERNEL_NEEDS = ("micropip", "packaging", "ipython", "jedi")
# What the course imports in a learner's kernel, at the course's pinned versions (the installed
# ones): the widgets and their front-end's version, the item frame, saving, the pages.
COURSE_NEEDS = ("comm", "ipywidgets", "jupyterlab_widgets", "anywidget", "psygnal", "typing_extensions",
                "filelock", "jinja2", "markupsafe", "pyyaml")
# Compiled for Pyodide only on its CDN; their pure-Python code works without the C part.
STRIP_COMPILED = ("markupsafe", "pyyaml")
# Folders of a course's release/ that are not the learner's: answers, checkpoints, feedback.
NOT_SHIPPED = re.compile(r"(^|/)(\.ipynb_checkpoints|feedback)(/|$)|\.responses\.|\.my-answers\.html$|^\.")
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
# What the Pyodide kernel reports (its kernel_info reply; "3.8" is its label, not Pyodide's
# Python): a notebook that already says so is not marked changed the moment it opens.
LANGUAGE_INFO = {"codemirror_mode": {"name": "python", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3", "version": "3.8"}
FIRST_NOTEBOOK = "lesson-0/start-here.ipynb"


class SiteError(RuntimeError):
    """Why the site could not be built, in words for whoever ran `make site`."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyodide_version() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION  # the one its kernel was built for

    return PYODIDE_VERSION


def _run(command: list[str], what: str, **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise SiteError(f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def fetch_pyodide(cache: Path, version: str) -> Path:
    """Pyodide's core from npm, unpacked once into the cache."""
    folder = cache / f"pyodide-{version}"
    if (folder / "pyodide-lock.json").is_file():
        return folder
    if not shutil.which("npm"):
        raise SiteError("npm is needed to fetch Pyodide from the npm registry (Debian: apt install npm)")
    packed = cache / "npm"
    packed.mkdir(parents=True, exist_ok=True)
    _run(["npm", "pack", f"pyodide@{version}", "--pack-destination", str(packed), "--silent"], f"npm pack pyodide@{version}")
    staging = cache / f"pyodide-{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(packed / f"pyodide-{version}.tgz") as archive:
        # the "data" filter (no links out, no odd modes) where this Python has it: 3.11.4 and later
        archive.extractall(staging, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (staging / "package").rename(folder)
    shutil.rmtree(staging)
    return folder


def _pip_download(spec: str, into: Path, platform: list[str]) -> Path:
    """One wheel from the package index pip is configured with; cached by its file name."""
    name, version = spec.split("==")
    stem = "[-_.]".join(re.escape(part) for part in canonical(name).split("-"))
    pattern = re.compile(rf"^{stem}-{re.escape(version)}-", re.I)
    found = [p for p in into.glob("*.whl") if pattern.match(p.name)]
    if not found:
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
              "--disable-pip-version-check", "-d", str(into), *platform, spec], f"pip download {spec}")
        found = [p for p in into.glob("*.whl") if pattern.match(p.name)]
    if not found:
        raise SiteError(f"pip download {spec} gave no wheel in {into}")
    return found[0]


PURE = ["--python-version", "3.14", "--implementation", "py", "--abi", "none", "--platform", "any"]
LINUX = ["--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux2014_x86_64"]


def pure_wheel(wheel: Path, into: Path) -> Path:
    """A copy of a compiled wheel without its compiled files, tagged py3-none-any: for the
    packages whose pure-Python code runs when their C part is missing (STRIP_COMPILED)."""
    name, version = wheel.name.split("-")[:2]
    out = into / f"{name}-{version}-py3-none-any.whl"
    if out.is_file():
        return out
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(out.with_suffix(".partial"), "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename.endswith((".so", ".pyd", ".c")) or info.filename.endswith(".dist-info/RECORD"):
                continue
            data = source.read(info)
            if info.filename.endswith(".dist-info/WHEEL"):
                data = re.sub(rb"(?m)^Tag: .*\n", b"", data).replace(b"Root-Is-Purelib: false", b"Root-Is-Purelib: true")
                data = data.rstrip(b"\n") + b"\nTag: py3-none-any\n"
            target.writestr(info, data)
    out.with_suffix(".partial").rename(out)
    return out


def _lock_closure(lock: dict, names) -> list[str]:
    packages, seen, todo = lock["packages"], [], [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SiteError(f"Pyodide's lock file has no package {name}")
        seen.append(name)
        todo += [canonical(d) for d in packages[name]["depends"]]
    return sorted(seen)


def _wheel_imports(wheel: Path) -> list[str]:
    """The top-level modules a wheel installs (its top_level.txt, or its folders and modules)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        top = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        if top:
            return sorted({line.strip() for line in archive.read(top[0]).decode().splitlines() if line.strip()})
    found = set()
    for name in names:
        first = name.split("/")[0]
        if first.endswith((".dist-info", ".data")):
            continue
        if "/" in name or name.endswith(".py"):
            found.add(first.removesuffix(".py"))
    return sorted(found)


def _wheel_depends(wheel: Path) -> list[str]:
    """The wheel's unconditional requirements (Requires-Dist without a marker)."""
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(meta).decode("utf-8").splitlines()
    return [canonical(re.split(r"[\s<>=!~;\[(]", line.split(":", 1)[1].strip())[0])
            for line in lines if line.startswith("Requires-Dist:") and ";" not in line]


def pyodide_folder(cache: Path, course_wheel: Path, into: Path) -> list[str]:
    """static/pyodide for the lite folder: the core, every wheel, and a lock file listing
    exactly those wheels. Returns the packages it lists."""
    core = fetch_pyodide(cache, pyodide_version())
    into.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(core / name, into / name)
    lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    wheels_cache = cache / "wheels"
    wheels_cache.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name in _lock_closure(lock, KERNEL_NEEDS):
        entry = lock["packages"][name]
        if not entry["file_name"].endswith("-none-any.whl"):
            raise SiteError(f"{name} is compiled for Pyodide ({entry['file_name']}); its CDN is not used")
        entries[name] = (_pip_download(f"{name}=={entry['version']}", wheels_cache, PURE), entry)
    for name in COURSE_NEEDS:
        version = importlib.metadata.version(name)
        if canonical(name) in STRIP_COMPILED:
            wheel = pure_wheel(_pip_download(f"{name}=={version}", wheels_cache, LINUX), wheels_cache)
        else:
            wheel = _pip_download(f"{name}=={version}", wheels_cache, PURE)
        entries[canonical(name)] = (wheel, lock["packages"].get(canonical(name)))
    entries["widgetsnbextension"] = (_kernel_standin("widgetsnbextension-4"), None)
    entries["peercourse"] = (course_wheel, None)
    listed = {}
    for name, (wheel, entry) in sorted(entries.items()):
        shutil.copy2(wheel, into / wheel.name)
        version = wheel.name.split("-")[1]
        listed[name] = {
            "name": name, "version": version, "file_name": wheel.name, "install_dir": "site", "package_type": "package",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "unvendored_tests": False,
            "imports": (entry or {}).get("imports") or _wheel_imports(wheel),
            "depends": [],
        }
    ours = {canonical(name) for name in COURSE_NEEDS} | {"peercourse", "widgetsnbextension"}
    for name, info in listed.items():
        wheel, entry = entries[name]
        # Pyodide's own entries keep its dependency lists; the wheels the course adds say theirs
        wanted = _wheel_depends(wheel) if name in ours or entry is None else entry["depends"]
        info["depends"] = sorted(canonical(d) for d in wanted if canonical(d) in listed)
    lock["packages"] = listed
    (into / "pyodide-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")
    return sorted(listed)


def _kernel_standin(prefix: str) -> Path:
    """A wheel the Pyodide kernel ships for the browser (its widgetsnbextension stand-in)."""
    import jupyterlite_pyodide_kernel

    share = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    found = sorted(share.glob(f"{prefix}*.whl"))
    if not found:
        raise SiteError(f"no {prefix}*.whl in {share} (jupyterlite-pyodide-kernel {jupyterlite_pyodide_kernel.__version__})")
    return found[-1]


def course_wheel(root: Path, into: Path) -> Path:
    """The course package as a wheel, built from this checkout."""
    into.mkdir(parents=True, exist_ok=True)
    for old in into.glob("peercourse-*.whl"):
        old.unlink()
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(into), str(root)],
         "building the course's wheel")
    return next(into.glob("peercourse-*.whl"))


def copy_contents(release: Path, into: Path) -> list[str]:
    """release/ as a learner gets it (lab.py's copy, as `make lab` makes a workspace), each
    notebook's kernel set to the browser's Python."""
    from .lab import copy_new_lessons, match_kernel_language

    copied = copy_new_lessons(release, into, skip=NOT_SHIPPED)
    match_kernel_language(into, info=LANGUAGE_INFO, kernelspec=KERNELSPEC)
    return [path.relative_to(into).as_posix() for path in copied]


def write_keys(source: Path, into: Path) -> list[str]:
    """Each lesson's answer key beside it (browser_edition.keys_data): this edition, and no
    other, scores graded items for the learner. The file browser lists it (JupyterLite leaves dot
    files out of the site's files): the first page says this is a study edition."""
    from .browser_edition import keys_data, keys_path
    from .lesson_sources import find_lessons

    written = []
    for lesson in find_lessons(source):
        path = keys_path(into / lesson.assignment, lesson.stem)
        path.write_text(json.dumps(keys_data(lesson), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path.relative_to(into).as_posix())
    return written


# JupyterLab extensions the site carries: the widgets' front-end, the item frame's, the kernel.
# (Not nbgrader's: its menus need a server.)
EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "anywidget", "@jupyterlite/pyodide-kernel-extension")


def build(root: Path, out: Path, cache: Path | None = None) -> dict:
    """Build the site into `out` (replaced). Returns what went in, for the caller to report."""
    root = Path(root).resolve()
    out = Path(out).resolve()
    cache = Path(cache or root / "build" / "lite-cache").resolve()
    lite = cache / "lite"
    shutil.rmtree(lite, ignore_errors=True)
    (lite / "static").mkdir(parents=True)
    wheel = course_wheel(root, cache / "course-wheel")
    packages = pyodide_folder(cache, wheel, lite / "static" / "pyodide")
    files = copy_contents(root / "release", lite / "files")
    files += write_keys(root / "source", lite / "files")
    config = {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "appName": "Peer Support Specialist course (study edition)",
        # window.jupyterapp: how the browser tests read the answers file through JupyterLite's
        # contents API. The site holds nothing secret for a page script to reach.
        "exposeAppInBrowser": True,
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}},
    }}
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    build_config = {"LiteBuildConfig": {
        "contents": [str(lite / "files")], "output_dir": str(out), "apps": ["lab"], "no_sourcemaps": True,
        "ignore_sys_prefix": ["federated_extensions"],
        "federated_extensions": [str(labextensions / name) for name in EXTENSIONS],
    }}
    (lite / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=2), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite)]
    _run(command, "jupyter lite build", cwd=lite)
    (out / "index.html").write_text(render("lite_index.html", first=FIRST_NOTEBOOK), encoding="utf-8")
    return {"files": files, "packages": packages, "out": out}
