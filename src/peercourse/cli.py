"""The `peercourse` command: instructors' and authors' tools.

    peercourse key LESSON [--into DIR]   write the responses file of a learner who matches every key
    peercourse check                     check every lesson in source/ before releasing it
    peercourse release                   regenerate release/ from source/ with nbgrader
    peercourse coverage                  write docs/coverage.md from the items' tags
    peercourse schema                    rewrite src/peercourse/items.schema.json from the item formats
    peercourse autograde LESSON --jobs N nbgrader's autograde over N worker processes
    peercourse autograde LESSON --cluster ADDRESS   the same, on a Dask cluster's workers
    peercourse report [--out DIR]        per-item CSV and item-analysis report from the gradebook
    peercourse export canvas LESSON...   grades as Canvas's gradebook import takes them
    peercourse demo [--students N]       run a term for a synthetic cohort and report on it
    peercourse lab [--workspace DIR] [JUPYTER OPTIONS]
                                         a learner's copy of release/, opened in JupyterLab (make lab)
    peercourse feedback LESSON [--workspace DIR]
                                         self-study: grade a lesson of the workspace and write its feedback
    peercourse site [--out DIR]          the study edition in the browser: a JupyterLite site (make site)
    peercourse new-lesson TEXT ITEMS --folder lesson-N
                                         write a new lesson's source notebook and items file
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import authoring_checks, lesson_sources
from .course_config import load_config, with_environment_bin
from .items import ItemError
from .responses import ResponsesFile, responses_path


def _course(args) -> Path:
    root = Path(args.course).resolve()
    if not (root / "source").is_dir():
        raise SystemExit(f"peercourse: no source/ directory in {root}; run this from the course root or pass --course")
    return root


def _lesson(root: Path, name: str) -> lesson_sources.LessonSource:
    lessons = lesson_sources.find_lessons(root / "source")
    for lesson in lessons:
        if name in (lesson.assignment, lesson.stem):
            return lesson
    known = ", ".join(lesson.assignment for lesson in lessons)
    raise SystemExit(f"peercourse: no lesson {name!r} in {root / 'source'} (lessons: {known})")


def cmd_key(args) -> int:
    root = _course(args)
    lesson = _lesson(root, args.lesson)
    into = Path(args.into)
    for shipped in ("source", "release"):
        if (root / shipped).resolve() in [into.resolve(), *into.resolve().parents]:
            raise SystemExit(f"peercourse: never write a key answers file into {shipped}/: it would reach learners")
    into.mkdir(parents=True, exist_ok=True)
    path = responses_path(into, lesson.stem)
    ResponsesFile(path, lesson.stem).save_many(lesson_sources.key_answers(lesson))
    print(f"wrote the key answers for {lesson.assignment} ({len(lesson.bank.items)} items) to {path}")
    return 0


def _authoring_settings(root: Path) -> authoring_checks.AuthoringSettings:
    """c.AuthoringSettings.* from the course's nbgrader_config.py, where it has one."""
    if not (root / "nbgrader_config.py").exists():
        return authoring_checks.AuthoringSettings()
    return authoring_checks.AuthoringSettings(config=load_config(root))


def cmd_check(args) -> int:
    root = _course(args)
    notebooks = lesson_sources.lesson_notebooks(root / "source")
    settings = _authoring_settings(root)
    banks = lesson_sources.bank_files(root / "source")
    # (path, how to read it, how to check it, its assignment folder): lessons, then bank files
    sources = [(path, lesson_sources.read_lesson, authoring_checks.problems, path.parent.name) for path in notebooks]
    sources += [(path, lesson_sources.read_bank_source, authoring_checks.bank_problems, path.parent.parent.name)
                for path in banks]
    found, read = [], []
    for path, read_source, check, folder in sources:
        try:
            source = read_source(path)
        except ItemError as error:  # its items file: every problem, one a line, naming the file
            found += [f"{folder}/{line}" for line in str(error).splitlines()]
            continue
        read.append(source)
        found += check(source, settings)
    found += authoring_checks.duplicate_problems(
        [(f"{each.assignment}/{each.notebook.name}", item) for each in read for item in each.bank.items.values()], settings)
    for problem in found:
        print(problem)
    checked = f"{len(notebooks)} lessons" + (f" and {len(banks)} exam-bank files" if banks else "")
    print(f"checked {checked}: {len(found)} problem(s)")
    return 1 if found else 0


