""""My answers and notes" (answers_page.py): the page a learner prints or keeps, instead of a
notebook export that shows each item as `VBox(children=(HTML(value='<style>...` (issue 16,
finding 7). Worked from the demo lesson in conftest.py."""
import json
import re
from datetime import datetime

import nbformat

from peercourse import answers_page

NOW = datetime(2026, 12, 2, 9, 30)


def sections(page: str) -> list[str]:
    return re.findall(r"<section>(.*?)</section>", page, flags=re.S)


def title(section: str) -> str:
    return re.search(r"<h2>(.*?)</h2>", section).group(1)


def test_the_page_has_every_item_in_lesson_order_the_answers_and_only_the_explanations_seen(demo, tmp_path):
    # the notebook shows rf, sb and ml first, in that order; the rest follow in the items file's order
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f'lesson.show("{item_id}")') for item_id in ("rf", "sb", "ml")])
    nbformat.write(notebook, tmp_path / "demo.ipynb")
    sb = demo.view("sb")
    sb.controls[0].value = "B"
    sb._check(None)  # the learner presses Check my answer: the explanations are on screen
    demo.view("ml").controls[0].value = "C"  # answered, never checked
    demo.view("rf").controls[0].value = "<script>alert(1)</script> Someone listened & asked what I wanted."
    entries = json.loads(demo.responses.path.read_text())["answers"]
    assert entries["sb"] == {"value": "B", "saved": "2026-01-01T00:00:00+00:00", "checked": "2026-01-01T00:00:00+00:00"}
    assert "checked" not in entries["ml"]

    page = answers_page.page_html(demo, now=NOW)
    parts = sections(page)
    assert [title(part) for part in parts] == [
        "Demo reflection", "Demo single_best", "Demo most_least", "Demo rating", "Demo ranking", "Demo select_all",
        "Demo single_best"]
    assert "<p>Demo. Made 02 December 2026, 09:30." in page
    reflection, checked, unchecked, rating, _, _, graded = parts
    assert "<h3>Your reflection</h3>" in reflection
    assert ('<p class="answer">&lt;script&gt;alert(1)&lt;/script&gt; Someone listened &amp; asked what I wanted.\n'
            "(10 words, 9 of them counted") in reflection
    assert "<script>" not in page
    assert "<li>B. Tell them what worked for you.</li>" in checked
    assert '<p class="answer">B. Tell them what worked for you.</p>' in checked
    assert "<h3>What you saw when you checked it</h3>" in checked
    assert "<p>Not the best response: you chose B; the best response is A.</p>" in checked
    assert "<p>B. Why B is or is not effective.</p>" in checked
    assert '<p class="answer">most effective: C. Explain the program rules first.; least effective: no pick</p>' in unchecked
    assert "Why C is" not in unchecked and "Press Check my answer in the lesson" in unchecked
    assert '<p class="answer">Not answered yet.</p>' in rating
    # a graded item: its key is the instructor's, so no explanations and no Check to press
    assert "What you saw" not in graded and "Press Check" not in graded


def test_a_check_stays_noted_when_the_answer_changes_and_the_page_is_written_beside_the_lesson(demo, tmp_path):
    sb = demo.view("sb")
    sb.controls[0].value = "A"
    sb._check(None)
    sb.controls[0].value = "D"
    assert json.loads(demo.responses.path.read_text())["answers"]["sb"]["checked"] == "2026-01-01T00:00:00+00:00"
    path = answers_page.write(demo)
    assert path == tmp_path / "demo.my-answers.html"
    checked = sections(path.read_text())[0]
    assert "<p>Not the best response: you chose D; the best response is A.</p>" in checked


def test_checking_before_answering_notes_nothing(demo):
    demo.view("sb")._check(None)
    assert not demo.responses.path.exists()



def test_the_page_is_not_handed_in_with_the_lesson():
    """nbgrader submit leaves out what matches CourseDirectory.ignore (etc/jupyter/nbgrader_config.py):
    the page is a copy made from the answers file, which is handed in."""
    from fnmatch import fnmatch

    from peercourse.nbgrader_hooks import NOT_LEARNER_WORK

    left_out = lambda name: any(fnmatch(name, pattern) for pattern in NOT_LEARNER_WORK)
    assert left_out("lived-experience.my-answers.html")
    assert not left_out("lived-experience.responses.json") and not left_out("lived-experience.ipynb")
