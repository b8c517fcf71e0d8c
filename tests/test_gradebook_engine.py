"""share_gradebook_engines (nbgrader_hooks/gradebook_engine.py): nbgrader's Gradebooks in one
process share one SQLAlchemy engine per gradebook, and still close their connections."""
from __future__ import annotations

import os
import shutil

import nbgrader.api
import pytest
import sqlalchemy
from nbgrader.api import Gradebook

from peercourse.nbgrader_hooks import gradebook_engine, share_gradebook_engines

from conftest import ROOT


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory):
    """An empty gradebook, made once: nbgrader runs `alembic` for each new one (seconds)."""
    from peercourse.course_config import environment_bin_on_path

    environment_bin_on_path()
    path = tmp_path_factory.mktemp("empty") / "gradebook.db"
    Gradebook(f"sqlite:///{path}", "course").close()
    return path


@pytest.fixture
def shared(monkeypatch, empty_gradebook, tmp_path):
    """Sharing on for the test; nbgrader.api as it was afterwards."""
    for name in ("gradebook", "other"):
        shutil.copy(empty_gradebook, tmp_path / f"{name}.db")
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)
    share_gradebook_engines()
    return nbgrader.api


def url(tmp_path, name="gradebook"):
    return f"sqlite:///{tmp_path / name}.db"


def test_gradebooks_on_one_database_share_one_engine_and_others_get_their_own(shared, tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr(sqlalchemy, "create_engine", lambda *a, **kw: built.append(a) or sqlalchemy.engine.create_engine(*a, **kw))
    engines = []
    for _ in range(5):
        with Gradebook(url(tmp_path), "course") as gb:
            engines.append(gb.engine)
    with Gradebook(url(tmp_path, "other"), "course") as gb:
        other = gb.engine
    assert len(set(map(id, engines))) == 1 and other is not engines[0]
    assert built == [(url(tmp_path),), (url(tmp_path, "other"),)]  # nbgrader's way: one per Gradebook, 6


def test_a_closed_gradebook_keeps_no_connection_and_leaves_another_one_working(shared, tmp_path):
    first = Gradebook(url(tmp_path), "course")
    first.add_student("ana")
    second = Gradebook(url(tmp_path), "course")
    assert second.engine is first.engine
    second.close()  # disposes of the shared engine's pool, as nbgrader's close always did
    assert [s.id for s in first.students] == ["ana"]  # the other Gradebook goes on working
    first.add_student("ben")
    first.close()
    assert first.engine.pool.checkedout() == 0 and first.engine.pool.checkedin() == 0
    with Gradebook(url(tmp_path), "course") as third:
        assert [s.id for s in third.students] == ["ana", "ben"]


def test_a_forked_process_builds_its_own_engine(shared, tmp_path):
    with Gradebook(url(tmp_path), "course") as gb:
        inherited = gb.engine
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer whether it was handed the parent's engine
        try:
            os.write(write, b"same" if gradebook_engine.shared_create_engine(url(tmp_path), echo=False, future=True) is inherited else b"own")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 10)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"own"
    assert gradebook_engine.shared_create_engine(url(tmp_path), echo=False, future=True) is inherited


def test_switched_off_nbgrader_builds_an_engine_for_every_gradebook(shared, tmp_path):
    share_gradebook_engines(False)
    assert nbgrader.api.create_engine is sqlalchemy.create_engine
    with Gradebook(url(tmp_path), "course") as one, Gradebook(url(tmp_path), "course") as two:
        assert one.engine is not two.engine


def test_if_nbgrader_changed_how_it_builds_engines_installing_fails_loudly(shared, monkeypatch):
    monkeypatch.setattr(nbgrader.api, "create_engine", lambda *a, **kw: None)
    with pytest.raises(RuntimeError, match="nbgrader.api.create_engine is neither SQLAlchemy's nor the course's"):
        share_gradebook_engines()


def test_the_course_settings_switch_it_on_and_the_comparison_switches_it_off(monkeypatch, tmp_path):
    from peercourse.course_config import WITHOUT_FAST_PATH, load_config

    monkeypatch.setattr(nbgrader.api, "create_engine", sqlalchemy.create_engine)
    load_config(ROOT)
    assert nbgrader.api.create_engine is gradebook_engine.shared_create_engine
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + WITHOUT_FAST_PATH)
    load_config(tmp_path)
    assert nbgrader.api.create_engine is sqlalchemy.create_engine