def default_jobs() -> int:
    """One worker per core, plus one: each grading alternates between nbgrader's process and
    its kernel's, so one worker more than cores keeps every core busy (docs/performance.md)."""
    from .autograde_pool import available_cores

    return available_cores() + 1


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root. nbgrader runs `alembic` by name when
    it creates a gradebook, so this environment's bin directory goes first on PATH."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=root, env=with_environment_bin(), capture_output=True, text=True
    )


def cmd_release(args) -> int:
    import warnings

    from sqlalchemy.exc import SAWarning

    from .course_config import load_api

    root = _course(args)
    assignments = sorted({notebook.parent.name for notebook in (root / "source").glob("*/*.ipynb")})
    api = load_api(root)  # nbgrader's own API, in this process: one start-up for every lesson
    for assignment in assignments:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session handling
            done = api.generate_assignment(assignment, force=True)
        if not done["success"]:
            print(done.get("log", "") + str(done.get("error", "")), file=sys.stderr)
            raise SystemExit(f"peercourse: nbgrader could not generate {assignment}")
        print(f"generated release/{assignment}")
    # Validate runs only cells listed here; learners get it inside the package (nbgrader_hooks/validate.py).
    from .nbgrader_hooks.validate import write_manifest

    print(f"wrote {write_manifest(root / 'release')}")
    return 0


def cmd_coverage(args) -> int:
    from .coverage import render

    root = _course(args)
    out = root / "docs" / "coverage.md"
    out.parent.mkdir(exist_ok=True)
    limit = _authoring_settings(root).reading_grade_limit
    banks = [lesson_sources.read_bank_source(path) for path in lesson_sources.bank_files(root / "source")]
    out.write_text(render(lesson_sources.find_lessons(root / "source"), limit, banks), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_feedback(args) -> int:
    from .self_study import SelfStudyError, grade, summary

    root = _course(args)
    workspace = Path(args.workspace)
    if not workspace.is_dir():
        raise SystemExit(f"peercourse: no workspace at {workspace} (make lab makes one)")
    try:
        attempt = grade(root, workspace, args.lesson)
    except SelfStudyError as error:
        raise SystemExit(f"peercourse: {error}") from None
    print(summary(attempt))
    print(f"feedback: {attempt.feedback}")
    return 0


def cmd_schema(args) -> int:
    from . import itembank
    from .items import FORMATS

    # The package's own copy, beside itembank.py (src/peercourse/ in a checkout): the one
    # that items files name on their first line and the wheel ships.
    path = Path(itembank.__file__).with_name(itembank.SCHEMA)
    text = itembank.schema_text()
    unchanged = path.exists() and path.read_text(encoding="utf-8") == text
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: the items files' schema, with the formats {', '.join(FORMATS)}"
          + (" (no change)" if unchanged else ""))
    return 0


def cmd_autograde(args) -> int:
    root = _course(args)
    if args.cluster is not None:
        from .cluster_grading import autograde as on_cluster

        run = on_cluster(root, args.lesson, args.cluster, students=args.student or None)
    else:
        from .autograde_pool import autograde

        run = autograde(root, args.lesson, jobs=args.jobs, students=args.student or None)
    graded = len(run.results) - len(run.failed)
    where = f" on the Dask cluster at {run.where}" if run.where else ""
    print(f"{args.lesson}: graded {graded} of {len(run.results)} learner(s) with {run.jobs} worker(s){where} "
          f"in {run.seconds:.1f} s; {len(run.failed)} not graded")
    for failure in run.failed:
        if failure.log:
            print(f"--- {failure.student} ---\n{failure.log[-3000:]}", file=sys.stderr)
    for failure in run.failed:
        print(f"  not graded: {failure.student}: {failure.why()}")
    return 1 if run.failed else 0


