"""The HTML pages come from templates/*.html through pages.render: text from an items file, a
learner's answer or a rationale is escaped on every page, a value the code forgets to pass is
an error, and every template is in use."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import jinja2
import pandas as pd
import pytest
import yaml

from peercourse import pages, progress
from peercourse.exam_practice import ExamPractice
from peercourse.report import analyse, write_report

from conftest import ROOT, visible_text

HOSTILE = '<script>alert(1)</script> "quotes" & ampersands'
PACKAGE = ROOT / "src" / "peercourse"
TEMPLATES = sorted((PACKAGE / "templates").glob("*.html"))


def assert_escaped(page: str, *shown: str) -> None:
    """The hostile text is nowhere raw in the page's source, yet each of `shown` reads as
    written once the page is displayed (escaped, not dropped)."""
    for raw in ("<script>", '"quotes"', "& ampersands"):
        assert raw not in page
    text = visible_text(page)
    for words in shown:
        assert words in text, words


# --- escaping on each page -------------------------------------------------------------------

@pytest.fixture
def course(fixture_release):
    """A released copy of the tests' own course (tests/fixture_course.py): lesson-9 and exam-practice/."""
    return fixture_release


def edit_items(path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_progress_page_escapes_a_lesson_title(course, monkeypatch):
    edit_items(course / "lesson-9/fixture.items.yaml", lambda data: data.update(title=f"Lesson 9: {HOSTILE}"))
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda thing: shown.append(getattr(thing, "data", "")))
    progress.show(course)
    page = "".join(part for part in shown if isinstance(part, str))
    assert "Your progress by lesson" in page  # the whole page was captured, tables included
    # the table's text runs its cells together: "Lesson 9", then the topic
    assert_escaped(page, f"Start with Lesson 9: {HOSTILE}.", f"Lesson 9{HOSTILE}")


def test_the_exam_practice_results_escape_the_item_the_answer_and_the_rationale(course, learner):
    def hostile_item(data):
        item = next(item for item in data["items"] if item["id"] == "l9-p01")
        item.update(title=f"Title {HOSTILE}", prompt=f"Prompt {HOSTILE}\n\nSecond paragraph {HOSTILE}")
        item["options"] = {letter: f"Option {letter} {HOSTILE}" for letter in item["options"]}
        item["rationales"] = {letter: f"Rationale {letter} {HOSTILE}" for letter in item["rationales"]}

    edit_items(course / "lesson-9/fixture.items.yaml", hostile_item)
    exam = ExamPractice(seed=1, count=500, directory=course / "exam-practice")  # the whole pool
    assert exam.bank.items["l9-p01"].key == "B"
    exam.responses.save_many({"l9-p01": "A"})  # wrong, so the item is listed to review
    assert_escaped(
        exam.results_html(),
        f"Title {HOSTILE} (from Lesson 9", f"Prompt {HOSTILE}", f"Second paragraph {HOSTILE}",
        f"C. Option C {HOSTILE}", f"Your answer: A. Option A {HOSTILE}", f"Rationale A {HOSTILE}",
    )


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs)["alt"])


def test_the_report_escapes_ids_areas_lessons_and_options(tmp_path):
    item, lesson = f"item {HOSTILE}", f"lesson {HOSTILE}"
    scores = pd.DataFrame([
        {"student": f"s{n}", "lesson": lesson, "item": item, "format": "single_best", "exam_area": f"area {HOSTILE}",
         "competencies": "1", "points": 2.0, "possible": 2.0, "choice": "A"}
        for n in range(1, 6)  # five students, the fewest that get flags
    ])
    keys = {item: {"format": "single_best", "options": ["A", HOSTILE], "key": "A"}}
    source = write_report(analyse(scores, keys), tmp_path).read_text(encoding="utf-8")
    assert_escaped(source, lesson, f"area {HOSTILE}", f"option {HOSTILE} chosen by nobody")
    images = Images()
    images.feed(source)
    assert f"Option choices for {item}" in images.alts  # attributes are escaped, and read back whole


# --- a missing value ---------------------------------------------------------------------------

@pytest.mark.parametrize("template", [path.name for path in TEMPLATES])
def test_a_template_given_no_values_raises(template):
    with pytest.raises(jinja2.UndefinedError):
        pages.render(template)


def test_one_missing_value_raises_rather_than_showing_a_blank():
    with pytest.raises(jinja2.UndefinedError, match="notes"):
        pages.render("progress_next_step.html", next_step="Start with Lesson 0: Start here.")


# --- every template is in use ------------------------------------------------------------------

def rendered_names() -> set[str]:
    """The template names passed to render() anywhere in the package."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        names |= set(re.findall(r"""\brender\(\s*["']([^"']+\.html)["']""", path.read_text(encoding="utf-8")))
    return names


def test_every_template_is_rendered_by_some_module_and_parses():
    assert TEMPLATES, "no templates found"
    # pyproject.toml ships templates/*.html: a template in a subfolder would be missing from the wheel
    assert [path.name for path in (PACKAGE / "templates").iterdir() if path.is_dir()] == []
    used = rendered_names()
    assert [path.name for path in TEMPLATES if path.name not in used] == []
    assert sorted(used - {path.name for path in TEMPLATES}) == []  # no render() of a template that is not there
    for path in TEMPLATES:
        pages.ENVIRONMENT.parse(path.read_text(encoding="utf-8"), name=path.name)
