"""The `peercourse` command, run on the tests' own course (tests/fixture_course.py). That
`peercourse check` passes on the real course is checked in test_content.py."""
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peercourse import cli, lesson_sources
from peercourse.grading import earned_points

import fixture_course
from fixture_course import ASSIGNMENT, COURSE, SOURCE


@pytest.fixture
def course(tmp_path):
    """A copy of the fixture course (its source/ only), so a command that misbehaves writes
    nothing into the repository."""
    shutil.copytree(SOURCE, tmp_path / "course" / "source")
    return tmp_path / "course"


def test_key_writes_the_answers_of_a_learner_who_matches_every_key(course, tmp_path, capsys):
    into = tmp_path / "key"
    assert cli.main(["--course", str(course), "key", ASSIGNMENT, "--into", str(into)]) == 0
    path = into / "fixture.responses.json"
    assert capsys.readouterr().out == f"wrote the key answers for lesson-9 (12 items) to {path}\n"
    assert cli.main(["--course", str(course), "key", "fixture", "--into", str(into)]) == 0  # by notebook name too
    data = json.loads(path.read_text())
    assert set(data["answers"]) == set(fixture_course.ITEM_IDS)
    values = {item_id: entry["value"] for item_id, entry in data["answers"].items()}
    assert values["l9-g04"] == {"B": 1, "D": 2, "A": 3, "C": 4}  # key order B D A C
    assert values["l9-g02"] == {"most": "A", "least": "C"}
    assert values["l9-p05"] == ["A", "C"]
    lesson = lesson_sources.read_lesson(course / "source" / ASSIGNMENT / "fixture.ipynb")
    for item in lesson.bank.items.values():
        assert earned_points(item, values[item.id], lesson.key_for(item)) == item.points, item.id


@pytest.mark.parametrize("shipped", ["source", "release"])
def test_key_refuses_to_write_where_learners_would_get_it(course, shipped):
    (course / "release" / ASSIGNMENT).mkdir(parents=True)
    with pytest.raises(SystemExit, match=f"never write a key answers file into {shipped}/: it would reach learners"):
        cli.main(["--course", str(course), "key", ASSIGNMENT, "--into", str(course / shipped / ASSIGNMENT)])
    assert list(course.rglob("*.responses.json")) == []


def test_an_unknown_lesson_names_the_known_ones(course):
    fixture_course.add_copy(course / "source", 10)
    with pytest.raises(SystemExit, match=r"no lesson 'lesson-7' in .*source \(lessons: lesson-9, lesson-10\)$"):
        cli.main(["--course", str(course), "key", "lesson-7"])


def test_check_passes_on_the_fixture_course_and_the_command_is_installed():
    done = subprocess.run([sys.executable, "-m", "peercourse.cli", "check"], cwd=COURSE, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "checked 1 lessons: 0 problem(s)\n"), done.stderr
    # the console script pyproject.toml declares is installed beside the Python running the tests
    assert (Path(sys.executable).parent / "peercourse").is_file()


def test_check_names_every_problem_of_a_broken_items_file_and_goes_on_to_the_other_lessons(course, capsys):
    fixture_course.add_copy(course / "source", 10)
    items = course / "source" / ASSIGNMENT / "fixture.items.yaml"
    text = items.read_text()
    # the first 'points: 1' is the practice reflection l9-p06's; the first 'rationales:' is l9-p01's
    items.write_text(text.replace("points: 1\n", "points: 0\n", 1).replace("rationales:", "rationals:", 1))
    assert cli.main(["--course", str(course), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "lesson-9/fixture.items.yaml: item l9-p01: 'rationales' is missing (a practice item gives "
        "feedback at once, so it carries its key and a rationale for every option)",
        "lesson-9/fixture.items.yaml: item l9-p01: 'rationals' is not a field an item can have; "
        "did you mean 'rationales'?",
        "lesson-9/fixture.items.yaml: item l9-p06: 'points' must be a number above 0",
        "checked 2 lessons: 3 problem(s)",  # lesson-10 was checked too, and passes
    ]


@pytest.mark.pipeline
def test_the_fixture_release_is_what_nbgrader_generates(course, tmp_path):
    """The tests' released fixture course (fixture_course.build_release, which runs nbgrader's
    preprocessors in-process) is byte for byte what `nbgrader generate_assignment` writes."""
    from conftest import ROOT

    shutil.copy(ROOT / "nbgrader_config.py", course)
    done = cli.nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    built = fixture_course.build_release(SOURCE, tmp_path / "built")
    names = sorted(path.name for path in (course / "release" / ASSIGNMENT).iterdir())
    assert names == sorted(path.name for path in (built / ASSIGNMENT).iterdir()) == ["fixture.ipynb", "fixture.items.yaml"]
    for name in names:
        assert filecmp.cmp(course / "release" / ASSIGNMENT / name, built / ASSIGNMENT / name, shallow=False), name
