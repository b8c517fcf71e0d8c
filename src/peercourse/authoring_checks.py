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
from .lesson import ITEM_CALL, SHOW_CELL
from .lesson_sources import LessonSource, cell_source

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
    least_of_one_letter = Float(
        0.15, min=0.0, max=0.25,
        help="In the exam bank, smallest share of a file's keys that each of A to D must hold, so that keys "
        "spread evenly over the four positions (a lesson, smaller, must have each letter best at least once).",
    ).tag(config=True)
    absolute_word_margin = Float(
        0.1, min=0.0, max=1.0,
        help="In a lesson or an exam-bank file, how much larger the share of wrong options holding an absolute word "
        "(always, never, only, entirely...) may be than the share of right options holding one, before such words "
        "mark wrong answers.",
    ).tag(config=True)
    select_all_most_right = Integer(
        3, min=1,
        help="Most options a select-all item may mark right: with four of five right, ticking nearly everything "
        "does well.",
    ).tag(config=True)
    reading_echo_run = Integer(
        6, min=3,
        help="A right option that shares a run of this many words or more with the lesson's own reading is named: "
        "a key that repeats a reading's sentence can be found by matching, not by judgement.",
    ).tag(config=True)
    near_duplicate_overlap = Float(
        0.45, min=0.0, max=1.0,
        help="Share of content words two items' prompts may have in common before the check names them as a "
        "possible repeated scenario. A word measure: it finds reworded copies, not the same situation told anew "
        "(the blind second read of every item finds those).",
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
            match = SHOW_CELL.match(source)
            if match:
                shown[match.group(1)] = shown.get(match.group(1), 0) + 1
                if not meta.get("locked"):
                    found.append(f"{where}: the cell showing {match.group(1)} should be read-only")
            if meta.get("grade"):
                ids = set(ITEM_CALL.findall(source))
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
    found += reading_problems(lesson, settings)
    found += wording_problems(lesson, settings)
    found += position_problems(lesson, settings)
    found += echo_problems(lesson, settings)
    found += absolute_word_problems(where, [right_and_wrong(item, lesson.key_for(item)) for item in lesson.bank.items.values()
                                           if FORMATS[item.format].has_options and lesson.key_for(item) is not None], settings)
    return found


def reading_problems(lesson: LessonSource, settings: AuthoringSettings) -> list[str]:
    """The lesson's reading grade, if it is above the course's limit."""
    grade = readability.grade(lesson)
    if grade > settings.reading_grade_limit:
        return [f"{lesson.assignment}/{lesson.notebook.name}: reads at grade {grade:g}, above the course's limit "
                f"of {settings.reading_grade_limit:g}"]
    return []


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
        right = fmt.right_options(key)
        if right is not None and len(right) > settings.select_all_most_right:
            found.append(f"{item.id}: {len(right)} of its {len(item.options)} options are right; keep it to "
                         f"{settings.select_all_most_right} or fewer, or ticking nearly everything does well")
        found += fmt.key_problems(item, key)
    return found


def right_and_wrong(item, key) -> tuple[list[str], list[str]]:
    """The options a key marks right (its best option, or its set of right ones) and the rest."""
    fmt = FORMATS[item.format]
    right = fmt.right_options(key)
    if right is None:
        best = fmt.best_option(key)
        right = {best} if best else set()
    return ([item.options[x] for x in item.options if x in right], [item.options[x] for x in item.options if x not in right])


def absolute_word_problems(where: str, pairs: list[tuple[list[str], list[str]]], settings: AuthoringSettings) -> list[str]:
    """Absolute words (always, never, only, entirely...) held by more wrong options than right ones,
    over a lesson or a bank file: such words then mark the wrong answers. pairs: (right, wrong) texts."""
    right = [text for r, _ in pairs for text in r]
    wrong = [text for _, w in pairs for text in w]
    if not right or not wrong:
        return []
    marked_right = sum(bool(ABSOLUTE.search(text)) for text in right)
    marked_wrong = sum(bool(ABSOLUTE.search(text)) for text in wrong)
    if marked_wrong / len(wrong) - marked_right / len(right) > settings.absolute_word_margin:
        return [f"{where}: {marked_wrong} of {len(wrong)} wrong options hold an absolute word (always, never, "
                f"only...) but {marked_right} of {len(right)} right ones do: such words mark the wrong answers"]
    return []


def words_in(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def longest_shared_run(text: str, other: list[str]) -> int:
    """The longest run of consecutive words `text` shares with the word list `other`."""
    mine, where = words_in(text), {}
    for index, word in enumerate(other):
        where.setdefault(word, []).append(index)
    best = 0
    for i, word in enumerate(mine):
        for j in where.get(word, ()):
            k = 0
            while i + k < len(mine) and j + k < len(other) and mine[i + k] == other[j + k]:
                k += 1
            best = max(best, k)
    return best


def echo_problems(lesson: LessonSource, settings: AuthoringSettings) -> list[str]:
    """Right options that repeat a run of the lesson's own reading: found by matching, not judgement."""
    reading = words_in("\n".join(cell_source(c) for c in lesson.cells if c.get("cell_type") == "markdown"))
    found = []
    for item in lesson.bank.items.values():
        key = lesson.key_for(item)
        if key is None or not FORMATS[item.format].has_options:
            continue
        right, _ = right_and_wrong(item, key)
        for text in right:
            run = longest_shared_run(text, reading)
            if run >= settings.reading_echo_run:
                found.append(f"{item.id}: a right option repeats {run} words in a row of the lesson's reading, a clue")
                break
    return found


def position_problems(lesson: LessonSource, settings: AuthoringSettings | None = None,
                      every_letter: bool = True) -> list[str]:
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
        missing = [letter for letter in "ABCD" if letter not in bests]  # a lesson is too small for shares
        if every_letter and missing:
            found.append(f"{where}: no item's best option is {', '.join(missing)}; spread best options over A to D")
    if len(select_keys) >= 2:
        if len({len(key) for key in select_keys}) == 1:
            found.append(f"{where}: every select-all item has {len(select_keys[0])} right options, a clue")
        always = set.intersection(*select_keys)
        if always:
            found.append(f"{where}: option {', '.join(sorted(always))} is right in every select-all item, a clue")
    return found


# -- the exam bank, and what the whole course must not repeat --------------------------------

ABSOLUTE = re.compile(r"\b(always|never|only|entirely|completely|definitely|certainly|all|none|every|must|at all)\b", re.I)
STOP_WORDS = frozenset(
    "a an the and or but if of to in on at for with from by as is are was were be been it its this that these those "
    "they them their he she his her him you your we our i me my what which who whom should would could can do does "
    "did not no so than then there here about into over after before up down out just also very more most some any "
    "each other such own same has have had will one two says said asks asked tells told".split())


def content_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z']+", text.lower()) if len(word) > 2 and word not in STOP_WORDS}


def bank_problems(lesson: LessonSource, settings: AuthoringSettings | None = None) -> list[str]:
    """An exam-bank file (read as a lesson of practice items, with no notebook): the exam's
    format, the reading grade and the wording and position clues of any lesson, and two the
    bank's size makes measurable: keys spread over A to D, and absolute words that mark
    wrong options."""
    settings = settings or AuthoringSettings()
    where = f"{lesson.assignment}/{lesson.notebook.name}"
    found = []
    for item in lesson.bank.items.values():
        if not FORMATS[item.format].exam_format or sorted(item.options) != ["A", "B", "C", "D"]:
            found.append(f"{where}: {item.id} should be single best answer with options A to D, as on the exam")
    found += reading_problems(lesson, settings)  # its prompts, options and rationales
    found += wording_problems(lesson, settings) + position_problems(lesson, settings, every_letter=False)  # shares below
    keys = [item for item in lesson.bank.items.values() if FORMATS[item.format].exam_format and item.key in item.options]
    if len(keys) >= settings.balance_from:
        for letter in "ABCD":
            count = sum(item.key == letter for item in keys)
            if count < settings.least_of_one_letter * len(keys):
                found.append(f"{where}: the key is {letter} in only {count} of {len(keys)} items; spread keys over A to D")
    found += absolute_word_problems(where, [right_and_wrong(item, item.key) for item in keys], settings)
    return found


def duplicate_problems(items: list[tuple[str, object]], settings: AuthoringSettings | None = None) -> list[str]:
    """Pairs of items, anywhere in the course, whose prompts share so many content words that
    they may tell the same situation twice. items: (where, Item)."""
    settings = settings or AuthoringSettings()
    words = [(where, item, content_words(item.prompt)) for where, item in items]
    found = []
    for number, (where_a, a, words_a) in enumerate(words):
        for where_b, b, words_b in words[number + 1:]:
            union = words_a | words_b
            overlap = len(words_a & words_b) / len(union) if union else 0.0
            if overlap > settings.near_duplicate_overlap:
                found.append(f"{where_a}: {a.id} and {b.id} ({where_b}) share {overlap:.0%} of their prompts' content "
                             "words: the same scenario twice?")
    return found
