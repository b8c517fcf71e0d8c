"""A lesson's items file, `<lesson>.items.yaml`, beside its notebook.

It holds what the learner may see: each item's prompt, options and tags, and, for
practice items only, the key and a rationale per option. A graded item's key and
rationales live only in its hidden test cell in source/, never here, because this file is
released to learners.

items.schema.json, beside this module, says what the file may hold. This module builds it:
BASE below is the part that names no format, and build_schema() adds what each format in
items/ says about its entry (`peercourse schema` rewrites the file; a test fails while the
committed file differs). It then turns the schema's complaints into words for authors and
checks what a schema cannot: that the file's 'lesson' is its own name, that ids are unique,
and that a practice key fits its options.
"""
from __future__ import annotations

import copy
import difflib
import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from .certification import COMPETENCIES, EXAM_AREAS

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


def read_items_file(path: Path) -> str:
    """An items file's text; ItemError, in words, if it is missing or cannot be read."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ItemError(f"The items file {path.name} is missing beside the notebook.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ItemError(f"The items file {path.name} could not be read: {error}") from None


def load_bank(path: Path, check_schema: bool = True, text: str | None = None) -> ItemBank:
    """Read and check an items file; raise ItemError naming every problem found, one a line.
    `text` is the file's text, for a caller that has read it already (read_items_file).

    check_schema=False is for learners' and grading kernels (Lesson, the progress page, exam
    practice): they read files that `peercourse check`, the release and CI have already
    checked against the schema, and importing jsonschema would add one to two seconds to
    every lesson's start (docs/performance.md). They still get the checks below, and a file
    that does not fit the schema is refused in words, not with a traceback."""
    path = Path(path)
    text = read_items_file(path) if text is None else text
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
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


# The part of items.schema.json that names no format: the file's fields, an item's common
# fields and the $defs. build_schema() adds each format's part. It is a Python dict rather
# than a template file so that the schema is built at run time from the package's code
# alone (no second JSON file for the wheel to ship and to forget), and so that it sits
# beside the code that completes it. tests/test_items_contract.py checks it names no format.
BASE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:peercourse:items.schema.json",
    "title": "A lesson's items file (<notebook name>.items.yaml)",
    "description": "What learners see of each item in one lesson: its prompt, options, points and tags, and for "
                   "practice items only, the key and a rationale for every option. This file is released to "
                   "learners, so a graded item's key and rationales never go here: they live in the hidden test "
                   "cell of the lesson's notebook in source/. `peercourse check` checks every lesson against this "
                   "schema.",
    "type": "object",
    "required": ["lesson", "items"],
    "additionalProperties": False,
    "properties": {
        "lesson": {
            "description": "The notebook's name without .ipynb, which is also this file's name without "
                           ".items.yaml, for example lived-experience.",
            "type": "string",
            "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        },
        "title": {
            "description": "The lesson's title as learners see it, for example \"Lesson 1: Lived experience, what "
                           "it brings and how to use it\".",
            "type": "string",
        },
        "article_id": {
            "description": "The id of the article the lesson is built on, as CREDITS.md lists it beside the "
                           "article's title. Leave it out, or write \"\", when the lesson has no article.",
            "type": "string",
        },
        "items": {
            "description": "The lesson's items. The notebook shows each one where it calls lesson.show(\"<item id>\").",
            "type": "array",
            "items": {"$ref": "#/$defs/item"},
        },
    },
    "$defs": {
        "item": {
            "type": "object",
            "required": ["id", "format", "mode", "points", "title", "prompt", "exam_area", "competencies"],
            "additionalProperties": False,
            "properties": {
                "id": {
                    "description": "The item's name, used by lesson.show(\"<id>\") in the notebook and in every "
                                   "learner's answers file: lower-case letters, digits and hyphens, for example "
                                   "l1-p01. Never change it once learners have answered.",
                    "type": "string",
                    "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
                },
                # build_schema adds the formats: each with how it is answered, and the enum
                "format": {"description": "How the learner answers:"},
                "mode": {
                    "description": "practice: the learner checks the answer at once and reads why each option is "
                                   "right or not, and the item counts for no grade. graded: nbgrader scores it, and "
                                   "its key and rationales live only in the notebook's hidden test cell.",
                    "enum": ["graded", "practice"],
                },
                "points": {
                    "description": "What the item is worth: a number above 0. For a graded item it must match the "
                                   "points of its test cell in the notebook. A graded item answered in the "
                                   "learner's own words (one with min_words) earns these points for being "
                                   "complete; its rubric points are set in the notebook.",
                    "type": "number",
                    "exclusiveMinimum": 0,
                },
                "title": {
                    "description": "A short heading for the item, shown above its prompt, for example \"Arms "
                                   "crossed at a first meeting\".",
                    "$ref": "#/$defs/text",
                },
                "prompt": {
                    "description": "The situation and the question. Lines within a paragraph are joined when shown, "
                                   "so wrap them as you like; leave an empty line between paragraphs.",
                    "$ref": "#/$defs/text",
                },
                "exam_area": {
                    "description": "The one area of the certification exam's outline that the item practises.",
                    "enum": list(EXAM_AREAS),
                },
                "competencies": {
                    "description": "The SB 803 core competencies the item practises, by number, each once, the main "
                                   "one first: " + "; ".join(f"{n} {name}" for n, name in COMPETENCIES.items()) + ".",
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"enum": list(COMPETENCIES)},
                },
                "options": {
                    "description": "The responses to choose among, 3 to 6 of them, lettered A, B, C... with no "
                                   "letter skipped. Every format answered by choosing has them; one answered in the "
                                   "learner's own words has none.",
                    "$ref": "#/$defs/options",
                },
                # build_schema adds each format's key in words
                "key": {"description": "Practice items only: the right answer, its shape set by the format."},
                "rationales": {
                    "description": "Practice items only: for every option, by its letter, why it is or is not a good "
                                   "response. Learners read these when they check their answer.",
                    "$ref": "#/$defs/letter_texts",
                },
                "min_words": {
                    "description": "Only for a format answered in the learner's own words: how many words of the "
                                   "learner's own make the answer complete, a whole number of 1 or more.",
                    "type": "integer",
                    "minimum": 1,
                },
            },
            # build_schema adds the branches that depend on the format
            "allOf": [
                {
                    "if": {"required": ["mode"], "properties": {"mode": {"const": "graded"}}},
                    "then": {
                        "description": "A graded item's key and rationales belong in its hidden test in the "
                                       "notebook, never here: this file is released to learners.",
                        "properties": {"key": {"not": {}}, "rationales": {"not": {}}},
                    },
                },
            ],
        },
        "text": {"type": "string", "pattern": "\\S"},
        "letter": {"enum": ["A", "B", "C", "D", "E", "F"]},
        "letter_texts": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/letter"},
            "additionalProperties": {"$ref": "#/$defs/text"},
        },
        "options": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/letter"},
            "additionalProperties": {"$ref": "#/$defs/text"},
            "required": ["A", "B", "C"],
            "dependentRequired": {"E": ["D"], "F": ["E"]},
        },
    },
}


def build_schema() -> dict:
    """items.schema.json: BASE, with what each format in FORMATS says about its entry
    (answer_words, key_schema, entry_words, has_options, written)."""
    built = copy.deepcopy(BASE)
    item = built["$defs"]["item"]
    fields = item["properties"]
    formats = list(FORMATS.values())
    fields["format"]["description"] += " " + _listed([f"{fmt.name} ({fmt.answer_words})" for fmt in formats], "or") + "."
    fields["format"]["enum"] = [fmt.name for fmt in formats]
    fields["key"]["description"] += "".join(f" {fmt.name}: {_lower_first(fmt.key_schema['description'])}"
                                            for fmt in formats if fmt.key_schema is not None)
    choosing = [fmt.name for fmt in formats if fmt.has_options]
    written = [fmt.name for fmt in formats if fmt.written]
    item["allOf"] += [
        _when({"format": {"enum": choosing}},
              {"description": "A format answered by choosing among responses needs its options.",
               "required": ["options"]}),
        _when({"mode": {"const": "practice"}, "format": {"enum": choosing}},
              {"description": "A practice item gives feedback at once, so it carries its key and a rationale for "
                              "every option.",
               "required": ["key", "rationales"]}),
        # Unlike the branches around it, this one applies when 'format' is missing too: only an item
        # whose format asks for min_words may have it.
        {"if": {"properties": {"format": {"not": {"enum": written}}}},
         "then": {"description": f"Only {_listed(written, 'and')} items have min_words.",
                  "properties": {"min_words": {"not": {}}}}},
    ]
    item["allOf"] += [_when({"format": {"const": fmt.name}}, _entry(fmt)) for fmt in formats]
    return built


def _when(conditions: dict, then: dict) -> dict:
    """An if/then branch that applies when the item has each field and it fits."""
    return {"if": {"required": list(conditions), "properties": conditions}, "then": then}


def _entry(fmt) -> dict:
    """One format's branch: the shape of its key, or what its entry needs and lacks. Its
    description is the reason an error from it gives (see _why)."""
    key = fmt.key_schema
    then = {"description": fmt.entry_words if key is None else key["description"]}
    if fmt.written:
        then["required"] = ["min_words"]
    # A field is forbidden with {"not": {}}, not false: jsonschema's errors for false lose its name.
    # The key's description is said once, on the branch, where _why finds it.
    then["properties"] = {"key": {"not": {}} if key is None else
                          copy.deepcopy({k: v for k, v in key.items() if k != "description"})}
    if not fmt.has_options:
        then["properties"].update(options={"not": {}}, rationales={"not": {}})
    return then


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def schema_text() -> str:
    """build_schema() as items.schema.json holds it, byte for byte."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def schema() -> dict:
    """The items files' schema, built from the formats once per process, so that checking a
    file can never disagree with them; items.schema.json is the same, written for editors
    (every items file names it on its first line) and shipped in the wheel."""
    return build_schema()


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
