"""Learners never hold keys: the course package they install, as a built wheel, holds no
source notebook, hidden test, key or rationale of a graded item (environment.yml installs
it that way on hubs, never as an editable checkout, which would need source/ beside it)."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from peercourse import lesson_sources

from conftest import ROOT

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("peercourse-*.whl")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def test_the_wheel_holds_the_package_and_no_lesson(wheel):
    packaged = sorted(name for name in wheel if not name.startswith("peercourse-0"))  # less the .dist-info
    assert "peercourse/released_cells.json" in packaged and "peercourse/nbgrader_hooks/validate.py" in packaged
    assert [name for name in packaged if not name.startswith("peercourse/")] == []
    assert "peercourse/templates/report.html" in packaged and "peercourse/items.schema.json" in packaged
    assert "peercourse/item_frame.js" in packaged  # the items' browser script, which anywidget loads
    assert "peercourse/download.js" in packaged  # "Download my work" in the browser edition
    # the learner's JupyterLab extension, as built (make labextension)
    assert "peercourse/labextensions/peercourse-learner/package.json" in packaged
    assert [name for name in packaged if not name.endswith((".py", ".json"))
            and not (name.startswith("peercourse/templates/") and name.endswith(".html"))
            and not (name.startswith("peercourse/labextensions/peercourse-learner/static/") and name.endswith(".js"))
            and name not in ("peercourse/item_frame.js", "peercourse/download.js")] == []


def test_no_key_hidden_test_or_rationale_is_in_the_wheel(wheel):
    text = "\n".join(wheel.values())
    assert "### BEGIN HIDDEN TESTS\nlesson.score(" not in text  # (lesson_sources.py's pattern for the marker is fine)
    lessons = lesson_sources.find_lessons(ROOT / "source")
    assert sum(len(lesson.keys) for lesson in lessons) == 102  # every graded choice item: 5 x 10, 12, 16, 12, 12
    for lesson in lessons:
        for item_id, graded in lesson.keys.items():
            # the hidden test's call as written in source/, e.g. lesson.score(\n    "l1-g01",\n    key="A", ...
            assert f'lesson.score(\n    "{item_id}",\n    key=' not in text
            for rationale in graded.rationales.values():
                assert rationale not in text, f"a rationale of {item_id} is in the wheel"
