"""The responses file: where a learner's answers live, beside the notebook.

One file per lesson notebook, `<lesson>.responses.json`, readable JSON:

    {"kind": "peercourse-responses", "schema": 1, "lesson": "lived-experience",
     "answers": {"l1-p01": {"value": "B", "saved": "2026-11-23T16:02:11+00:00"}}}

Reading never writes, so re-running a notebook (or autograding it) leaves the file exactly
as it was. Each save takes a lock, re-reads the file, changes one answer and replaces the
file atomically, so two open copies of a notebook add to each other's answers instead of
erasing them, and a crash mid-write leaves the previous file whole. A file that cannot be
read is never deleted: the next save moves it aside and starts a fresh one.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from traitlets import Float, Integer
from traitlets.config import Configurable

from .browser_edition import in_browser

KIND = "peercourse-responses"
SCHEMA = 1
SUFFIX = ".responses.json"


class ResponsesSettings(Configurable):
    """Limits of the answers file. The kernels that read and write it (a learner's, and the
    grading kernel under autograde) take them from IPython's own configuration, for example
    `c.ResponsesSettings.max_bytes = 2_000_000` in the environment's
    etc/ipython/ipython_kernel_config.py; elsewhere the defaults apply."""

    max_bytes = Integer(
        1_000_000, min=1_000,
        help="Largest answers file, in bytes, a lesson reads or writes: far above a fully answered lesson "
        "(a few kB). A larger file is reported and never read; an answer that would make it larger is refused.",
    ).tag(config=True)
    lock_timeout = Float(
        10.0, min=0.1,
        help="Seconds a save waits while another open copy of the same notebook saves, before asking the "
        "learner to answer again.",
    ).tag(config=True)

    @classmethod
    def from_kernel(cls) -> "ResponsesSettings":
        """The settings as the running IPython kernel's configuration gives them; the
        defaults outside a kernel (the instructor's command-line tools)."""
        try:
            from IPython import get_ipython
        except ImportError:
            return cls()
        shell = get_ipython()
        return cls(config=shell.config) if shell is not None else cls()


class ResponsesError(Exception):
    """A save that could not happen. The message is for the learner."""


@dataclass
class Loaded:
    answers: dict[str, dict] = field(default_factory=dict)  # item id -> {"value": ..., "saved": ...}
    problem: str | None = None  # why the file could not be used, in plain words


def write_atomically(path: Path, blob: bytes) -> None:
    """Replace path with blob, whole or not at all: a crash mid-write leaves the previous
    file as it was (and a `.<name>.*.tmp` half, which the next save of answers removes).
    mkstemp makes the file readable and writable by its owner only: learner data stays private."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def responses_path(directory: Path, lesson: str) -> Path:
    return Path(directory) / f"{lesson}{SUFFIX}"


class ResponsesFile:
    def __init__(self, path: Path, lesson: str, settings: ResponsesSettings | None = None):
        self.path = Path(path)
        self.lesson = lesson
        self.settings = settings or ResponsesSettings.from_kernel()
        self._lock_path = self.path.with_name(f".{self.path.name}.lock")

    def load(self) -> Loaded:
        """The answers on disk. A missing file is an empty one; a damaged one is reported."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return Loaded()
        except OSError as error:
            return Loaded(problem=f"{self.path.name} could not be read ({error.strerror}).")
        if size > self.settings.max_bytes:
            return Loaded(problem=f"{self.path.name} is {size:,} bytes, over the {self.settings.max_bytes:,}-byte limit.")
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"), parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            return Loaded(problem=f"{self.path.name} is not UTF-8 text.")
        except RecursionError:
            return Loaded(problem=f"{self.path.name} is not valid JSON (it is nested too deeply).")
        except ValueError as error:
            what = "is empty" if size == 0 else f"is not valid JSON ({error})"
            return Loaded(problem=f"{self.path.name} {what}.")
        except OSError as error:
            return Loaded(problem=f"{self.path.name} could not be read ({error.strerror}).")
        try:
            # JSON's \u escapes can spell half of a character pair, which no file can hold:
            # such text could be read but never saved or printed again.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return Loaded(problem=f"{self.path.name} holds text that is not valid Unicode.")
        problem = self._shape_problem(data)
        if problem:
            return Loaded(problem=f"{self.path.name} {problem}.")
        return Loaded(answers=data["answers"])

    def _shape_problem(self, data: Any) -> str | None:
        if not isinstance(data, dict) or data.get("kind") != KIND:
            return "is not a course responses file"
        if type(data.get("schema")) is not int or data["schema"] != SCHEMA:  # not True, not 1.0
            return f"has schema {data.get('schema')!r}; this course reads schema {SCHEMA}"
        if data.get("lesson") != self.lesson:
            return f"holds answers for the lesson {data.get('lesson')!r}, not {self.lesson!r}"
        answers = data.get("answers")
        if not isinstance(answers, dict) or not all(
            isinstance(entry, dict) and "value" in entry for entry in answers.values()
        ):
            return "has an answers section of the wrong shape"
        return None

    def save(self, item_id: str, value: Any) -> str | None:
        """Record one answer. Returns a note for the learner when a damaged file had to be
        moved aside first; raises ResponsesError when the answer could not be saved."""
        return self.save_many({item_id: value})

    def save_many(self, values: dict[str, Any]) -> str | None:
        """Record several answers in one locked read-merge-write."""
        with self._locked("another copy of this notebook kept the answers file busy; change your answer again to retry"):
            current = self.load()
            note = None
            if current.problem:
                kept = self._set_aside()
                note = f"{current.problem} It was kept as {kept.name}; a fresh file was started."
            self._remove_stale_temporaries()
            answers = dict(current.answers)
            saved = _now()
            for item_id, value in values.items():
                # "checked" (when the learner first saw a practice item's explanations) stays
                checked = {"checked": answers[item_id]["checked"]} if "checked" in answers.get(item_id, {}) else {}
                answers[item_id] = {"value": value, "saved": saved, **checked}
            self._write_answers(answers)
            return note

    def mark_checked(self, item_id: str) -> None:
        """Note that the learner pressed Check on a saved answer and so has seen the item's
        explanations (the "My answers and notes" page shows them only then). The first time counts."""
        with self._locked("another copy of this notebook kept the answers file busy; press Check again to retry"):
            current = self.load()
            entry = current.answers.get(item_id)
            if current.problem or entry is None or "checked" in entry:
                return
            self._write_answers({**current.answers, item_id: {**entry, "checked": _now()}})

    @contextmanager
    def _locked(self, busy: str):
        """Hold the answers file's lock for a read-merge-write; a lock held too long by another
        copy of the notebook, or a file that cannot be written, becomes a ResponsesError.

        In the browser edition there is no lock file: filelock can only make a "soft" one there,
        which the browser's file storage never lets it remove, so every save after the first
        would wait, then fail as busy. Without it, saves of one kernel still come one at a time
        (Pyodide runs a kernel on one thread), and a save still reads the file, merges and
        writes it whole in one step: only the same lesson open in two tabs, both saving in the
        same few milliseconds, could lose one of the two answers."""
        try:
            with self._file_lock():
                yield
        except TimeoutError:  # filelock's Timeout is one; before OSError, which it also is
            raise ResponsesError(busy) from None
        except OSError as error:
            raise ResponsesError(f"{self.path.name} could not be written ({error.strerror})") from None

    def _file_lock(self):
        if in_browser():
            return nullcontext()
        from filelock import FileLock  # only saving needs the lock; reading and grading don't

        return FileLock(str(self._lock_path), timeout=self.settings.lock_timeout)

    def _write_answers(self, answers: dict) -> None:
        self._write({"kind": KIND, "schema": SCHEMA, "lesson": self.lesson, "answers": answers})

    def _write(self, data: dict) -> None:
        try:
            blob = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True, allow_nan=False).encode("utf-8") + b"\n"
        except (UnicodeEncodeError, ValueError):
            raise ResponsesError("this answer holds characters that cannot be saved; please retype it") from None
        if len(blob) > self.settings.max_bytes:
            raise ResponsesError(
                f"this answer would make {self.path.name} larger than {self.settings.max_bytes:,} bytes; please shorten it"
            )
        write_atomically(self.path, blob)

    def _remove_stale_temporaries(self) -> None:
        """A writer killed mid-write leaves its temporary file behind. Under the lock no
        other write is under way, so any that remain are stale halves of old answers."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)

    def _set_aside(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        kept = self.path.with_name(f"{self.path.name[: -len('.json')]}.damaged-{stamp}.json")
        os.replace(self.path, kept)
        return kept


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
