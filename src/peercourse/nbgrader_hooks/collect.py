"""`GuardedCollect`: nbgrader's collect for its default exchange, refusing what a learner
could forge there (`c.ExchangeFactory.collect` in nbgrader_config.py).

On a shared hub every learner can write into the exchange's inbound folder, and nbgrader's
collect believes what it finds: the learner id and the time in an entry's name, the
`timestamp.txt` inside, and the files, links included (it copies what a link points to,
as the grader). So a learner could hand in under a classmate's name, copy a classmate's
collected answers through a link, backdate a late submission, or stall collect with a link
to /dev/zero. Here, an inbound entry is collected only if:

- it is a folder, not a link or a file;
- on a system with accounts, it belongs to the learner its name gives (nbgrader only warns);
- it holds plain files and folders only: no link, pipe or device anywhere in it.

Anything else is not collected, with a message naming it and why; every other learner is
collected as usual, and their newest acceptable submission is the one chosen. And the time
a submission counts as handed in is never earlier than when its files were written (their
change times, which no learner can set back): a backdated name or timestamp.txt is
replaced by that time, with a warning, and `timestamp.txt` in submitted/ says it. What is
collected is made private to the grader (folders 0700, files 0600), whatever modes the
learner gave it.
"""
from __future__ import annotations

import glob
import os
import shutil
import stat
import sys
from datetime import datetime, timedelta, timezone

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import check_mode, ignore_patterns, parse_utc
from traitlets import Float


def _owner(uid: int) -> str:
    if sys.platform == "win32":
        return ""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user id {uid}"


def inspect_entry(path: str) -> tuple[str | None, datetime | None]:
    """(why this inbound entry must not be copied, or None; when its content was last
    written). Refused: a link, a file, or anything in it that is not a plain file or folder.
    Written: the latest change time in it (change times follow every write and cannot be
    set back by the file's owner); None when refused."""
    top = os.lstat(path)
    if stat.S_ISLNK(top.st_mode):
        return "it is a link, not a folder", None
    if not stat.S_ISDIR(top.st_mode):
        return "it is not a folder", None
    latest = top.st_ctime
    for directory, folders, files in os.walk(path):
        for name in folders + files:
            found = os.lstat(os.path.join(directory, name))
            if not (stat.S_ISDIR(found.st_mode) or stat.S_ISREG(found.st_mode)):
                kind = "a link" if stat.S_ISLNK(found.st_mode) else "a special file"
                return f"it holds {kind}, {os.path.relpath(os.path.join(directory, name), path)}", None
            latest = max(latest, found.st_ctime)
    return None, datetime.fromtimestamp(latest, timezone.utc)


def private(folder: str, groupshared: bool = False) -> None:
    """A collected submission is the grader's to read: folders 0700 and files 0600 (0770 and
    0660 where graders share a group), whatever modes the learner gave them; nbgrader keeps
    the learner's modes, so a collected folder could be left open to every account."""
    dirs, files = (0o2770, 0o660) if groupshared else (0o700, 0o600)
    for directory, _, names in os.walk(folder):
        os.chmod(directory, dirs)
        for name in names:
            os.chmod(os.path.join(directory, name), files)


class GuardedCollect(ExchangeCollect):
    """nbgrader's collect, collecting only entries a learner cannot have forged."""

    timestamp_tolerance = Float(
        300.0,
        help="Seconds a submission's stated time may be earlier than when its files were written "
        "(submit names the entry before it copies the files). Earlier than that, the written time is used.",
    ).tag(config=True)

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        # "*" (nbgrader's default) means every learner; any other id is matched literally
        student = self.coursedir.student_id
        student = "*" if student in ("", "*") else glob.escape(student)
        pattern = os.path.join(self.inbound_path, f"{student}+{glob.escape(self.coursedir.assignment_id)}+*")
        self.refused = []
        records = []
        for path in sorted(glob.glob(pattern)):
            record, problem = self._checked_record(path)
            if problem:
                self.refused.append((os.path.basename(path), problem))
                self.log.error("Not collected: %s: %s", os.path.basename(path), problem)
            else:
                records.append(record)

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for group in groupby(records, lambda item: item["username"]).values():
            newest_first = self._sort_by_timestamp(group)
            chosen = newest_first[0]
            if self.duedate is not None and self.before_duedate:
                on_time = [record for record in newest_first if record["timestamp"] <= self.duedate]
                chosen = on_time[0] if on_time else chosen
            self.src_records.append(chosen)

    def _checked_record(self, path: str) -> tuple[dict | None, str | None]:
        name = os.path.basename(path)
        parts = name.rsplit("+", 3)
        if len(parts) < 3:
            return None, "its name is not learner+lesson+time"
        username, stated = parts[0], parts[2]
        try:
            stated_time = parse_utc(stated)
        except (ValueError, OverflowError, TypeError):
            return None, f"its time {stated!r} cannot be read"
        try:
            problem, written = inspect_entry(path)
            if problem is None and self.check_owner and sys.platform != "win32":
                owner = _owner(os.lstat(path).st_uid)
                if owner != username:
                    problem = f"it names the learner {username!r} but belongs to {owner!r}"
        except OSError as error:
            return None, f"it could not be read ({error.strerror})"
        if problem:
            return None, problem
        as_utc = stated_time.replace(tzinfo=timezone.utc)  # parse_utc gives naive UTC
        if as_utc < written - timedelta(seconds=self.timestamp_tolerance) or as_utc > written + timedelta(seconds=60):
            self.log.warning("%s: its stated time %s is not when its files were written (%s); using the latter",
                             name, as_utc.isoformat(timespec="seconds"), written.isoformat(timespec="seconds"))
            as_utc = written
        # nbgrader compares naive UTC times (parse_utc's result, the gradebook's due dates)
        return {"username": username, "filename": name, "timestamp": as_utc.replace(tzinfo=None)}, None

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy with its size and file limits, but links are never followed: they
        are copied as links, then any found (a file swapped for one since the check) means
        the submission is not collected."""
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is {1000 * self.coursedir.max_dir_size}")
        shutil.copytree(src, dest, symlinks=True, ignore=ignore_patterns(
            exclude=self.coursedir.ignore, include=self.coursedir.include, max_file_size=self.coursedir.max_file_size,
            log=self.log))
        problem, _ = inspect_entry(dest)
        if problem:
            shutil.rmtree(dest)
            self.refused.append((os.path.basename(src), problem))
            self.log.error("Not collected: %s: %s", os.path.basename(src), problem)
            return
        private(dest, self.coursedir.groupshared)
        record = next(r for r in self.src_records if r["filename"] == os.path.basename(src))
        stamp = record["timestamp"].replace(tzinfo=timezone.utc).strftime(self.timestamp_format)
        with open(os.path.join(dest, "timestamp.txt"), "w", encoding="utf-8") as out:
            out.write(stamp)  # the time collect trusts, not the learner's own file
