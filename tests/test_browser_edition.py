"""What the browser edition does differently (browser_edition.py), run here in CPython: the
keys file the site carries, scoring a whole lesson with it, the zip "Download my work" makes,
and saving without a lock file. The same code in Chromium: test_lite.py; the scores against
nbgrader's: test_self_study.py."""
from __future__ import annotations

import io
import json
import re
import shutil
import sys
import zipfile

import pytest

from conftest import ROOT
from peercourse import browser_edition, lesson_sources
from peercourse.lesson import Lesson
from peercourse.responses import ResponsesFile

NOTEBOOK = "lived-experience"
SOURCE = lesson_sources.read_lesson(ROOT / "source" / "lesson-1" / f"{NOTEBOOK}.ipynb")


@pytest.fixture
def lesson_folder(tmp_path):
    folder = tmp_path / "course" / "lesson-1"
    shutil.copytree(ROOT / "release" / "lesson-1", folder)
    return folder


def test_the_keys_file_holds_each_graded_key_the_test_cells_points_and_the_rubric_points():
    data = browser_edition.keys_data(SOURCE)
    graded = sorted(item.id for item in SOURCE.bank.items.values() if item.graded and item.format != "reflection")
    assert sorted(data["keys"]) == graded
    assert data["keys"]["l1-g01"] == {"key": SOURCE.keys["l1-g01"].key, "rationales": SOURCE.keys["l1-g01"].rationales}
    assert data["tested"] == {**{item_id: 2.0 for item_id in graded}, "l1-r01": 1.0, "l1-r02": 1.0}
    assert data["rubric_possible"] == 4.0
    assert json.loads(json.dumps(data)) == data  # plain JSON, as the site stores it


def test_a_keyed_lesson_scores_full_marks_and_a_blank_one_nothing(lesson_folder):
    keys = browser_edition.keys_data(SOURCE)
    blank, scored = browser_edition.score_lesson(Lesson(NOTEBOOK, lesson_folder), keys)
    assert (blank.lesson, blank.points, blank.possible, blank.rubric_possible) == ("lesson-1", 0.0, 22.0, 4.0)
    assert len(scored) == len(SOURCE.bank.items)  # practice items too
    ResponsesFile(lesson_folder / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many(lesson_sources.key_answers(SOURCE))
    keyed, scored = browser_edition.score_lesson(Lesson(NOTEBOOK, lesson_folder), keys)
    assert (keyed.points, keyed.possible) == (22.0, 22.0)
    assert all(result.earned == item.points for item, _, result in scored if item.format != "reflection")
    assert sum(tally[0] for tally in keyed.by_area.values()) == 22.0
    html = browser_edition.scored_html(keyed, scored)
    assert html.startswith("<p><strong>lesson-1: 22 of 22 autograded points (100%). Your reflections have 4 more "
                           "rubric points: judge them yourself with the rubric near the end of the lesson.</strong></p>")
    assert SOURCE.keys["l1-g01"].rationales["A"].replace("'", "&#x27;") in html  # a graded item explained


def test_the_zip_holds_each_notebook_with_the_course_kernel_and_each_answers_file_and_nothing_else(lesson_folder):
    course = lesson_folder.parent
    notebook = json.loads((lesson_folder / f"{NOTEBOOK}.ipynb").read_text())
    notebook["metadata"]["kernelspec"] = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
    (lesson_folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(notebook))
    ResponsesFile(lesson_folder / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many({"l1-g01": "B"})
    (lesson_folder / f"{NOTEBOOK}.my-answers.html").write_text("<p>mine</p>")
    (lesson_folder / f"{NOTEBOOK}.answer-key.json").write_text("{}")
    (course / "progress").mkdir()
    shutil.copy(ROOT / "release" / "progress" / "my-progress.ipynb", course / "progress")
    with zipfile.ZipFile(io.BytesIO(browser_edition.work_zip(course))) as archive:
        assert sorted(archive.namelist()) == ["lesson-1/lived-experience.ipynb", "lesson-1/lived-experience.responses.json",
                                              "progress/my-progress.ipynb"]
        zipped = json.loads(archive.read("lesson-1/lived-experience.ipynb"))
        assert zipped["metadata"]["kernelspec"] == browser_edition.COURSE_KERNELSPEC
        assert zipped["cells"] == notebook["cells"]
        answers = json.loads(archive.read("lesson-1/lived-experience.responses.json"))
        assert answers["answers"]["l1-g01"]["value"] == "B"


def test_in_the_browser_answers_save_one_after_another_with_no_lock_file(lesson_folder, monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    answers = ResponsesFile(lesson_folder / f"{NOTEBOOK}.responses.json", NOTEBOOK)
    for choice in "ABCD":
        answers.save("l1-g01", choice)
    assert answers.load().answers["l1-g01"]["value"] == "D"
    assert sorted(path.name for path in lesson_folder.iterdir()) == [
        f"{NOTEBOOK}.ipynb", f"{NOTEBOOK}.items.yaml", f"{NOTEBOOK}.responses.json"]


def test_a_click_on_download_my_work_is_answered_with_the_zip_and_a_dated_name(lesson_folder, monkeypatch):
    """The button's script sends {"event": "download"}; the kernel answers with the zip (as
    base64, the way a widget message carries it) and its file name. Driven as ipywidgets' own
    tests drive a widget: no page, the messages themselves."""
    import base64

    ResponsesFile(lesson_folder / f"{NOTEBOOK}.responses.json", NOTEBOOK).save_many({"l1-g01": "B"})
    button = browser_edition.work_button(lesson_folder.parent)
    sent = []
    monkeypatch.setattr(button, "send", lambda content, buffers=None: sent.append(content))
    button._handle_custom_msg({"event": "something else"}, [])
    assert sent == []
    button._handle_custom_msg({"event": "download"}, [])
    assert len(sent) == 1 and sorted(sent[0]) == ["data", "name", "said", "type"]
    assert (sent[0]["type"], sent[0]["said"]) == ("application/zip", "It holds your lessons and answers.")
    assert re.fullmatch(r"my-peer-support-work-\d{4}-\d{2}-\d{2}-\d{4}\.zip", sent[0]["name"])
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(sent[0]["data"]))) as archive:
        assert sorted(archive.namelist()) == ["lesson-1/lived-experience.ipynb", "lesson-1/lived-experience.responses.json"]
        assert json.loads(archive.read("lesson-1/lived-experience.responses.json"))["answers"]["l1-g01"]["value"] == "B"
    button.close()
