import json
import subprocess
import sys
from pathlib import Path

import pytest

from peercourse import lesson_sources, cli
from peercourse.grading import earned_points

from conftest import ROOT


def test_key_writes_the_answers_of_a_learner_who_matches_every_key(tmp_path, capsys):
    assert cli.main(["--course", str(ROOT), "key", "lesson-1", "--into", str(tmp_path)]) == 0
    path = tmp_path / "lived-experience.responses.json"
    assert capsys.readouterr().out == f"wrote the key answers for lesson-1 (18 items) to {path}\n"
    data = json.loads(path.read_text())
    lesson = lesson_sources.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")
    assert set(data["answers"]) == set(lesson.bank.items)
    assert data["answers"]["l1-g07"]["value"] == {"C": 1, "D": 2, "A": 3, "B": 4}  # key order C D A B
    for item in lesson.bank.items.values():
        assert earned_points(item, data["answers"][item.id]["value"], lesson.key_for(item)) == item.points


@pytest.mark.parametrize("shipped", ["source", "release"])
def test_key_refuses_to_write_where_learners_would_get_it(shipped):
    with pytest.raises(SystemExit, match=f"never write a key answers file into {shipped}/: it would reach learners"):
        cli.main(["--course", str(ROOT), "key", "lesson-1", "--into", str(ROOT / shipped / "lesson-1")])
    assert not (ROOT / shipped / "lesson-1/lived-experience.responses.json").exists()


def test_an_unknown_lesson_names_the_known_ones():
    with pytest.raises(SystemExit, match=r"no lesson 'lesson-9' in .*\(lessons: .*lesson-1"):
        cli.main(["--course", str(ROOT), "key", "lesson-9"])


def test_check_passes_on_the_course_and_the_command_is_installed():
    done = subprocess.run([sys.executable, "-m", "peercourse.cli", "check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert done.stdout.endswith("0 problem(s)\n")
    # the console script pyproject.toml declares is installed beside the Python running the tests
    assert (Path(sys.executable).parent / "peercourse").is_file()


def test_check_names_every_problem_of_a_broken_items_file_and_goes_on_to_the_other_lessons(tmp_path, capsys):
    import shutil

    shutil.copytree(ROOT / "source", tmp_path / "source")
    items = tmp_path / "source/lesson-2/empathy-and-listening.items.yaml"
    text = items.read_text()
    items.write_text(text.replace("points: 1\n", "points: 0\n", 1).replace("rationales:", "rationals:", 1))
    assert cli.main(["--course", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "lesson-2/empathy-and-listening.items.yaml: item l2-p01: 'rationales' is missing (a practice item gives "
        "feedback at once, so it carries its key and a rationale for every option)",
        "lesson-2/empathy-and-listening.items.yaml: item l2-p01: 'rationals' is not a field an item can have; "
        "did you mean 'rationales'?",
        "lesson-2/empathy-and-listening.items.yaml: item l2-r01: 'points' must be a number above 0",
        "checked 6 lessons: 3 problem(s)",  # the other five lessons were checked too, and pass
    ]
