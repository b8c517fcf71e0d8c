"""`share_gradebook_engines`: nbgrader's Gradebook objects in one process share one
SQLAlchemy engine per gradebook URL, instead of building a new engine each time.

nbgrader opens a new `Gradebook` about 13 times for each notebook it grades (four times in
Autograde.init_assignment, twice more around the notebook, once in each of OverwriteCells,
SaveAutoGrades, AssignLatePenalties and OverwriteKernelspec, and in the course's own
CourseCellsOnly and GradingFolder), and each one calls `sqlalchemy.create_engine`: a new
dialect, a new connection pool, and an empty cache of compiled statements, so every query
the gradebook makes is compiled again for every Gradebook. Measured on a course gradebook:
12 ms of CPU for a Gradebook and 7 queries, 5.6 ms with a shared engine; about a fifth of
the grading process's CPU per notebook (docs/performance.md, section 5).

nbgrader has no setting for the engine (Gradebook calls create_engine itself), so this
replaces the name `create_engine` in `nbgrader.api`, and nothing else, with one that hands
back this process's engine for the same URL and arguments. It is switched on in the
course's nbgrader_config.py, so every nbgrader command and the course's own grading use
it; `share_gradebook_engines(False)` puts SQLAlchemy's function back.

What stays as it was: `Gradebook.close()` still disposes of the engine's connection pool,
so no connection outlives its Gradebook (no SQLite lock is held between steps, and no
PostgreSQL connection is left open); SQLAlchemy's Engine is safe to share between threads,
and a connection still in use by another Gradebook is closed when that one is done with
it. Engines are kept per process id: a process forked after using one (a grading worker)
builds its own, as SQLAlchemy requires. `nbgrader.api.create_engine` must be SQLAlchemy's
or this module's: anything else means nbgrader changed, and installing fails loudly.
"""
from __future__ import annotations

import os
import threading

import nbgrader.api
import sqlalchemy

_engines: dict[tuple, sqlalchemy.engine.Engine] = {}
_lock = threading.Lock()


def shared_create_engine(url, **kwargs) -> sqlalchemy.engine.Engine:
    """sqlalchemy.create_engine, once per process for each URL and set of arguments."""
    key = (os.getpid(), str(url), tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = sqlalchemy.create_engine(url, **kwargs)
        return engine


def share_gradebook_engines(share: bool = True) -> None:
    """Make nbgrader's Gradebook share engines (True), or build its own each time (False)."""
    current = nbgrader.api.create_engine
    if current is not sqlalchemy.create_engine and current is not shared_create_engine:
        raise RuntimeError(
            "nbgrader.api.create_engine is neither SQLAlchemy's nor the course's: nbgrader has changed; "
            "remove share_gradebook_engines() from nbgrader_config.py and see "
            "src/peercourse/nbgrader_hooks/gradebook_engine.py")
    nbgrader.api.create_engine = shared_create_engine if share else sqlalchemy.create_engine
