"""CheckCellMetadataOnce (nbgrader_hooks/cell_metadata.py) accepts and refuses exactly what
nbgrader's CheckCellMetadata does, with the same error, and checks nbgrader's schema itself
once, where nbgrader checks it again for every cell."""
from __future__ import annotations

import copy
import logging

import jsonschema
import nbformat
import pytest
from nbgrader.preprocessors import CheckCellMetadata

from peercourse.nbgrader_hooks import CheckCellMetadataOnce

from conftest import ROOT


def released():
    return nbformat.read(ROOT / "release/lesson-1/lived-experience.ipynb", as_version=4)


def first_test_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


def changed(meta_change):
    def change(nb):
        meta_change(first_test_cell(nb).metadata["nbgrader"])
    return change


BROKEN = {
    "points given as text": changed(lambda meta: meta.update(points="two")),
    "a grade cell without points": changed(lambda meta: meta.pop("points")),
    "no grade id": changed(lambda meta: meta.pop("grade_id")),
    "an empty grade id": changed(lambda meta: meta.update(grade_id="")),
    "locked given as text": changed(lambda meta: meta.update(locked="yes")),
    "a schema too old": changed(lambda meta: meta.update(schema_version=2)),
    "a schema too new": changed(lambda meta: meta.update(schema_version=4)),
    "two cells with one grade id": lambda nb: nb.cells.append(copy.deepcopy(first_test_cell(nb))),
    "a task cell that is code": changed(lambda meta: meta.update(task=True)),
}


def outcome(step, nb, caplog) -> tuple[str, str, str | None] | None:
    """(the error raised, its message, the last line of the error the step logged), or None."""
    caplog.clear()
    try:
        step.preprocess(nb, {})
    except Exception as error:  # noqa: BLE001  whatever nbgrader raises, both must raise it
        logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        return type(error).__name__, str(error), logged[0].strip().splitlines()[-1] if logged else None
    return None


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_metadata_fails_with_nbgrader_s_own_error(name, caplog):
    caplog.set_level(logging.ERROR)
    nb = released()
    BROKEN[name](nb)
    ours = outcome(CheckCellMetadataOnce(), copy.deepcopy(nb), caplog)
    theirs = outcome(CheckCellMetadata(), copy.deepcopy(nb), caplog)
    assert ours == theirs
    if "schema too" in name:  # nbgrader does not catch these: they stop the notebook as they are
        assert ours == (f"SchemaToo{'Old' if 'old' in name else 'New'}Error", EXPECTED[name], None)
    else:
        assert ours[:2] == ("ValidationError", "Notebook failed to validate; the nbgrader metadata may be corrupted.")
        assert ours[2] == EXPECTED[name]


EXPECTED = {  # nbgrader's own words: the message raised, or the last line of the error logged
    "a schema too old": "Outdated schema version: 2 (expected 3)",
    "a schema too new": "Schema version is too new: 4 (expected 3)",
    "points given as text": "    'two'",  # the end of jsonschema's report: the value refused
    "a grade cell without points": "jsonschema.exceptions.ValidationError: nbgrader cell 'test-l1-g01' does not have points",
    "no grade id": 'lesson.recorded("l1-g01")',  # the end of the cell's source, which the message quotes
    "an empty grade id": "jsonschema.exceptions.ValidationError: grade_id is empty",
    "locked given as text": "    'yes'",
    "two cells with one grade id": "jsonschema.exceptions.ValidationError: Duplicate grade id: test-l1-g01",
    "a task cell that is code": 'lesson.recorded("l1-g01")',
}


def test_a_released_lesson_passes_both(caplog):
    assert outcome(CheckCellMetadataOnce(), released(), caplog) is None and outcome(CheckCellMetadata(), released(), caplog) is None


def test_the_schema_itself_is_checked_once_not_once_per_cell(monkeypatch):
    checked = []
    schema_class = jsonschema.validators.validator_for({"$schema": "http://json-schema.org/draft-04/schema#"})
    real = schema_class.check_schema.__func__
    monkeypatch.setattr(schema_class, "check_schema", classmethod(lambda cls, schema, **kw: checked.append(1) or real(cls, schema, **kw)))
    nb = released()
    cells = sum(1 for c in nb.cells if "nbgrader" in c.metadata)
    CheckCellMetadata().preprocess(nb, {})
    assert len(checked) == cells == 45  # nbgrader: once per cell with nbgrader metadata
    checked.clear()
    for _ in range(3):
        CheckCellMetadataOnce().preprocess(nb, {})
    assert len(checked) <= 1  # once in the process (none if an earlier test built the validator)
