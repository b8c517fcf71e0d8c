"""Benchmarks of the course against the physical floor (`make bench`).

Every comparison is measured side by side in the same run and given as a ratio. Prints a
table and writes docs/performance.md. Timing numbers are medians with min-max over
repeated runs; nothing here is a pass/fail test.

    python bench/benchmark.py [--repeats 5] [--cohorts 10,50,200] [--jobs 2] [--out docs/performance.md]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
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

from peercourse import catalog, cohort, parallel  # noqa: E402
from peercourse.cli import default_jobs  # noqa: E402
from peercourse.responses import ResponsesFile  # noqa: E402
from peercourse.term import Term  # noqa: E402

TARGETS = {
    "autograde": "at most 1.2 x the floor per notebook",
    "lesson": "at most the floor + 0.5 s",
    "import": "at most 0.3 s",
    "save": "at most 20 ms at the 99th percentile",
}
KERNEL_QUIET = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]


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

def execute(nb, path: Path) -> None:
    NotebookClient(nb, kernel_name="python3", timeout=120, extra_arguments=KERNEL_QUIET,
                   resources={"metadata": {"path": str(path)}}).execute()


def floor_run(workdir: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    execute(nb, workdir)


def lesson_run(notebook: Path) -> None:
    execute(nbformat.read(notebook, as_version=4), notebook.parent)


# -- 3: import time --------------------------------------------------------------------------

def python_startup(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


# -- 4: saving answers -------------------------------------------------------------------------

def save_latency(workdir: Path, count: int = 1000) -> tuple[Spread, dict[str, int]]:
    lesson = catalog.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")
    answers = list(catalog.key_answers(lesson).items())
    target = ResponsesFile(workdir / "lived-experience.responses.json", lesson.stem)
    values = []
    for n in range(count):
        item_id, value = answers[n % len(answers)]
        begun = time.perf_counter()
        target.save(item_id, value)
        values.append(time.perf_counter() - begun)
    sizes = {}
    for each in catalog.find_lessons(ROOT / "source"):
        path = workdir / f"{each.stem}.responses.json"
        ResponsesFile(path, each.stem).save_many(catalog.key_answers(each))
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
    run = parallel.autograde(course, lesson, jobs=1)
    assert not run.failed, run.failed[0].log
    return [r.seconds for r in run.results]


def autograde_comparison(workdir: Path, students: int, repeats: int) -> dict[str, Spread]:
    ours = Term.create(workdir / "ours", ROOT)
    ours.release("lesson-1")
    lesson = catalog.read_lesson(ours.course / "source/lesson-1/lived-experience.ipynb")
    tests = sum(1 for item in lesson.bank.items.values() if item.graded)
    stock = workdir / "stock"
    (stock / "source/plain").mkdir(parents=True)
    (stock / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    nbformat.write(plain_notebook(tests), stock / "source/plain/plain.ipynb")
    api = parallel.load_api(stock)
    assert api.generate_assignment("plain", force=True)["success"]
    for n in range(students):
        mine = ours.course / "submitted" / f"s{n}" / "lesson-1"
        shutil.copytree(ours.course / "release/lesson-1", mine)
        ResponsesFile(mine / "lived-experience.responses.json", lesson.stem).save_many(catalog.key_answers(lesson))
        shutil.copytree(stock / "release/plain", stock / "submitted" / f"s{n}" / "plain")
    result = {"ours": [], "stock": []}
    for _ in range(repeats):
        result["ours"].append(statistics.median(grade_course(ours.course, "lesson-1")))
        result["stock"].append(statistics.median(grade_course(stock, "plain")))
    return {name: Spread(values) for name, values in result.items()}


def profile_autograde(workdir: Path, count: int = 5) -> list[tuple[str, float]]:
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

    from peercourse.nbgrader_hooks import CourseCellsOnly

    steps = [
        ("execution, all of it (nbgrader's Execute)", Execute, "preprocess"),
        ("  kernel process start", Client, "start_new_kernel"),
        ("  waiting for the kernel to be ready", Client, "start_new_kernel_client"),
        ("  the lesson's cells", Client, "execute_cell"),
        ("  kernel shutdown", Client, "_cleanup_kernel"),
        ("sanitize: OverwriteCells (a gradebook query per cell)", OverwriteCells, "preprocess"),
        ("sanitize: CourseCellsOnly (the course's integrity step)", CourseCellsOnly, "preprocess"),
        ("sanitize: ClearOutput, DeduplicateIds, CheckCellMetadata", (ClearOutput, DeduplicateIds, CheckCellMetadata), "preprocess"),
        ("scores to the gradebook: SaveAutoGrades", SaveAutoGrades, "preprocess"),
        ("late penalties: AssignLatePenalties", AssignLatePenalties, "preprocess"),
        ("per-learner set-up: Autograde.init_assignment", Autograde, "init_assignment"),
        ("writing the two notebooks", BaseConverter, "write_single_notebook"),
    ]
    spent = {label: 0.0 for label, _, _ in steps}
    originals = []

    def wrap(label, owner, name):
        original = getattr(owner, name)
        originals.append((owner, name, original))
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
    course = workdir / "ours" / "course"
    students = parallel.submitted_students(course, "lesson-1")[:count]
    try:
        parallel._start_worker(str(course))
        begun = time.perf_counter()
        for student in students:
            parallel._grade(("lesson-1", student))
        total = time.perf_counter() - begun
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
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


def _tree_rss(root: int) -> int:
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
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


@dataclass
class CohortResult:
    students: int
    jobs: int
    notebooks: int
    seconds: float
    per_notebook: Spread = field(default_factory=lambda: Spread([0.0]))
    peak_bytes: int = 0


def cohort_run(workdir: Path, students: int, jobs: int, seed: int = 7) -> CohortResult:
    term = Term.create(workdir / f"cohort-{students}-{jobs}", ROOT)
    lessons = [lesson for lesson in catalog.find_lessons(term.course / "source") if any(i.graded for i in lesson.bank.items.values())]
    learners = cohort.learners(students, seed, [lesson.assignment for lesson in lessons])
    for lesson in lessons:
        term.release(lesson.assignment)
        for learner in learners:
            folder = term.course / "submitted" / learner.id / lesson.assignment
            shutil.copytree(term.course / "release" / lesson.assignment, folder)
            ResponsesFile(folder / f"{lesson.stem}.responses.json", lesson.stem).save_many(cohort.answers(learner, lesson, seed))
    times = []
    with MemorySampler() as memory:
        begun = time.perf_counter()
        for lesson in lessons:
            run = parallel.autograde(term.course, lesson.assignment, jobs=jobs)
            assert not run.failed, run.failed[0].log
            times += [r.seconds for r in run.results]
        seconds = time.perf_counter() - begun
    shutil.rmtree(term.root, ignore_errors=True)
    return CohortResult(students, jobs, len(times), seconds, Spread(times), memory.peak)


# -- the report ----------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    from importlib.metadata import version

    packages = ", ".join(f"{name} {version(name)}" for name in ("nbgrader", "nbclient", "ipykernel", "ipywidgets", "jupyterlab"))
    return (f"{cpu}; {os.cpu_count()} cores; {memory} GiB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {packages}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--students", type=int, default=10, help="submissions per autograde comparison")
    parser.add_argument("--cohorts", default="10,50,200")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="parallel workers to compare with one")
    parser.add_argument("--out", default=str(ROOT / "docs/performance.md"))
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.cohorts.split(",") if n]
    work = Path(tempfile.mkdtemp(prefix="peercourse-bench-"))
    results: dict = {"machine": machine(), "command": "make bench  # = " + " ".join(["python bench/benchmark.py", *(argv or sys.argv[1:])])}
    say = lambda text: print(text, flush=True)  # noqa: E731

    say("1-2. the floor and each lesson, run top to bottom (nbclient)")
    lessons_dir = work / "lessons"
    shutil.copytree(ROOT / "release", lessons_dir)
    floor_run(work)  # warm the disk cache and the kernel spec lookup
    rows = {"floor": [], **{p.parent.name: [] for p in sorted(lessons_dir.glob("*/*.ipynb"))}}
    for _ in range(args.repeats):  # interleaved, so drift in the machine's load hits all alike
        rows["floor"].append(timed(lambda: floor_run(work), 1).values[0])
        for notebook in sorted(lessons_dir.glob("*/*.ipynb")):
            rows[notebook.parent.name].append(timed(lambda: lesson_run(notebook), 1).values[0])
    results["runs"] = {name: Spread(values) for name, values in rows.items()}

    say("3. import peercourse in a fresh interpreter")
    bare = timed(lambda: python_startup("pass"), args.repeats * 2)
    full = timed(lambda: python_startup("import peercourse"), args.repeats * 2)
    results["import"] = (bare, full)

    say("4. saving answers")
    save_dir = work / "saves"
    save_dir.mkdir()
    results["save"], results["sizes"] = save_latency(save_dir)

    say(f"5. autograde per notebook ({args.students} submissions x {args.repeats} runs)")
    results["autograde"] = autograde_comparison(work / "autograde", args.students, max(1, args.repeats // 2 + 1))
    results["profile"] = profile_autograde(work / "autograde")

    results["cohorts"] = []
    for size in sizes:
        for jobs in sorted({1, args.jobs}):
            say(f"6. cohort of {size}, {jobs} worker(s)")
            results["cohorts"].append(cohort_run(work, size, jobs))
    shutil.rmtree(work, ignore_errors=True)

    text = render(results, args.jobs)
    Path(args.out).write_text(text)
    print("\n" + text)
    print(f"wrote {args.out}")
    return 0


def render(r: dict, jobs: int) -> str:
    floor = r["runs"]["floor"]
    lines = [
        "# Performance",
        "",
        "Measured by `bench/benchmark.py`; do not edit by hand. Numbers are medians with the",
        "min-max range over the repeated runs in parentheses. Ratios compare medians measured",
        "side by side in the same run.",
        "",
        f"- Machine: {r['machine']}",
        f"- Rerun: `{r['command']}`",
        "",
        "## Results against the targets",
        "",
        "| Measure | Result | Target | Met |",
        "| --- | --- | --- | --- |",
    ]
    ours, stock = r["autograde"]["ours"], r["autograde"]["stock"]
    worst_lesson = max((s.median - floor.median for n, s in r["runs"].items() if n.startswith("lesson")), default=0)
    bare, full = r["import"]
    net_import = full.median - bare.median
    save = r["save"]
    p99 = sorted(save.values)[int(0.99 * len(save.values)) - 1]
    checks = [
        ("Autograde per notebook / floor", f"{ours.median / floor.median:.2f} x", TARGETS["autograde"], ours.median / floor.median <= 1.2),
        ("Slowest lesson run - floor", f"+{worst_lesson:.2f} s", TARGETS["lesson"], worst_lesson <= 0.5),
        ("import peercourse (net of Python start-up)", f"{net_import:.3f} s", TARGETS["import"], net_import <= 0.3),
        ("Saving an answer, 99th percentile", f"{p99 * 1000:.1f} ms", TARGETS["save"], p99 <= 0.02),
    ]
    lines += [f"| {a} | {b} | {c} | {'yes' if d else 'no'} |" for a, b, c, d in checks]
    lines += [
        "",
        "## 1-2. The floor and each lesson run top to bottom",
        "",
        "The floor is a fresh kernel executing a one-cell notebook through nbclient: start the",
        "kernel, run `1 + 1`, shut it down. A lesson's run is what a learner's Run All and nbval pay.",
        "",
        "| Notebook | Time | Over the floor | Ratio |",
        "| --- | --- | --- | --- |",
        f"| floor (one cell) | {floor.show()} | | 1.00 |",
    ]
    for name, spread in r["runs"].items():
        if name != "floor":
            lines.append(f"| {name} | {spread.show()} | +{spread.median - floor.median:.2f} s | {spread.median / floor.median:.2f} |")
    lines += [
        "",
        "## 3. Importing the package",
        "",
        f"`python -c 'import peercourse'` takes {full.show()}; `python -c pass` takes {bare.show()}: the",
        f"import itself costs {net_import:.3f} s. ipywidgets, filelock and PyYAML's loaders are",
        "imported only where a learner's widget, a save or an items file needs them.",
        "",
        "## 4. Saving an answer",
        "",
        f"{len(save.values)} saves of lesson 1's answers, one at a time, each with the lock, a re-read,",
        f"the merge and an atomic replace (fsync included): median {save.median * 1000:.2f} ms,",
        f"99th percentile {p99 * 1000:.2f} ms, slowest {max(save.values) * 1000:.2f} ms.",
        "",
        "Size of a fully answered lesson's answers file:",
        "",
        "| Lesson | Bytes |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {size:,} |" for name, size in r["sizes"].items()]
    lines += [
        "",
        "## 5. Autograde per notebook",
        "",
        "nbgrader's autograde of one submission (sanitize pass, execution in a fresh kernel,",
        "scores to the gradebook), in-process through NbGraderAPI as `peercourse autograde`",
        "runs it. The course's lesson 1 is compared with stock nbgrader grading a plain notebook",
        "with the same number of test cells (12 asserts), under stock settings.",
        "",
        "| Notebook | Per notebook | Ratio to floor |",
        "| --- | --- | --- |",
        f"| floor (one cell, nbclient only) | {floor.show()} | 1.00 |",
        f"| stock nbgrader, plain notebook | {stock.show()} | {stock.median / floor.median:.2f} |",
        f"| this course, lesson 1 | {ours.show()} | {ours.median / floor.median:.2f} |",
        "",
        f"The course's lesson costs {ours.median / stock.median:.2f} x what stock nbgrader pays for a plain",
        "notebook with as many tests. Where one of the course's autogrades spends its time (cProfile,",
        "seconds per notebook, cumulative, so rows overlap):",
        "",
        "| Step | Seconds |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {seconds:.3f} |" for label, seconds in r["profile"]]
    lines += [
        "",
        "## 6. Cohort growth",
        "",
        "Every graded lesson (1-5) for a synthetic cohort, answers written by the course's own",
        "code, graded with `peercourse autograde --jobs N`. Each row is one run. Peak memory is the",
        "resident memory of the grading process and everything it started (workers, kernels).",
        "",
        "| Learners | Workers | Notebooks | Wall time | Per notebook (wall / notebooks) | One notebook's grading | Peak memory |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    by = {(c.students, c.jobs): c for c in r["cohorts"]}
    for c in r["cohorts"]:
        lines.append(
            f"| {c.students} | {c.jobs} | {c.notebooks} | {c.seconds:.1f} s | {c.seconds / c.notebooks:.2f} s | "
            f"{c.per_notebook.show()} | {c.peak_bytes / 2**20:.0f} MiB |"
        )
    speedups = [(n, by[(n, 1)].seconds / by[(n, jobs)].seconds) for n, j in by if j == 1 and (n, jobs) in by and jobs > 1]
    if speedups:
        lines += ["", "Parallel speed-up, sequential wall time over parallel:", ""]
        lines += [f"- {n} learners: {ratio:.2f} x with {jobs} workers" for n, ratio in speedups]
    lines += ["", "<!-- analysis -->", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
