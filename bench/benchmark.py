"""Benchmarks of the course against the physical floor (`make bench`).

Every comparison is measured side by side in the same run and given as a ratio. Prints a
table and writes docs/performance.md. Timing numbers are medians with min-max over
repeated runs; nothing here is a pass/fail test.

    python bench/benchmark.py [--repeats 5] [--cohorts 5,10,50,200] [--normal-cohorts 10,50,200] [--jobs 3]
                              [--out docs/performance.md]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from peercourse import autograde_pool, lesson_sources, synthetic_learners  # noqa: E402
from peercourse.cli import default_jobs  # noqa: E402
from peercourse.course_config import WITHOUT_FAST_PATH  # noqa: E402
from peercourse.responses import ResponsesFile  # noqa: E402
from peercourse.simulated_term import Term  # noqa: E402

TARGETS = {
    "autograde": "at most 0.8 x the floor per notebook",
    "cohort": "at most 0.35 x the floor per notebook",
    "cpu": "at most half of the course's without the fast path",
    "small": "faster than one worker",
    "lesson": "at most the floor + 0.5 s",
    "import": "at most 0.3 s",
    "save": "at most 20 ms at the 99th percentile",
    "site": "at most 50 MB",
    "first_load": "at most 30 MB",
}
SITE_MB, FIRST_LOAD_MB = 50, 30
KERNEL_QUIET = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
# NORMAL, the comparison: grading as it was before issue 17, measured beside the course's settings: every kernel
# started as jupyter_client starts it, each worker a fresh interpreter, nbgrader's own
# checks, every show cell run by the kernel, an engine per Gradebook (WITHOUT_FAST_PATH).
FORKED, NORMAL = "forked", "normal"


@dataclass
class Spread:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        lo, hi = min(self.values) * scale, max(self.values) * scale
        return f"{self.median * scale:.{digits}f} {unit} ({lo:.{digits}f}-{hi:.{digits}f})"


def timed(function, repeats: int) -> Spread:
    values = []
    for _ in range(repeats):
        begun = time.perf_counter()
        function()
        values.append(time.perf_counter() - begun)
    return Spread(values)


# -- 1 and 2: the floor, and each lesson run top to bottom ---------------------------------

def execute(nb, path: Path, shutdown: str = "immediate", forked: bool = False) -> None:
    """Run a notebook in a fresh kernel. The kernel is stopped at once, as grading stops it
    (nbgrader_config.py) and as a learner's Run All never waits for; "graceful" is nbclient's
    default, measured beside it so that the difference is a number, not a claim. `forked`:
    the kernel comes from the kernel template, with the client grading uses, as the course's
    nbgrader_config.py sets them."""
    kernels = {}
    if forked:
        from traitlets.config import Config

        from peercourse.nbgrader_hooks import IsolatedKernelManager

        config = Config()
        config.KernelProvisionerFactory.default_provisioner_name = "peercourse-forked"
        config.IsolatedKernelManager.client_class = "peercourse.nbgrader_hooks.kernel_client.PromptKernelClient"
        kernels = {"kernel_manager_class": IsolatedKernelManager, "config": config}
    NotebookClient(nb, kernel_name="python3", timeout=120, extra_arguments=KERNEL_QUIET, shutdown_kernel=shutdown,
                   resources={"metadata": {"path": str(path)}}, **kernels).execute()


def trivial_notebook(cells: int):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1") for _ in range(cells)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def floor_run(workdir: Path, cells: int = 1, shutdown: str = "immediate", forked: bool = False) -> None:
    execute(trivial_notebook(cells), workdir, shutdown, forked)


def lesson_run(notebook: Path, forked: bool = False) -> None:
    execute(nbformat.read(notebook, as_version=4), notebook.parent, forked=forked)


def tree_cpu() -> float:
    """CPU seconds this process and everything it started have used so far: each live
    process's own time plus that of its children it has reaped (a kernel reaped by its
    template, a template by its worker, a worker by the fork server), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in _tree(os.getpid()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile: its time is its parent's once reaped
        total += sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime
    return total


def code_cells(notebook: Path) -> int:
    return sum(1 for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code")


# -- 3: import time --------------------------------------------------------------------------

def python_startup(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


# -- 4: saving answers -------------------------------------------------------------------------

def save_latency(workdir: Path, count: int = 1000) -> tuple[Spread, dict[str, int]]:
    lesson = lesson_sources.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")
    answers = list(lesson_sources.key_answers(lesson).items())
    target = ResponsesFile(workdir / "lived-experience.responses.json", lesson.stem)
    values = []
    for n in range(count):
        item_id, value = answers[n % len(answers)]
        begun = time.perf_counter()
        target.save(item_id, value)
        values.append(time.perf_counter() - begun)
    sizes = {}
    for each in lesson_sources.find_lessons(ROOT / "source"):
        path = workdir / f"{each.stem}.responses.json"
        ResponsesFile(path, each.stem).save_many(lesson_sources.key_answers(each))
        sizes[each.assignment] = path.stat().st_size
    return Spread(values), sizes


# -- 5: autograde per notebook: the course's lesson against stock nbgrader -------------------

PLAIN_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "plain"\nc.Execute.timeout = 60\n' \
               f'c.Execute.extra_arguments = {KERNEL_QUIET!r}\n'


def plain_notebook(tests: int):
    """A stock nbgrader assignment: a solution cell and `tests` simple assert test cells."""
    def meta(grade_id, **kw):
        base = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False, "task": False}
        base.update(kw)
        return {"nbgrader": base}

    cells = [nbformat.v4.new_code_cell("answer = 42", metadata=meta("answer", solution=True))]
    for n in range(tests):
        cells.append(nbformat.v4.new_code_cell(f'"""Test {n}."""\nassert answer == 42', metadata=meta(f"test-{n}", grade=True, locked=True, points=2)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def grade_course(course: Path, lesson: str) -> list[float]:
    run = autograde_pool.autograde(course, lesson, jobs=1)
    assert not run.failed, run.failed[0].log
    return [r.seconds for r in run.results]


def graded_lessons(source: Path) -> list:
    return [lesson for lesson in lesson_sources.find_lessons(source) if any(item.graded for item in lesson.bank.items.values())]


def submit_keys(term: Term, lessons: list, students: int) -> None:
    for lesson in lessons:
        term.release(lesson.assignment)
        for n in range(students):
            mine = term.course / "submitted" / f"s{n}" / lesson.assignment
            shutil.copytree(term.course / "release" / lesson.assignment, mine)
            ResponsesFile(mine / f"{lesson.stem}.responses.json", lesson.stem).save_many(lesson_sources.key_answers(lesson))


def autograde_comparison(workdir: Path, students: int, repeats: int) -> tuple[dict[str, Spread], dict[str, Spread]]:
    """Each graded lesson with kernels forked from the template and started normally, and
    stock nbgrader on a plain notebook with as many test cells, graded in turn in the same
    run: per-notebook medians and CPU seconds per notebook, one of each per repeat."""
    ours = Term.create(workdir / "ours", ROOT)
    normal = Term.create(workdir / "normal", ROOT)
    with open(normal.course / "nbgrader_config.py", "a") as config:
        config.write(WITHOUT_FAST_PATH)
    lessons = graded_lessons(ours.course / "source")
    # stock nbgrader's notebook has as many test cells as lesson 1, the lesson profiled below
    tests = sum(1 for item in lessons[0].bank.items.values() if item.graded)
    stock = workdir / "stock"
    (stock / "source/plain").mkdir(parents=True)
    (stock / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    nbformat.write(plain_notebook(tests), stock / "source/plain/plain.ipynb")
    api = autograde_pool.load_api(stock)
    assert api.generate_assignment("plain", force=True)["success"]
    submit_keys(ours, lessons, students)
    submit_keys(normal, lessons, students)
    for n in range(students):
        shutil.copytree(stock / "release/plain", stock / "submitted" / f"s{n}" / "plain")
    runs = {"stock": (stock, "plain")}
    for lesson in lessons:
        runs[f"{lesson.assignment}, {NORMAL}"] = (normal.course, lesson.assignment)
        runs[lesson.assignment] = (ours.course, lesson.assignment)
    seconds, cpu = {name: [] for name in runs}, {name: [] for name in runs}
    for _ in range(repeats):
        for name, (course, assignment) in runs.items():
            used = tree_cpu()
            times = grade_course(course, assignment)
            cpu[name].append((tree_cpu() - used) / len(times))
            seconds[name].append(statistics.median(times))
    return ({name: Spread(values) for name, values in seconds.items()},
            {name: Spread(values) for name, values in cpu.items()})


def profile_autograde(workdir: Path, course_name: str = "ours", count: int = 10) -> list[tuple[str, float]]:
    """Where one autograde of a lesson spends its wall-clock time, per notebook. Each step's
    function is wrapped with a timer (cProfile can't see time a coroutine spends waiting
    on the kernel); steps nest, so the rows overlap, as labelled."""
    import inspect

    from nbclient import NotebookClient as Client
    from nbgrader.converters.autograde import Autograde
    from nbgrader.converters.base import BaseConverter
    from nbgrader.preprocessors import (
        AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, Execute, OverwriteCells, SaveAutoGrades,
    )

    from peercourse.nbgrader_hooks import CheckCellMetadataOnce, CourseCellsOnly
    from peercourse.nbgrader_hooks.shown_items import ShownItems

    steps = [
        ("show cells printed by the grading process (ShownItems)", ShownItems, "take_out"),
        ("execution, all of it (nbgrader's Execute)", Execute, "preprocess"),
        ("  kernel process start", Client, "start_new_kernel"),
        ("  waiting for the kernel to be ready", Client, "start_new_kernel_client"),
        ("  the lesson's cells", Client, "execute_cell"),
        ("  kernel shutdown", Client, "_cleanup_kernel"),
        ("sanitize: OverwriteCells (a gradebook query per cell)", OverwriteCells, "preprocess"),
        ("sanitize: CourseCellsOnly (the course's integrity step)", CourseCellsOnly, "preprocess"),
        ("ClearOutput, DeduplicateIds, and the metadata check of both passes",
         (ClearOutput, DeduplicateIds, CheckCellMetadata, CheckCellMetadataOnce), "preprocess"),
        ("scores to the gradebook: SaveAutoGrades", SaveAutoGrades, "preprocess"),
        ("late penalties: AssignLatePenalties", AssignLatePenalties, "preprocess"),
        ("per-learner set-up: Autograde.init_assignment", Autograde, "init_assignment"),
        ("writing the two notebooks", BaseConverter, "write_single_notebook"),
    ]
    spent = {label: 0.0 for label, _, _ in steps}
    originals = []

    def wrap(label, owner, name):
        original = getattr(owner, name)  # bound, for a classmethod
        originals.append((owner, name, owner.__dict__.get(name)))  # as the class itself holds it, if it does
        if inspect.iscoroutinefunction(original):
            async def timed_async(*args, **kwargs):
                begun = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spent[label] += time.perf_counter() - begun
            setattr(owner, name, timed_async)
        else:
            def timed_sync(*args, **kwargs):
                begun = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent[label] += time.perf_counter() - begun
            setattr(owner, name, timed_sync)

    for label, owners, name in steps:
        for owner in owners if isinstance(owners, tuple) else (owners,):
            wrap(label, owner, name)
    from peercourse.nbgrader_hooks.forked_kernels import close_templates

    course = workdir / course_name / "course"
    students = autograde_pool.submitted_students(course, "lesson-1")[:count]
    try:
        autograde_pool._start_worker(str(course))
        begun = time.perf_counter()
        for student in students:
            autograde_pool._grade(("lesson-1", student))
        total = time.perf_counter() - begun
    finally:
        for owner, name, original in reversed(originals):
            if original is None:
                delattr(owner, name)  # the wrapper hid the base class's own
            else:
                setattr(owner, name, original)
        close_templates()
    rows = [(label, seconds / len(students)) for label, seconds in spent.items()]
    return rows + [("total per notebook", total / len(students))]


# -- 6: cohort growth ---------------------------------------------------------------------------

class MemorySampler:
    """Peak resident memory of this process and everything it starts (workers, kernels)."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            time.sleep(self.every)


def _processes() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Every process's children and resident memory, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    return children, rss


def _tree(root: int, children: dict[int, list[int]] | None = None) -> list[int]:
    children = _processes()[0] if children is None else children
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _tree_rss(root: int) -> int:
    children, rss = _processes()
    return sum(rss.get(pid, 0) for pid in _tree(root, children))


@dataclass
class CohortResult:
    students: int
    jobs: int
    notebooks: int
    seconds: float
    per_notebook: Spread = field(default_factory=lambda: Spread([0.0]))
    peak_bytes: int = 0
    gradebook_rows: float = 0.0  # rows grading wrote to the gradebook, per notebook
    kernels: str = FORKED
    cpu: float = 0.0  # CPU seconds of the whole run, every process included


def gradebook_rows(course: Path) -> int:
    """Rows in every table of a SQLite gradebook (a benchmark's count, not a score)."""
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables)


def cohort_term(folder: Path, students: int, seed: int = 7, db_url: str | None = None, settings: str = "",
                lessons: int | None = None) -> tuple[Term, list]:
    """A course with a synthetic cohort's submissions to its graded lessons (the first
    `lessons` of them, or all), released and collected as nbgrader leaves them."""
    term = Term.create(folder, ROOT, db_url)
    if settings:
        with open(term.course / "nbgrader_config.py", "a") as config:
            config.write(settings)
    chosen = graded_lessons(term.course / "source")[:lessons]
    learners = synthetic_learners.learners(students, seed, [lesson.assignment for lesson in chosen])
    for lesson in chosen:
        term.release(lesson.assignment)
        for learner in learners:
            mine = term.course / "submitted" / learner.id / lesson.assignment
            shutil.copytree(term.course / "release" / lesson.assignment, mine)
            ResponsesFile(mine / f"{lesson.stem}.responses.json", lesson.stem).save_many(synthetic_learners.answers(learner, lesson, seed))
    return term, chosen


def cohort_run(workdir: Path, students: int, jobs: int, seed: int = 7, kernels: str = FORKED) -> CohortResult:
    term, lessons = cohort_term(workdir / f"cohort-{students}-{jobs}-{kernels}", students, seed,
                                settings=WITHOUT_FAST_PATH if kernels == NORMAL else "")
    times = []
    rows_before = gradebook_rows(term.course)
    with MemorySampler() as memory:
        used = tree_cpu()
        begun = time.perf_counter()
        with autograde_pool.Graders(term.course, jobs) as graders:  # workers start once, for every lesson
            for lesson in lessons:
                run = graders.autograde(lesson.assignment)
                assert not run.failed, run.failed[0].log
                times += [r.seconds for r in run.results]
        seconds = time.perf_counter() - begun
        cpu = tree_cpu() - used
    rows = (gradebook_rows(term.course) - rows_before) / len(times)
    shutil.rmtree(term.root, ignore_errors=True)
    return CohortResult(students, jobs, len(times), seconds, Spread(times), memory.peak, rows, kernels, cpu)


# -- the report ----------------------------------------------------------------------------------

# -- 7: feedback for a submission with a huge learner cell ---------------------------------------

HUGE_CELL_BYTES = 8 * 2**20


def feedback_run(workdir: Path, repeats: int = 3) -> dict:
    """`nbgrader generate_feedback` for one learner who answered every key and pasted an 8 MiB
    markdown cell into Lesson 1, beside one who did not: wall time and the peak memory of
    the command's process tree. A learner cell is kept as cut plain text (CourseCellsOnly),
    so feedback costs about the same either way."""
    from peercourse import lesson_sources
    from peercourse.responses import ResponsesFile

    from peercourse.cli import nbgrader as run_nbgrader

    course = workdir / "feedback"
    shutil.copytree(ROOT / "source", course / "source")
    shutil.copy(ROOT / "nbgrader_config.py", course)

    def nbgrader(*args):
        done = run_nbgrader(course, *args)
        if done.returncode:
            raise RuntimeError(done.stdout + done.stderr)

    nbgrader("generate_assignment", "lesson-1", "--force")
    lesson = lesson_sources.read_lesson(course / "source/lesson-1/lived-experience.ipynb")
    for learner in ("plain", "huge-cell"):
        folder = course / "submitted" / learner / "lesson-1"
        shutil.copytree(course / "release/lesson-1", folder)
        ResponsesFile(folder / "lived-experience.responses.json", "lived-experience").save_many(lesson_sources.key_answers(lesson))
        if learner == "huge-cell":
            nb = nbformat.read(folder / "lived-experience.ipynb", as_version=4)
            text = "Notes I pasted in. " * (HUGE_CELL_BYTES // 19 + 1)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(text[:HUGE_CELL_BYTES]))
            nbformat.write(nb, folder / "lived-experience.ipynb")
    nbgrader("autograde", "lesson-1")
    results = {}
    for learner in ("plain", "huge-cell"):
        seconds, peaks = [], []
        for _ in range(repeats):
            with MemorySampler(every=0.05) as memory:
                begun = time.perf_counter()
                nbgrader("generate_feedback", "lesson-1", "--student", learner, "--force")
                seconds.append(time.perf_counter() - begun)
            peaks.append(memory.peak)
        page = course / "feedback" / learner / "lesson-1" / "lived-experience.html"
        results[learner] = {"seconds": seconds, "peak_bytes": max(peaks), "page_bytes": page.stat().st_size}
    results["cell_bytes"] = HUGE_CELL_BYTES
    return results


FIRST_OUTPUT = "() => document.querySelector('.jp-Notebook .jp-CodeCell .jp-OutputArea-output') !== null"


def site_run(workdir: Path, repeats: int = 3) -> dict:
    """The browser edition (make site): its build time and size, then, in headless Chromium
    with a fresh profile each time, what a first visit downloads, the time from opening Lesson 1
    to its kernel ready, and Lesson 1's Run All; then the same page opened again in the same
    profile (files cached by the browser)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright
    from conftest import free_port
    from test_browser import ALL_RUN, CHROMIUM, CHROMIUM_FLAGS, LESSON1_READY, run_all

    from peercourse import lite_site

    begun = time.perf_counter()
    built = lite_site.build(ROOT, workdir / "site")
    build_seconds = time.perf_counter() - begun
    files = [path for path in built["out"].rglob("*") if path.is_file()]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(built["out"])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/lab/index.html?path=lesson-1/lived-experience.ipynb"
    visits = {"cold": [], "warm": []}
    try:
        time.sleep(1)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            for _ in range(repeats):
                context = chromium.new_context(viewport={"width": 1280, "height": 1000})
                seen = {"bytes": 0, "requests": 0}  # this visit's downloads, the page's and its workers'

                def finished(request):
                    seen["bytes"] += max(0, request.sizes()["responseBodySize"])
                    seen["requests"] += 1

                context.on("requestfinished", finished)
                for kind in ("cold", "warm"):
                    seen.update(bytes=0, requests=0)
                    page = context.new_page()
                    begun = time.perf_counter()
                    page.goto(url)
                    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
                    run_all(page)
                    # the kernel is ready when the first cell (the lesson's set-up) has printed
                    page.wait_for_function(FIRST_OUTPUT, timeout=180_000)
                    ready = time.perf_counter() - begun
                    page.wait_for_function("text => document.body.textContent.includes(text)", arg=LESSON1_READY,
                                           timeout=180_000)
                    page.wait_for_function(ALL_RUN, timeout=180_000)
                    total = time.perf_counter() - begun
                    visits[kind].append({"ready": ready, "run_all": total - ready, **seen})
                    page.close()
                context.close()
            chromium.close()
    finally:
        server.terminate()
        server.wait(10)
    return {"build_seconds": build_seconds, "site_bytes": sum(path.stat().st_size for path in files),
            "site_files": len(files), **visits}


# -- 9: grading beyond one machine ----------------------------------------------------------------

LOAD_CLIENTS = (1, 2, 4, 8, 16, 32)
LOAD_SECONDS, LOAD_ROUNDS = 5, 3


def cluster_run(workdir: Path, students: int = 50, jobs: int = 3, load_seconds: int = LOAD_SECONDS,
                rounds: int = LOAD_ROUNDS) -> dict:
    """One throwaway PostgreSQL server (tests/postgres.py) for three measurements. (1) A
    cohort's Lesson 1 graded by the local pool of `jobs` workers, then on a Dask cluster of
    `jobs` worker processes started as machines are (tests/dask_machines.py): wall time from
    the command's start, start-up included. (2) What nbgrader says to the gradebook for one
    notebook, recorded by the server's statement log while one learner's Lesson 1 is graded.
    (3) That traffic replayed by pgbench from 1 to 32 clients at once, each notebook as a new
    learner: notebooks and row writes a second."""
    sys.path.insert(0, str(ROOT / "tests"))
    from dask_machines import Machines
    from postgres import Cluster

    from peercourse.cluster_grading import ClusterGraders

    server = Cluster().start()
    results: dict = {"students": students, "jobs": jobs}
    try:
        for engine in ("pool", "dask"):
            term, [lesson] = cohort_term(workdir / f"cluster-{engine}", students,
                                         db_url=server.create_database(f"cohort_{engine}"), lessons=1)
            begun = time.perf_counter()
            if engine == "pool":
                with autograde_pool.Graders(term.course, jobs) as graders:
                    run = graders.autograde(lesson.assignment)
                seconds = time.perf_counter() - begun
            else:
                machines = Machines(workdir / "machines")
                try:
                    for n in range(jobs):
                        machines.start_worker(f"machine-{n + 1}")
                    machines.wait_for_workers()
                    with ClusterGraders(term.course, machines.scheduler.scheduler_address) as graders:
                        run = graders.autograde(lesson.assignment)
                    seconds = time.perf_counter() - begun
                finally:
                    machines.close()
            assert not run.failed, run.failed[0].why()
            results[engine] = {"seconds": seconds, "notebooks": len(run.results),
                               "machines": len({r.worker for r in run.results})}
            print(f"   {engine}: {len(run.results)} notebooks in {seconds:.1f} s", flush=True)
        # then the load, which leaves the server with thousands of rows to vacuum
        results["server"] = _sql(server, "SHOW server_version")[0][0].split()[0]
        script, results["traffic"] = record_traffic(server, workdir / "recorded")
        (workdir / "notebook.pgbench").write_text(script)
        levels = {clients: {"clients": clients, "notebooks_per_second": [], "latency_ms": [], "failed": 0}
                  for clients in LOAD_CLIENTS}
        for _ in range(rounds):  # interleaved, so drift in the machine's load hits every level alike
            for clients, level in levels.items():
                done = pgbench(server, "recorded", workdir / "notebook.pgbench", clients, load_seconds)
                level["notebooks_per_second"].append(done["notebooks_per_second"])
                level["latency_ms"].append(done["latency_ms"])
                level["failed"] += done["failed"]
        results["load"] = list(levels.values())
    finally:
        server.stop()
    return results


def _sql(server, query: str, database: str = "postgres") -> list[tuple]:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=grader dbname={database}", autocommit=True) as db:
        cursor = db.execute(query)
        return cursor.fetchall() if cursor.description else []


LINE_START = r"^\S+ \S+ \S+ \[(\d+)\] "  # the server's log_line_prefix: date, time, zone, [backend pid]
LOGGED = re.compile(LINE_START + r"(LOG|DETAIL):  (?:statement|execute [^:]+|parameters): ?(.*)$")
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def record_traffic(server, folder: Path) -> tuple[str, dict]:
    """Grade one learner's Lesson 1 with the server logging every statement, then turn the
    log into a pgbench script: each logged statement with its parameters written in, the
    ids of the rows the grading created (and the learner's id) made new on each run."""
    database = "recorded"
    term, [lesson] = cohort_term(folder, 1, db_url=server.create_database(database), lessons=1)
    log = server.dir / "log"
    _sql(server, "ALTER SYSTEM SET log_statement = 'all'")
    _sql(server, "SELECT pg_reload_conf()")
    start = log.stat().st_size
    with autograde_pool.Graders(term.course, 1) as graders:
        run = graders.autograde(lesson.assignment)
    _sql(server, "ALTER SYSTEM RESET log_statement")
    _sql(server, "SELECT pg_reload_conf()")
    assert not run.failed, run.failed[0].why()
    with open(log, encoding="utf-8") as text:
        text.seek(start)
        lines = text.read().splitlines()
    made = {row[0] for table in ("submitted_assignment", "submitted_notebook", "grade", "comment")
            for row in _sql(server, f"SELECT id FROM {table}", database)}
    return replay_script(lines, made, run.results[0].student)


def replay_script(lines: list[str], made: set[str], student: str) -> tuple[str, dict]:
    """A pgbench script from a PostgreSQL log with log_statement = 'all': each statement with
    its logged parameters written in, in order; the ids in `made` (rows the grading created)
    and the learner's id drawn anew for each run; psycopg's DEALLOCATEs left out."""
    statements: list[list[str]] = []  # [sql, parameters]
    for line in lines:
        found = LOGGED.match(line)
        if found and found.group(2) == "LOG":
            statements.append([found.group(3), ""])
        elif found and found.group(2) == "DETAIL":
            statements[-1][1] = found.group(3)
        elif not found and statements and not re.match(LINE_START, line):
            statements[-1][0] += " " + line.strip()  # a statement's next line
    script, counts = ["\\set uid random(1, 9000000000000000000)"], {"statements": 0, "inserted": 0, "updated": 0}
    for sql, parameters in statements:
        if sql.startswith("DEALLOCATE"):  # psycopg's own prepared statements: nothing to replay
            continue
        values = {int(n): value for n, value in PARAMETER.findall(parameters)}
        sql = re.sub(r"\$(\d+)", lambda m: values[int(m.group(1))], sql)
        for number, made_id in enumerate(sorted(made)):
            sql = sql.replace(f"'{made_id}'", f"md5(:uid || '-{number}')")
        sql = sql.replace(f"'{student}'", "('load-' || :uid)")
        script.append(sql.rstrip(";") + ";")
        counts["statements"] += 1
        if sql.startswith("INSERT"):
            counts["inserted"] += sql.count("), (") + 1
        elif sql.startswith("UPDATE"):
            counts["updated"] += 1
    counts["commits"] = sum(1 for line in script if line == "COMMIT;")
    counts["connections"] = len({m.group(1) for line in lines if (m := re.match(LINE_START, line))})
    return "\n".join(script) + "\n", counts


def pgbench(server, database: str, script: Path, clients: int, seconds: int) -> dict:
    """pgbench running the recorded notebook as fast as `clients` connections can, each
    notebook on a new connection (-C; nbgrader opens several for one notebook)."""
    command = [str(server.bin / "pgbench"), "-n", "-C", "-c", str(clients), "-j", str(min(clients, 2)),
               "-T", str(seconds), "-f", str(script), "-h", "127.0.0.1", "-p", str(server.port), "-U", "grader", database]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", done.stdout).group(1))
    failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", done.stdout)) else 0
    print(f"   pgbench, {clients} client(s): {tps:.1f} notebooks/s, latency {latency:.0f} ms", flush=True)
    return {"clients": clients, "notebooks_per_second": tps, "latency_ms": latency, "failed": failed}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    from importlib.metadata import version

    packages = ", ".join(f"{name} {version(name)}" for name in ("nbgrader", "nbclient", "ipykernel", "ipywidgets", "jupyterlab"))
    disk = subprocess.run(["df", "--output=fstype", tempfile.gettempdir()], capture_output=True, text=True).stdout.split()
    return (f"{cpu}; {os.cpu_count()} cores; {memory} GiB RAM; {platform.system()} {platform.release()}; "
            f"temporary files on {disk[-1] if disk else 'an unknown file system'}; Python {platform.python_version()}; {packages}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lesson-repeats", type=int, default=9, help="interleaved rounds of the floor and every notebook")
    parser.add_argument("--students", type=int, default=10, help="submissions per autograde comparison")
    parser.add_argument("--cohorts", default="5,10,50,200", help="cohort sizes graded with the course's settings")
    parser.add_argument("--normal-cohorts", default="10,50",
                        help="cohort sizes graded again without the fast path")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="parallel workers to compare with one")
    parser.add_argument("--out", default=str(ROOT / "docs/performance.md"))
    parser.add_argument("--raw", default=str(ROOT / "bench/results.json"), help="where the raw numbers go")
    parser.add_argument("--render-only", action="store_true", help="rewrite --out from --raw without measuring")
    parser.add_argument("--feedback-only", action="store_true",
                        help="measure only section 7 (feedback for a huge learner cell) into --raw, then render")
    parser.add_argument("--site-only", action="store_true",
                        help="measure only section 8 (the browser edition) into --raw, then render")
    parser.add_argument("--cluster-only", action="store_true",
                        help="measure only section 9 (a Dask cluster and the PostgreSQL gradebook under load) into --raw, "
                        "then render")
    parser.add_argument("--cluster-students", type=int, default=50, help="the cohort graded locally and on the cluster")
    args = parser.parse_args(argv)
    # one section measured again into the saved numbers, the rest kept as they were
    only = {"feedback": feedback_run if args.feedback_only else None, "site": site_run if args.site_only else None,
            "cluster": (lambda work: cluster_run(work, args.cluster_students, args.jobs)) if args.cluster_only else None}
    if args.render_only:
        results = json.loads(Path(args.raw).read_text())
    elif any(only.values()):
        results = json.loads(Path(args.raw).read_text())
        work = Path(tempfile.mkdtemp(prefix="peercourse-bench-"))
        for section, run in only.items():
            if run:
                results[section] = run(work)
        shutil.rmtree(work, ignore_errors=True)
        Path(args.raw).write_text(json.dumps(results, indent=1))
    else:
        results = measure(args, argv)
        Path(args.raw).write_text(json.dumps(results, indent=1))
    text = render(results)
    Path(args.out).write_text(text)
    print("\n" + text)
    print(f"wrote {args.out} (raw numbers: {args.raw})")
    return 0


def measure(args, argv) -> dict:
    """Every measurement, as plain numbers (lists of seconds) that render() turns into text."""
    sizes = [int(n) for n in args.cohorts.split(",") if n]
    work = Path(tempfile.mkdtemp(prefix="peercourse-bench-"))
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    results: dict = {"machine": machine(), "command": f"python bench/benchmark.py {shown}".strip(), "jobs": args.jobs,
                     "cores": os.cpu_count()}
    say = lambda text: print(text, flush=True)  # noqa: E731

    say("1-2. the floor and each lesson, run top to bottom (nbclient)")
    lessons_dir = work / "lessons"
    shutil.copytree(ROOT / "release", lessons_dir)
    floor_run(work)  # warm the disk cache and the kernel spec lookup
    notebooks = sorted(lessons_dir.glob("*/*.ipynb"))
    cells = code_cells(ROOT / "release/lesson-1/lived-experience.ipynb")
    results["code_cells"] = cells
    results["all_cells"] = len(nbformat.read(ROOT / "release/lesson-1/lived-experience.ipynb", as_version=4).cells)
    runs = {
        "floor": lambda: floor_run(work),
        "floor, graceful shutdown": lambda: floor_run(work, shutdown="graceful"),
        f"{cells} trivial cells": lambda: floor_run(work, cells),
        **{p.parent.name: (lambda p=p: lesson_run(p)) for p in notebooks},
        f"floor, {FORKED}": lambda: floor_run(work, forked=True),
        **{f"{p.parent.name}, {FORKED}": (lambda p=p: lesson_run(p, forked=True)) for p in notebooks},
    }
    rows = {name: [] for name in runs}
    for _ in range(args.lesson_repeats):  # interleaved, so drift in the machine's load hits all alike
        for name, run in runs.items():
            rows[name].append(timed(run, 1).values[0])
    results["runs"] = rows
    graded = graded_lessons(ROOT / "source")
    results["graded_lessons"] = len(graded)
    results["stock_tests"] = sum(1 for item in graded[0].bank.items.values() if item.graded)
    from peercourse.nbgrader_hooks.forked_kernels import close_templates

    close_templates()

    say("3. import peercourse in a fresh interpreter")
    results["import_bare"] = timed(lambda: python_startup("pass"), args.repeats * 2).values
    results["import_full"] = timed(lambda: python_startup("import peercourse"), args.repeats * 2).values
    # what each grading worker pays once, before its first notebook
    results["import_nbgrader"] = timed(lambda: python_startup("import nbgrader.apps"), args.repeats).values

    say("4. saving answers")
    save_dir = work / "saves"
    save_dir.mkdir()
    saves, results["sizes"] = save_latency(save_dir)
    results["save"] = saves.values

    repeats = max(1, args.repeats // 2 + 1)
    say(f"5. autograde per notebook ({args.students} submissions x {repeats} runs)")
    comparison, cpu = autograde_comparison(work / "autograde", args.students, repeats)
    results["autograde"] = {name: spread.values for name, spread in comparison.items()}
    results["autograde_cpu"] = {name: spread.values for name, spread in cpu.items()}
    results["profile"] = profile_autograde(work / "autograde")
    results["profile_normal"] = profile_autograde(work / "autograde", "normal")

    results["cohorts"] = []
    normal_sizes = [int(n) for n in args.normal_cohorts.split(",") if n]
    plan = [(size, jobs, FORKED) for size in sizes for jobs in sorted({1, args.jobs})]
    # the largest cohort without the fast path only in parallel: its sequential run alone took
    # over 10 minutes, and the per-notebook cost is the same at 10
    plan += [(size, jobs, NORMAL) for size in normal_sizes
             for jobs in (sorted({1, args.jobs}) if size < max(normal_sizes) else [args.jobs])]
    for size, jobs, kernels in plan:
        say(f"6. cohort of {size}, {jobs} worker(s), kernels {kernels}")
        c = cohort_run(work, size, jobs, kernels=kernels)
        results["cohorts"].append({"students": c.students, "jobs": c.jobs, "notebooks": c.notebooks,
                                   "seconds": c.seconds, "per_notebook": c.per_notebook.values, "peak_bytes": c.peak_bytes,
                                   "gradebook_rows": c.gradebook_rows, "kernels": c.kernels, "cpu": c.cpu})
    say("7. feedback for a submission with an 8 MiB learner cell")
    results["feedback"] = feedback_run(work)
    say("8. the browser edition (make site) in headless Chromium")
    results["site"] = site_run(work)
    say(f"9. {args.cluster_students} learners on a Dask cluster; the PostgreSQL gradebook under load")
    results["cluster"] = cluster_run(work, args.cluster_students, args.jobs)
    shutil.rmtree(work, ignore_errors=True)
    return results


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def cohort_key(c: dict) -> tuple[int, int, str]:
    return c["students"], c["jobs"], c.get("kernels", FORKED)


def per_notebook_cpu(c: dict) -> float:
    return c.get("cpu", 0.0) / c["notebooks"]


def render(r: dict) -> str:
    suffix = f", {FORKED}"
    every_run = {name: Spread(values) for name, values in r["runs"].items()}
    forked_runs = {name[:-len(suffix)]: spread for name, spread in every_run.items() if name.endswith(suffix)}
    runs = {name: spread for name, spread in every_run.items() if not name.endswith(suffix)}
    floor, graceful = runs["floor"], runs["floor, graceful shutdown"]
    cells = r["code_cells"]
    trivial = runs[f"{cells} trivial cells"]
    notebooks = {n: s for n, s in runs.items() if not n.startswith("floor") and not n.endswith("trivial cells")}
    lessons = {n: s for n, s in notebooks.items() if n.startswith("lesson")}
    normal_suffix = f", {NORMAL}"
    graded = {n: Spread(v) for n, v in r["autograde"].items() if n != "stock" and not n.endswith(normal_suffix)}
    graded_normal = {n[:-len(normal_suffix)]: Spread(v) for n, v in r["autograde"].items() if n.endswith(normal_suffix)}
    cpu = {n: Spread(v) for n, v in r.get("autograde_cpu", {}).items()}
    stock = Spread(r["autograde"]["stock"])
    bare, full = Spread(r["import_bare"]), Spread(r["import_full"])
    nbgrader_import = Spread(r["import_nbgrader"]).median - bare.median
    save = Spread(r["save"])
    worst_name, worst = max(((n, s.median - floor.median) for n, s in lessons.items()), key=lambda x: x[1])
    slowest_graded, slowest = max(graded.items(), key=lambda x: x[1].median)
    net_import = full.median - bare.median
    profile = dict(r["profile"])
    profile_normal = dict(r.get("profile_normal", []))
    by = {cohort_key(c): c for c in r["cohorts"]}
    jobs = r["jobs"]
    checks = [
        (f"nbgrader autograde per notebook / floor (slowest lesson, {slowest_graded})", f"{slowest.median / floor.median:.2f} x",
         TARGETS["autograde"], slowest.median / floor.median <= 0.8),
    ]
    if (50, jobs, FORKED) in by:
        c = by[(50, jobs, FORKED)]
        ratio = c["seconds"] / c["notebooks"] / floor.median
        checks.append((f"peercourse autograde, 50 learners, {jobs} workers: wall time per notebook / floor",
                       f"{ratio:.2f} x", TARGETS["cohort"], ratio <= 0.35))
    # CPU per notebook from the largest cohort graded both ways by one worker: every lesson, the
    # worker's start spread over all of them (section 5 spreads it over 10 notebooks only)
    both = [n for (n, j, k) in by if j == 1 and k == FORKED and by.get((n, 1, NORMAL), {}).get("cpu")]
    if both:
        size = max(both)
        fast, usual = per_notebook_cpu(by[(size, 1, FORKED)]), per_notebook_cpu(by[(size, 1, NORMAL)])
        checks.append((f"Grading CPU seconds per notebook, {size} learners, 1 worker: with the fast path / without",
                       f"{fast:.2f} s / {usual:.2f} s = {fast / usual:.2f}", TARGETS["cpu"], fast <= usual / 2))
    small = min((n for (n, j, k) in by if k == FORKED and j == 1 and (n, jobs, FORKED) in by), default=None)
    if small and jobs > 1:
        one, many = by[(small, 1, FORKED)]["seconds"], by[(small, jobs, FORKED)]["seconds"]
        checks.append((f"peercourse autograde, {small} learners: {jobs} workers against 1", f"{many:.1f} s against {one:.1f} s",
                       TARGETS["small"], many < one))
    checks += [
        (f"Slowest lesson run ({worst_name}) - floor", f"+{worst:.2f} s", TARGETS["lesson"], worst <= 0.5),
        ("import peercourse (net of Python start-up)", f"{net_import:.3f} s", TARGETS["import"], net_import <= 0.3),
        ("Saving an answer, 99th percentile", f"{p99(save.values) * 1000:.1f} ms", TARGETS["save"], p99(save.values) <= 0.02),
    ]
    largest = max((n for (n, j, k) in by if k == FORKED and j == 1 and (n, jobs, FORKED) in by), default=None)
    if largest and jobs > 1:
        speedup = by[(largest, 1, FORKED)]["seconds"] / by[(largest, jobs, FORKED)]["seconds"]
        checks.append((f"Parallel autograde, {largest} learners, {jobs} workers", f"{speedup:.2f} x faster",
                       "at least 1.8 x on 2 cores", speedup >= 1.8))
    site = r.get("site")
    if site:
        first_load = Spread([visit["bytes"] / 1e6 for visit in site["cold"]]).median
        checks.append(("Browser edition: the site's size", f"{site['site_bytes'] / 1e6:.1f} MB", TARGETS["site"],
                       site["site_bytes"] / 1e6 <= SITE_MB))
        checks.append(("Browser edition: what a first visit to Lesson 1 downloads", f"{first_load:.1f} MB",
                       TARGETS["first_load"], first_load <= FIRST_LOAD_MB))
    lines = [
        "# Performance",
        "",
        "Measured by `bench/benchmark.py` (`make bench`); do not edit by hand. Numbers are medians",
        "with the min-max range over repeated runs in parentheses; ratios compare medians measured",
        "side by side in the same run. The raw numbers are in `bench/results.json`.",
        "",
        f"- Machine: {r['machine']}",
        f"- Rerun: `make bench` (runs `{r['command']}`, about an hour); "
        "`python bench/benchmark.py --render-only` rewrites this page from the raw numbers.",
        "",
        "## Results against the targets",
        "",
        "| Measure | Result | Target | Met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {'yes' if d else 'no'} |" for a, b, c, d in checks]
    lines += [
        "",
        "## 1-2. The floor, and each notebook run top to bottom",
        "",
        "The floor is a fresh kernel executing a one-cell notebook through nbclient: start the",
        "kernel, run `1 + 1`, stop it at once (as grading does; a learner's Run All never waits for",
        "the kernel to stop). A notebook's run is what a learner's Run All and nbval pay: every",
        f"widget built and sent to the (here absent) page. {len(runs['floor'].values)} rounds, each running every row",
        "below in turn.",
        "",
        "| Notebook | Time | Over the floor | Ratio |",
        "| --- | --- | --- | --- |",
        f"| floor (one cell) | {floor.show()} | | 1.00 |",
        f"| floor, stopping the kernel politely (nbclient's default) | {graceful.show()} | "
        f"+{graceful.median - floor.median:.2f} s | {graceful.median / floor.median:.2f} |",
        f"| {cells} trivial cells (as many code cells as a lesson) | {trivial.show()} | "
        f"+{trivial.median - floor.median:.2f} s | {trivial.median / floor.median:.2f} |",
    ]
    for name, spread in notebooks.items():
        lines.append(f"| {name} | {spread.show()} | +{spread.median - floor.median:.2f} s | {spread.median / floor.median:.2f} |")
    lines += where_a_lesson_run_goes(floor, trivial, lessons, worst_name, cells, notebooks)
    if forked_runs:
        lines += [
            "",
            "### The same runs in kernels forked from the kernel template",
            "",
            "Grading's kernels (section 5) are forked from a template process that has imported",
            "ipykernel and the course once, and are used as soon as they answer. Measured in the same",
            "rounds as the table above, every cell run (grading runs fewer: section 5). A learner's Run",
            "All in JupyterLab and nbval still start kernels the usual way (the template is a grading",
            "tool); these rows show what it saves a notebook.",
            "",
            "| Notebook | Time | Ratio to the floor |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {name}, forked kernel | {spread.show()} | {spread.median / floor.median:.2f} |"
                  for name, spread in forked_runs.items()]
    lines += [
        "",
        "## 3. Importing the package",
        "",
        f"`python -c 'import peercourse'` takes {full.show()}; `python -c pass` takes {bare.show()}: the",
        f"import itself costs {net_import:.3f} s. ipywidgets, filelock and PyYAML's loaders are imported",
        "only where a widget, a save or an items file needs them, so grading and the command line",
        "never pay for widgets.",
        "",
        "## 4. Saving an answer",
        "",
        f"{len(save.values)} saves of lesson 1's answers, one at a time, each taking the lock, re-reading the",
        f"file, merging and replacing it atomically with an fsync: median {save.median * 1000:.2f} ms, 99th",
        f"percentile {p99(save.values) * 1000:.2f} ms, slowest {max(save.values) * 1000:.2f} ms.",
        "",
        "| Lesson | Bytes of a fully answered answers file |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {size:,} |" for name, size in r["sizes"].items()]
    lines += [
        "",
        "## 5. Autograde per notebook",
        "",
        "nbgrader's autograde of one submission (a sanitize pass, execution in a fresh kernel, scores",
        "to the gradebook), in-process through NbGraderAPI, as `nbgrader autograde` and `peercourse",
        "autograde` run it. Each graded lesson is graded with the course's settings, the fast path on,",
        "and again without it (`peercourse.course_config.WITHOUT_FAST_PATH`). The fast path is: each",
        "kernel forked from the kernel template and used as soon as it answers; the show cells printed",
        "by the grading process, so the kernel runs only the setup cell and the tests; nbgrader's",
        "metadata schema checked once per process and the notebook checked once per pass; and one",
        "gradebook engine per process (docs/instructors.md). Beside them is",
        "stock nbgrader, under stock settings, grading a plain notebook with the same number of test",
        f"cells as lesson 1 ({r.get('stock_tests', 12)}, simple asserts). CPU is the CPU time of every process involved (the grader, its worker,",
        f"the template, the kernels) per notebook, the worker's start included, over {len(r['autograde']['stock'])} runs.",
        "",
        "| Notebook | Per notebook | Ratio to floor | CPU per notebook |",
        "| --- | --- | --- | --- |",
        f"| floor (one cell, nbclient only) | {floor.show()} | 1.00 | |",
        f"| stock nbgrader, plain notebook | {stock.show()} | {stock.median / floor.median:.2f} | {cpu_cell(cpu, 'stock')} |",
    ]
    for name, spread in graded.items():
        if name in graded_normal:
            usual = graded_normal[name]
            lines.append(f"| this course, {name}, without the fast path | {usual.show()} | {usual.median / floor.median:.2f} | "
                         f"{cpu_cell(cpu, name + normal_suffix)} |")
        lines.append(f"| this course, {name}, with the fast path | {spread.show()} | "
                     f"{spread.median / floor.median:.2f} | {cpu_cell(cpu, name)} |")
    lines += [
        "",
        "Where one of the course's autogrades (lesson 1) spends its wall-clock time, in seconds per",
        "notebook (each step's function timed; indented rows are parts of the row above; the kernel",
        "template's own start, once per worker, is in \"kernel process start\", spread over 10 learners):",
        "",
    ]
    if profile_normal:
        lines += ["| Step | Without the fast path | With the fast path |", "| --- | --- | --- |"]
        lines += [f"| {label} | {profile_normal.get(label, 0):.3f} | {seconds:.3f} |" for label, seconds in r["profile"]]
    else:
        lines += ["| Step | Seconds |", "| --- | --- |"]
        lines += [f"| {label} | {seconds:.3f} |" for label, seconds in r["profile"]]
    lines += why_autograde_costs_what_it_does(floor, graceful, slowest, stock, profile, profile_normal, cells)
    lines += [
        "",
        "## 6. Cohort growth",
        "",
        f"Every graded lesson (1-{r.get('graded_lessons', 5)}) for a synthetic cohort, answers written by the course's own code,",
        "graded with `peercourse autograde --jobs N` (one set of workers for every lesson), with the",
        "course's settings (the fast path of section 5, and workers forked from a server that has",
        "imported nbgrader) and again without them (kernels and workers started the usual way). Each row is one",
        "run. CPU is every process's CPU time over the run, per notebook. Peak memory is the resident",
        "memory of the grading process and everything it started (workers, templates and kernels).",
        "",
        "| Learners | Workers | Fast path | Notebooks | Wall time | Per notebook (wall / notebooks) | One notebook's grading | CPU per notebook | Peak memory |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in sorted(r["cohorts"], key=lambda c: (c.get("kernels", FORKED) != NORMAL, c["students"], c["jobs"])):
        kind = "with" if c.get("kernels", FORKED) == FORKED else "without"
        lines.append(
            f"| {c['students']} | {c['jobs']} | {kind} | {c['notebooks']} | {c['seconds']:.1f} s | "
            f"{c['seconds'] / c['notebooks']:.2f} s | {Spread(c['per_notebook']).show()} | {per_notebook_cpu(c):.2f} s | "
            f"{c['peak_bytes'] / 2**20:.0f} MiB |"
        )
    sequential = sorted((n, c) for (n, j, k), c in by.items() if j == 1 and k == FORKED)
    if len(sequential) >= 2:
        (small_n, first), (big, last) = sequential[0], sequential[-1]
        growth = (last["seconds"] / last["notebooks"]) / (first["seconds"] / first["notebooks"])
        lines += [
            "",
            f"Cost grows linearly with the cohort: from {small_n} to {big} learners the time per notebook changes",
            f"by a factor of {growth:.2f}, so wall time is the number of notebooks times a constant, and memory",
            "stays flat, set by the number of workers (each a grading process, its template and one kernel",
            "at a time), not by the number of learners.",
        ]
    for kernels, label in ((FORKED, "with the fast path"), (NORMAL, "without the fast path")):
        rows = sorted((n, c) for (n, j, k), c in by.items() if j == jobs and jobs > 1 and k == kernels and (n, 1, kernels) in by)
        if rows:
            lines += ["", f"Parallel speed-up with {jobs} workers, {label}, sequential wall time over parallel:", ""]
            lines += [f"- {n} learners: {by[(n, 1, kernels)]['seconds'] / c['seconds']:.2f} x" for n, c in rows]
    lines += [
        "",
        f"The default, {jobs} workers on {r.get('cores', os.cpu_count())} cores (`peercourse autograde` uses one per",
        "core, plus one), keeps both cores busy: a grading alternates between nbgrader's process and",
        "its kernel's, so with only one worker per core each core idles while the other side works.",
        f"Importing nbgrader takes {nbgrader_import:.1f} s here (`import nbgrader.apps` net of Python's start-up;",
        "most of it is jsonschema's format checkers). A worker started the usual way pays it before its",
        "first learner, so a small cohort gained little from more workers. The course's workers are",
        "forked from multiprocessing's fork server, which pays it once, while the command loads the",
        "course's settings; each worker then only starts its kernel template.",
    ]
    lines += beyond_one_machine(r, by, jobs)
    lines += huge_learner_cell(r.get("feedback"))
    lines += browser_edition(site, runs.get("lesson-1"), floor)
    lines += on_a_cluster(r.get("cluster"), r.get("graded_lessons", 5))
    return "\n".join(lines) + "\n"


def browser_edition(site: dict | None, laptop: Spread | None, floor: Spread) -> list[str]:
    lines = ["", "## 8. The browser edition (make site)", ""]
    if not site:
        return lines + ["Not measured in this run (`python bench/benchmark.py --site-only` adds it)."]
    cold, warm = site["cold"], site["warm"]
    mb = lambda visits: Spread([visit["bytes"] / 1e6 for visit in visits])  # noqa: E731
    lines += [
        f"`make site` built the site in {site['build_seconds']:.1f} s (its parts already in `build/lite-cache/`):",
        f"{site['site_files']:,} files, {site['site_bytes'] / 1e6:.1f} MB. Served by Python's static server on",
        f"127.0.0.1, each of {len(cold)} rounds opens Lesson 1 in a fresh headless Chromium profile (a first visit),",
        "presses Run All as soon as the kernel indicator reads idle, as a learner would, then opens it again",
        "in the same profile (the browser's cache warm). \"Received\" adds up the response bodies Chromium",
        "reports for the page and its workers (on the warm visit, some of them come from its cache).",
        "\"Kernel ready\" is the time from opening the page to the lesson's first cell printing (Pyodide",
        "started, the course imported); \"Run All\" is the rest of the lesson's cells. Most of the kernel's",
        "start is the browser compiling and starting Python, not downloading it, so a warm cache saves little.",
        "",
        "| Visit | Received | Requests | Open to kernel ready | Lesson 1's Run All after that |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, visits in (("first visit", cold), ("again, cache warm", warm)):
        requests = Spread([float(visit["requests"]) for visit in visits])
        lines.append(f"| {name} | {mb(visits).show('MB', digits=1)} | {requests.median:.0f} | "
                     f"{Spread([v['ready'] for v in visits]).show()} | {Spread([v['run_all'] for v in visits]).show()} |")
    if laptop:
        lines += [
            "",
            f"On a laptop (section 1), Lesson 1 runs top to bottom in {laptop.show()}, kernel start included",
            f"(the floor alone: {floor.show()}). In the browser the kernel is Python compiled to WebAssembly,",
            "started inside the page, and the course's cells run there too.",
        ]
    return lines


def huge_learner_cell(f: dict | None) -> list[str]:
    """Section 7, from the raw numbers (absent from results measured before it existed)."""
    lines = ["", "## 7. Feedback for a submission with a huge learner cell", ""]
    if not f:
        return lines + ["Not measured in this run (`python bench/benchmark.py --feedback-only` adds it)."]
    plain, huge = Spread(f["plain"]["seconds"]), Spread(f["huge-cell"]["seconds"])
    mib = 2**20
    lines += [
        f"`nbgrader generate_feedback` for one Lesson 1 learner, beside one who also pasted an "
        f"{f['cell_bytes'] / mib:.0f} MiB markdown cell into the notebook (under nbgrader's 100 MB submission limit). "
        "Peak memory is that of the benchmark's process tree while the command runs: the command and the "
        "benchmark itself.",
        "",
        "| Submission | generate_feedback, median (range) | peak memory | feedback page |",
        "| --- | --- | --- | --- |",
        f"| answers only | {plain.show()} | {f['plain']['peak_bytes'] / mib:.0f} MiB | {f['plain']['page_bytes'] / 1024:.0f} KiB |",
        f"| answers and an {f['cell_bytes'] / mib:.0f} MiB learner cell | {huge.show()} | "
        f"{f['huge-cell']['peak_bytes'] / mib:.0f} MiB | {f['huge-cell']['page_bytes'] / 1024:.0f} KiB |",
        "",
        "The course keeps a learner's own cells as plain text cut at 100,000 characters "
        "(`CourseCellsOnly.learner_cell_limit`), never syntax-highlighted, so the huge cell costs "
        f"{huge.median - plain.median:+.2f} s and {(f['huge-cell']['peak_bytes'] - f['plain']['peak_bytes']) / mib:+.0f} MiB. "
        "Before that limit, nbconvert highlighted the whole cell: a 1 MB cell took 50 s and 1.2 GB, "
        "and a 60 MB one ran out of memory after 18 minutes at 23 GB.",
    ]
    return lines


def where_a_lesson_run_goes(floor: Spread, trivial: Spread, lessons: dict, worst_name: str, cells: int,
                            notebooks: dict) -> list[str]:
    """Split a lesson's time over the floor into what any notebook of as many cells pays
    (a round trip to the kernel per cell) and the course's own work (building the widgets)."""
    per_cells = trivial.median - floor.median
    worst = lessons[worst_name].median
    own = worst - trivial.median
    others = [n for n in notebooks if n not in lessons]
    lines = [
        "",
        f"Where a lesson's run goes, for the slowest lesson ({worst_name}): +{worst - floor.median:.2f} s over the floor,",
        f"of which {per_cells:.2f} s is what any notebook of {cells} code cells pays (nbclient sends each cell",
        f"to the kernel and waits for its reply; the {cells}-trivial-cells row), and {own:.2f} s is the course's own",
        "work: reading the items file once, then building each item's widgets and sending them to",
        "the page.",
    ]
    if worst - floor.median > 0.5:
        lines += [
            "",
            "### Why a lesson's run is above the floor plus 0.5 s",
            "",
            f"The per-cell round trips ({per_cells:.2f} s) are the cost of a lesson being a notebook of short",
            "cells, one per item, which is what lets a learner see and re-run each item on its own; merging",
            "cells would hide items from the learner to save milliseconds. The course's own share is",
            f"{own:.2f} s for about two dozen items of several widgets each.",
        ]
    if others:
        lines += [
            "",
            f"The target is for lessons; {' and '.join(others)} are tools beside them (the progress notebook",
            "reads every lesson's answers and draws a chart with matplotlib, whose import is most of its",
            "time).",
        ]
    return lines


def cpu_cell(cpu: dict, name: str) -> str:
    return cpu[name].show() if name in cpu else ""


def why_autograde_costs_what_it_does(floor: Spread, graceful: Spread, slowest: Spread, stock: Spread, profile: dict,
                                     profile_normal: dict, cells: int) -> list[str]:
    def parts(p: dict) -> tuple[float, float, float, float]:
        kernel = p.get("  waiting for the kernel to be ready", 0) + p.get("  kernel process start", 0)
        total = p.get("total per notebook", slowest.median)
        return (kernel, p.get("  the lesson's cells", 0), p.get("  kernel shutdown", 0),
                total - p.get("execution, all of it (nbgrader's Execute)", 0))

    kernel, lesson_cells, shutdown, bookkeeping = parts(profile)
    printed = profile.get("show cells printed by the grading process (ShownItems)", 0)
    lines = ["", "### What autograde pays above and below the floor", ""]
    if profile_normal:
        kernel_n, cells_n, shutdown_n, bookkeeping_n = parts(profile_normal)
        lines += [
            f"Started the usual way, a kernel takes {kernel_n:.2f} s from start to answering, which is most of",
            f"the floor. Forked from the template it takes {kernel:.2f} s: the new process has nothing left to",
            "import, and the course's client counts it ready once it has answered and its broadcast channel",
            "has carried the answer's \"idle\" status, where jupyter_client then waits for 0.2 s of quiet.",
            f"Stopping it takes {shutdown:.2f} s instead of {shutdown_n:.2f} s (jupyter_client looks at a stopped",
            "kernel again every 0.1 s; the provisioner returns once the template has seen it end).",
            "",
            f"Without the fast path the kernel runs all {cells} of the lesson's code cells, in {cells_n:.2f} s, each a round",
            "trip between the grading process and the kernel. With it the kernel runs the setup cell and",
            f"the tests, in {lesson_cells:.2f} s; the grading process prints the show cells' text copies of the",
            f"items itself, with the course's own Lesson.show, in {printed:.3f} s, and the kernel's setup cell",
            "confirms that it read the answers file the same way (nbgrader_hooks/shown_items.py).",
            "",
            f"nbgrader's bookkeeping (reading and writing the notebook twice, restoring and checking every",
            f"locked cell against the gradebook, saving each score) takes {bookkeeping:.2f} s against {bookkeeping_n:.2f} s:",
            "its metadata check no longer checks nbgrader's schema itself for every cell, nbconvert checks",
            "the notebook once per pass instead of after every step, and the 13 or so Gradebooks nbgrader",
            "opens per notebook share one database engine, so their queries are compiled once per process.",
            "",
        ]
    lines += [
        "Stock nbgrader pays all of this with its own kernels: it grades a plain notebook at",
        f"{stock.median / floor.median:.2f} x the floor here. The polite stop nbclient would otherwise use costs",
        f"{graceful.median - floor.median:+.2f} s more per notebook (section 1); grading stops kernels at once.",
        "Every notebook still has a kernel process of its own that no other notebook's code has",
        "touched (tests/test_forked_kernels.py), and a cohort graded with and without the fast path",
        "gets the same scores, graded notebooks, feedback pages and gradebook rows",
        "(tests/test_autograde_pool.py).",
    ]
    return lines


def gradebook_peak(c: dict) -> tuple[dict, float]:
    """The pgbench level with the most notebooks a second (median of its rounds), and that
    rate, in notebooks and in row writes a second."""
    traffic = c["traffic"]
    best = max(c["load"], key=lambda level: Spread(level["notebooks_per_second"]).median)
    rate = Spread(best["notebooks_per_second"]).median
    return {**best, "rate": rate}, rate * (traffic["inserted"] + traffic["updated"])


def on_a_cluster(c: dict | None, graded: int) -> list[str]:
    lines = ["", "## 9. The gradebook under load, and grading on a Dask cluster", ""]
    if not c:
        return lines + ["Not measured in this run (`python bench/benchmark.py --cluster-only` adds it)."]
    t = c["traffic"]
    rows = t["inserted"] + t["updated"]
    best, peak_rows = gradebook_peak(c)
    lines += [
        f"What nbgrader says to the gradebook to grade one Lesson 1 notebook, as PostgreSQL {c['server']}'s",
        f"statement log recorded it: {t['statements']} statements on {t['connections']} connections and {t['commits']} commits,",
        f"writing {t['inserted']} new rows (the submission, its notebook, a grade per graded cell and a comment",
        f"per reflection) and updating {t['updated']} (the scores). Most statements are reads: nbgrader looks",
        "up each cell, and each new connection checks the tables. pgbench replays that script, every",
        f"run a new learner with new row ids on one new connection (nbgrader opened {t['connections']}, so the replay",
        "spares the server some connecting), with 1 to 32 clients at once on this machine, where the",
        "clients and the server share its cores:",
        "",
        f"| Clients | Notebooks a second, median (range of {len(c['load'][0]['notebooks_per_second'])} rounds) | "
        "Row writes a second | Average latency |",
        "| --- | --- | --- | --- |",
    ]
    for level in c["load"]:
        rate = Spread(level["notebooks_per_second"])
        lines.append(f"| {level['clients']} | {rate.median:.1f} ({min(rate.values):.1f}-{max(rate.values):.1f}) | {rate.median * rows:,.0f} | "
                     f"{Spread(level['latency_ms']).median:.0f} ms |")
    minutes = lambda learners: learners * graded / best["rate"] / 60  # noqa: E731
    lines += [
        "",
        f"The server held at most {best['rate']:.1f} notebooks, {peak_rows:,.0f} row writes, a second, at",
        f"{best['clients']} clients; more clients only wait longer. At that rate the gradebook alone takes",
        f"{minutes(5000):.0f} minutes for 5,000 learners x {graded} graded lessons and {minutes(50000) / 60:.1f} hours for 50,000,",
        "whatever the number of grading machines: past that point more graders do not help; a bigger",
        "database server does, or grading spread over the term, lesson by lesson. A server on a",
        "machine of its own, with more cores, holds more: run this section there before a term of",
        "that size.",
        "",
        f"A cohort of {c['students']} learners' Lesson 1 graded with the same PostgreSQL server, from the command's",
        "start (workers and their start-up included):",
        "",
        "| Engine | Notebooks | Wall time | Per notebook |",
        "| --- | --- | --- | --- |",
        f"| `peercourse autograde --jobs {c['jobs']}` (the local pool) | {c['pool']['notebooks']} | {c['pool']['seconds']:.1f} s | "
        f"{c['pool']['seconds'] / c['pool']['notebooks']:.2f} s |",
        f"| `--cluster`: a Dask scheduler and {c['jobs']} `dask worker` processes on this machine | {c['dask']['notebooks']} | "
        f"{c['dask']['seconds']:.1f} s | {c['dask']['seconds'] / c['dask']['notebooks']:.2f} s |",
        "",
        "On one machine the cluster does the same grading with more around it: a scheduler, and",
        "each Dask worker loading nbgrader and the course's settings before its first learner",
        f"({c['dask']['machines']} of the {c['jobs']} workers graded learners). Its worth is on many machines, where each",
        "added machine adds its cores, until the gradebook's rate above is reached.",
    ]
    return lines


def beyond_one_machine(r: dict, by: dict, jobs: int) -> list[str]:
    best = max((c for (n, j, k), c in by.items() if j == jobs and k == FORKED), key=lambda c: c["students"], default=None)
    if best is None:
        return []
    per_machine = best["seconds"] / best["notebooks"]  # wall seconds per notebook, one machine
    graded = r.get("graded_lessons", 5)
    notebooks = 5000 * graded  # lesson 0 has nothing to grade
    one = notebooks * per_machine / 3600
    cores_per = r.get("cores", os.cpu_count() or 2)
    machines, cores_each = 10, 16
    scale = cores_each / cores_per * machines
    minutes = one * 60 / scale
    rate = notebooks / minutes  # notebooks a minute across the machines
    rows = best.get("gradebook_rows", 0)
    lines = [
        "",
        "## Beyond one machine",
        "",
        "A hub with thousands of learners, as the course would run it:",
        "",
        "- **JupyterHub on Kubernetes** (Zero to JupyterHub), one pod per learner from the image",
        "  that `environment.yml` describes. Learners' answers files stay in their own home volumes;",
        "  nothing about grading runs in their pods.",
        "- **The exchange** on storage every pod mounts (NFS, or a cloud file share with",
        "  ReadWriteMany), or a sharing service that replaces the directory, such as ngshare, which",
        "  implements nbgrader's exchange over HTTP. `Exchange.path_includes_course = True` keeps",
        "  courses apart.",
        "- **One PostgreSQL gradebook** (`CourseDirectory.db_url`), which every grader and formgrader",
        "  share; the tests here run the whole cycle and parallel grading against PostgreSQL with",
        "  the same scores as SQLite. (SQLite must not be used over NFS: `peercourse autograde`",
        "  refuses parallel workers on a SQLite gradebook on a network file system.) A connection",
        "  pooler in front (PgBouncer) keeps connections in check when many workers start at once.",
        "- **Grading on a Dask cluster**: `peercourse autograde LESSON --cluster ADDRESS` sends one",
        "  task per learner to the cluster's workers (one per core, each grading as the local pool",
        "  does). Submissions are independent, so machines need nothing from one another but the",
        "  gradebook and the shared course directory; a machine lost mid-learner has that learner",
        "  graded again elsewhere. docs/instructors.md shows the Kubernetes objects.",
        "",
        f"What the numbers above predict: 5,000 learners x {graded} graded lessons is {notebooks:,} notebooks",
        "(lesson 0, progress and exam practice are not graded). At the measured",
        f"{per_machine:.2f} s of wall time per notebook on this {cores_per}-core machine with {jobs} workers,",
        f"one such machine grades them in {one:.1f} hours; cost is linear in notebooks and in cores,",
        f"so {machines} grading machines of {cores_each} cores each (about {scale:.0f} times this one) would take",
        f"about {minutes:.0f} minute{'' if round(minutes) == 1 else 's'}, if the gradebook keeps up.",
    ]
    if rows:
        lines += [
            "",
            f"What the gradebook must take at that pace, from the rows grading wrote here ({rows:.0f} per",
            "notebook: a grade per graded cell, comments for the cells graded by hand, and the",
            "submission's own rows):",
            f"{rate:,.0f} notebooks a minute is about {rate * rows / 60:,.0f} row writes a second, plus nbgrader's",
            f"reads (OverwriteCells looks up each of a lesson's {r.get('all_cells', 0)} course cells).",
        ]
        cluster = r.get("cluster")
        if cluster:
            best, peak_rows = gradebook_peak(cluster)
            held = best["rate"] * 60  # notebooks a minute
            lines += [f"Section 9 measured what a PostgreSQL server on this machine holds: {peak_rows:,.0f} row writes",
                      f"a second, {held:,.0f} notebooks a minute."]
            if held < rate:
                lines += [f"That is less than the {rate:,.0f} a minute those machines would grade: at that scale the",
                          "gradebook, not the graders, sets the pace, unless its server is bigger than this one.",
                          "Measure it where it will run (section 9's pgbench script)."]
            else:
                lines += [f"That is enough for the {rate:,.0f} a minute those machines would grade."]
        else:
            lines += ["The gradebook server's own rate is section 9's (`--cluster-only`)."]
        lines += [
            "If the gradebook falls behind, fewer grading machines at once simply take longer: spread",
            f"over a term (a lesson due every week or two), a single {cores_per}-core grader needs about",
            f"{one / 5:.1f} hours per lesson for 5,000 learners.",
        ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
