"""Reflection: a free-text answer, with a live word count.

The autograder awards completion points only; the instructor scores the content in
formgrader with the rubric in the lesson.
"""
from __future__ import annotations

import re

from .base import Item, ItemError, ItemFormat, shared

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
COPIED_RUN = 4  # this many words in a row taken from the prompt do not count as the learner's own

# Words of one letter that are real words (English a, I; Spanish y, o, u; e in several languages).
ONE_LETTER_WORDS = frozenset("aioyeu")
# Filler that fills a box without saying anything: placeholder Latin ("lorem ipsum") and
# keyboard runs. Latin words that are also everyday English or Spanish are left out.
FILLER = frozenset("""
lorem ipsum dolor amet consectetur consectetuer adipiscing adipisicing elit sed eiusmod tempor incididunt labore
dolore magna aliqua enim minim veniam quis nostrud exercitation ullamco laboris nisi aliquip commodo consequat duis
aute irure reprehenderit voluptate velit cillum fugiat nulla pariatur excepteur sint occaecat cupidatat proident
sunt officia deserunt mollit anim laborum vestibulum nunc mauris pellentesque nullam aenean curabitur donec
suspendisse vivamus phasellus maecenas praesent fusce morbi etiam quisque cras proin aliquam eget tincidunt tellus
felis lectus purus risus sapien neque orci quam metus eros augue nibh lacus arcu erat diam dui ligula turpis
viverra mattis sagittis rhoncus lobortis pharetra dignissim egestas feugiat fermentum sollicitudin ultrices
ultricies vulputate accumsan bibendum blandit condimentum convallis cursus dapibus efficitur elementum euismod
facilisis faucibus finibus gravida hendrerit iaculis imperdiet interdum lacinia laoreet luctus malesuada molestie
ornare placerat porttitor posuere pretium pulvinar sodales suscipit tristique varius venenatis vitae auctor
asdf asdfg asdfgh qwerty qwer zxcv hjkl jkl blah bla blabla etc xxx zzz lol
""".split())


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def is_real_word(word: str) -> bool:
    """A word that counts: letters only (no digits), two or more of them unless it is a
    one-letter word, and not filler."""
    if any(character.isdigit() for character in word):
        return False
    letters = sum(character.isalpha() for character in word)
    return (letters >= 2 or word in ONE_LETTER_WORDS) and word not in FILLER


def own_words(text: str, prompt: str) -> list[str]:
    """The words of text, minus any run of COPIED_RUN or more words repeated from prompt."""
    said, asked = words(text), words(prompt)
    runs = {tuple(asked[i : i + COPIED_RUN]) for i in range(len(asked) - COPIED_RUN + 1)}
    copied = [False] * len(said)
    for i in range(len(said) - COPIED_RUN + 1):
        if tuple(said[i : i + COPIED_RUN]) in runs:
            copied[i : i + COPIED_RUN] = [True] * COPIED_RUN
    return [word for word, was_copied in zip(said, copied) if not was_copied]


def counted_words(text: str, prompt: str) -> list[str]:
    """The words that count toward completion: the learner's own, real words."""
    return [word for word in own_words(text, prompt) if is_real_word(word)]


def is_complete(text: str | None, prompt: str, min_words: int) -> bool:
    """Complete: at least min_words words that count (real words of the learner's own, not
    copied from the prompt), and more than half that many different ones, so neither the
    prompt pasted back, nor numbers, filler or a few words repeated, count."""
    counted = counted_words(text or "", prompt)
    return len(counted) >= min_words and len(set(counted)) > min_words / 2


def score(text: str | None, prompt: str, min_words: int, points: float) -> float:
    """Completion points: all of them for a complete reflection, none otherwise."""
    return float(points) if is_complete(text, prompt, min_words) else 0.0


class Reflection(ItemFormat):
    name = "reflection"
    label = "Reflection"
    short_label = "reflection"
    written = True
    instructions = "Write your answer in the box. It saves as you type."
    has_options = False
    answer_words = "write an answer in one's own words"
    entry_words = ("A reflection is answered in the learner's own words: it needs min_words, and has no options, key "
                   "or rationales.")

    def check_key(self, item: Item, key) -> None:
        if key is not None:
            raise ItemError(f"{item.id}: a reflection has no key")

    def read_answer(self, item: Item, raw):
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ItemError("the saved reflection is not text")
        return raw if raw.strip() else None

    def is_answered(self, item: Item, answer) -> bool:
        # complete, by the same rule that awards the point: what Validate and My progress count
        return is_complete(answer, item.prompt, item.min_words)

    def answer_problem(self, item: Item, answer) -> str | None:
        if answer is None or self.is_answered(item, answer):
            return None
        return self.judge(item, answer)[0]

    def score(self, item: Item, answer, key=None) -> float:
        return score(answer, item.prompt, item.min_words, item.points)

    def describe(self, item: Item, answer) -> str:
        if answer is None:
            return "no reflection written"
        return (f"{answer}\n({len(words(answer))} words, {len(counted_words(answer, item.prompt))} of them counted: "
                "real words of your own, not copied from the question)")

    def judge(self, item: Item, answer, key=None) -> list[str]:
        counted = counted_words(answer or "", item.prompt)
        if is_complete(answer, item.prompt, item.min_words):
            return [f"Complete: {len(counted)} words of your own (at least {item.min_words} needed)."]
        return [
            f"Not complete yet: {len(counted)} words count, {len(set(counted))} of them different. At least "
            f"{item.min_words} are needed, more than half of them different: real words in your own words, "
            "not numbers, filler, or the question's words."
        ]

    def key_as_answer(self, item: Item, key=None):
        raise ItemError("a reflection has no key answer")

    def controls(self, item: Item, answer, on_change):
        import ipywidgets as widgets  # only a learner's kernel needs widgets; grading and tools don't

        box = widgets.Textarea(
            value=answer or "",
            description="Your reflection",
            placeholder="Write here. Leave out names or details that could identify anyone else.",
            rows=8,
            continuous_update=True,
            layout=shared("Layout", width="100%"),
            style=shared("TextStyle", description_width="initial"),
        )
        count = widgets.Label(value=_count_text(item, box.value), layout=shared("Layout"), style=shared("LabelStyle"))

        def changed(change):
            count.value = _count_text(item, change["new"])
            on_change(change["new"])

        box.observe(changed, names="value")
        return [box, count]


    def model_answer(self, item: Item, key=None):
        return sample_text(item)

    def sample_answer(self, item: Item, key, p, rng):
        return sample_text(item) if rng.random() < min(0.95, p + 0.3) else "Not sure yet."


def sample_text(item: Item) -> str:
    """Text that meets a reflection's completion rule, for tests and demos."""
    base = (
        "Writing this as a stand-in for a learner, I would describe one moment when somebody with "
        "similar history listened closely, asked what mattered most, shared briefly about their own "
        "path, then turned the talk back toward me. That balance of honesty, patience and respect "
        "is what I hope to offer others someday, keeping each conversation centered on them."
    )
    return " ".join([base] * max(1, -(-item.min_words // 55)))


def _count_text(item: Item, text: str) -> str:
    counted = len(counted_words(text, item.prompt))
    if is_complete(text, item.prompt, item.min_words):
        return f"Words: {counted}. Enough: this reflection is complete. You can keep writing if you like."
    if counted >= item.min_words:
        return f"Words: {counted}. Use more different words of your own to complete it."
    return f"Words: {counted}. Aim for at least {item.min_words} words of your own."


FORMAT = Reflection()
