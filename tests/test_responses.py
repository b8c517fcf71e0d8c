import json
import os
import stat

import pytest

from peercourse.responses import ResponsesError, ResponsesFile, ResponsesSettings

MAX_BYTES = 1_000_000  # the documented default (docs/instructors.md)

from conftest import SAVED_AT


@pytest.fixture
def rf(tmp_path, fixed_clock):
    return ResponsesFile(tmp_path / "demo.responses.json", "demo")


def test_a_missing_file_is_an_empty_one_and_reading_writes_nothing(rf, tmp_path):
    loaded = rf.load()
    assert (loaded.answers, loaded.problem) == ({}, None)
    assert list(tmp_path.iterdir()) == []


def test_the_file_is_readable_json_with_a_schema_version(rf):
    rf.save("q1", "B")
    assert json.loads(rf.path.read_text()) == {
        "kind": "peercourse-responses",
        "schema": 1,
        "lesson": "demo",
        "answers": {"q1": {"value": "B", "saved": SAVED_AT}},
    }


def test_the_file_is_readable_by_its_owner_only(rf):
    rf.save("q1", "B")
    assert stat.S_IMODE(rf.path.stat().st_mode) == 0o600


def test_two_open_copies_add_to_each_other_instead_of_erasing(rf):
    other_copy = ResponsesFile(rf.path, "demo")
    rf.save("q1", "B")
    other_copy.save("q2", ["A", "C"])
    rf.save("q3", {"most": "A", "least": "D"})
    assert {k: v["value"] for k, v in rf.load().answers.items()} == {
        "q1": "B", "q2": ["A", "C"], "q3": {"most": "A", "least": "D"}}


def test_changing_an_answer_replaces_only_that_answer(rf):
    rf.save_many({"q1": "B", "q2": "C"})
    rf.save("q1", "D")
    assert {k: v["value"] for k, v in rf.load().answers.items()} == {"q1": "D", "q2": "C"}


DAMAGED = [
    (b"", "demo.responses.json is empty."),
    (b"{not json", "demo.responses.json is not valid JSON"),
    (b"\xff\xfe\x00garbage", "demo.responses.json is not UTF-8 text."),
    (b"[1, 2, 3]", "demo.responses.json is not a course responses file."),
    (json.dumps({"kind": "peercourse-responses", "schema": 2, "lesson": "demo", "answers": {}}).encode(),
     "demo.responses.json has schema 2; this course reads schema 1."),
    (json.dumps({"kind": "peercourse-responses", "schema": 1, "lesson": "other", "answers": {}}).encode(),
     "demo.responses.json holds answers for the lesson 'other', not 'demo'."),
    (json.dumps({"kind": "peercourse-responses", "schema": 1, "lesson": "demo", "answers": {"q1": "B"}}).encode(),
     "demo.responses.json has an answers section of the wrong shape."),
    (b"[" * 5000 + b"]" * 5000, "demo.responses.json is not valid JSON (it is nested too deeply)."),
    (b'{"kind": "peercourse-responses", "schema": 1, "lesson": "demo", "answers": {"q1": {"value": NaN}}}',
     "demo.responses.json is not valid JSON (NaN is not a number JSON allows)."),
    (b'{"kind": "peercourse-responses", "schema": 1, "lesson": "demo", "answers": {"q1": {"value": "\\ud800"}}}',
     "demo.responses.json holds text that is not valid Unicode."),
    (json.dumps({"kind": "peercourse-responses", "schema": True, "lesson": "demo", "answers": {}}).encode(),
     "demo.responses.json has schema True; this course reads schema 1."),
]


@pytest.mark.parametrize("content, problem", DAMAGED)
def test_a_damaged_file_is_reported_then_kept_aside_at_the_next_save(rf, tmp_path, content, problem):
    rf.path.write_bytes(content)
    loaded = rf.load()
    assert loaded.answers == {} and loaded.problem.startswith(problem)
    assert rf.path.read_bytes() == content  # reading never touches it
    note = rf.save("q1", "A")
    kept = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(kept) == 1 and kept[0].name.startswith("demo.responses.damaged-") and kept[0].suffix == ".json"
    assert kept[0].read_bytes() == content
    assert note == f"{loaded.problem} It was kept as {kept[0].name}; a fresh file was started."
    assert {k: v["value"] for k, v in rf.load().answers.items()} == {"q1": "A"}


def test_an_oversized_file_is_reported_not_read(rf):
    rf.path.write_bytes(b" " * (MAX_BYTES + 1))
    assert rf.load().problem == f"demo.responses.json is {MAX_BYTES + 1:,} bytes, over the {MAX_BYTES:,}-byte limit."


def test_an_answer_that_would_pass_the_size_limit_is_refused_and_nothing_changes(rf):
    rf.save("q1", "B")
    before = rf.path.read_bytes()
    with pytest.raises(ResponsesError, match="larger than 1,000,000 bytes; please shorten it"):
        rf.save("q2", "x" * MAX_BYTES)
    assert rf.path.read_bytes() == before


