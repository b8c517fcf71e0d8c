"""The item formats, one module each, holding everything that differs between formats: the
widget controls, reading and scoring an answer, the words of feedback, the choice as the
export writes it, what the report measures and charts, the authors' checks on a key, and
a synthetic learner's answer. Code outside this package asks the format (FORMATS[name])
and never tests a format's name; tests/test_items_contract.py checks that."""
from . import most_least, ranking, rating, reflection, select_all, single_best
from .base import Item, ItemError, ItemFormat

FORMATS: dict[str, ItemFormat] = {
    module.FORMAT.name: module.FORMAT
    for module in (single_best, most_least, rating, ranking, select_all, reflection)
}

CHOICE_FORMATS = tuple(name for name, fmt in FORMATS.items() if fmt.has_options)


def is_choice(name: str) -> bool:
    """Whether the format of that name is answered by choosing among options."""
    return name in FORMATS and FORMATS[name].has_options


def is_written(name: str) -> bool:
    """Whether the format of that name is answered in the learner's own words."""
    return name in FORMATS and FORMATS[name].written


def read_saved(item: Item, answers: dict) -> tuple[object, str | None]:
    """(answer, note): the item's answer from a responses file's answers, checked against its
    format; None and a note for people when the saved value cannot be used; (None, None)
    when nothing was saved."""
    entry = answers.get(item.id)
    if entry is None:
        return None, None
    try:
        return FORMATS[item.format].read_answer(item, entry.get("value")), None
    except ItemError as error:
        return None, f"The saved answer for '{item.title}' could not be used: {error}."


def kind_line(item: Item) -> str:
    """e.g. 'Graded item · Rank the responses · 2 points'."""
    label = FORMATS[item.format].label
    if not item.graded:
        return f"Practice item · {label}"
    points = f"{item.points:g} point{'' if item.points == 1 else 's'}"
    if FORMATS[item.format].written:
        return f"Graded item · {label} · {points} for completing it, and rubric points from your instructor"
    return f"Graded item · {label} · {points}"

__all__ = ["FORMATS", "CHOICE_FORMATS", "is_choice", "is_written", "kind_line", "read_saved", "Item", "ItemError", "ItemFormat"]
