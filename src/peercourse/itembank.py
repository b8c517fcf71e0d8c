"""A lesson's items file, `<lesson>.items.yaml`, beside its notebook.

It holds what the learner may see: each item's prompt, options and tags, and, for
practice items only, the key and a rationale per option. A graded item's key and
rationales live only in its hidden test cell in source/, never here, because this file is
released to learners.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .certification import COMPETENCIES, EXAM_AREAS
from .items import FORMATS, Item, ItemError

SUFFIX = ".items.yaml"
ITEM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LETTERS = "ABCDEF"
MODES = ("graded", "practice")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader, when PyYAML has it, is ~10x faster


@dataclass(frozen=True)
class ItemBank:
    lesson: str  # the notebook's stem, which also names its items and responses files
    title: str
    article_id: str  # the source article's id (see CREDITS.md), "" for none
    items: dict[str, Item]


def items_path(directory: Path, lesson: str) -> Path:
    return Path(directory) / f"{lesson}{SUFFIX}"


def load_bank(path: Path) -> ItemBank:
    """Read and check an items file; raise ItemError naming every problem found."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ItemError(f"The items file {path.name} is missing beside the notebook.") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ItemError(f"The items file {path.name} could not be read: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ItemError(f"{path.name} needs a 'lesson', a 'title' and a list of 'items'.")
    expected = path.name[: -len(SUFFIX)]
    problems = []
    if data.get("lesson") != expected:
        problems.append(f"its 'lesson' should be {expected!r}, the name the file is called by")
    items: dict[str, Item] = {}
    for number, raw in enumerate(data["items"], start=1):
        try:
            item = _item(raw)
        except ItemError as error:
            problems.append(f"item {number}: {error}")
            continue
        if item.id in items:
            problems.append(f"item {number}: the id {item.id!r} is used twice")
        items[item.id] = item
    if problems:
        raise ItemError(f"{path.name} has problems: " + "; ".join(problems))
    return ItemBank(
        lesson=expected, title=str(data.get("title", "")), article_id=str(data.get("article_id", "")), items=items
    )


def _item(raw) -> Item:
    if not isinstance(raw, dict):
        raise ItemError("each item must be a mapping of fields")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
        raise ItemError(f"id {item_id!r} must be lower-case letters, digits and hyphens")
    known = {"id", "format", "mode", "points", "title", "prompt", "exam_area", "competencies",
             "options", "key", "rationales", "min_words"}
    unknown = set(raw) - known
    if unknown:
        raise ItemError(f"{item_id}: unknown field(s) {', '.join(sorted(unknown))}")
    fmt = FORMATS.get(raw.get("format"))
    if fmt is None:
        raise ItemError(f"{item_id}: format must be one of {', '.join(FORMATS)}")
    mode = raw.get("mode")
    if mode not in MODES:
        raise ItemError(f"{item_id}: mode must be 'graded' or 'practice'")
    points = raw.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise ItemError(f"{item_id}: points must be a positive number")
    for text_field in ("title", "prompt"):
        if not isinstance(raw.get(text_field), str) or not raw[text_field].strip():
            raise ItemError(f"{item_id}: {text_field} must be non-empty text")
    if raw.get("exam_area") not in EXAM_AREAS:
        raise ItemError(f"{item_id}: exam_area must be one of the 8 areas: {', '.join(EXAM_AREAS)}")
    competencies = raw.get("competencies")
    if (
        not isinstance(competencies, list)
        or not competencies
        or any(c not in COMPETENCIES for c in competencies)
        or len(set(competencies)) != len(competencies)
    ):
        raise ItemError(f"{item_id}: competencies must list SB 803 competency numbers 1 to 17")

    options = raw.get("options") or {}
    if fmt.has_options:
        letters = list(options) if isinstance(options, dict) else []
        if not 3 <= len(letters) <= len(LETTERS) or letters != list(LETTERS[: len(letters)]):
            raise ItemError(f"{item_id}: options must be lettered A, B, C... (3 to 6 of them)")
        if not all(isinstance(text, str) and text.strip() for text in options.values()):
            raise ItemError(f"{item_id}: every option needs text")
    elif options:
        raise ItemError(f"{item_id}: a {fmt.label.lower()} has no options")

    min_words = raw.get("min_words", 0)
    if fmt.written and (not isinstance(min_words, int) or min_words < 1):
        raise ItemError(f"{item_id}: a reflection needs min_words, a positive whole number")

    key, rationales = raw.get("key"), raw.get("rationales")
    item = Item(
        id=item_id,
        format=fmt.name,
        mode=mode,
        points=points,
        title=raw["title"].strip(),
        prompt=_reflow(raw["prompt"]),
        exam_area=raw["exam_area"],
        competencies=tuple(competencies),
        options={letter: text.strip() for letter, text in options.items()},
        key=key,
        rationales=rationales,
        min_words=min_words,
    )
    if mode == "graded" and (key is not None or rationales is not None):
        raise ItemError(f"{item_id}: a graded item's key and rationales belong in its hidden test, not here")
    if mode == "practice" and fmt.has_options:
        fmt.check_key(item, key)
        check_rationales(item, rationales)
    return item


def _reflow(text: str) -> str:
    """Join the lines of each paragraph, so prompts wrap to the reader's window."""
    return "\n\n".join(" ".join(part.split()) for part in text.split("\n\n") if part.strip())


def check_rationales(item: Item, rationales) -> None:
    if not isinstance(rationales, dict) or set(rationales) != set(item.options):
        raise ItemError(f"{item.id}: every option needs a rationale ({', '.join(item.options)})")
    if not all(isinstance(text, str) and text.strip() for text in rationales.values()):
        raise ItemError(f"{item.id}: every rationale needs text")


def course_banks(course: Path) -> tuple[list[tuple[Path, ItemBank]], list[str]]:
    """Every lesson's items file in a course folder (its lessons side by side, as in
    release/ or a learner's copy), in lesson order, and a note for each that can't be read."""
    found, problems = [], []
    for path in sorted(Path(course).glob(f"*/*{SUFFIX}"), key=lambda p: (lesson_number(p.parent.name), p.parent.name)):
        try:
            found.append((path.parent, load_bank(path)))
        except ItemError as error:
            problems.append(f"{path.parent.name}: {error}")
    return found, problems


def lesson_number(folder: str) -> int:
    """lesson-3 -> 3: lessons sort by number, not as text (lesson-10 after lesson-9)."""
    digits = re.findall(r"\d+", folder)
    return int(digits[-1]) if digits else -1