def test_a_failed_write_leaves_the_previous_file_whole_and_no_temporary_files(rf, tmp_path, monkeypatch):
    rf.save("q1", "B")
    before = rf.path.read_bytes()

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ResponsesError, match=r"demo.responses.json could not be written \(No space left on device\)"):
        rf.save("q2", "C")
    assert rf.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".demo.responses.json.lock", "demo.responses.json"]


# -- answers are never lost ---------------------------------------------------------------

def _write_many(path, prefix, count):
    """Runs in its own process: one open copy of a notebook saving answer after answer."""
    writer = ResponsesFile(path, "demo")
    for n in range(count):
        writer.save(f"{prefix}-{n}", n)


def test_two_processes_saving_at_once_lose_no_answer(tmp_path):
    import multiprocessing

    path = tmp_path / "demo.responses.json"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(path, prefix, 150)) for prefix in ("left", "right")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    answers = ResponsesFile(path, "demo").load().answers
    assert {k: v["value"] for k, v in answers.items()} == {
        f"{prefix}-{n}": n for prefix in ("left", "right") for n in range(150)}


KILLED_WRITER = """
import os, sys, time
from peercourse.responses import ResponsesFile
real_fsync = os.fsync
def slow_fsync(fd):  # a slow disk: the half-written temporary file lives most of each save
    time.sleep(0.03)
    real_fsync(fd)
os.fsync = slow_fsync
writer = ResponsesFile(sys.argv[1], "demo")
n = 0
print("ready", flush=True)
while True:  # until killed: three answers rewritten in turn keep the file near 600 kB, under the limit
    writer.save(f"item-{n % 3}", f"{n}:" + "x" * 200_000)
    n += 1
"""


def test_a_writer_killed_mid_write_leaves_the_previous_file_whole(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "demo.responses.json"
    ResponsesFile(path, "demo").save("first", "kept")
    cut_off = 0  # kills that caught a write half done (its temporary file left behind)
    for attempt in range(40):
        writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline() == "ready\n"
        time.sleep(0.05 + 0.013 * attempt)
        assert writer.poll() is None  # still writing when killed
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        cut_off += any(tmp_path.glob(".demo.responses.json.*.tmp"))
        loaded = ResponsesFile(path, "demo").load()
        assert loaded.problem is None
        assert loaded.answers["first"]["value"] == "kept"
        for key, entry in loaded.answers.items():  # every answer on disk is a whole one
            if key != "first":
                number, padding = entry["value"].split(":")
                assert int(number) % 3 == int(key.split("-")[1]) and padding == "x" * 200_000
        if cut_off >= 3 and attempt >= 9:
            break
    assert cut_off >= 3, "no kill landed in the middle of a write"
    ResponsesFile(path, "demo").save("after", "ok")  # the next save clears what the kills left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".demo.responses.json.lock", "demo.responses.json"]


def _limited(tmp_path, **settings) -> ResponsesFile:
    from traitlets.config import Config

    return ResponsesFile(tmp_path / "demo.responses.json", "demo", ResponsesSettings(config=Config(ResponsesSettings=settings)))


def test_a_configured_size_limit_is_the_one_applied_on_reading_and_saving(tmp_path):
    rf = _limited(tmp_path, max_bytes=2_000)
    rf.save("q1", "x" * 1_800)  # under 2,000 bytes with the file's own fields
    with pytest.raises(ResponsesError, match="larger than 2,000 bytes; please shorten it"):
        rf.save("q2", "x" * 300)
    rf.path.write_bytes(b" " * 2_001)
    assert rf.load().problem == "demo.responses.json is 2,001 bytes, over the 2,000-byte limit."


def test_a_save_waits_the_configured_time_for_another_copy_then_says_so(tmp_path):
    from filelock import FileLock

    rf = _limited(tmp_path, lock_timeout=0.2)
    with FileLock(str(tmp_path / ".demo.responses.json.lock")):  # another open copy is saving
        with pytest.raises(ResponsesError, match="another copy of this notebook kept the answers file busy"):
            rf.save("q1", "A")
    assert not rf.path.exists()  # nothing half-written
    rf.save("q1", "A")  # once the other copy is done, saving works again
    assert rf.load().answers["q1"]["value"] == "A"


def test_kernels_read_the_limits_from_ipythons_own_configuration(tmp_path):
    """A real kernel, configured as an instructor would (ipython_kernel_config.py), gives
    every answers file it opens the configured limits."""
    from jupyter_client.manager import start_new_kernel

    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(
        "c.ResponsesSettings.max_bytes = 4321\nc.ResponsesSettings.lock_timeout = 2.5\n"
    )
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")}
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    printed = []
    try:
        client.execute_interactive(
            "from peercourse.responses import ResponsesFile\n"
            "rf = ResponsesFile('demo.responses.json', 'demo')\n"
            "print(rf.settings.max_bytes, rf.settings.lock_timeout)",
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
            timeout=60,
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert "".join(printed) == "4321 2.5\n"
    assert ResponsesFile(tmp_path / "x.responses.json", "x").settings.max_bytes == MAX_BYTES  # no kernel: defaults
