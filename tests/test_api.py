"""Pins the public surface that notebooks, hidden tests and instructors rely on."""
import peercourse
from peercourse import cli
from peercourse.domain import COMPETENCIES, EXAM_AREAS
from peercourse.items import FORMATS


def test_public_api():
    assert peercourse.__all__ == ["Lesson", "open_lesson", "__version__"]
    assert peercourse.__version__ == "0.1.0"
    assert [name for name in dir(peercourse.Lesson) if not name.startswith("_")] == [
        "checkable", "item", "recorded", "score", "show", "view"]
    from peercourse.exam_practice import ExamPractice

    assert [n for n in dir(ExamPractice) if not n.startswith("_") and n not in dir(peercourse.Lesson)] == [
        "results", "results_html", "scores", "show_all"]


def test_item_formats():
    assert list(FORMATS) == ["single_best", "most_least", "rating", "ranking", "select_all", "reflection"]
    assert [fmt.label for fmt in FORMATS.values()] == [
        "Single best answer", "Most and least effective", "Rate each response",
        "Rank the responses", "Select all that apply", "Reflection"]


def test_domain_tags():
    assert len(EXAM_AREAS) == 8 and len(COMPETENCIES) == 17
    assert COMPETENCIES[16] == "Confidentiality"


def test_cli_commands():
    assert cli.__doc__.splitlines()[2:9] == [
        "    peercourse key LESSON [--into DIR]   write the responses file of a learner who matches every key",
        "    peercourse check                     check every lesson in source/ before releasing it",
        "    peercourse release                   regenerate release/ from source/ with nbgrader",
        "    peercourse coverage                  write docs/coverage.md from the items' tags",
        "    peercourse autograde LESSON --jobs N nbgrader's autograde over N worker processes",
        "    peercourse report [--out DIR]        per-item CSV and item-analysis report from the gradebook",
        "    peercourse demo [--students N]       run a term for a synthetic cohort and report on it",
    ]