def cmd_export_canvas(args) -> int:
    from nbgrader.api import MissingEntry

    from .canvas import write_canvas_csv
    from .course_config import load_api

    root = _course(args)
    api = load_api(root)
    try:
        path = write_canvas_csv(Path(args.out), args.db or api.coursedir.db_url, args.lesson,
                                api.coursedir.course_id or None, args.section)
    except MissingEntry as error:
        raise SystemExit(f"peercourse: the gradebook has no such lesson ({error}); autograde it first")
    print(f"wrote {path}: {len(args.lesson)} lesson column(s), for Canvas's gradebook import")
    return 0


def cmd_report(args) -> int:
    from .exports import item_keys, item_scores
    from .report import analyse, write_report
    from .report.settings import ReportSettings

    root = _course(args)
    lessons = [
        lesson for lesson in lesson_sources.find_lessons(root / "source")
        if any(item.graded for item in lesson.bank.items.values())
    ]
    from .course_config import load_api

    api = load_api(root)
    coursedir = api.coursedir  # the gradebook and course id nbgrader_config.py names
    scores = item_scores(root, args.db or coursedir.db_url, lessons, course_id=coursedir.course_id)
    if scores.empty:
        raise SystemExit("peercourse: the gradebook has no autograded submissions yet; run nbgrader autograde first")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scores.to_csv(out / "item-scores.csv", index=False)
    settings = ReportSettings(config=api.config)  # c.ReportSettings.* in nbgrader_config.py
    page = write_report(analyse(scores, item_keys(lessons), settings), out)
    print(f"wrote {out / 'item-scores.csv'} ({len(scores)} rows) and {page}")
    return 0


def cmd_demo(args) -> int:
    from . import demo

    root = _course(args)
    result = demo.run(root, Path(args.out).resolve(), args.students, args.seed, jobs=args.jobs)
    print("\nWhere the time went:")
    for name, seconds in result.timings.items():
        print(f"  {name:<52} {seconds:7.1f} s")
    print("\nOutputs:")
    print(f"  nbgrader's grades (totals):  {result.grades_csv}")
    print(f"  per-item scores:             {result.items_csv}")
    print(f"  item-analysis report:        {result.report_html}")
    print(f"  the term's course directory: {result.term.course} (run `nbgrader formgrader` there to grade reflections)")
    print("\n" + result.summary)
    return 0


def cmd_new_lesson(args) -> int:
    from . import lesson_builder

    root = _course(args)
    try:
        notebook = lesson_builder.build(Path(args.text), Path(args.items), root / "source", args.folder, replace=args.replace)
    except (lesson_builder.LessonBuildError, ItemError) as error:
        print(f"new-lesson: {error}", file=sys.stderr)
        return 1
    problems = authoring_checks.problems(lesson_sources.read_lesson(notebook), _authoring_settings(root))
    print(f"wrote {notebook.relative_to(root)} and its items file")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s); run `peercourse check` for the whole course, then `peercourse release`")
    return 1 if problems else 0


def cmd_lab(args) -> int:
    from . import lab

    root = _course(args)
    return lab.run(root / "release", Path(args.workspace).resolve(), args.jupyter_args)


