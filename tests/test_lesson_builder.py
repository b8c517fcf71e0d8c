"""`peercourse new-lesson`: a lesson's text and keyed items become its source notebook and
items file. Proved by a round trip: each real lesson, taken apart into the two files an
author writes, is built again into exactly the notebook the course has (every cell's text,
id and nbgrader metadata) and the same items."""
from __future__ import annotations

import json

import pytest
import yaml

from peercourse import cli, lesson_builder, lesson_sources
from peercourse.itembank import load_bank

from conftest import ROOT

NOTEBOOKS = lesson_sources.lesson_notebooks(ROOT / "source")


def taken_apart(notebook, folder):
    """The two files an author would have written for this lesson."""
    lesson = lesson_sources.read_lesson(notebook)
    text = []
    for cell in lesson.cells:
        grade_id = cell["metadata"]["nbgrader"]["grade_id"]
        if grade_id == "md-before-submit":
            break
        source = lesson_sources.cell_source(cell)
        if cell["cell_type"] == "markdown":
            if text and not text[-1].startswith("{{"):
                text.append("%%")
            text.append(source)
        elif grade_id.startswith("show-"):
            text.append("{{ " + grade_id.removeprefix("show-") + " }}")
    raw = yaml.safe_load((notebook.parent / f"{notebook.stem}.items.yaml").read_text())
    for item in raw["items"]:
        if item["id"] in lesson.keys:
            item["key"] = lesson.keys[item["id"]].key
            item["rationales"] = lesson.keys[item["id"]].rationales
    (folder / "lesson.md").write_text("\n\n".join(text) + "\n")
    (folder / "keyed.items.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return folder / "lesson.md", folder / "keyed.items.yaml"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.parent.name for n in NOTEBOOKS])
def test_every_lesson_is_rebuilt_exactly_from_its_text_and_keyed_items(notebook, tmp_path):
    text, keyed = taken_apart(notebook, tmp_path)
    built = lesson_builder.build(text, keyed, tmp_path / "source", notebook.parent.name)
    ours, theirs = json.loads(built.read_text()), json.loads(notebook.read_text())
    assert ours["metadata"] == theirs["metadata"]
    strip = lambda cell: {"type": cell["cell_type"], "id": cell.get("id"), "metadata": cell["metadata"],
                          "source": lesson_sources.cell_source(cell)}
    assert [strip(c) for c in ours["cells"]] == [strip(c) for c in theirs["cells"]]
    assert load_bank(built.parent / f"{built.stem}.items.yaml") == load_bank(notebook.parent / f"{notebook.stem}.items.yaml")


def test_an_item_placed_but_missing_or_written_but_not_placed_is_named(tmp_path):
    (tmp_path / "lesson.md").write_text("# Lesson 6\n\nIntro.\n\n{{ l6-g01 }}\n{{ l6-g02 }}\n")
    (tmp_path / "keyed.yaml").write_text(yaml.safe_dump({"lesson": "crisis", "title": "Lesson 6", "items": [
        {"id": "l6-g01", "format": "single_best", "mode": "graded", "points": 2, "title": "T", "prompt": "P?",
         "exam_area": "Crisis Management", "competencies": [13], "options": {"A": "a", "B": "b"}, "key": "A",
         "rationales": {"A": "ra", "B": "rb"}},
        {"id": "l6-p09", "format": "single_best", "mode": "practice", "points": 2, "title": "T2", "prompt": "P2?",
         "exam_area": "Crisis Management", "competencies": [13], "options": {"A": "a", "B": "b"}, "key": "B",
         "rationales": {"A": "ra", "B": "rb"}}]}))
    with pytest.raises(lesson_builder.LessonBuildError) as error:
        lesson_builder.build(tmp_path / "lesson.md", tmp_path / "keyed.yaml", tmp_path / "source", "lesson-6")
    assert str(error.value) == ("l6-g02 is placed in the text but not in the items file; "
                                "l6-p09 is in the items file but not placed in the text")
    assert not (tmp_path / "source").exists()  # nothing written


def test_items_the_course_would_refuse_leave_the_lesson_there_as_it_was(tmp_path):
    from peercourse.items import ItemError

    notebook = NOTEBOOKS[1]
    text, keyed = taken_apart(notebook, tmp_path)
    built = lesson_builder.build(text, keyed, tmp_path / "source", notebook.parent.name)
    before = {path.name: path.read_bytes() for path in built.parent.iterdir()}
    broken = yaml.safe_load(keyed.read_text())
    broken["items"][0]["format"] = "no_such_format"
    keyed.write_text(yaml.safe_dump(broken, sort_keys=False))
    with pytest.raises(ItemError):
        lesson_builder.build(text, keyed, tmp_path / "source", notebook.parent.name, replace=True)
    assert {path.name: path.read_bytes() for path in built.parent.iterdir()} == before
