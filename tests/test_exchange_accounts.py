"""The shared exchange with real accounts: learners are Linux users who hand in with
`nbgrader submit`, and two of them try what a learner on a hub could. `nbgrader collect`
(the course's GuardedCollect) must collect every honest submission as it was handed in and
none of the forgeries: an entry under a classmate's name, a link to a classmate's collected
answers, a backdated time, a link to /dev/zero.

The accounts are real (collect reads each entry's owner from the system), but this
machine's Python lives in root's home, out of their reach, so each entry is written as
root and then handed to the account that would have written it (chown, which the system
records as a change, as writing would be). Needs root; removed afterwards. Skipped
without root, except under PEERCOURSE_CI=1, where it must run."""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from peercourse.cli import nbgrader
from peercourse.responses import ResponsesFile

from conftest import need_root
from tiny_course import KEYED_ANSWERS, LESSON, NOTEBOOK, make_course

pytestmark = [pytest.mark.pipeline, pytest.mark.accounts]

ANA, BEN, CY = "pcx-ana", "pcx-ben", "pcx-cy"  # learners; BEN and CY also try to cheat
COURSE_ID = "ca-peer-support"
ANSWERS = f"{NOTEBOOK}.responses.json"


def hand_to(name: str, path: Path) -> None:
    """Make the account `name` the owner of path and all in it, links themselves included."""
    account = pwd.getpwnam(name)
    for item in [path, *path.rglob("*")]:
        os.chown(item, account.pw_uid, account.pw_gid, follow_symlinks=False)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@pytest.fixture(scope="module")
def exchange_term():
    need_root("the exchange tests")
    base = Path(tempfile.mkdtemp(prefix="peercourse-accounts-"))
    created = []
    try:
        for name in (ANA, BEN, CY):
            subprocess.run(["userdel", name], capture_output=True)  # left over from an interrupted run
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
            created.append(name)
        course = make_course(base / "course")
        course.chmod(0o700)  # the grader's own
        exchange = base / "exchange"
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(f"c.Exchange.root = {str(exchange)!r}\n")
        due = datetime.now(timezone.utc) - timedelta(days=1)
        assert nbgrader(course, "db", "assignment", "add", LESSON, f"--duedate={stamp(due)}").returncode == 0
        done = nbgrader(course, "release_assignment", LESSON)
        assert done.returncode == 0, done.stderr
        homes = {}
        for name in created:
            home = base / f"home-{name}"
            shutil.copytree(course / "release" / LESSON, home / LESSON)
            home.chmod(0o700)
            homes[name] = home
        yield {"base": base, "course": course, "exchange": exchange, "homes": homes,
               "inbound": exchange / COURSE_ID / "inbound"}
    finally:
        shutil.rmtree(base, ignore_errors=True)
        left = []
        for name in created:
            done = subprocess.run(["userdel", "--force", name], capture_output=True, text=True)
            if done.returncode:
                left.append(f"{name}: {done.stderr.strip()}")
        assert left == [], f"accounts not removed: {left}"