def cmd_site(args) -> int:
    from . import lite_site

    root = _course(args)
    try:
        built = lite_site.build(root, Path(args.out), Path(args.cache) if args.cache else None)
    except lite_site.SiteError as error:
        raise SystemExit(f"peercourse site: {error}") from None
    size = sum(path.stat().st_size for path in built["out"].rglob("*") if path.is_file())
    print(f"built {built['out']}: {len(built['files'])} course files, {len(built['packages'])} Python packages, "
          f"{size / 1e6:.1f} MB. Serve it from any static host; to try it here: "
          f"python3 -m http.server --bind 127.0.0.1 -d {args.out}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="peercourse", description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=".", help="the course root (default: the current directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    key = sub.add_parser("key", help="write the responses file of a learner who matches every key (instructors only)")
    key.add_argument("lesson", help="assignment id (lesson-1) or notebook name (lived-experience)")
    key.add_argument("--into", default=".", help="directory to write <notebook>.responses.json into")
    key.set_defaults(run=cmd_key)
    sub.add_parser("check", help="check every lesson in source/").set_defaults(run=cmd_check)
    sub.add_parser("release", help="regenerate release/ from source/ with nbgrader").set_defaults(run=cmd_release)
    sub.add_parser("coverage", help="write docs/coverage.md from the items' tags").set_defaults(run=cmd_coverage)
    sub.add_parser("schema", help="rewrite the package's items.schema.json from the item formats").set_defaults(
        run=cmd_schema)
    grade = sub.add_parser("autograde", help="nbgrader's autograde over several worker processes")
    grade.add_argument("lesson", help="assignment id, e.g. lesson-1")
    grade.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: one per core, plus one)")
    grade.add_argument("--student", action="append", help="grade only this learner (repeatable)")
    grade.add_argument("--cluster", nargs="?", const="", metavar="ADDRESS",
                       help="grade on a Dask cluster: its scheduler's address (tcp://host:8786), or none to use "
                       "the course's ClusterAutograde settings; the gradebook must be PostgreSQL")
    grade.set_defaults(run=cmd_autograde)
    export = sub.add_parser("export", help="grades for a learning management system").add_subparsers(
        dest="system", required=True)
    canvas = export.add_parser("canvas", help="a CSV for Canvas's gradebook import: one column per lesson, by login")
    canvas.add_argument("lesson", nargs="+", help="assignment ids, e.g. lesson-1 lesson-2")
    canvas.add_argument("--out", default="grades-canvas.csv", help="the CSV to write (default grades-canvas.csv)")
    canvas.add_argument("--section", default="", help="the Canvas section to write for every learner (default none)")
    canvas.add_argument("--db", help="the gradebook's URL (default: the one nbgrader_config.py names)")
    canvas.set_defaults(run=cmd_export_canvas)
    report = sub.add_parser("report", help="per-item CSV and item-analysis report from the gradebook")
    report.add_argument("--db", help="the gradebook's URL (default: the one nbgrader_config.py names)")
    report.add_argument("--out", default="report", help="directory for item-scores.csv and the report (default report/)")
    report.set_defaults(run=cmd_report)
    demo = sub.add_parser("demo", help="run a term for a synthetic cohort through nbgrader and report on it")
    demo.add_argument("--students", type=int, default=40, help="cohort size (default 40)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the cohort (default 7)")
    demo.add_argument("--jobs", type=int, default=default_jobs(), help="autograde worker processes (default: one per core, plus one)")
    demo.add_argument("--out", default="demo-output", help="where the term and its exports go (default demo-output/)")
    demo.set_defaults(run=cmd_demo)
    lab = sub.add_parser("lab", help="copy release/ into your workspace (never overwriting) and open it in JupyterLab")
    lab.add_argument("--workspace", default="workspace", help="your copy of the course (default workspace/)")
    lab.set_defaults(run=cmd_lab)
    feedback = sub.add_parser("feedback", help="self-study: grade a lesson of your workspace with the course's keys "
                              "and write its feedback beside it")
    feedback.add_argument("lesson", help="assignment id, e.g. lesson-1")
    feedback.add_argument("--workspace", default="workspace", help="your copy of the course (default workspace/)")
    feedback.set_defaults(run=cmd_feedback)
    site = sub.add_parser("site", help="build the study edition in the browser, a JupyterLite site (lite_site.py)")
    site.add_argument("--out", default="site", help="the folder to build it in, replaced (default site/)")
    site.add_argument("--cache", help="where downloaded parts are kept (default build/lite-cache/)")
    site.set_defaults(run=cmd_site)
    new = sub.add_parser("new-lesson", help="write a lesson's source notebook and items file from its text and keyed "
                         "items (see lesson_builder.py)")
    new.add_argument("text", help="the lesson's text: Markdown, with {{ item-id }} lines placing items and %%%% lines between cells")
    new.add_argument("items", help="its items, keys and rationales included for graded items")
    new.add_argument("--folder", required=True, help="the assignment folder under source/, e.g. lesson-6")
    new.add_argument("--replace", action="store_true", help="write over the lesson if it exists")
    new.set_defaults(run=cmd_new_lesson)
    # Whatever `lab` does not know goes on to jupyter lab (e.g. --port=8889 --no-browser).
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.jupyter_args = rest
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
