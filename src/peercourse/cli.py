"""The `peercourse` command: instructors' and authors' tools.

    peercourse key LESSON [--into DIR]   write the responses file of a learner who matches every key
    peercourse check                     check every lesson in source/ before releasing it
    peercourse release                   regenerate release/ from source/ with nbgrader
    peercourse coverage                  write docs/coverage.md from the items' tags
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from . import catalog
from .responses import ResponsesFile, responses_path


def _course(args) -> Path:
    root = Path(args.course).resolve()
    if not (root / "source").is_dir():
        raise SystemExit(f"peercourse: no source/ directory in {root}; run this from the course root or pass --course")
    return root


def _lesson(root: Path, name: str) -> catalog.LessonSource:
    lessons = catalog.find_lessons(root / "source")
    for lesson in lessons:
        if name in (lesson.assignment, lesson.stem):
            return lesson
    known = ", ".join(lesson.assignment for lesson in lessons)
    raise SystemExit(f"peercourse: no lesson {name!r} in {root / 'source'} (lessons: {known})")


def cmd_key(args) -> int:
    root = _course(args)
    lesson = _lesson(root, args.lesson)
    into = Path(args.into)
    if (root / "source").resolve() in [into.resolve(), *into.resolve().parents]:
        raise SystemExit("peercourse: never write a responses file into source/: nbgrader would ship it to learners")
    into.mkdir(parents=True, exist_ok=True)
    path = responses_path(into, lesson.stem)
    ResponsesFile(path, lesson.stem).save_many(catalog.key_answers(lesson))
    print(f"wrote the key answers for {lesson.assignment} ({len(lesson.bank.items)} items) to {path}")
    return 0


def cmd_check(args) -> int:
    root = _course(args)
    lessons = catalog.find_lessons(root / "source")
    found = [problem for lesson in lessons for problem in catalog.problems(lesson)]
    for problem in found:
        print(problem)
    print(f"checked {len(lessons)} lessons: {len(found)} problem(s)")
    return 1 if found else 0


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root. nbgrader runs `alembic` by name when
    it creates a gradebook, so this environment's bin directory goes first on PATH."""
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True, text=True
    )


def cmd_release(args) -> int:
    root = _course(args)
    for lesson in catalog.find_lessons(root / "source"):
        done = nbgrader(root, "generate_assignment", lesson.assignment, "--force")
        if done.returncode:
            print(done.stdout + done.stderr, file=sys.stderr)
            raise SystemExit(f"peercourse: nbgrader could not generate {lesson.assignment}")
        print(f"generated release/{lesson.assignment}")
    return 0


def cmd_coverage(args) -> int:
    from .coverage import render

    root = _course(args)
    out = root / "docs" / "coverage.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(render(catalog.find_lessons(root / "source")), encoding="utf-8")
    print(f"wrote {out}")
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
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