def submit(term, name: str, answers: dict) -> None:
    """The learner answers, then hands in with nbgrader submit, which names the entry after them."""
    home = term["homes"][name]
    ResponsesFile(home / LESSON / ANSWERS, NOTEBOOK).save_many(answers)
    before = set(term["inbound"].iterdir()) if term["inbound"].exists() else set()
    env = dict(os.environ, HOME=str(home), PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    done = subprocess.run([sys.executable, "-m", "nbgrader", "submit", LESSON, "--course", COURSE_ID, "--student", name,
                           f"--Exchange.root={term['exchange']}", f"--Exchange.assignment_dir={home}"],
                          cwd=home, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    (entry,) = set(term["inbound"].iterdir()) - before
    hand_to(name, entry)


def forge(term, name: str, entry: str, files: dict[str, str], links: dict[str, str]) -> None:
    """Learner `name` writes an inbound entry by hand: files by content, links by target."""
    folder = term["inbound"] / entry
    folder.mkdir()
    shutil.copy(term["homes"][name] / LESSON / f"{NOTEBOOK}.ipynb", folder)
    for file, text in files.items():
        (folder / file).write_text(text)
    for link, target in links.items():
        (folder / link).symlink_to(target)
    hand_to(name, folder)


def envelope(answers: dict) -> str:
    return json.dumps({"kind": "peercourse-responses", "schema": 1, "lesson": NOTEBOOK,
                       "answers": {k: {"value": v, "saved": "2026-01-01T00:00:00+00:00"} for k, v in answers.items()}})


@pytest.fixture(scope="module")
def collected(exchange_term):
    term = exchange_term
    course = term["course"]
    submit(term, ANA, KEYED_ANSWERS)  # honest: every key
    submit(term, BEN, {"t-g01": "A"})  # honest: no key
    # ANA left her copy open to everyone, as a learner may: the collected copy is the grader's
    (entry,) = term["inbound"].glob(f"{ANA}+*")
    for path in [entry, *entry.rglob("*")]:
        path.chmod(0o777)
    first = nbgrader(course, "collect", LESSON)
    assert first.returncode == 0, first.stderr
    now = datetime.now(timezone.utc)
    # BEN hands in under ANA's name, answers that score nothing: her submission must stand
    forge(term, BEN, f"{ANA}+{LESSON}+{stamp(now + timedelta(seconds=5))}+forged",
          {ANSWERS: envelope({"t-g01": "A", "t-g02": "A"})}, {})
    # BEN links his answers to ANA's collected ones, which collect (as the grader) could read
    forge(term, BEN, f"{BEN}+{LESSON}+{stamp(now + timedelta(seconds=5))}+linked",
          {}, {ANSWERS: str(course / "submitted" / ANA / LESSON / ANSWERS)})
    # CY hands in every key, a day late, named and stamped as if before the due date
    backdated = stamp(now - timedelta(days=3))
    forge(term, CY, f"{CY}+{LESSON}+{backdated}+early", {ANSWERS: envelope(KEYED_ANSWERS), "timestamp.txt": backdated}, {})
    # ... and a newer entry whose answers file is /dev/zero, which would never end
    forge(term, CY, f"{CY}+{LESSON}+{stamp(now + timedelta(seconds=6))}+endless", {}, {ANSWERS: "/dev/zero"})
    second = nbgrader(course, "collect", LESSON, "--update")
    return term, first, second, now


def test_a_released_lesson_carries_the_kernels_language_info_and_nothing_else_changes(exchange_term):
    """KernelInfoReleaseAssignment: the copy in the exchange names the language_info this
    Python's kernel reports (the learners' kernels on a hub share it), so JupyterLab does not
    mark an untouched lesson changed; release/ itself is left as nbgrader made it."""
    import nbformat

    from peercourse.lab import kernel_language_info

    released = exchange_term["course"] / "release" / LESSON / f"{NOTEBOOK}.ipynb"
    outbound = exchange_term["exchange"] / COURSE_ID / "outbound" / LESSON / f"{NOTEBOOK}.ipynb"
    mine, theirs = nbformat.read(released, as_version=4), nbformat.read(outbound, as_version=4)
    assert mine.metadata.language_info == {"name": "python"}
    assert theirs.metadata.language_info == kernel_language_info()
    assert theirs.cells == mine.cells and theirs.metadata.kernelspec == mine.metadata.kernelspec
    assert oct(outbound.stat().st_mode & 0o777) == "0o644"  # the exchange's permissions, as nbgrader sets them


def test_every_forgery_is_refused_by_name_and_why(collected):
    term, first, second, _ = collected
    assert second.returncode == 0, second.stderr
    refused = sorted(line.split("Not collected: ", 1)[1] for line in second.stderr.splitlines() if "Not collected: " in line)
    assert refused, first.stderr + "\n----\n" + second.stderr + str(sorted(p.name for p in term["inbound"].iterdir()))
    assert [line.split("+", 1)[0] + " " + line.rsplit(": ", 1)[-1] for line in refused] == [
        f"{ANA} it names the learner '{ANA}' but belongs to '{BEN}'",
        f"{BEN} it holds a link, {ANSWERS}",
        f"{CY} it holds a link, {ANSWERS}",
    ]


def test_honest_submissions_stand_and_no_link_reaches_submitted(collected):
    term, _, _, _ = collected
    submitted = term["course"] / "submitted"
    assert ResponsesFile(submitted / ANA / LESSON / ANSWERS, NOTEBOOK).load().answers.keys() == {"t-g01", "t-g02"}
    ana = {k: v["value"] for k, v in ResponsesFile(submitted / ANA / LESSON / ANSWERS, NOTEBOOK).load().answers.items()}
    ben = {k: v["value"] for k, v in ResponsesFile(submitted / BEN / LESSON / ANSWERS, NOTEBOOK).load().answers.items()}
    assert (ana, ben) == (KEYED_ANSWERS, {"t-g01": "A"})
    assert [p for p in submitted.rglob("*") if p.is_symlink()] == []


def test_a_backdated_submission_counts_from_when_its_files_were_written(collected):
    term, _, second, now = collected
    handed_in = parse_utc((term["course"] / "submitted" / CY / LESSON / "timestamp.txt").read_text())
    assert abs(handed_in.replace(tzinfo=timezone.utc) - now) < timedelta(minutes=5)
    assert "is not when its files were written" in second.stderr
    done = nbgrader(term["course"], "autograde", LESSON)
    assert done.returncode == 0, done.stdout + done.stderr
    with Gradebook(f"sqlite:///{term['course'] / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        graded = {s.student_id: (s.score, s.late_submission_penalty) for s in gb.find_assignment(LESSON).submissions}
    # everyone handed in a day and a few seconds after the due date: 2 started days, 20% off;
    # CY's three days "early" count for nothing
    assert graded == {ANA: (4.0, 0.8), BEN: (0.0, 0.0), CY: (4.0, 0.8)}


def test_what_is_collected_is_private_to_the_grader(collected):
    term, _, _, _ = collected
    folder = term["course"] / "submitted" / ANA / LESSON
    modes = {p.relative_to(folder).as_posix(): oct(p.stat().st_mode & 0o7777) for p in [folder, *folder.rglob("*")]}
    assert modes == {".": "0o700", "tiny.ipynb": "0o600", ANSWERS: "0o600", "timestamp.txt": "0o600",
                     "tiny.items.yaml": "0o600", "submission_secret.txt": "0o600"}
