"""Pins the public surface that notebooks, hidden tests and instructors rely on."""
from importlib.metadata import version

import pytest

import peercourse

from peercourse import cli
from peercourse.certification import COMPETENCIES, EXAM_AREAS
from peercourse.items import FORMATS


def test_public_api():
    assert peercourse.__all__ == ["Lesson", "open_lesson", "__version__"]
    assert peercourse.__version__ == version("peercourse")  # the installed package's own metadata
    assert [name for name in dir(peercourse.Lesson) if not name.startswith("_")] == [
        "checkable", "feedback_button", "item", "recorded", "saved_answers", "score", "show", "view"]
    from peercourse.exam_practice import ExamPractice

    assert [n for n in dir(ExamPractice) if not n.startswith("_") and n not in dir(peercourse.Lesson)] == [
        "area_totals", "of", "results", "results_html", "scores", "show_all"]


def test_item_formats():
    assert list(FORMATS) == ["single_best", "most_least", "rating", "ranking", "select_all", "reflection"]
    assert [fmt.label for fmt in FORMATS.values()] == [
        "Single best answer", "Most and least effective", "Rate each response",
        "Rank the responses", "Select all that apply", "Reflection"]


def test_domain_tags():
    assert len(EXAM_AREAS) == 8 and len(COMPETENCIES) == 17
    assert COMPETENCIES[16] == "Confidentiality"


def test_the_cli_docstring_lists_every_command_the_parser_has(capsys):
    """The module docstring is the command's overview: it must name each subcommand that
    `peercourse --help` offers, no more and no fewer."""
    import re

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    offered = set(re.search(r"\{([a-z,-]+)\}", capsys.readouterr().out).group(1).split(","))
    listed = {line.split()[1] for line in cli.__doc__.splitlines() if line.startswith("    peercourse ")}
    assert listed == offered == {"key", "check", "release", "coverage", "schema", "autograde", "report", "export", "demo", "lab", "feedback", "site", "new-lesson"}
