"""The study edition in the browser (lite_site.py): `peercourse site` builds a JupyterLite site,
served here on 127.0.0.1 by Python's own static server, and Debian's Chromium runs Lesson 1
in it with the Pyodide kernel. Run alone with `pytest -m lite`.

Every request the page and its workers make is logged (Playwright's request events), and
none may leave the site's host: Pyodide, its wheels and the course are all in the site. The
answers file is read from the browser's own storage through JupyterLite's contents API, as
the file browser reads it. Each test has a fresh browser profile (its own storage), and the
site is built once for the module (its parts are cached in build/lite-cache/)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, free_port
from test_browser import (ALL_RUN, ANSWERED, CHROMIUM, CHROMIUM_FLAGS, LESSON1_READY, _missing,
                          answer_lesson_1_by_clicking, item, run_all)
from peercourse import browser_edition, lesson_sources, lite_site
from peercourse.cli import nbgrader
from peercourse.lesson import Lesson
from peercourse.responses import ResponsesFile
from peercourse.self_study import summary

pytestmark = pytest.mark.lite

LESSON1 = "lesson-1/lived-experience.ipynb"
ANSWERS1 = "lesson-1/lived-experience.responses.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("lite") / "site"
    return lite_site.build(ROOT, out)


@pytest.fixture(scope="module")
def served(site):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(site["out"])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/jupyter-lite.json", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the site's static server did not start")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def browser(served):
    if not CHROMIUM.exists():
        _missing("Chromium", "install Debian's package: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser, served):
    """A fresh profile (its own browser storage) whose every request is logged."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    yield page, requests
    context.close()
    elsewhere = [url for url in requests if not url.startswith((served + "/", "data:", "blob:"))]
    assert elsewhere == [], f"requests left the site: {elsewhere[:5]}"


