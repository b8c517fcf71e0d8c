"""release/ is what nbgrader generates from source/, committed. Regenerating it must give
exactly the committed files, and nothing in it may carry a graded key."""
import filecmp
import json
import shutil
from pathlib import Path

import pytest

from peercourse import lesson_sources, cli
from peercourse.nbgrader_hooks.validate import MANIFEST, manifest_path

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


@pytest.mark.pipeline
def test_committed_release_is_what_nbgrader_generates(regenerated):
    committed = [p for p in tree(ROOT / "release") if not p.endswith(".responses.json") and "/." not in f"/{p}"]
    assert committed == tree(regenerated), "run `make release` and commit release/"
    for path in committed:
        assert filecmp.cmp(ROOT / "release" / path, regenerated / path, shallow=False), (
            f"release/{path} is out of date: run `make release` and commit it")


def _text(path):
    """A file as a reader sees it: a notebook's cell sources and outputs, else the raw text."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return raw
    parts = []
    for cell in json.loads(raw)["cells"]:
        parts.append("".join(cell["source"]))
        parts += ["".join(o.get("text", "")) for o in cell.get("outputs", [])]
    return raw + "\n".join(parts)


def _texts(folder):
    return {p: _text(p) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def graded_secrets() -> dict[str, list[str]]:
    """Each graded item's secrets: its hidden test's call as written in source/ (e.g.
    lesson.score(\n    "l1-g01",\n    key="A", ...) and its rationales."""
    secrets = {}
    for lesson in lesson_sources.find_lessons(ROOT / "source"):
        assert lesson.keys or lesson.assignment == "lesson-0"
        for item_id, graded in lesson.keys.items():
            secrets[item_id] = [f'lesson.score(\n    "{item_id}",\n    key=', *graded.rationales.values()]
    return secrets


def leaks(folder) -> list[str]:
    """Where a graded key, rationale or hidden-test marker appears in the files under folder."""
    found = []
    texts = _texts(folder)
    for item_id, secrets in graded_secrets().items():
        for path, text in texts.items():
            if any(secret in text for secret in secrets):
                found.append(f"{item_id}'s key or rationale is in {path.relative_to(folder)}")
    for path, text in texts.items():
        for marker in ("BEGIN HIDDEN TESTS", "key=", "rationales="):
            if marker in text:
                found.append(f"{marker!r} reached {path.relative_to(folder)}")
    return found


def test_no_graded_key_or_rationale_reaches_release_or_the_package():
    import peercourse

    assert leaks(ROOT / "release") == []
    package = _texts(Path(peercourse.__file__).parent)
    for item_id, secrets in graded_secrets().items():
        for path, text in package.items():
            if path.name == MANIFEST:  # released cells' ids and digests only; checked below
                continue
            assert item_id not in text, f"the package mentions graded item {item_id} in {path}"
            for rationale in secrets[1:]:
                assert rationale not in text, f"a rationale of {item_id} is in {path}"


def test_no_answers_file_and_no_graded_key_field_is_released():
    """Keys in structured form: an answers file (what `peercourse key` writes) or a graded
    item carrying a key or rationales in a released items file."""
    import yaml

    shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "release").rglob("*") if p.is_file())
    assert [p for p in shipped if p.endswith(".json") or ".responses." in p] == []
    items_files = [p for p in shipped if p.endswith(".items.yaml")]
    assert len(items_files) == len(list((ROOT / "source").rglob("*.items.yaml")))  # lessons' and the bank's
    for name in items_files:
        for item in yaml.safe_load((ROOT / name).read_text())["items"]:
            if item["mode"] == "graded":
                assert not {"key", "rationales"} & set(item), f"{item['id']} carries its key in {name}"


def test_the_key_search_finds_a_leaked_rationale_and_a_leaked_hidden_test(tmp_path):
    """The search above is only worth something if it can fail: a released lesson with one
    rationale pasted into a reading, and one with a hidden test left in."""
    lesson = lesson_sources.read_lesson(ROOT / "source/lesson-1/lived-experience.ipynb")
    shutil.copytree(ROOT / "release" / "lesson-1", tmp_path / "lesson-1")
    notebook = tmp_path / "lesson-1" / "lived-experience.ipynb"
    data = json.loads(notebook.read_text())
    reading = next(cell for cell in data["cells"] if cell["cell_type"] == "markdown")
    reading["source"] = ["Remember: ", lesson.keys["l1-g01"].rationales["A"]]
    notebook.write_text(json.dumps(data))
    (tmp_path / "notes.py").write_text("### BEGIN HIDDEN TESTS\n")
    assert leaks(tmp_path) == [
        "l1-g01's key or rationale is in lesson-1/lived-experience.ipynb",
        "'BEGIN HIDDEN TESTS' reached notes.py",
    ]


def test_the_validate_manifest_in_the_package_is_the_committed_release():
    """Validate runs only the cells listed there (nbgrader_hooks/validate.py): `peercourse
    release` rewrites it with release/, and it holds nothing but the released cells' digests."""
    from peercourse.nbgrader_hooks.validate import build_manifest, cell_digest, load_manifest

    manifest = json.loads(manifest_path().read_text())
    assert manifest == build_manifest(ROOT / "release") == load_manifest()
    setup = next(c for c in json.loads((ROOT / "release/lesson-1/lived-experience.ipynb").read_text())["cells"]
                 if c["id"] == "setup")
    assert manifest["lived-experience"]["setup"] == cell_digest(setup)
    assert all(len(digest) == 64 for cells in manifest.values() for digest in cells.values())
