"""The glossary of exam terms: docs/glossary.md (with sources) and Lesson 0's Glossary section
say the same thing, and every lesson links a term's first use to Lesson 0's Glossary."""
import re

import pytest

from peercourse import lesson_sources

from conftest import ROOT

LINK = "../lesson-0/start-here.ipynb#Glossary"
# what a first use of each term looks like in a lesson's reading (988 and Recovery are used too
# widely to link: the first appears in crisis notes, the second in nearly every sentence)
FIRST_USE = {
    "Beneficiary (and member)": r"beneficiar(?:y|ies)",
    "CalMHSA": r"CalMHSA",
    "Co-occurring conditions": r"co-occurring",
    "Dual relationship": r"dual relationships?",
    "Harm reduction": r"harm reduction",
    "Lived experience": r"lived experience",
    "Mandated treatment": r"mandated treatment",
    "Natural supports": r"natural supports?",
    "Peer support services (Medi-Cal)": r"peer support services",
    "Person-first language": r"person-first",
    "Psychiatric advance directive": r"psychiatric advance directives?",
    "Safety plan": r"safety plans?",
    "SB 803": r"SB 803",
    "Self-disclosure": r"self-disclosure",
    "Stages of change": r"stages of change",
    "Trauma-informed care": r"trauma-informed",
    "Warm handoff": r"warm hand-?offs?",
    "WRAP (Wellness Recovery Action Plan)": r"WRAP\b|Wellness Recovery Action Plan",
}
NOTEBOOKS = lesson_sources.lesson_notebooks(ROOT / "source")


def docs_glossary() -> dict[str, str]:
    """{term: definition} from docs/glossary.md: each `## Term` heading and the paragraph under it."""
    text = (ROOT / "docs" / "glossary.md").read_text()
    return {m.group(1).strip(): " ".join(m.group(2).split())
            for m in re.finditer(r"^## ([^\n]+)\n\n(.+?)\n\n", text, re.M | re.S)}


def lesson_0_glossary() -> dict[str, str]:
    lesson = lesson_sources.read_lesson(NOTEBOOKS[0])
    section = next(lesson_sources.cell_source(c) for c in lesson.cells if lesson_sources.cell_source(c).startswith("## Glossary"))
    return {m.group(1): " ".join(m.group(2).split())
            for m in re.finditer(r"^- \*\*(.+?)\.\*\* (.+?)(?=\n- \*\*|\Z)", section, re.M | re.S)}


def test_docs_glossary_and_lesson_0_define_the_same_terms_the_same_way():
    docs, lesson = docs_glossary(), lesson_0_glossary()
    assert len(docs) >= 20
    assert list(docs) == list(lesson)
    assert docs == lesson
    assert set(FIRST_USE) <= set(docs)


def reading_lines(notebook) -> list[str]:
    """The lesson's reading, line by line, without headings, block quotes or lists of item cells."""
    lesson = lesson_sources.read_lesson(notebook)
    lines = []
    for cell in lesson.cells:
        if cell["cell_type"] == "markdown" and not lesson_sources.cell_source(cell).startswith("## Glossary"):
            lines += [line for line in lesson_sources.cell_source(cell).split("\n")
                      if line.strip() and not line.lstrip().startswith(("#", ">"))]
    return lines


@pytest.mark.parametrize("notebook", NOTEBOOKS[1:], ids=[n.parent.name for n in NOTEBOOKS[1:]])
def test_each_terms_first_use_in_a_lesson_links_to_the_glossary(notebook):
    unlinked = []
    text = "\n".join(reading_lines(notebook))
    for term, pattern in FIRST_USE.items():
        match = re.search(r"(?<![\w/-])(" + pattern + r")", text, 0 if term in ("CalMHSA", "SB 803") or term.startswith("WRAP") else re.I)
        if match and not text[match.start() - 1:match.start()] == "[" and not text[match.end():].startswith(f"]({LINK})"):
            unlinked.append(f"{term}: {text[max(0, match.start() - 30):match.end() + 30]!r}")
    assert unlinked == []


@pytest.mark.parametrize("notebook", NOTEBOOKS[1:], ids=[n.parent.name for n in NOTEBOOKS[1:]])
def test_every_link_to_the_glossary_names_a_term_it_defines(notebook):
    """A learner who follows a link must find the term there."""
    # each term by its name and the name in its brackets: "WRAP (Wellness Recovery Action Plan)"
    names = [name.strip().lower() for term in docs_glossary() for name in re.split(r"[()]", term) if name.strip()]
    text = "\n".join(reading_lines(notebook))
    linked = re.findall(r"\[([^\]]+)\]\(" + re.escape(LINK) + r"\)", text)
    missing = [words for words in linked if not any(words.lower()[:6] == name[:6] for name in names)]
    assert missing == []
