"""The checks an author runs before releasing (`peercourse check`): anything in a lesson
that would hurt learners or grading (a missing test cell, a key that does not fit its item,
a cell a learner could edit), text above the course's reading grade, and the wording clues
that give a key away, each in words. Its limits are settings (AuthoringSettings) that the
course's nbgrader_config.py may change, as nbgrader's own options are set.
"""
from __future__ import annotations

import re

from traitlets import Float, Integer
from traitlets.config import Configurable

from . import readability
from .itembank import check_rationales
from .items import FORMATS, ItemError
from .lesson_sources import LessonSource, cell_source

SHOW = re.compile(r'^lesson\.show\("([^"]+)"\)$')
OPEN = re.compile(r'open_lesson\("([^"]+)"\)')


class AuthoringSettings(Configurable):
    """Limits of `peercourse check`, set in the course's nbgrader_config.py."""

    reading_grade_limit = Float(
        10.0, min=1.0,
        help="Highest Flesch-Kincaid grade a lesson may read at, counting everything a learner reads in it "
        "(readings, prompts, options, rationales).",
    ).tag(config=True)
    length_slack = Integer(
        3, min=0,
        help="Words a single-best key may run longer than its longest rival before the check calls its length a clue.",
    ).tag(config=True)
    balance_from = Integer(
        8, min=2,
        help="Lessons with at least this many items that have one best option get the letter-balance check.",
    ).tag(config=True)
    most_of_one_letter = Float(
        0.4, min=0.0, max=1.0,
        help="Largest share of a lesson's best options that one letter may hold: a learner who always picks "
        "the same letter should not do well.",
    ).tag(config=True)


def problems(lesson: LessonSource, settings: AuthoringSettings | None = None) -> list[str]:
    """Everything wrong with a lesson that would hurt learners or grading, in words."""
    settings = settings or AuthoringSettings()
    found = []
    where = f"{lesson.assignment}/{lesson.notebook.name}"
    shown: dict[str, int] = {}
    tests: dict[str, dict] = {}
    tasks = 0
    opened = None
    for cell in lesson.cells:
        source = cell_source(cell).strip()
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code":
            match = OPEN.search(source)
            if match:
                opened = match.group(1)
            match = SHOW.match(source)
            if match:
                shown[match.group(1)] = shown.get(match.group(1), 0) + 1
                if not meta.get("locked"):
                    found.append(f"{where}: the cell showing {match.group(1)} should be read-only")
            if meta.get("grade"):
                ids = set(re.findall(r'lesson\.(?:recorded|score)\(\s*"([^"]+)"', source))
                if len(ids) != 1:
                    found.append(f"{where}: test cell {meta.get('grade_id')} should score exactly one item")
                    continue
                tests[ids.pop()] = {"meta": meta, "source": source}
        if meta.get("task"):
            tasks += 1
    if opened != lesson.stem:
        found.append(f"{where}: the setup cell should open_lesson({lesson.stem!r})")
    for item in lesson.bank.items.values():
        fmt = FORMATS[item.format]
        if shown.get(item.id, 0) != 1:
            found.append(f"{where}: {item.id} is shown {shown.get(item.id, 0)} times; it should be shown once")
        test = tests.pop(item.id, None)
        if not item.graded:
            if test:
                found.append(f"{where}: practice item {item.id} has a test cell")
            continue
        if test is None:
            found.append(f"{where}: graded item {item.id} has no test cell")
            continue
        if test["meta"].get("points") != item.points:
            found.append(f"{where}: {item.id} is worth {item.points} in its items file but its test cell says {test['meta'].get('points')}")
        if f'lesson.recorded("{item.id}")' not in test["source"]:
            found.append(f"{where}: {item.id}'s test cell should show the recorded answer with lesson.recorded")
        if fmt.has_options:
            graded_key = lesson.keys.get(item.id)
            if graded_key is None:
                found.append(f"{where}: {item.id}'s key is not in a hidden test")
                continue
            try:
                fmt.check_key(item, graded_key.key)
                check_rationales(item, graded_key.rationales)
            except ItemError as error:
                found.append(f"{where}: {error}")
                continue
        elif f'lesson.score("{item.id}")' not in test["source"]:
            found.append(f"{where}: {item.id}'s test cell should end with lesson.score({item.id!r})")
    for extra in tests:
        found.append(f"{where}: a test cell scores {extra!r}, which is not in the items file")
    reflections = sum(1 for item in lesson.bank.items.values() if item.graded and FORMATS[item.format].written)
    if tasks != reflections:
        found.append(f"{where}: {reflections} graded reflections need {reflections} rubric task cells, found {tasks}")
    reading_grade = readability.grade(lesson)
    if reading_grade > settings.reading_grade_limit:
        found.append(f"{where}: reads at grade {reading_grade:g}, above the course's limit of {settings.reading_grade_limit:g}")
    found += wording_problems(lesson, settings)
    found += position_problems(lesson, settings)
    return found


GIVEAWAYS = re.compile(r"\b(all|none|both) of the (above|options)\b", re.I)
ASKS = re.compile(r"\?|\bask(s|ed|ing)?\b", re.I)


def wording_problems(lesson: LessonSource, settings: AuthoringSettings | None = None) -> list[str]:
    settings = settings or AuthoringSettings()
    found = []
    for item in lesson.bank.items.values():
        fmt = FORMATS[item.format]
        if not fmt.has_options:
            continue
        for letter, text in item.options.items():
            if GIVEAWAYS.search(text):
                found.append(f"{item.id}: option {letter} uses an 'all/none of the above' giveaway")
        key = lesson.key_for(item)
        if key is None:
            continue  # reported by problems()
        best = fmt.best_option(key)
        if best and fmt.best_is_one_pick:
            longest_rival = max(len(text.split()) for letter, text in item.options.items() if letter != best)
            if len(item.options[best].split()) > longest_rival + settings.length_slack:
                found.append(f"{item.id}: the key {best} is much longer than every other option, a clue")
        if best and ASKS.search(item.options[best]) and not any(
            ASKS.search(text) for letter, text in item.options.items() if letter != best
        ):
            found.append(f"{item.id}: only the best option, {best}, asks the person something, a clue")
        found += fmt.key_problems(item, key)
    return found


def position_problems(lesson: LessonSource, settings: AuthoringSettings | None = None) -> list[str]:
    """Clues a whole lesson gives away: where its best options sit, and what its
    select-all keys have in common."""
    settings = settings or AuthoringSettings()
    found = []
    where = f"{lesson.assignment}/{lesson.notebook.name}"
    bests, select_keys = [], []
    for item in lesson.bank.items.values():
        key, fmt = lesson.key_for(item), FORMATS[item.format]
        if key is None or not fmt.has_options:
            continue
        best = fmt.best_option(key)
        if best:
            bests.append(best)
        right = fmt.right_options(key)
        if right is not None:
            select_keys.append(set(right))
    if len(bests) >= settings.balance_from:
        letter = max(sorted(set(bests)), key=bests.count)
        if bests.count(letter) > settings.most_of_one_letter * len(bests):
            found.append(f"{where}: the best option is {letter} in {bests.count(letter)} of {len(bests)} items, a clue")
    if len(select_keys) >= 2:
        if len({len(key) for key in select_keys}) == 1:
            found.append(f"{where}: every select-all item has {len(select_keys[0])} right options, a clue")
        always = set.intersection(*select_keys)
        if always:
            found.append(f"{where}: option {', '.join(sorted(always))} is right in every select-all item, a clue")
    return found
