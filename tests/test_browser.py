"""The learner's experience in a real browser: JupyterLab on localhost, driven by Playwright
in Debian's Chromium. Run alone with `pytest -m browser`.

The server gets a temporary folder, a token, 127.0.0.1 only, and the learner's own settings
(etc/learner, as `make lab` gives them); Chromium gets a fresh profile and no background
networking. Each test works in its own copy of the course inside that folder, made as `make
lab` makes a learner's, and writes any answers it needs itself: the tests run in any order.
Each test shuts down the kernels it started. Screenshots go to test-artifacts/.
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
from peercourse import lab as course_lab
from peercourse.certification import EXAM_AREAS
from peercourse.notebook_saving import RUN_ALL_LINE
from peercourse.responses import ResponsesFile

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
    """The folder the server serves: each test's own course is a folder inside it (mine)."""
    return tmp_path_factory.mktemp("learners")


@pytest.fixture
def mine(course, request):
    """This test's own copy of the course, made as `make lab` makes a learner's workspace."""
    folder = course / re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:80]
    course_lab.copy_new_lessons(ROOT / "release", folder)
    course_lab.match_kernel_language(folder)
    return folder


def start_lab(command: list[str], cwd: Path, token: str, log_path: Path, env: dict | None = None):
    """Start a JupyterLab command on 127.0.0.1 with a token; return it and its address once it answers."""
    port = free_port()
    log = open(log_path, "w")
    lab = subprocess.Popen(
        [*command, "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env,
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
    # every cell in the page, not only those near the view, so a test can read the whole notebook
    windowing = settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    windowing.parent.mkdir(parents=True)
    windowing.write_text(json.dumps({"windowingMode": "none"}))
    token = secrets.token_hex(16)
    lab, base = start_lab(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.root_dir={course}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={settings}"],
        course, token, tmp_path_factory.mktemp("lab-log") / "lab.log", env=course_lab.learner_environment(ROOT),
    )
    yield {"base": base, "token": token}
    lab.terminate()
    try:
        lab.wait(20)
    except subprocess.TimeoutExpired:
        lab.kill()
        lab.wait()


@pytest.fixture(scope="module")
def browser(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def api(server, method: str, path: str):
    request = urllib.request.Request(f"{server['base']}/api/{path}?token={server['token']}", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def shut_down_kernels(server) -> None:
    for session in api(server, "GET", "sessions"):
        api(server, "DELETE", f"sessions/{session['id']}")


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # a fresh profile each time
    page = context.new_page()
    yield page
    context.close()
    shut_down_kernels(server)  # the kernels this test's notebooks started


def run_menu(page, menu: str, command: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(f"li[data-command='{command}']").click()


# Run All has finished when the last code cell has shown something, has its [n] prompt (unless
# its source is hidden, which hides the prompt too), no cell waits with [*], the kernel is
# idle and no widget is still loading. Only then is the page still: when Run All ends,
# JupyterLab may move the focus to the notebook, which would take it from a control a test
# has just tabbed to.
ALL_RUN = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const last = cells[cells.length - 1];
    if (!last || last.querySelector('.jp-OutputArea-output') === null) return false;
    const prompt = p => (p ? p.textContent : '').replace(/\\s/g, '');
    const hidden = last.querySelector('.jp-InputArea.lm-mod-hidden, .jp-InputArea[hidden]') !== null
        || prompt(last.querySelector('.jp-InputPrompt')) === '';
    if (!hidden && !/^\\[\\d+\\]:$/.test(prompt(last.querySelector('.jp-InputPrompt')))) return false;
    if (cells.some(c => prompt(c.querySelector('.jp-InputPrompt')) === '[*]:')) return false;
    const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
    return idle !== null && !document.querySelector('.jp-Notebook').textContent.includes('Loading widget');
}"""


# Something has run since the outputs were cleared: an output, or a cell's [*] or [n] prompt
STARTED = """() => document.querySelector('.jp-Notebook .jp-CodeCell .jp-OutputArea-output') !== null
    || [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].some(
           p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def run_all(page) -> None:
    """Run All from the Run menu, and wait until a cell has started. Once: the learner's
    JupyterLab holds a Run All that comes before the kernel is connected until it is
    (jupyterlab/jupyterlab#8490; labextension/index.js), so pressing it again is never needed."""
    run_menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(STARTED, timeout=60_000)


def open_notebook(page, server, notebook: str) -> None:
    page.goto(f"{server['base']}/lab/tree/{notebook}?token={server['token']}&reset")  # a fresh workspace: one tab
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def open_and_run(page, server, notebook: str, ready: str | None = None) -> None:
    """Open a notebook, clear any saved outputs, run every cell, and wait for `ready`, a
    text that only the notebook's last cell prints, or else until every code cell has run."""
    open_notebook(page, server, notebook)
    run_menu(page, "Edit", "editmenu:clear-all")
    run_all(page)
    if ready:
        page.wait_for_function("text => document.body.textContent.includes(text)", arg=ready, timeout=90_000)
    try:
        page.wait_for_function(ALL_RUN, timeout=120_000)
    except Exception as error:
        raise AssertionError(f"{notebook}: Run All never finished") from error


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
    element = locator.element_handle()
    try:
        page.wait_for_function("([el, text]) => el.textContent.includes(text)", arg=[element, text], timeout=30_000)
    except Exception as error:  # say what was there instead
        raise AssertionError(f"{text!r} never appeared; the element reads {element.text_content()!r}") from error


def save_answers(folder: Path, lesson: str, answers: dict) -> None:
    """Answers as a learner's earlier session left them (the file the items save to)."""
    ResponsesFile(folder / lesson, lesson.split("/")[1].removesuffix(".responses.json")).save_many(answers)


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


def test_answers_given_by_clicking_reach_the_answers_file_exactly(page, server, mine):
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
    answer_lesson_1_by_clicking(page)
    assert answers_on_disk(mine, ANSWERS1, ANSWERED, exact=True) == ANSWERED
    # the counter is redrawn from the kernel a moment after the last key, as the save is
    wait_for_text(page, item(page, "Someone who had been there"), "Words: 15. Aim for at least 40 words of your own.")
    graded = item(page, "Keeping your history out of it?")
    assert "Saved at" in graded.text_content() and "Check my answer" not in graded.text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    item(page, "A quiet first group").screenshot(path=str(ARTIFACTS / "answered-most-least-item.png"))
    item(page, "After 90 days").screenshot(path=str(ARTIFACTS / "answered-rating-item.png"))


def test_a_practice_check_says_right_or_wrong_in_words_with_the_rationales(page, server, mine):
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
    practice = item(page, "Arms crossed at a first meeting")
    practice.locator("label", has_text="D. Tell him the program").click()
    assert answers_on_disk(mine, ANSWERS1, {"l1-p01": "D"}) == {"l1-p01": "D"}
    practice.get_by_role("button", name="Check my answer").click()
    feedback = practice.locator(".peercourse-feedback")
    wait_for_text(page, feedback, "Not the best response: you chose D; the best response is B.")
    text = feedback.text_content()
    assert "Score: 0 of 2 points." in text
    assert "B. He says none of the staff knows what it is like, so he feels alone with it." in text
    practice.scroll_into_view_if_needed()
    practice.screenshot(path=str(ARTIFACTS / "practice-feedback.png"))
    # The answers page keeps what was checked, with the explanations seen (finding 7)
    page.get_by_role("button", name="Make my answers page").click()
    made = page.locator(".jp-Notebook a", has_text="lived-experience.my-answers.html")
    made.wait_for(state="attached")
    kept = (mine / "lesson-1/lived-experience.my-answers.html").read_text()
    assert "<h2>Arms crossed at a first meeting</h2>" in kept
    assert "<p>Not the best response: you chose D; the best response is B.</p>" in kept


def test_running_the_lesson_restores_every_saved_answer(page, server, mine):
    save_answers(mine, ANSWERS1, ANSWERED)
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
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


def focus_before(practice) -> None:
    """Focus the item itself, as after jumping to its heading; from here on, only keys."""
    practice.evaluate("el => { el.tabIndex = -1; el.focus(); }")


def focus_is_in(page, practice) -> bool:
    return practice.evaluate("el => el.contains(document.activeElement) && document.activeElement !== el")


NOTEBOOK_SHAPE = "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => c.className.includes('jp-CodeCell') ? 'code' : 'markdown').join(',')"


def test_every_item_format_is_answered_with_the_keyboard_alone_and_no_key_reaches_the_notebook(page, server, mine):
    """Lesson 0 says the arrow keys move through a menu's choices and a set of round buttons.
    JupyterLab used to take those keys (ArrowDown moved to another cell; A or B added one)."""
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
    shape = page.evaluate(NOTEBOOK_SHAPE)
    keys = page.keyboard

    single = item(page, "Arms crossed at a first meeting")
    focus_before(single)
    keys.press("Tab")  # into the set of round buttons: A has focus, nothing chosen yet
    assert page.evaluate("document.activeElement.type") == "radio"
    for key in ["ArrowDown", "ArrowDown", "ArrowUp"]:  # B, C, then back to B
        keys.press(key)
    assert answers_on_disk(mine, ANSWERS1, {"l1-p01": "B"}) == {"l1-p01": "B"}
    assert focus_is_in(page, single)
    for key in ["a", "b", "m", "y", "d", "d", "x", "z", "c", "v"]:  # notebook shortcuts in command mode
        keys.press(key)
    assert page.evaluate(NOTEBOOK_SHAPE) == shape, "a key pressed on a round button changed the notebook"
    assert focus_is_in(page, single)
    keys.press("Tab")  # one stop for the whole set: on to the Check button
    assert page.evaluate("document.activeElement.textContent") == "Check my answer"
    keys.press("Enter")
    wait_for_text(page, single.locator(".peercourse-feedback"), "Right: B is the best response.")

    pair = item(page, "A quiet first group")
    focus_before(pair)
    keys.press("Tab")  # the Most effective set
    keys.press("ArrowDown")  # B
    keys.press("ArrowDown")  # C
    keys.press("Tab")  # the Least effective set
    keys.press("ArrowDown")  # B
    assert answers_on_disk(mine, ANSWERS1, {"l1-g03": {"most": "C", "least": "B"}}) == {"l1-g03": {"most": "C", "least": "B"}}
    assert focus_is_in(page, pair)

    rating = item(page, "After 90 days")
    menus = rating.locator("select")
    focus_before(rating)
    keys.press("Tab")  # A's menu
    assert menus.nth(0).evaluate("el => el === document.activeElement")
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    keys.press("Tab")  # B's menu
    assert menus.nth(1).evaluate("el => el === document.activeElement")
    keys.press("ArrowDown")
    assert answers_on_disk(mine, ANSWERS1, {"l1-g05": {"A": 2, "B": 1, "C": None, "D": None}}) == {
        "l1-g05": {"A": 2, "B": 1, "C": None, "D": None}}
    assert focus_is_in(page, rating)

    ranking = item(page, "A family party")
    focus_before(ranking)
    keys.press("Tab")
    keys.press("ArrowDown")  # A: 1st
    keys.press("Tab")
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # B: 2nd
    assert answers_on_disk(mine, ANSWERS1, {"l1-g07": {"A": 1, "B": 2, "C": None, "D": None}}) == {
        "l1-g07": {"A": 1, "B": 2, "C": None, "D": None}}

    ticks = item(page, "Sharing that serves the person")
    focus_before(ticks)
    for key in ["Tab", "Space", "Tab", "Tab", "Space"]:  # tick A, pass B, tick C
        keys.press(key)
    assert answers_on_disk(mine, ANSWERS1, {"l1-g09": ["A", "C"]}) == {"l1-g09": ["A", "C"]}

    reflection = item(page, "Someone who had been there")
    focus_before(reflection)
    keys.press("Tab")
    keys.type("A peer asked me what I wanted.", delay=5)
    assert answers_on_disk(mine, ANSWERS1, {"l1-r01": "A peer asked me what I wanted."}) == {
        "l1-r01": "A peer asked me what I wanted."}
    assert page.evaluate(NOTEBOOK_SHAPE) == shape, "the notebook changed while answering by keyboard"


def test_screen_readers_hear_named_groups_and_live_save_lines(page, server, mine):
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
    label_of = "el => el.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent).join(' ')"
    pair = item(page, "A quiet first group")
    assert pair.get_attribute("role") == "group" and pair.evaluate(label_of) == "A quiet first group"
    sets = pair.locator("[role=radiogroup]")
    assert [sets.nth(i).evaluate(label_of) for i in range(sets.count())] == ["Most effective", "Least effective"]
    names = pair.locator("input[type=radio]").evaluate_all("inputs => inputs.map(i => i.name)")
    assert len(names) == 8 and len(set(names[:4])) == len(set(names[4:])) == 1 and names[0] != names[4]
    single = item(page, "Arms crossed at a first meeting")
    assert single.locator("[role=radiogroup]").evaluate(label_of) == "Your choice"  # inside the item's named group
    for title in ["Arms crossed at a first meeting", "After 90 days", "Someone who had been there"]:
        status = item(page, title).locator(".peercourse-status")
        assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")
    feedback = single.locator(".peercourse-feedback")
    assert (feedback.get_attribute("role"), feedback.get_attribute("aria-live")) == ("status", "polite")
    # the live region is the same element before and after a save, so its change is announced
    status = single.locator(".peercourse-status")
    status.evaluate("el => { window.peercourseStatus = el; }")
    single.locator("label", has_text="D. Tell him the program").click()
    wait_for_text(page, status, "Saved at")
    assert status.evaluate("el => el === window.peercourseStatus")


def test_a_lesson_reopened_the_next_day_says_run_all_instead_of_an_error_and_closes_without_asking(page, server, mine):
    """After the kernel is gone (the next day, after `make lab` is restarted), the saved
    notebook's items used to read "Error displaying widget: model not found"; and closing an
    untouched lesson asked "Save your work?" because the kernel filled in its language_info."""
    notebook = mine / LESSON1
    open_and_run(page, server, f"{mine.name}/{LESSON1}", LESSON1_READY)
    items = page.locator(".peercourse-item").count()
    run_menu(page, "File", "docmanager:save")
    deadline = time.monotonic() + 30
    while RUN_ALL_LINE not in notebook.read_text() and time.monotonic() < deadline:
        time.sleep(0.25)
    saved = json.loads(notebook.read_text())
    lines = ["".join(o["data"]["text/plain"]) for c in saved["cells"] if c["cell_type"] == "code"
             for o in c.get("outputs", []) if "data" in o and "text/plain" in o["data"]]
    assert items == 18 and lines.count(RUN_ALL_LINE) == items + 1  # each item, and the feedback button, is a widget
    shut_down_kernels(server)
    open_notebook(page, server, f"{mine.name}/{LESSON1}")  # the next day: a new kernel, nothing run
    page.wait_for_function("text => document.body.textContent.includes(text)", arg=RUN_ALL_LINE, timeout=30_000)
    text = page.locator(".jp-Notebook").text_content()
    assert text.count(RUN_ALL_LINE) == items + 1 and "model not found" not in text
    page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabCloseIcon").click()
    page.wait_for_function("() => document.querySelector('.jp-Dialog') || !document.querySelector('.jp-NotebookPanel')")
    assert page.locator(".jp-Dialog").count() == 0


CODE_CELLS_OUTPUT = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(
    c => c.querySelectorAll('.jp-OutputArea-output').length > 0)"""


def test_run_all_pressed_while_the_lesson_is_still_opening_runs_every_cell(page, server, mine):
    """Finding 8: Run All pressed as a lesson opened, before its kernel was connected, ran
    nothing (jupyterlab/jupyterlab#8490). The server's answer to "start this notebook's
    kernel" is held back until the learner has pressed Run All, as on a busy machine."""
    held = []
    page.route("**/api/sessions**", lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    starting = lambda request: "/api/sessions" in request.url and request.method == "POST"  # noqa: E731
    with page.expect_request(starting, timeout=60_000):  # JupyterLab has asked for the kernel
        page.goto(f"{server['base']}/lab/tree/{mine.name}/{LESSON1}?token={server['token']}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_menu(page, "Run", "runmenu:run-all")
    assert len(held) == 1  # and has no answer yet as Run All is pressed
    held[0].continue_()
    page.unroute("**/api/sessions**")
    page.wait_for_function("text => document.body.textContent.includes(text)", arg=LESSON1_READY, timeout=90_000)
    page.wait_for_function(ALL_RUN, timeout=120_000)
    ran = page.evaluate(CODE_CELLS_OUTPUT)
    assert len(ran) == 32 and all(ran)


WHERE = """() => {
    const scroller = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    const active = cells.findIndex(c => c.classList.contains('jp-mod-active'));
    const box = cells[active].getBoundingClientRect(), view = scroller.getBoundingClientRect();
    return {active, scrollTop: Math.round(scroller.scrollTop),
            inView: box.bottom > view.top && box.top < view.bottom};
}"""


def test_run_all_leaves_the_learner_where_they_were(page, server, mine):
    """Finding 8: after Run All the page was left at the lesson's last cell. A learner who
    opens a lesson and runs it (Run menu) stays at its top; one who has clicked a cell halfway
    down and then restarts and runs everything (the toolbar's button) stays on that cell."""
    open_notebook(page, server, f"{mine.name}/{LESSON1}")
    run_all(page)
    page.wait_for_function(ALL_RUN, timeout=120_000)
    assert page.evaluate(WHERE) == {"active": 0, "scrollTop": 0, "inView": True}
    halfway = page.locator(".jp-Notebook .jp-Cell").nth(20)
    halfway.scroll_into_view_if_needed()
    halfway.locator(".jp-InputPrompt").click()  # the cell's margin: makes it active without editing
    page.wait_for_function(f"() => ({WHERE})().active === 20")
    run_menu(page, "Edit", "editmenu:clear-all")  # so that Run All's end can be seen again
    page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:restart-run-all']").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Confirm Kernel Restart").click()
    page.wait_for_function(STARTED, timeout=60_000)
    page.wait_for_function(ALL_RUN, timeout=120_000)
    assert page.evaluate(WHERE) | {"scrollTop": None} == {"active": 20, "scrollTop": None, "inView": True}


LEARNER_NOTEBOOKS = sorted(str(path.relative_to(ROOT / "release")) for path in (ROOT / "release").rglob("*.ipynb"))


def test_every_notebook_a_learner_opens_passes_an_automated_accessibility_check(page, server, mine):
    """axe-core over the course's own output (markdown and cell outputs, not JupyterLab's
    frame) in every lesson, My progress and both exam practices, after Run All."""
    if not AXE.exists():
        _missing("axe-core", "run: npm ci --prefix tests/browser")
    assert len(LEARNER_NOTEBOOKS) == 13
    found = {}
    for notebook in LEARNER_NOTEBOOKS:
        open_and_run(page, server, f"{mine.name}/{notebook}")
        page.add_script_tag(path=str(AXE))
        found[notebook] = page.evaluate(
            """async () => {
                const r = await axe.run(
                    { include: [['.jp-Notebook .jp-MarkdownOutput'], ['.jp-Notebook .jp-OutputArea-output']] },
                    { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
                return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)) }));
            }"""
        )
        shut_down_kernels(server)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "accessibility.json").write_text(json.dumps(found, indent=1))
    assert {notebook: violations for notebook, violations in found.items() if violations} == {}


def test_the_progress_notebook_reflects_the_answers_given(page, server, mine):
    from peercourse.items.reflection import sample_text
    from peercourse.lesson import open_lesson

    reflection = sample_text(open_lesson("lived-experience", mine / "lesson-1").item("l1-r01"))
    save_answers(mine, ANSWERS1, {**ANSWERED, "l1-r01": reflection, "l1-p01": "D", "l1-p06": "A"})
    open_and_run(page, server, f"{mine.name}/progress/my-progress.ipynb", "Your progress by lesson")
    table = page.locator("table", has=page.locator("caption", has_text="Your progress by lesson"))
    row = table.locator("tr", has=page.locator("td", has_text="Lesson 1")).inner_text()
    # g01, g03, g05, g09 and r01 answered (g07's ranking is incomplete) of 12; practice p01 wrong, p06 right
    assert row.split("\t")[2:6] == ["5 of 12", "2 of 6", "2 of 4 points (50%)", "1 of 2"]
    assert "Next: Lesson 0 (Start here) has 5 practice items left to answer." in page.locator(".jp-Notebook").text_content()
    chart = page.locator(".jp-OutputArea-output img").first
    chart.wait_for()
    assert chart.get_attribute("alt").startswith("Two bar charts.")
    chart.screenshot(path=str(ARTIFACTS / "progress-chart.png"))


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


def test_a_full_practice_exam_is_taken_by_clicking_scored_by_area_and_listed_in_my_progress(page, server, mine):
    form, answers = exam_answers(mine)
    assert len(form) == 120 and len(answers) == 117
    open_and_run(page, server, f"{mine.name}/exam-practice/full-exam.ipynb", "Question 1 of 120")
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
    assert answers_on_disk(mine, "exam-practice/full-exam-1.responses.json", answers) == answers
    stored = json.loads((mine / "exam-practice/full-exam-1.responses.json").read_text())["answers"]
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

    open_and_run(page, server, f"{mine.name}/progress/my-progress.ipynb", "Your progress by lesson")
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
        run_all(page)
        page.wait_for_function("text => document.body.textContent.includes(text)", arg=LESSON1_READY, timeout=90_000)
        assert item(page, "Arms crossed at a first meeting").locator("input[type=radio]").count() == 4
        # a learner's JupyterLab: no instructors' menu or panels, and Validate kept
        assert page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_text_contents() == [
            "File", "Edit", "View", "Run", "Kernel", "Tabs", "Settings", "Help"]
        side = " ".join(page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(t => (t.title || '') + ' ' + (t.dataset.id || ''))")).lower()
        assert "assignment" not in side and "formgrader" not in side and "course" not in side, side
        assert page.locator(".jp-NotebookPanel-toolbar >> text=Validate").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "make-lab-first-screen.png"))
    finally:
        context.close()
        lab.terminate()
        lab.wait(20)
