"""A lesson's items file, `<lesson>.items.yaml`, beside its notebook.

It holds what the learner may see: each item's prompt, options and tags, and, for
practice items only, the key and a rationale per option. A graded item's key and
rationales live only in its hidden test cell in source/, never here, because this file is
released to learners.

items.schema.json, beside this module, says what the file may hold; this module turns the
schema's complaints into words for authors and checks what a schema cannot: that the file's
'lesson' is its own name, that ids are unique, and that a practice key fits its options.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .items import FORMATS, Item, ItemError

SUFFIX = ".items.yaml"
SCHEMA = "items.schema.json"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader, when PyYAML has it, is ~10x faster
TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text", "number": "a number", "integer": "a whole number"}
LIST_WORDS = {"uniqueItems": "must not list anything twice", "minItems": "must list at least {}", "maxItems": "must list at most {}"}
PATTERN_WORDS = {
    r"\S": "text, not blank",
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "lower-case letters, digits and hyphens, like l1-p01",
}


@dataclass(frozen=True)
class ItemBank:
    lesson: str  # the notebook's stem, which also names its items and responses files
    title: str
    article_id: str  # the source article's id (see CREDITS.md), "" for none
    items: dict[str, Item]


def items_path(directory: Path, lesson: str) -> Path:
    return Path(directory) / f"{lesson}{SUFFIX}"


def load_bank(path: Path, check_schema: bool = True) -> ItemBank:
    """Read and check an items file; raise ItemError naming every problem found, one a line.

    check_schema=False is for learners' and grading kernels (Lesson, the progress page, exam
    practice): they read files that `peercourse check`, the release and CI have already
    checked against the schema, and importing jsonschema would add one to two seconds to
    every lesson's start (docs/performance.md). They still get the checks below, and a file
    that does not fit the schema is refused in words, not with a traceback."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ItemError(f"The items file {path.name} is missing beside the notebook.") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ItemError(f"The items file {path.name} could not be read: {error}") from None
    problems = _schema_problems(data) if check_schema else _shape_problems(data)  # (item position or -1; message)
    items: dict[str, Item] = {}
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        expected = path.name[: -len(SUFFIX)]
        if isinstance(data.get("lesson"), str) and data["lesson"] != expected:
            problems.append((-1, f"'lesson' is {data['lesson']!r}, but the file is called {path.name}: the two must match"))
        # An item the schema faults is not built: its key checks would trip over the same fault.
        faulted = {position for position, _ in problems}
        for position, raw in enumerate(data["items"]):
            if position in faulted:
                continue
            try:
                items[raw["id"]] = _item(raw)
            except ItemError as error:
                said = str(error).removeprefix(f"{raw['id']}: ")  # the format modules' messages may lead with the id
                problems.append((position, f"item {raw['id']}: {said[:1].lower()}{said[1:]}"))
            except (KeyError, TypeError, AttributeError, ValueError):  # only without the schema's check
                problems.append((position, f"item {_label(data['items'], position)}: does not fit {SCHEMA} "
                                           "(`peercourse check` names what is wrong)"))
        problems += _duplicate_ids(data["items"])
    if problems:
        raise ItemError("\n".join(f"{path.name}: {message}" for _, message in sorted(problems)))
    return ItemBank(lesson=data["lesson"], title=data.get("title", ""), article_id=data.get("article_id", ""), items=items)


def _item(raw: dict) -> Item:
    fmt = FORMATS[raw["format"]]
    options = raw.get("options", {})
    item = Item(
        id=raw["id"],
        format=fmt.name,
        mode=raw["mode"],
        points=raw["points"],
        title=raw["title"].strip(),
        prompt=_reflow(raw["prompt"]),
        exam_area=raw["exam_area"],
        competencies=tuple(raw["competencies"]),
        options={letter: options[letter].strip() for letter in sorted(options)},  # shown A, B, C... whatever the file's order
        key=raw.get("key"),
        rationales=raw.get("rationales"),
        min_words=raw.get("min_words", 0),
    )
    if not item.graded and fmt.has_options:
        fmt.check_key(item, item.key)
        check_rationales(item, item.rationales)
    return item


def _duplicate_ids(raws: list) -> list[tuple[int, str]]:
    positions = defaultdict(list)
    for position, raw in enumerate(raws):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            positions[raw["id"]].append(position)
    return [
        (found[0], f"item {item_id}: 'id' is used by {len(found)} items (numbers {_listed([p + 1 for p in found], 'and')} "
                   "in the list); each item needs its own")
        for item_id, found in positions.items() if len(found) > 1
    ]


def _reflow(text: str) -> str:
    """Join the lines of each paragraph, so prompts wrap to the reader's window."""
    return "\n\n".join(" ".join(part.split()) for part in text.split("\n\n") if part.strip())


def check_rationales(item: Item, rationales) -> None:
    if not isinstance(rationales, dict) or set(rationales) != set(item.options):
        raise ItemError(f"{item.id}: every option needs a rationale ({', '.join(item.options)})")
    if not all(isinstance(text, str) and text.strip() for text in rationales.values()):
        raise ItemError(f"{item.id}: every rationale needs text")


# -- the schema and its complaints in words ---------------------------------------------


