"""The learner's experience in a real browser: JupyterLab on localhost, driven by Playwright
in Debian's Chromium. Run alone with `pytest -m browser`.

The server gets a temporary copy of release/, a token, and 127.0.0.1 only; Chromium gets a
fresh profile and no background networking. Screenshots go to test-artifacts/. The tests
are one learner's session, in order: later ones see the answers earlier ones gave.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port
from peercourse.certification import EXAM_AREAS

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("PEERCOURSE_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tests/browser/node_modules/axe-core/axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
REQUIRED = os.environ.get("PEERCOURSE_CI") == "1"  # set by .ci/run: in CI nothing is skipped
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps",
]
LESSON1 = "lesson-1/lived-experience.ipynb"
ANSWERS1 = "lesson-1/lived-experience.responses.json"
LESSON1_READY = "(l1-r02), recorded answer"  # printed by the lesson's last cell


def _missing(what: str, how: str):
    if REQUIRED:
        pytest.fail(f"{what} is missing; {how}")
    pytest.skip(f"{what} is missing; {how}")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner") / "course"
    shutil.copytree(ROOT / "release", folder, ignore=shutil.ignore_patterns("*.responses.json", ".*.lock"))
    return folder


def start_lab(command: list[str], cwd: Path, token: str, log_path: Path):
    """Start a JupyterLab command on 127.0.0.1 with a token; return it and its address once it answers."""
    port = free_port()
    log = open(log_path, "w")
    lab = subprocess.Popen(
        [*command, "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return lab, base
        except OSError:
            time.sleep(0.5)
    lab.kill()
    pytest.fail("JupyterLab did not start: " + log_path.read_text()[-2000:])


@pytest.fixture(scope="module")
def server(course, tmp_path_factory):
    if not CHROMIUM.exists():
        _missing("Chromium", "install Debian's package: apt-get install chromium")
    settings = tmp_path_factory.mktemp("lab-settings")
    news = settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    token = secrets.token_hex(16)
    lab, base = start_lab(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.root_dir={course}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={settings}"],
        course, token, tmp_path_factory.mktemp("lab-log") / "lab.log",
    )
    yield {"base": base, "token": token}
    lab.terminate()
    lab.wait(20)


@pytest.fixture(scope="module")
def browser(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # a fresh profile each time
    page = context.new_page()
    yield page
    context.close()


def run_menu(page, menu: str, command: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(f"li[data-command='{command}']").click()


def open_and_run(page, server, notebook: str, ready: str) -> None:
    """Open a notebook, clear any saved outputs, run every cell, and wait for `ready`, a
    text that only the notebook's last cell prints."""
    page.goto(f"{server['base']}/lab/tree/{notebook}?token={server['token']}&reset")  # a fresh workspace: one tab
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    run_menu(page, "Edit", "editmenu:clear-all")
    run_menu(page, "Run", "runmenu:run-all")
    page.wait_for_function("text => document.body.textContent.includes(text)", arg=ready, timeout=90_000)


def item(page, title: str):
    return page.locator(".peercourse-item", has=page.locator("h3", has_text=title))


def answers_on_disk(course: Path, relative: str, expected: dict, timeout: float = 15.0, exact: bool = False) -> dict:
    """The answers file's values for the items in `expected` (all of them, if exact), once
    they hold what is expected: saves arrive from the kernel a moment after each click."""
    path = course / relative
    deadline = time.monotonic() + timeout
    values = None
    while time.monotonic() < deadline:
        if path.exists():
            stored = {k: v["value"] for k, v in json.loads(path.read_text())["answers"].items()}
            values = stored if exact else {k: stored.get(k) for k in expected}
            if values == expected:
                return values
        time.sleep(0.25)
    return values


def wait_for_text(page, locator, text: str) -> None:
    """Wait until an element's text includes `text`, whether or not it is scrolled into view
    (JupyterLab skips painting cells off screen, which Playwright's visibility waits trip on)."""
    page.wait_for_function("([el, text]) => el.textContent.includes(text)", arg=[locator.element_handle(), text], timeout=30_000)


ANSWERED = {
    "l1-g01": "C",
    "l1-g03": {"most": "A", "least": "B"},
    "l1-g05": {"A": 4, "B": 2, "C": None, "D": 1},
    "l1-g07": {"A": 2, "B": 1, "C": None, "D": None},
    "l1-g09": ["B", "D"],
    "l1-r01": "Someone with a similar story listened to me without judging and asked what I wanted.",
}


