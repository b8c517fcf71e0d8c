"""The item formats, one module each: its widget controls, its scoring, nothing else."""
from . import most_least, ranking, rating, reflection, select_all, single_best
from .base import Item, ItemError, ItemFormat

FORMATS: dict[str, ItemFormat] = {
    module.FORMAT.name: module.FORMAT
    for module in (single_best, most_least, rating, ranking, select_all, reflection)
}

CHOICE_FORMATS = tuple(name for name, fmt in FORMATS.items() if fmt.has_options)


def kind_line(item: Item) -> str:
    """e.g. 'Graded item · Rank the responses · 2 points'."""
    label = FORMATS[item.format].label
    if not item.graded:
        return f"Practice item · {label}"
    points = f"{item.points:g} point{'' if item.points == 1 else 's'}"
    if item.format == "reflection":
        return f"Graded item · {label} · {points} for completing it, and rubric points from your instructor"
    return f"Graded item · {label} · {points}"

__all__ = ["FORMATS", "CHOICE_FORMATS", "kind_line", "Item", "ItemError", "ItemFormat"]
