"""The Validate button's answer in the course's words: a Jupyter server extension for learners.

nbgrader's Validate dialog lists each failing test cell by its Python source (for example
`lesson.recorded("<item id>")` under a docstring), then the message the cell printed. The
course's messages are already plain sentences (lesson.recorded writes them); this extension
puts the item's title in place of the code. It is nbgrader's own handler
(ValidateAssignmentHandler, which runs nbgrader's Validator on the notebook), whose result it
rewrites before it is sent; the learners' settings (etc/learner, deploy/learner) switch it on
in place of nbgrader's validate_assignment extension, at the same addresses.
"""
from __future__ import annotations

from pathlib import Path

from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler, ValidateAssignmentHandler

from .lesson import ITEM_CALL  # the item a test cell records or scores

SOMETHING_ELSE = "A cell of this lesson that the course checks"


def titles_beside(notebook: Path) -> dict[str, str]:
    """item id -> title, from the items file beside the notebook ({} when there is none)."""
    from .itembank import items_path, load_bank
    from .items import ItemError

    try:
        return {item.id: item.title for item in load_bank(items_path(notebook.parent, notebook.stem), check_schema=False).items.values()}
    except (OSError, ItemError, ValueError):
        return {}


def cell_in_words(source: str, titles: dict[str, str]) -> str:
    found = ITEM_CALL.search(source)
    if not found:
        return SOMETHING_ELSE
    item_id = found.group(1)
    title = titles.get(item_id)
    return f'The item "{title}" ({item_id})' if title else f"The item {item_id}"


def in_words(result: dict, titles: dict[str, str]) -> dict:
    """nbgrader's validate result with each listed cell named in words instead of its code."""
    for kind in ("failed", "changed", "passed", "type_changed"):
        for cell in result.get(kind, []) or []:
            if isinstance(cell, dict) and "source" in cell:
                cell["source"] = cell_in_words(str(cell["source"]), titles)
    return result


class ValidateInWordsHandler(ValidateAssignmentHandler):
    def validate_notebook(self, path):
        output = super().validate_notebook(path)
        if output.get("success") and isinstance(output.get("value"), dict):
            notebook = (Path(self.root_dir) / path).resolve()
            output["value"] = in_words(output["value"], titles_beside(notebook))
        return output


def _jupyter_server_extension_points():
    return [{"module": "peercourse.validate_words"}]


def _load_jupyter_server_extension(serverapp):
    webapp = serverapp.web_app
    webapp.settings["root_dir"] = serverapp.root_dir  # what nbgrader's handler reads
    base = webapp.settings["base_url"]
    webapp.add_handlers(".*$", [
        (url_path_join(base, "/assignments/validate"), ValidateInWordsHandler),
        (url_path_join(base, "/nbgrader_version"), NbGraderVersionHandler),  # the button asks it first
    ])