def answer_lesson_1_by_clicking(page):
    item(page, "Keeping your history out of it?").locator("label", has_text="C. Sam should share").click()
    group = item(page, "A quiet first group")
    group.locator(".widget-radio").nth(0).locator("label", has_text="A. Say that first meetings").click()
    group.locator(".widget-radio").nth(1).locator("label", has_text="B. Ask the group").click()
    rating = item(page, "After 90 days").locator("select")
    rating.nth(0).select_option(label="4 - very effective")
    rating.nth(1).select_option(label="2 - ineffective")
    rating.nth(3).select_option(label="1 - very ineffective")
    ranks = item(page, "A family party").locator("select")
    ranks.nth(0).select_option(label="2nd")
    ranks.nth(1).select_option(label="1st")
    ticks = item(page, "Sharing that serves the person")
    ticks.locator("label", has_text="B. It is brief").click()
    ticks.locator("label", has_text="D. The person was asked").click()
    box = item(page, "Someone who had been there").locator("textarea")
    box.click()
    box.type(ANSWERED["l1-r01"], delay=5)


def test_answers_given_by_clicking_reach_the_answers_file_exactly(page, server, course):
    open_and_run(page, server, LESSON1, LESSON1_READY)
    answer_lesson_1_by_clicking(page)
    assert answers_on_disk(course, ANSWERS1, ANSWERED, exact=True) == ANSWERED
    reflection = item(page, "Someone who had been there")
    assert "Words: 15. Aim for at least 40 words of your own." in reflection.text_content()
    graded = item(page, "Keeping your history out of it?")
    assert "Saved at" in graded.text_content() and "Check my answer" not in graded.text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    item(page, "A quiet first group").screenshot(path=str(ARTIFACTS / "answered-most-least-item.png"))
    item(page, "After 90 days").screenshot(path=str(ARTIFACTS / "answered-rating-item.png"))


def test_a_practice_check_says_right_or_wrong_in_words_with_the_rationales(page, server, course):
    open_and_run(page, server, LESSON1, LESSON1_READY)
    practice = item(page, "Arms crossed at a first meeting")
    practice.locator("label", has_text="D. Tell him the program").click()
    assert answers_on_disk(course, ANSWERS1, {"l1-p01": "D"}) == {"l1-p01": "D"}
    practice.get_by_role("button", name="Check my answer").click()
    feedback = practice.locator(".peercourse-feedback")
    wait_for_text(page, feedback, "Not the best response: you chose D; the best response is B.")
    text = feedback.text_content()
    assert "Score: 0 of 2 points." in text
    assert "B. He says none of the staff knows what it is like, so he feels alone with it." in text
    practice.scroll_into_view_if_needed()
    practice.screenshot(path=str(ARTIFACTS / "practice-feedback.png"))


def test_reloading_and_rerunning_restores_every_answer(page, server, course):
    open_and_run(page, server, LESSON1, LESSON1_READY)
    assert answers_on_disk(course, ANSWERS1, ANSWERED) == ANSWERED  # from the first test
    page.reload()
    open_and_run(page, server, LESSON1, LESSON1_READY)
    assert item(page, "Keeping your history out of it?").locator("input[type=radio]").nth(2).is_checked()
    group = item(page, "A quiet first group").locator(".widget-radio")
    assert group.nth(0).locator("input[type=radio]").nth(0).is_checked()
    assert group.nth(1).locator("input[type=radio]").nth(1).is_checked()
    rating = item(page, "After 90 days").locator("select")
    chosen = "s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text.replaceAll('\\u00a0', ' ') : ''"
    assert [rating.nth(i).evaluate(chosen) for i in range(4)] == [
        "4 - very effective", "2 - ineffective", "", "1 - very ineffective"]
    ticks = item(page, "Sharing that serves the person").locator("input[type=checkbox]")
    assert [ticks.nth(i).is_checked() for i in range(5)] == [False, True, False, True, False]
    assert item(page, "Someone who had been there").locator("textarea").input_value() == ANSWERED["l1-r01"]
    assert "Your saved answer is restored above." in item(page, "After 90 days").text_content()


