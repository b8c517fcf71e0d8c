"""release/ is what nbgrader generates from source/, committed. Regenerating it must give
exactly the committed files, and nothing in it may carry a graded key."""
import filecmp
import shutil

import pytest

from peercourse import catalog, cli

from conftest import ROOT


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    course = tmp_path_factory.mktemp("regenerate")
    shutil.copytree(ROOT / "source", course / "source")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    assert cli.main(["--course", str(course), "release"]) == 0
    return course / "release"


def tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)


def test_committed_release_is_what_nbgrader_generates(regenerated):
    committed = [p for p in tree(ROOT / "release") if not p.endswith(".responses.json") and "/." not in f"/{p}"]
    assert committed == tree(regenerated), "run `make release` and commit release/"
    for path in committed:
        assert filecmp.cmp(ROOT / "release" / path, regenerated / path, shallow=False), (
            f"release/{path} is out of date: run `make release` and commit it")


def test_no_hidden_test_or_graded_rationale_reaches_release():
    for lesson in catalog.find_lessons(ROOT / "source"):
        released = "".join(p.read_text() for p in (ROOT / "release" / lesson.assignment).iterdir() if p.is_file())
        for marker in ("BEGIN HIDDEN TESTS", "key=", "rationales="):
            assert marker not in released, f"{marker!r} reached release/{lesson.assignment}"
        for item_id, graded in lesson.keys.items():
            for rationale in graded.rationales.values():
                assert rationale not in released, f"a rationale of {item_id} is in release/"
