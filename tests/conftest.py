"""Shared fixtures: a small demo lesson with one item of every format, a fixed clock so that
responses files can be compared byte for byte, the course the tests own (tests/fixture_course.py)
read from source/ or released, and golden files (tests/goldens/, rewritten by --update-goldens)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GOLDENS = ROOT / "tests" / "goldens"

# tests/fixtures/ holds a course the tests own (tests/fixture_course.py): nbval, which runs
# every notebook under testpaths, must not run its lesson, and nothing in it is a test module.
collect_ignore_glob = ["fixtures/*"]


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite the golden files in tests/goldens/ from what the code makes now, instead of comparing "
        "with them (then review the change with git diff)",
    )


def wait_for(condition, what: str, timeout: float = 120.0, every: float = 0.25):
    """Poll until condition() returns something true, and return it; fail naming what never
    happened. An exception counts as not yet (a server not up, a process gone meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # noqa: BLE001  (not up yet)
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def need_root(what: str) -> None:
    """Skip unless root can create Linux accounts; under PEERCOURSE_CI=1 (CI runs as root), fail instead."""
    if os.geteuid() == 0 and shutil.which("useradd"):
        return
    if os.environ.get("PEERCOURSE_CI") == "1":
        pytest.fail(f"{what} need root to create accounts; CI runs as root")
    pytest.skip(f"needs root to create Linux accounts ({what})")


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page: its text, tags stripped, entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", page))
SAVED_AT = "2026-01-01T00:00:00+00:00"

OPTIONS4 = {
    "A": "Ask what would help most today.",
    "B": "Tell them what worked for you.",
    "C": "Explain the program rules first.",
    "D": "Say nothing and wait it out.",
}
RATIONALES4 = {letter: f"Why {letter} is or is not effective." for letter in OPTIONS4}


def _item(item_id, fmt, mode="practice", **extra):
    item = {
        "id": item_id,
        "format": fmt,
        "mode": mode,
        "points": 2,
        "title": f"Demo {fmt}",
        "prompt": f"A demo situation for the {fmt} format.\n\nWhat should the peer support specialist do?",
        "exam_area": "Interpersonal Skills",
        "competencies": [1, 11],
    }
    if fmt != "reflection":
        item["options"] = dict(OPTIONS4)
    if mode == "practice" and fmt != "reflection":
        item["rationales"] = dict(RATIONALES4)
    item.update(extra)
    return item


DEMO_ITEMS = [
    _item("sb", "single_best", key="A"),
    _item("ml", "most_least", key={"most": "A", "least": "D"}),
    _item("rt", "rating", key={"A": 4, "B": 2, "C": 1, "D": 3}),
    _item("rk", "ranking", key=["A", "B", "C", "D"]),
    _item("sa", "select_all", key=["A", "B"]),
    _item("gsb", "single_best", mode="graded"),
    _item("rf", "reflection", mode="graded", points=1, min_words=10,
          prompt="What does hope mean to you in your own recovery?"),
]


def write_bank(directory: Path, items=DEMO_ITEMS, lesson="demo") -> Path:
    path = Path(directory) / f"{lesson}.items.yaml"
    path.write_text(yaml.safe_dump({"lesson": lesson, "title": "Demo", "article_id": "", "items": items}))
    return path


@pytest.fixture
def fixed_clock(monkeypatch):
    import peercourse.responses

    monkeypatch.setattr(peercourse.responses, "_now", lambda: SAVED_AT)
    return SAVED_AT


@pytest.fixture
def learner(monkeypatch):
    """Run as a learner would: not under nbgrader."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def demo(tmp_path, fixed_clock, learner):
    """An opened demo lesson in an empty folder."""
    from peercourse import open_lesson

    write_bank(tmp_path)
    return open_lesson("demo", tmp_path)


def answers_on_disk(lesson) -> dict:
    """item id -> saved value, after checking the file's envelope exactly."""
    data = json.loads(lesson.responses.path.read_text())
    assert set(data) == {"kind", "schema", "lesson", "answers"}
    assert (data["kind"], data["schema"], data["lesson"]) == ("peercourse-responses", 1, lesson.bank.lesson)
    assert all(entry == {"value": entry["value"], "saved": SAVED_AT} for entry in data["answers"].values())
    return {item_id: entry["value"] for item_id, entry in data["answers"].items()}


def feedback_text(view) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "\n", view.feedback.value))


# -- the course the tests own, and golden files --------------------------------------------------

@pytest.fixture
def fixture_lesson():
    """tests/fixtures/course/source/lesson-9, read as `peercourse check` reads a lesson."""
    from fixture_course import lesson

    return lesson()


@pytest.fixture(scope="session")
def _fixture_release(tmp_path_factory):
    from fixture_course import released_course

    return released_course(tmp_path_factory.mktemp("fixture-release") / "course")


@pytest.fixture
def fixture_release(tmp_path, _fixture_release):
    """A learner's copy of the fixture course, made from its source/ as nbgrader releases it:
    lesson-9/ and an empty exam-practice/, in a folder of this test's own."""
    folder = tmp_path / "course"
    shutil.copytree(_fixture_release, folder)
    return folder


@pytest.fixture
def golden(request):
    """golden(name, text): text must equal tests/goldens/<name>, a file committed with the
    tests. Run pytest with --update-goldens to rewrite the files from what the code makes now
    instead, and review the change with git diff before committing it."""
    update = request.config.getoption("--update-goldens", default=False)

    def compare(name: str, text: str) -> None:
        path = GOLDENS / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        how = f"if the change is meant, run `pytest {request.node.nodeid} --update-goldens` and review git diff"
        assert path.exists(), f"no golden file tests/goldens/{name}: {how}"
        assert text == path.read_text(encoding="utf-8"), f"the output differs from tests/goldens/{name}: {how}"

    return compare