def test_an_item_can_be_answered_and_checked_with_the_keyboard_alone(page, server, course):
    open_and_run(page, server, LESSON1, LESSON1_READY)
    practice = item(page, "When a story hits close to home")
    # Start just before the item, as after jumping to its heading; from here on, only keys.
    practice.evaluate("el => { el.tabIndex = -1; el.focus(); }")
    page.keyboard.press("Tab")  # the first option's round button
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("Tab")  # each round button is its own stop: on to option B
    page.keyboard.press("Space")  # choose B
    page.keyboard.press("Shift+Tab")  # back to A
    page.keyboard.press("Space")  # choose A instead
    # A person takes a moment before moving on; a script must wait for the save, because
    # ipywidgets holds back a change to a widget while that widget's previous one is in flight.
    assert answers_on_disk(course, ANSWERS1, {"l1-p06": "A"}) == {"l1-p06": "A"}
    for _ in range(6):  # on past the other options to the Check button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Check my answer":
            break
    assert page.evaluate("document.activeElement.textContent") == "Check my answer"
    page.keyboard.press("Enter")
    wait_for_text(page, practice.locator(".peercourse-feedback"), "Right: A is the best response.")


def test_the_progress_notebook_reflects_the_answers_given(page, server, course):
    open_and_run(page, server, "progress/my-progress.ipynb", "Your progress by lesson")
    output = page.locator(".jp-OutputArea-output").first
    table = page.locator("table", has=page.locator("caption", has_text="Your progress by lesson"))
    row = table.locator("tr", has=page.locator("td", has_text="Lesson 1")).inner_text()
    # g01, g03, g05, g09 and r01 answered (g07's ranking is incomplete) of 12; practice p01 wrong, p06 right
    assert row.split("\t")[2:6] == ["5 of 12", "2 of 6", "2 of 4 points (50%)", "1 of 2"]
    assert "Next: Lesson 0 (Start here) has 5 practice items left to answer." in page.locator(".jp-Notebook").text_content()
    chart = page.locator(".jp-OutputArea-output img").first
    chart.wait_for()
    chart.screenshot(path=str(ARTIFACTS / "progress-chart.png"))
    assert output.is_visible()