@functools.cache
def schema() -> dict:
    """items.schema.json, shipped in the package (editors read the same file from source/)."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA).read_text(encoding="utf-8"))


@functools.cache
def _validator():
    # Imported here, not at the top: importing jsonschema takes a second or two (its optional
    # IRI checker builds parsers), and only a process that reads an items file needs it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _schema_problems(data) -> list[tuple[int, str]]:
    found = set()  # one fault can raise several identical errors (a 'required' error per missing field)
    for error in _validator().iter_errors(data):
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "items":
            position, where, within, whole = path[1], f"item {_label(data['items'], path[1])}: ", path[2:], "an item"
        else:
            position, where, within, whole = -1, "", path, "this file"
        found.update((position, where + said) for said in _said(error, within, whole))
    return list(found)


def _shape_problems(data) -> list[tuple[int, str]]:
    """Without the schema: only what load_bank needs to read the items at all."""
    if isinstance(data, dict) and isinstance(data.get("items"), list) and isinstance(data.get("lesson"), str) \
            and all(isinstance(raw, dict) and isinstance(raw.get("id"), str) for raw in data["items"]):
        return []
    return [(-1, f"does not fit {SCHEMA} (`peercourse check` names what is wrong)")]


def _label(raws: list, position: int) -> str:
    raw = raws[position]
    item_id = raw.get("id") if isinstance(raw, dict) else None
    return item_id if isinstance(item_id, str) and item_id.strip() else f"number {position + 1}"


def _said(error, within: list, whole: str):
    """The error in words, for authors: each names the field, and why when a format or mode asks it."""
    names = [str(step) for step in within if not isinstance(step, int)]
    subject = f"'{'.'.join(names)}'" if names else ("the item" if whole == "an item" else "the file")
    if within and isinstance(within[-1], int):
        subject = f"every entry of {subject}"
    kind, value, instance = error.validator, error.validator_value, error.instance
    why = _why(error)
    if kind == "required":
        for name in value:
            if name not in instance:
                yield (f"{subject} needs {name!r}" if within else f"{name!r} is missing") + why
    elif kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for name in instance:
            if name in known:
                continue
            if within:
                yield f"{subject} cannot have {name!r}: it takes only {_listed(known, 'and')}"
            else:
                # close enough to catch a typo (rationals), not so loose it offers another word (hint: points)
                close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.75)
                yield f"{name!r} is not a field {whole} can have" + (f"; did you mean {close[0]!r}?" if close else "")
    elif kind == "not":
        # The schema forbids a field with {"not": {}}, not false: jsonschema's errors for false lose the field's name.
        yield f"{subject} is not allowed here{why}"
    elif kind == "dependentRequired":
        for name, needs in value.items():
            for need in needs:
                if name in instance and need not in instance:
                    yield f"{subject} has {name!r} but not {need!r}"
    elif "propertyNames" in error.absolute_schema_path:
        yield f"{subject} cannot have {instance!r}: its names must be {_choices(value)}{why}"
    elif kind == "enum":
        yield f"{subject} must be {_choices(value)}, not {instance!r}{why}"
    elif kind in LIST_WORDS:
        yield f"{subject} {LIST_WORDS[kind].format(value)}{why}"
    elif kind in ("type", "pattern", "minimum", "maximum", "exclusiveMinimum"):
        yield f"{subject} must be {_rule(error.schema)}{why}"
    else:
        yield f"{subject}: {error.message}{why}"


def _rule(subschema: dict) -> str:
    """What a value must be, in words, from its schema: e.g. 'a number above 0'."""
    if "pattern" in subschema:
        return PATTERN_WORDS.get(subschema["pattern"], f"text matching {subschema['pattern']}")
    words = TYPE_WORDS.get(subschema.get("type"), "something else")
    if "required" in subschema:
        words += f" with {_listed(subschema['required'], 'and')}"
    if "exclusiveMinimum" in subschema:
        words += f" above {subschema['exclusiveMinimum']}"
    if "minimum" in subschema and "maximum" in subschema:
        words += f" from {subschema['minimum']} to {subschema['maximum']}"
    elif "minimum" in subschema:
        words += f" of {subschema['minimum']} or more"
    return words


def _choices(values: list) -> str:
    if all(type(v) is int for v in values) and values == list(range(values[0], values[0] + len(values))):
        return f"a whole number from {values[0]} to {values[-1]}"
    return f"one of {_listed(values, 'or')}"


def _listed(values: list, last: str) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _why(error) -> str:
    """The description of the if/then branch an error comes from, which says why the format
    or mode asks it, e.g. ' (a reflection ... has no options, key or rationales)'; else ''."""
    node, why = schema(), ""
    for step in error.absolute_schema_path:
        while isinstance(node, dict) and step not in node and "$ref" in node:
            # jsonschema leaves $ref out of schema paths; the schema's refs are all "#/$defs/<name>"
            node = schema()["$defs"][node["$ref"].removeprefix("#/$defs/")]
        node = node[step]
        if step in ("then", "else"):
            why = node.get("description", "")
    return f" ({why[:1].lower()}{why[1:].rstrip('.')})" if why else ""


def course_banks(course: Path) -> tuple[list[tuple[Path, ItemBank]], list[str]]:
    """Every lesson's items file in a course folder (its lessons side by side, as in
    release/ or a learner's copy), in lesson order, and a note for each that can't be read.
    For learners' kernels: no schema check (see load_bank)."""
    found, problems = [], []
    for path in sorted(Path(course).glob(f"*/*{SUFFIX}"), key=lambda p: (lesson_number(p.parent.name), p.parent.name)):
        try:
            found.append((path.parent, load_bank(path, check_schema=False)))
        except ItemError as error:
            problems.append(f"{path.parent.name}: {error}")
    return found, problems


def lesson_number(folder: str) -> int:
    """lesson-3 -> 3: lessons sort by number, not as text (lesson-10 after lesson-9)."""
    digits = re.findall(r"\d+", folder)
    return int(digits[-1]) if digits else -1
