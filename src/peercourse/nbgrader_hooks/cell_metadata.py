"""`CheckCellMetadataOnce`: nbgrader's CheckCellMetadata, with nbgrader's metadata schema
checked once per process instead of once per cell.

nbgrader checks every cell's nbgrader metadata with `jsonschema.validate(metadata, schema)`,
and that call first checks the schema itself against JSON Schema's meta-schema, every time:
for a lesson of 45 cells, checked twice per graded notebook, that was most of the CPU
nbgrader's own steps spent on a notebook (about 0.1 s of 0.6 s; docs/performance.md).
Here the schema is checked once, when the first validator is built, and each cell is then
validated by the same jsonschema validator class, with the same error jsonschema.validate
would raise. Every other check (schema versions, grade ids, points, duplicates) is
nbgrader's own code, unchanged: the mixin sits between nbgrader's MetadataValidatorV3 and its
base class, where V3's own validate_cell hands over for the schema check.
"""
from __future__ import annotations

import traceback

import jsonschema
from jsonschema.exceptions import best_match
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import CheckCellMetadata


# one validator per nbgrader schema version (nbgrader ships a fixed schema file for each)
_validators: dict[int, jsonschema.protocols.Validator] = {}


class _SchemaCheckedOnce(BaseMetadataValidator):
    """BaseMetadataValidator.validate_cell with a validator built once per schema."""

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(
                "Outdated schema version: {} (expected {})".format(version, self.schema_version),
                version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(
                "Schema version is too new: {} (expected {})".format(version, self.schema_version),
                version, self.schema_version)
        # jsonschema.validate raises the best match among all errors; so does this
        error = best_match(self._validator().iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error

    def _validator(self) -> jsonschema.protocols.Validator:
        validator = _validators.get(self.schema_version)
        if validator is None:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)  # what jsonschema.validate does on every call
            validator = _validators[self.schema_version] = cls(self.schema)
        return validator


class CachedSchemaValidator(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's current MetadataValidator (V3); the base-class step of its validate_cell,
    the schema check, is the mixin's (the mixin follows V3 in the method order)."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata (same checks, same errors and log) with the schema
    itself checked once per process (CachedSchemaValidator)."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        try:
            CachedSchemaValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
