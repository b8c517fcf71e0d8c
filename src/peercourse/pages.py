"""The one Jinja2 environment that renders the package's HTML pages from templates/*.html:
the learner's progress page, the exam-practice results and the instructors' report.

Autoescape is on for every template (and for templates made from strings), so every string a
learner or an author wrote (titles, options, answers, rationales, ids) is escaped unless the
code wraps it in markupsafe.Markup, which it does only for HTML it built and escaped itself.
StrictUndefined makes a value the code forgot to pass an error, not a blank on the page.
"""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

ENVIRONMENT = Environment(
    loader=PackageLoader("peercourse", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(template_name: str, **values) -> str:
    return ENVIRONMENT.get_template(template_name).render(**values)