def open_lesson_and_run(page, served, path: str, ready: str = LESSON1_READY) -> None:
    page.goto(f"{served}/lab/index.html?path={path}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    # this notebook alone in the page (JupyterLab reopens the tabs of the last visit), so that
    # the waits, which read the whole page, see only its cells
    page.wait_for_function("name => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.title.label === name", arg=path.split("/")[-1],
                           timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('application:close-other-tabs')")
    page.wait_for_function("() => document.querySelectorAll('.jp-Notebook').length === 1", timeout=30_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    run_all(page)
    page.wait_for_function("text => document.body.textContent.includes(text)", arg=ready, timeout=120_000)
    page.wait_for_function(ALL_RUN, timeout=120_000)


# A file the kernel writes is stored as base64; one the file browser or editor writes, as text
# or JSON: [format, content as a string].
# Whether the open notebook counts as changed once its kernel has said what it is (the kernel's
# language_info, which JupyterLab writes into the notebook when it differs).
CHANGED_ONCE_THE_KERNEL_ANSWERS = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
    await panel.sessionContext.session.kernel.info;
    await new Promise(resolve => setTimeout(resolve, 1000));
    return panel.model.dirty;
}"""
READ_FILE = """async path => {
    const model = await window.jupyterapp.serviceManager.contents.get(path, {content: true});
    return [model.format, typeof model.content === 'string' ? model.content : JSON.stringify(model.content)];
}"""


def stored_text(page, path: str) -> str:
    kind, content = page.evaluate(READ_FILE, path)
    return base64.b64decode(content).decode("utf-8") if kind == "base64" else content


def answers_in_storage(page, expected: dict, timeout: float = 20.0) -> dict:
    """The answers file's values, read from the browser's storage, once they are what is expected."""
    deadline = time.monotonic() + timeout
    values = None
    while time.monotonic() < deadline:
        try:
            stored = json.loads(stored_text(page, ANSWERS1))["answers"]
            values = {key: entry["value"] for key, entry in stored.items()}
        except Exception as error:  # noqa: BLE001  (not written yet)
            values = f"unreadable: {str(error)[:300]}"
        if values == expected:
            return values
        time.sleep(0.5)
    return values


def test_lesson_1_offline_every_format_saved_restored_scored_and_downloaded_for_nbgrader(visit, served, tmp_path):
    page, requests = visit
    open_lesson_and_run(page, served, LESSON1)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                          ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.all_text_contents() == []  # nothing on stderr, no traceback, as on a laptop
    answer_lesson_1_by_clicking(page)
    saved = [line for line in page.locator(".peercourse-status").all_text_contents() if line.startswith("Saved at")]
    assert answers_in_storage(page, ANSWERED) == ANSWERED, saved

    page.reload()
    open_lesson_and_run(page, served, LESSON1)
    assert item(page, "Keeping your history out of it?").locator("input[type=radio]").nth(2).is_checked()
    group = item(page, "A quiet first group")
    assert group.locator(".widget-radio").nth(0).locator("input[type=radio]").nth(0).is_checked()
    assert group.locator(".widget-radio").nth(1).locator("input[type=radio]").nth(1).is_checked()
    ratings = item(page, "After 90 days").locator("select")
    chosen = [ratings.nth(i).evaluate("s => s.options[s.selectedIndex].textContent").replace("\xa0", " ") for i in (0, 1, 3)]
    assert chosen == ["4 - very effective", "2 - ineffective", "1 - very ineffective"]  # C was left unrated
    assert item(page, "Someone who had been there").locator("textarea").input_value() == ANSWERED["l1-r01"]
    assert answers_in_storage(page, ANSWERED) == ANSWERED  # running again changed nothing
    assert any(url.endswith("/static/pyodide/peercourse-0.1.0-py3-none-any.whl") for url in requests)

    # Score the finished lesson: the course's own scoring, with this edition's keys
    page.get_by_role("button", name="Score this lesson").click()
    expected = laptop_score(tmp_path / "laptop" / "lesson-1")
    result = page.locator(".peercourse-feedback", has_text="autograded points")
    page.wait_for_function("el => el.textContent.includes('autograded points')", arg=result.element_handle(), timeout=30_000)
    assert result.locator("strong").first.text_content() == summary(expected, browser_edition.RUBRIC_WHERE)
    assert "Why each response is or is not effective:" in result.text_content()  # graded items explained too
    attempts = json.loads(stored_text(page, ".self-study.json"))["attempts"]
    assert [(a["lesson"], a["points"], a["possible"]) for a in attempts] == [("lesson-1", expected.points, expected.possible)]

    # "My answers and notes" in the browser: a page to save, as a page in its storage has no address
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download my answers page").click()
    assert download.value.suggested_filename == "lived-experience.my-answers.html"
    kept = tmp_path / "answers-page.html"
    download.value.save_as(kept)
    text = kept.read_text()
    assert "<title>" in text and ANSWERED["l1-r01"] in text and "Keeping your history out of it?" in text

    # Download my work: what nbgrader grades as it would a hub submission
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download my work").click()
    zipped = tmp_path / download.value.suggested_filename
    download.value.save_as(zipped)
    assert re.fullmatch(r"my-peer-support-work-\d{4}-\d{2}-\d{2}-\d{4}\.zip", zipped.name)
    scores = autograde_downloaded_and_laptop(zipped, tmp_path / "course")
    assert scores["browser"] == scores["laptop"]
    assert sum(scores["browser"].values()) == pytest.approx(expected.points)

    # My progress, in the browser (no chart there: the tables carry the numbers), counts the scoring
    open_lesson_and_run(page, served, "progress/my-progress.ipynb", ready="Your lessons graded in self-study")
    assert errors.all_text_contents() == []
    row = page.locator("table", has_text="Your lessons graded in self-study").locator("tbody tr")
    assert row.count() == 1
    assert row.locator("td").nth(0).text_content().strip() == "Lesson 1"
    assert row.locator("td").nth(2).text_content().strip() == f"{expected.points:g} of {expected.possible:g} (21%)"


def laptop_score(folder):
    """What the same answers score on a laptop, by the same code: the Attempt."""
    shutil.copytree(ROOT / "release" / "lesson-1", folder)
    ResponsesFile(folder / "lived-experience.responses.json", "lived-experience").save_many(ANSWERED)
    source = lesson_sources.read_lesson(ROOT / "source" / "lesson-1" / "lived-experience.ipynb")
    return browser_edition.score_lesson(Lesson("lived-experience", folder), browser_edition.keys_data(source))[0]


def autograde_downloaded_and_laptop(zipped, root) -> dict:
    """nbgrader's autograde of the downloaded lesson (learner "browser") and of the same answers
    given on a laptop (learner "laptop"): each learner's score per test cell."""
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    assert nbgrader(root, "generate_assignment", "lesson-1", "--force").returncode == 0
    browser = root / "submitted" / "browser"
    with zipfile.ZipFile(zipped) as archive:
        assert "lesson-1/lived-experience.ipynb" in archive.namelist()
        assert "lesson-1/lived-experience.responses.json" in archive.namelist()
        archive.extractall(browser)
    laptop = root / "submitted" / "laptop" / "lesson-1"
    shutil.copytree(root / "release" / "lesson-1", laptop)
    ResponsesFile(laptop / "lived-experience.responses.json", "lived-experience").save_many(ANSWERED)
    done = nbgrader(root, "autograde", "lesson-1")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="ca-peer-support") as gradebook:
        for learner in ("browser", "laptop"):
            notebook = gradebook.find_submission_notebook("lived-experience", "lesson-1", learner)
            scores[learner] = {grade.name: grade.score for grade in notebook.grades if grade.cell.cell_type == "code"}
    return scores


def test_the_first_page_says_what_the_site_is_and_opens_lesson_0(visit, served):
    page, _ = visit
    page.goto(served + "/")
    text = page.locator("main").text_content()
    for said in ("There is nothing to install", "Your answers stay in this browser", "not a graded course", "988"):
        assert said in text
    page.get_by_role("link", name="Open the course").click()
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="start-here.ipynb").count() == 1
    assert page.evaluate(CHANGED_ONCE_THE_KERNEL_ANSWERS) is False  # opened untouched: nothing to save


