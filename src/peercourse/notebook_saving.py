"""What the course's Jupyter server does to a notebook as it saves it (its pre_save_hook).

An item is an ipywidgets view, and the notebook saves only a pointer to it: the widget's
model lives in the kernel that made it. When the learner comes back the next day with a new
kernel, every pointer leads nowhere and JupyterLab shows "Error displaying widget: model not
found" under each item. So the saved copy keeps, in place of each widget view, one plain line
saying how to show the items again. The open page keeps its live items; only the file changes.
The learner's answers are never in the notebook (they live in the answers file beside it),
so nothing of theirs is lost.
"""
from __future__ import annotations

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RUN_ALL_LINE = "To see and answer this again, open the Run menu and choose Run All Cells."


def replace_widget_views(notebook: dict) -> int:
    """Replace each widget view among the notebook's outputs by RUN_ALL_LINE; return how many."""
    replaced = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                output["data"] = {"text/plain": RUN_ALL_LINE}
                replaced += 1
    return replaced


def before_save(model: dict, **_) -> None:
    """jupyter_server's ContentsManager.pre_save_hook: called with the model about to be
    written (and path and contents_manager, which this hook does not need)."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        replace_widget_views(model["content"])