def test_the_course_widgets_pass_an_automated_accessibility_check(page, server, course):
    if not AXE.exists():
        _missing("axe-core", "run: npm ci --prefix tests/browser")
    open_and_run(page, server, LESSON1, LESSON1_READY)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
            const r = await axe.run(
                { include: ['.peercourse-item'] },
                { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                             nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)) }));
        }"""
    )
    (ARTIFACTS / "accessibility.json").write_text(json.dumps(results, indent=1))
    assert results == []


def exam_answers(course: Path) -> tuple[list, dict]:
    """Form 1 as the exam notebook builds it (the same code, from the copy's bank), and the
    answers this test gives: the key, except a wrong option on every fourth question and no
    answer on questions 11, 71 and 120."""
    from peercourse.exam_bank import read_bank
    from peercourse.full_exam import EXAM_QUESTIONS, form_items

    banks, _ = read_bank(course / "exam-practice", check_schema=False)
    form = form_items([item for _, bank in banks for item in bank.items.values()], "1", EXAM_QUESTIONS)
    answers = {}
    for number, question in enumerate(form, start=1):
        if number not in (11, 71, 120):
            answers[question.id] = question.key if number % 4 else min(set(question.options) - {question.key})
    return form, answers


def test_a_full_practice_exam_is_taken_by_clicking_scored_by_area_and_listed_in_my_progress(page, server, course):
    form, answers = exam_answers(course)
    assert len(form) == 120 and len(answers) == 117
    open_and_run(page, server, "exam-practice/full-exam.ipynb", "Question 1 of 120")
    header = page.locator(".peercourse-exam-header")
    button = lambda name: page.locator(".peercourse-exam button", has_text=name)
    for number, question in enumerate(form, start=1):
        wait_for_text(page, header, f"Question {number} of 120")
        if question.id in answers:
            # this question's own item: the header can change a moment before the old item leaves the page
            shown = page.locator(".peercourse-exam .peercourse-item",
                                 has=page.locator("h3", has_text=re.compile(f"^{re.escape(question.title)}$")))
            letter = answers[question.id]
            shown.locator(".widget-radio-box label").nth(list(question.options).index(letter)).click()
        if number == 5:
            button("Flag for review").click()
            wait_for_text(page, header, "Flagged for review: 1")
        button("Next").click()
        if number == 60:  # the break the real exam offers: the timer pauses while it lasts
            button("Take a break").click()
            wait_for_text(page, header, "paused for your break")
            button("Continue the exam").click()
    summary = page.locator(".peercourse-exam")
    wait_for_text(page, summary, "You have answered 117 of 120 questions.")
    assert "Not answered yet: 11, 71, 120." in summary.text_content()
    assert "Flagged for review: 5." in summary.text_content()
    assert answers_on_disk(course, "exam-practice/full-exam-1.responses.json", answers) == answers
    stored = json.loads((course / "exam-practice/full-exam-1.responses.json").read_text())["answers"]
    assert set(stored) == {*answers, "_exam"}  # nothing for the three left blank
    assert stored["_exam"]["value"]["flagged"] == [form[4].id] and stored["_exam"]["value"]["submitted"] is None
    button("Submit my answers").click()
    wait_for_text(page, summary, "Score by exam area")
    earned = sum(answers.get(q.id) == q.key for q in form)
    assert earned == 88  # 117 answered, 29 of them (every fourth question but 120) wrong
    assert f"Score: {earned} of 120 points ({earned / 120:.0%})." in summary.text_content()
    assert "You answered 117 of 120 questions." in summary.text_content()
    table = page.locator("table", has=page.locator("caption", has_text="Score by exam area"))
    by_area = {}
    for question in form:
        got, count = by_area.get(question.exam_area, (0, 0))
        by_area[question.exam_area] = (got + (answers.get(question.id) == question.key), count + 1)
    shown = {cells[0]: (cells[1], cells[2]) for cells in
             (row.split("\t") for row in table.locator("tbody tr").all_inner_texts())}
    assert shown == {area: (str(count), f"{got} of {count} ({got / count:.0%})") for area, (got, count) in by_area.items()}
    assert set(shown) == set(EXAM_AREAS) and {count for _, count in by_area.values()} == {15}
    ARTIFACTS.mkdir(exist_ok=True)
    summary.screenshot(path=str(ARTIFACTS / "full-exam-results.png"))

    open_and_run(page, server, "progress/my-progress.ipynb", "Your progress by lesson")
    exams = page.locator("table", has=page.locator("caption", has_text="Your full practice exams"))
    row = exams.locator("tbody tr").first.inner_text().split("\t")
    assert row[0] == "Form 1" and row[2] == f"{earned} of 120 ({earned / 120:.0%})"


def test_make_lab_serves_every_lesson_and_opens_start_here_and_lesson_1_with_working_widgets(browser, tmp_path):
    """What `make lab` runs (`peercourse lab`), started here on a free port instead of 8888."""
    workspace, token = tmp_path / "workspace", secrets.token_hex(16)
    lab, base = start_lab(
        [sys.executable, "-m", "peercourse.cli", "--course", str(ROOT), "lab", "--workspace", str(workspace), "--no-browser"],
        ROOT, token, tmp_path / "lab.log",
    )
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{base}/lab?token={token}")
        tabs = page.locator(".jp-MainAreaWidget-ContainerTabBar, #jp-main-dock-panel").locator(".lm-TabBar-tabLabel")
        tabs.filter(has_text="lived-experience.ipynb").wait_for(timeout=60_000)
        assert tabs.all_text_contents() == ["start-here.ipynb", "lived-experience.ipynb"]
        listing = page.locator(".jp-DirListing-itemText")
        listing.filter(has_text="progress").wait_for()
        assert sorted(listing.all_text_contents()) == [
            "exam-practice", *(f"lesson-{n}" for n in range(10)), "progress"]
        tabs.filter(has_text="lived-experience.ipynb").click()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true", timeout=60_000)
        run_menu(page, "Run", "runmenu:run-all")
        page.wait_for_function("text => document.body.textContent.includes(text)", arg=LESSON1_READY, timeout=90_000)
        assert item(page, "Arms crossed at a first meeting").locator("input[type=radio]").count() == 4
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "make-lab-first-screen.png"))
    finally:
        context.close()
        lab.terminate()
        lab.wait(20)
