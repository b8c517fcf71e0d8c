"""Every setting the course adds to nbgrader's (a `config=True` trait of one of the package's
classes) is listed in docs/instructors.md with its default and its help text, so an
instructor can find what nbgrader_config.py may set, and the list cannot go stale."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

from traitlets.config import Configurable

import peercourse

from conftest import ROOT


def course_settings() -> list[tuple[str, str, object, str]]:
    """(class, trait, default, help) for every config trait the package's own classes add."""
    found = []
    for info in pkgutil.walk_packages(peercourse.__path__, "peercourse."):
        module = importlib.import_module(info.name)
        for name, cls in sorted(vars(module).items()):
            if inspect.isclass(cls) and issubclass(cls, Configurable) and cls.__module__ == module.__name__:
                for trait, spec in sorted(cls.class_own_traits(config=True).items()):
                    found.append((name, trait, spec.default(), spec.help))
    return found


def row(cls: str, trait: str, default, help_text: str) -> str:
    return f"| `c.{cls}.{trait}` | `{default!r}` | {help_text} |"


def test_the_guide_lists_every_course_setting_with_its_default_and_help():
    settings = course_settings()
    assert {cls for cls, *_ in settings} >= {"CourseCellsOnly", "GradingExecute", "GuardedCollect", "LatePenalty",
                                             "ParallelAutograde", "ReportSettings"}
    guide = (ROOT / "docs" / "instructors.md").read_text()
    assert [row(*s) for s in settings if row(*s) not in guide] == []