# -- the site's files: no browser needed, but the built site --------------------------------


def test_the_site_never_falls_back_to_pypi_and_loads_pyodide_from_itself(site):
    config = json.loads((site["out"] / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert sorted(extension["name"] for extension in config["federated_extensions"]) == [
        "@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension", "anywidget"]


def test_every_package_pyodide_may_load_is_a_file_of_the_site_with_its_own_checksum(site):
    folder = site["out"] / "static" / "pyodide"
    packages = json.loads((folder / "pyodide-lock.json").read_text())["packages"]
    assert sorted(packages) == site["packages"]
    for name, entry in packages.items():
        wheel = folder / entry["file_name"]
        assert wheel.is_file() and "/" not in entry["file_name"], name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["file_name"].endswith("-none-any.whl"), name
        assert set(entry["depends"]) <= set(packages), name
    assert {"peercourse", "ipywidgets", "anywidget", "pyyaml", "markupsafe", "filelock", "ipython"} <= set(packages)
    assert packages["peercourse"]["imports"] == ["peercourse"]
    assert {"ipywidgets", "anywidget", "filelock", "jinja2", "pyyaml"} <= set(packages["peercourse"]["depends"])


def test_the_site_holds_release_as_learners_get_it_and_no_learner_data(site):
    files = site["out"] / "files"
    shipped = sorted(path.relative_to(files).as_posix() for path in files.rglob("*") if path.is_file())
    released = sorted(path.relative_to(ROOT / "release").as_posix() for path in (ROOT / "release").rglob("*")
                      if path.is_file() and not lite_site.NOT_SHIPPED.search(path.relative_to(ROOT / "release").as_posix()))
    keys = [f"{lesson.assignment}/{lesson.stem}.answer-key.json" for lesson in lesson_sources.find_lessons(ROOT / "source")]
    assert shipped == sorted(released + keys)  # release/, and the keys this edition alone carries
    lesson1 = lesson_sources.read_lesson(ROOT / "source" / "lesson-1" / "lived-experience.ipynb")
    assert json.loads((files / "lesson-1" / "lived-experience.answer-key.json").read_text()) == json.loads(
        json.dumps(browser_edition.keys_data(lesson1)))
    assert not [name for name in shipped if ".responses." in name or "checkpoint" in name]
    lesson = json.loads((files / LESSON1).read_text())
    assert lesson["metadata"]["kernelspec"] == lite_site.KERNELSPEC
    source = json.loads((ROOT / "release" / LESSON1).read_text())
    assert [cell["source"] for cell in lesson["cells"]] == [cell["source"] for cell in source["cells"]]


def test_compiled_parts_are_taken_out_and_the_wheel_is_tagged_pure(tmp_path):
    wheel = tmp_path / "demo-1.0-cp312-cp312-manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "try:\n    from ._speed import f\nexcept ImportError:\n    f = None\n")
        archive.writestr("demo/_speed.cpython-312-x86_64-linux-gnu.so", b"\x7fELF")
        archive.writestr("demo/_speed.c", "/* source */")
        archive.writestr("demo-1.0.dist-info/WHEEL",
                         "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux2014_x86_64\n")
        archive.writestr("demo-1.0.dist-info/RECORD", "demo/__init__.py,,\n")
    pure = lite_site.pure_wheel(wheel, tmp_path)
    assert pure.name == "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(pure) as archive:
        assert sorted(archive.namelist()) == ["demo-1.0.dist-info/WHEEL", "demo/__init__.py"]
        assert archive.read("demo-1.0.dist-info/WHEEL").decode() == (
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")


def test_the_pages_workflow_builds_the_site_with_make_and_publishes_that_folder():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text())
    build = workflow["jobs"]["build"]["steps"]
    assert {"run": "make site"} in build
    assert [step["with"]["path"] for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact")] == ["site"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
