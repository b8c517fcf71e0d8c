"""A whole term of Lesson 1 on a live JupyterHub, set up by deploy/setup-hub.sh as an
instructor would set one up, with a grader and three learners who are real Linux accounts.

The hub runs on loopback with the course's own configuration (PAM logins, each server as its
user's own account). Everything the people do goes through the hub: the REST API starts their
servers; learners fetch, submit and fetch feedback through the Assignments panel's own API and
answer by driving the lesson's widgets in their own kernels; the grader runs nbgrader and
`peercourse autograde` in a kernel of theirs, as in a Terminal, and gives rubric points through
formgrader's API. At each step every learner, from their own kernel, tries to read, change and
move everything of the others' (answers files, notebooks with outputs, nbgrader's cache,
submissions, feedback, the gradebook, the grader's source/), and replays the exchange attacks
of issue 12. One fixture runs the term and records what it saw; the tests read the record.

Needs root (it creates accounts and groups, removed afterwards); skipped without root,
except under PEERCOURSE_CI=1, where it must run."""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ROOT, free_port, need_root, wait_for

pytestmark = [pytest.mark.hub, pytest.mark.pipeline]

GRADER = "pch-gina"
ANA, BEN, CY = LEARNERS = ("pch-ana", "pch-ben", "pch-cy")
GROUPS = {"learners": "pch-learners", "graders": "pch-graders"}
COURSE_ID = "ca-peer-support"
LESSON, NOTEBOOK = "lesson-1", "lived-experience"
ANSWERS = f"{NOTEBOOK}.responses.json"
GRADER_PASSWORD = secrets.token_urlsafe(16)
LEARNER_PASSWORD = secrets.token_urlsafe(16)
# CY's reflection for l1-r01: plenty of real words of her own, most of them different
REFLECTION = (
    "When my neighbor lost her job last winter, I mostly listened while she talked through "
    "what scared her. Later I mentioned, briefly, that I had once faced a similar setback and "
    "found a food pantry helpful. She asked how I managed rent, so I answered that question "
    "only, then turned back to what she wanted for herself next week."
)


def _remove_accounts():
    for name in (GRADER, *LEARNERS):
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        # pgrep: 0 while any process of theirs is left, 1 once none is, 2 if there is no such user
        wait_for(lambda: subprocess.run(["pgrep", "-u", name], capture_output=True).returncode != 0,
                  f"{name}'s processes to end", timeout=30)
        subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
    for group in GROUPS.values():
        subprocess.run(["groupdel", group], capture_output=True)


class Kernel:
    """One kernel on a user's own server, driven over the server's websocket, as JupyterLab does."""

    def __init__(self, user: "HubUser"):
        import websocket

        self.user = user
        made = user.server("POST", "api/kernels", json={"name": "python3"})
        assert made.status_code == 201, made.text
        self.id = made.json()["id"]
        self.session = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{user.hub.port}/user/{user.name}/api/kernels/{self.id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {user.token}"], timeout=300)

    def run(self, code: str) -> str:
        """Run code; return what it printed. An error in the kernel fails the test, with its traceback."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user.name, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, error, replied, idle = [], None, False, False
        while not (replied and idle):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                error = "\n".join(msg["content"]["traceback"])
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        assert error is None, f"{self.user.name}'s kernel: {error}"
        return "".join(out)

    def run_json(self, code: str):
        return json.loads(self.run(code).strip().splitlines()[-1])

    def close(self):
        self.ws.close()


class HubUser:
    def __init__(self, hub: "Hub", name: str):
        self.hub, self.name = hub, name
        self.home = Path(pwd.getpwnam(name).pw_dir)
        self.token = None
        self._kernel = None

    def start(self):
        started = self.hub.api("POST", f"users/{self.name}/server")
        assert started.status_code in (201, 202), started.text
        def ready():
            model = self.hub.api("GET", f"users/{self.name}").json()
            return model["server"] and not model["pending"]

        wait_for(ready, f"{self.name}'s server")
        if self.token is None:
            made = self.hub.api("POST", f"users/{self.name}/tokens", json={"note": "term test", "expires_in": 3600})
            assert made.status_code == 201, made.text
            self.token = made.json()["token"]
        wait_for(lambda: self.server("GET", "api/status").status_code == 200, f"{self.name}'s server to answer")

    def stop(self):
        if self._kernel:
            self._kernel.close()
            self._kernel = None
        stopped = self.hub.api("DELETE", f"users/{self.name}/server")
        assert stopped.status_code in (202, 204), stopped.text
        wait_for(lambda: not self.hub.api("GET", f"users/{self.name}").json()["server"], f"{self.name}'s server to stop")

    def server(self, method: str, path: str, **kwargs):
        """A request to this user's own server, as this user."""
        import requests

        return requests.request(method, f"{self.hub.url}/user/{self.name}/{path}",
                                headers={"Authorization": f"token {self.token}"}, timeout=300, **kwargs)

    @property
    def kernel(self) -> Kernel:
        if self._kernel is None:
            self._kernel = Kernel(self)
        return self._kernel

    def shell(self, *argv: str, cwd: str = "~", check: bool = True) -> dict:
        """A command in this user's kernel, as they would type it in a Terminal; it must succeed if check."""
        done = self.kernel.run_json(
            "import json, os, subprocess\n"
            f"_done = subprocess.run({list(argv)!r}, cwd=os.path.expanduser({cwd!r}), capture_output=True, text=True)\n"
            "print(json.dumps({'rc': _done.returncode, 'out': _done.stdout, 'err': _done.stderr}))\n"
        )
        assert done["rc"] == 0 or not check, f"{self.name}: {' '.join(argv)}\n{done['out']}\n{done['err']}"
        return done


class Hub:
    def __init__(self, base: Path):
        self.base = base
        self.prefix, self.etc, self.state = base / "prefix", base / "etc", base / "state"
        self.exchange = base / "exchange"
        self.port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_token = secrets.token_hex(32)
        self.process = None

    def setup(self, roster: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(ROOT / "deploy" / "setup-hub.sh"), "--grader", GRADER, "--learners", str(roster),
             "--prefix", str(self.prefix), "--etc", str(self.etc), "--state", str(self.state),
             "--exchange", str(self.exchange), "--course-id", COURSE_ID, "--ip", "127.0.0.1",
             "--port", str(self.port), "--hub-port", str(self.hub_port), "--proxy-api-port", str(self.proxy_api_port),
             "--learners-group", GROUPS["learners"], "--graders-group", GROUPS["graders"], "--no-service"],
            capture_output=True, text=True)

    def start(self):
        # the test's own service: it starts servers and makes each user a token, nothing more
        (self.etc / "jupyterhub_config.d" / "90-term-test.py").write_text(
            f"c.JupyterHub.services = [{{'name': 'term-test', 'api_token': {self.service_token!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'term-test', 'services': ['term-test'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'tokens']}]\n")
        self.log = open(self.base / "hub.log", "w")
        self.process = subprocess.Popen(
            [str(self.prefix / "venv" / "bin" / "jupyterhub"), "-f", str(self.etc / "jupyterhub_config.py")],
            cwd=self.state, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.api("GET", "").status_code == 200, "the hub to answer")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def api(self, method: str, path: str, **kwargs):
        import requests

        return requests.request(method, f"{self.url}/hub/api/{path}",
                                headers={"Authorization": f"token {self.service_token}"}, timeout=120, **kwargs)


# -- what each learner tries against everyone else's things ----------------------------------

PROBE = r'''
import json, os
found = []
for path, kind in json.loads({targets!r}):
    if kind in ("private", "unlistable"):
        try:
            if os.path.isdir(path) or kind == "unlistable":
                os.listdir(path)
            else:
                open(path, "rb").close()
            found.append(["read", path])
        except OSError:
            pass
    if kind == "private":
        try:
            if os.path.isdir(path):
                probe = os.path.join(path, ".probe-" + os.environ["USER"])
                open(probe, "x").close()
                os.remove(probe)
            else:
                with open(path, "ab"):
                    pass
            found.append(["write", path])
        except OSError:
            pass
    try:
        os.rename(path, path + ".moved")
        os.rename(path + ".moved", path)
        found.append(["move", path])
    except OSError:
        pass
print(json.dumps(found))
'''


def _tree(top: Path):
    for folder, dirs, files in os.walk(top):
        yield Path(folder)
        for name in files:
            yield Path(folder) / name


def targets_for(hub: Hub, learner: str) -> list[list[str]]:
    """Everything of the others' that a learner must neither read nor change nor move: the
    homes of the other learners and the grader (course directory, gradebook, source/,
    submitted/, autograded/, feedback/, nbgrader's caches with their secrets, saved
    notebooks), the exchange's inbound and feedback folders (no listing) and every other
    learner's inbound entry (no moving). Entries and feedback files stay readable by their
    full names, which hold random parts no learner can list or work out."""
    found = []
    for other in (GRADER, *LEARNERS):
        if other != learner:
            found += [[str(path), "private"] for path in _tree(Path(pwd.getpwnam(other).pw_dir))]
    course_exchange = hub.exchange / COURSE_ID
    found += [[str(course_exchange / "inbound"), "unlistable"], [str(course_exchange / "feedback"), "unlistable"]]
    if (course_exchange / "inbound").exists():
        mine = pwd.getpwnam(learner).pw_uid
        found += [[str(entry), "fixed"] for entry in (course_exchange / "inbound").iterdir()
                  if entry.lstat().st_uid != mine]
    return found


def sweep(hub: Hub, users: dict, step: str, record: dict) -> None:
    for learner in LEARNERS:
        targets = targets_for(hub, learner)
        record.setdefault("probed", {}).setdefault(step, {})[learner] = [path for path, _ in targets]
        got = users[learner].kernel.run_json(PROBE.format(targets=json.dumps(targets)))
        record.setdefault("breaches", []).extend(f"{step}: {learner} could {what} {path}" for what, path in got)


# -- the term ---------------------------------------------------------------------------------

def answer(user: HubUser, choices: dict, reflection: str | None = None, outputs: bool = True) -> None:
    """The learner opens the lesson and answers by driving its widgets in their own kernel,
    then saves the notebook with outputs (Run All and save), through their server."""
    code = (
        "import os\n"
        f"os.chdir(os.path.expanduser('~/{LESSON}'))\n"
        "from peercourse import open_lesson\n"
        f"lesson = open_lesson({NOTEBOOK!r})\n"
    )
    for item, value in choices.items():
        code += f"lesson.view({item!r}).controls[0].value = {value!r}\n"
    if reflection:
        code += f"lesson.view('l1-r01').controls[0].value = {reflection!r}\n"
    user.kernel.run(code)
    if outputs:
        path = f"api/contents/{LESSON}/{NOTEBOOK}.ipynb"
        model = user.server("GET", path).json()
        recorded = {"output_type": "stream", "name": "stdout", "text": f"recorded: {json.dumps(choices)} {reflection or ''}"}
        code_cell = next(cell for cell in model["content"]["cells"] if cell["cell_type"] == "code")
        code_cell["outputs"] = [recorded]
        saved = user.server("PUT", path, json={"type": "notebook", "format": "json", "content": model["content"]})
        assert saved.status_code == 200, saved.text


def forge(user: HubUser, hub: Hub, entry: str, answers: dict | None, links: dict, timestamp: str | None = None) -> None:
    """A learner writes an inbound entry by hand, from their own kernel, readable by the grader."""
    user.kernel.run(
        "import json, os, shutil\n"
        f"entry = {str(hub.exchange / COURSE_ID / 'inbound' / entry)!r}\n"
        "os.mkdir(entry)\n"
        f"shutil.copy(os.path.expanduser('~/{LESSON}/{NOTEBOOK}.ipynb'), entry)\n"
        f"answers, links, stamp = {answers!r}, {links!r}, {timestamp!r}\n"
        "if answers is not None:\n"
        f"    envelope = {{'kind': 'peercourse-responses', 'schema': 1, 'lesson': {NOTEBOOK!r},\n"
        "                'answers': {k: {'value': v, 'saved': '2020-01-01T00:00:00+00:00'} for k, v in answers.items()}}\n"
        f"    open(os.path.join(entry, {ANSWERS!r}), 'w').write(json.dumps(envelope))\n"
        "if stamp:\n"
        "    open(os.path.join(entry, 'timestamp.txt'), 'w').write(stamp)\n"
        "for name, target in links.items():\n"
        "    os.symlink(target, os.path.join(entry, name))\n"
        "for folder, dirs, files in os.walk(entry):\n"
        "    os.chmod(folder, 0o755)\n"
        "    for name in files:\n"
        "        if not os.path.islink(os.path.join(folder, name)):\n"
        "            os.chmod(os.path.join(folder, name), 0o644)\n"
    )


def _assignments(user: HubUser, action: str) -> dict:
    done = user.server("POST", f"assignments/{action}", json={"assignment_id": LESSON, "course_id": COURSE_ID})
    assert done.status_code == 200, f"{user.name} {action}: {done.status_code} {done.text}"
    return done.json()


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@pytest.fixture(scope="module")
def term():
    need_root("the live-hub tests")
    login_defs = Path("/etc/login.defs").read_text()
    _remove_accounts()  # left over from an interrupted run
    base = Path(tempfile.mkdtemp(prefix="peercourse-hub-"))
    base.chmod(0o755)  # the hub's environment and learners' settings live under it
    hub = Hub(base)
    users = {}
    record = {}
    try:
        roster = base / "roster.txt"
        roster.write_text("# the course's learners, one a line\n" + "\n".join(LEARNERS) + "\n")
        record["setup"] = hub.setup(roster)
        assert record["setup"].returncode == 0, record["setup"].stdout + record["setup"].stderr
        record["rerun"] = hub.setup(roster)  # a second run changes nothing and fails nothing
        assert record["rerun"].returncode == 0, record["rerun"].stdout + record["rerun"].stderr
        subprocess.run(["chpasswd"], input=f"{GRADER}:{GRADER_PASSWORD}\n{ANA}:{LEARNER_PASSWORD}\n",
                       text=True, check=True)
        hub.start()
        for name in (GRADER, *LEARNERS):
            assert hub.api("POST", f"users/{name}").status_code == 201
            users[name] = HubUser(hub, name)
            users[name].start()
        grader = users[GRADER]
        record["homes"] = {name: oct(users[name].home.stat().st_mode & 0o777) for name in users}
        sweep(hub, users, "before release", record)

        # the grader releases Lesson 1 (in a kernel of theirs, as in a Terminal)
        due = datetime.now(timezone.utc) + timedelta(days=7)
        for name in LEARNERS:
            record.setdefault("grader", []).append(grader.shell("nbgrader", "db", "student", "add", name, cwd="~/peer-course"))
        for argv in (("nbgrader", "db", "assignment", "add", LESSON, f"--duedate={_stamp(due)}"),
                     ("nbgrader", "generate_assignment", LESSON, "--force"),
                     ("nbgrader", "release_assignment", LESSON)):
            record["grader"].append(grader.shell(*argv, cwd="~/peer-course"))

        # learners fetch from the Assignments panel, answer, save, and submit
        record["listed"] = {name: users[name].server("GET", f"assignments?course_id={COURSE_ID}").json()
                            for name in LEARNERS}
        record["fetched"] = {}
        for name in LEARNERS:
            listed = _assignments(users[name], "fetch")  # the panel's list after the fetch
            record["fetched"][name] = [(a["assignment_id"], a["status"]) for a in listed["value"]]
            assert record["fetched"][name] == [(LESSON, "fetched")], listed
        # what the fetched lesson says of its kernel, and what the learner's kernel reports
        record["language_info"] = users[ANA].kernel.run_json(
            "import json, os\n"
            f"kept = json.load(open(os.path.expanduser('~/{LESSON}/{NOTEBOOK}.ipynb')))['metadata']['language_info']\n"
            "print(json.dumps([kept, get_ipython().kernel.language_info]))")
        answer(users[ANA], {"l1-g01": "D", "l1-g02": "C"})  # both keys: 4 points
        answer(users[BEN], {"l1-g01": "A"})  # not the key: 0
        answer(users[CY], {"l1-g01": "D"})  # her first go: 2 points
        for name in LEARNERS:  # a notebook of their own, from JupyterLab's New Notebook
            made = users[name].server("POST", "api/contents", json={"type": "notebook"})
            assert made.status_code == 201, made.text
        record["own_modes"] = {
            name: {rel: oct((users[name].home / rel).stat().st_mode & 0o777) for rel in (f"{LESSON}/{ANSWERS}", "Untitled.ipynb")}
            for name in LEARNERS}
        sweep(hub, users, "answered", record)
        for name in LEARNERS:
            _assignments(users[name], "submit")
        record["collect"] = grader.shell("nbgrader", "collect", LESSON, cwd="~/peer-course")
        sweep(hub, users, "submitted", record)

        # the attacks of issue 12, from the learners' own kernels, after the first collect
        now = datetime.now(timezone.utc)
        collected_ana = grader.home / "peer-course" / "submitted" / ANA / LESSON / ANSWERS
        forge(users[BEN], hub, f"{ANA}+{LESSON}+{_stamp(now)}+forged", {"l1-g01": "A", "l1-g02": "A"}, {})
        forge(users[BEN], hub, f"{BEN}+{LESSON}+{_stamp(now)}+linked", None, {ANSWERS: str(collected_ana)})
        forge(users[BEN], hub, f"{BEN}+{LESSON}+{_stamp(now)}+endless", None, {ANSWERS: "/dev/zero"})
        # CY's second go, every key she knows and her reflection, named and stamped as of 2020
        backdated = _stamp(datetime(2020, 1, 1, tzinfo=timezone.utc))
        answer(users[CY], {"l1-g02": "C"}, REFLECTION, outputs=False)
        forge(users[CY], hub, f"{CY}+{LESSON}+{backdated}+early",
              {"l1-g01": "D", "l1-g02": "C", "l1-r01": REFLECTION}, {}, timestamp=backdated)
        record["forged_at"] = now
        sweep(hub, users, "forged", record)
        record["collect_again"] = grader.shell("nbgrader", "collect", "--update", LESSON, cwd="~/peer-course")
        record["autograde"] = grader.shell("peercourse", "autograde", LESSON, "--jobs", "2", cwd="~/peer-course")
        sweep(hub, users, "autograded", record)

        # a rubric score, through formgrader's own API, as the formgrader page gives it
        notebooks = grader.server("GET", f"formgrader/api/submitted_notebooks/{LESSON}/{NOTEBOOK}")
        assert notebooks.status_code == 200, notebooks.text
        (cy_notebook,) = [nb for nb in notebooks.json() if nb["student"] == CY]
        grades = grader.server("GET", f"formgrader/api/grades?submission_id={cy_notebook['id']}").json()
        record["manual_grades"] = sorted(g["name"] for g in grades if g["auto_score"] is None)
        (rubric,) = [g for g in grades if g["auto_score"] is None and "r01" in g["name"]]
        given = grader.server("PUT", f"formgrader/api/grade/{rubric['id']}",
                              json={"id": rubric["id"], "manual_score": 2})
        assert given.status_code == 200, given.text
        record["rubric_given"] = given.json()

        grader.shell("nbgrader", "generate_feedback", LESSON, "--force", cwd="~/peer-course")
        # CY's collected entry was written by hand, without nbgrader's submission secret: her
        # feedback cannot go through the exchange, and must not hold back the others'
        record["release_feedback"] = grader.shell("nbgrader", "release_feedback", LESSON, cwd="~/peer-course", check=False)
        for name in LEARNERS:
            _assignments(users[name], "fetch_feedback")
        record["feedback_text"] = {
            name: users[name].kernel.run_json(
                "import glob, json, os\n"
                f"print(json.dumps([open(p).read() for p in glob.glob(os.path.expanduser('~/{LESSON}/feedback/*/*.html'))]))")
            for name in LEARNERS}
        sweep(hub, users, "feedback", record)

        # what each server offers: formgrader for the grader only, even if a learner asks for it
        record["formgrader"] = {name: users[name].server("GET", "formgrader/api/status").status_code for name in users}
        users[BEN].kernel.run(
            "import json, os\n"
            "wanted = {'ServerApp': {'jpserver_extensions': {'nbgrader.server_extensions.formgrader': True,\n"
            "                                                 'nbgrader.server_extensions.course_list': True}}}\n"
            "for folder in ('~/.jupyter', '~/.local/etc/jupyter'):\n"
            "    os.makedirs(os.path.expanduser(folder), exist_ok=True)\n"
            "    open(os.path.expanduser(folder + '/jupyter_server_config.json'), 'w').write(json.dumps(wanted))\n"
            "    os.makedirs(os.path.expanduser(folder + '/labconfig'), exist_ok=True)\n"
            "    open(os.path.expanduser(folder + '/labconfig/page_config.json'), 'w').write(\n"
            "        json.dumps({'disabledExtensions': {'@jupyter/nbgrader:formgrader': False}}))\n")
        users[BEN].stop()
        users[BEN].start()
        record["formgrader_after_asking"] = users[BEN].server("GET", "formgrader/api/status").status_code
        record["lab_page"] = {name: users[name].server("GET", "lab").text for name in (GRADER, BEN)}
        record["csp"] = users[GRADER].server("GET", "lab").headers.get("Content-Security-Policy")
        record["package"] = users[ANA].kernel.run_json(
            "import json, peercourse, sys\n"
            "print(json.dumps({'file': peercourse.__file__, 'path': sys.path}))")

        # logging in with a password, as people do: the grader's home page links formgrader
        record["home_pages"] = {}
        for name, password in ((GRADER, GRADER_PASSWORD), (ANA, LEARNER_PASSWORD)):
            import requests

            with requests.Session() as browser:
                browser.get(f"{hub.url}/hub/login", timeout=60)
                logged = browser.post(f"{hub.url}/hub/login?next=/hub/home", timeout=60, data={
                    "username": name, "password": password, "_xsrf": browser.cookies.get("_xsrf")})
                record["home_pages"][name] = (logged.status_code, logged.url, logged.text)
        with requests.Session() as browser:
            browser.get(f"{hub.url}/hub/login", timeout=60)
            wrong = browser.post(f"{hub.url}/hub/login", timeout=60, data={
                "username": ANA, "password": GRADER_PASSWORD, "_xsrf": browser.cookies.get("_xsrf")})
            record["wrong_password"] = (wrong.status_code, wrong.url)
        yield hub, users, record
    finally:
        for user in users.values():
            if user._kernel:
                user._kernel.close()
        hub.stop()
        if (base / "hub.log").exists():  # the hub's and the servers' log, for a failed run
            (ROOT / "test-artifacts").mkdir(exist_ok=True)
            shutil.copy(base / "hub.log", ROOT / "test-artifacts" / "hub.log")
        _remove_accounts()
        Path("/etc/login.defs").write_text(login_defs)
        shutil.rmtree(base, ignore_errors=True)


# -- the set-up -------------------------------------------------------------------------------

def test_setup_makes_every_home_private_and_the_exchange_as_designed(term):
    hub, users, record = term
    assert record["homes"] == {name: "0o700" for name in (GRADER, *LEARNERS)}
    course = users[GRADER].home / "peer-course"
    assert oct(course.stat().st_mode & 0o777) == "0o700"
    exchange = hub.exchange / COURSE_ID
    modes = {p.name: (oct(p.stat().st_mode & 0o7777), pwd.getpwuid(p.stat().st_uid).pw_name)
             for p in (hub.exchange, exchange, exchange / "inbound", exchange / "outbound", exchange / "feedback")}
    assert modes == {"exchange": ("0o1777", "root"), COURSE_ID: ("0o755", GRADER), "inbound": ("0o1733", GRADER),
                     "outbound": ("0o755", GRADER), "feedback": ("0o711", GRADER)}
    assert "kept the existing course directory" in record["rerun"].stdout


def test_the_hub_wide_settings_name_the_course_and_the_exchange(term):
    hub, _, record = term
    listed = record["listed"]
    assert {name: [(a["course_id"], a["assignment_id"], a["status"]) for a in listed[name]["value"]]
            for name in LEARNERS} == {name: [(COURSE_ID, LESSON, "released")] for name in LEARNERS}


# -- privacy ----------------------------------------------------------------------------------

def test_no_learner_can_read_change_or_move_anything_of_anyone_else(term):
    _, users, record = term
    assert record["breaches"] == []
    # and the probes reached what they should, at every step, for every learner
    probed = record["probed"]
    assert list(probed) == ["before release", "answered", "submitted", "forged", "autograded", "feedback"]
    assert all(len(paths) > 50 for step in probed.values() for paths in step.values())
    course, ana = users[GRADER].home / "peer-course", users[ANA].home
    must = [course / "gradebook.db", course / "source" / LESSON / f"{NOTEBOOK}.ipynb",
            course / "submitted" / ANA / LESSON / ANSWERS, course / "autograded" / ANA / LESSON / f"{NOTEBOOK}.ipynb",
            course / "feedback" / ANA / LESSON / f"{NOTEBOOK}.html",
            ana / LESSON / f"{NOTEBOOK}.ipynb", ana / LESSON / ANSWERS]
    reached = set(probed["feedback"][BEN])
    assert [str(path) for path in must if str(path) not in reached] == []
    assert [path for path in reached if path.startswith(str(ana)) and path.endswith("submission_secret.txt")] != []
    assert [path for path in reached if path.startswith(str(ana / LESSON / "feedback")) and path.endswith(".html")] != []


def test_what_the_learners_servers_write_is_private(term):
    _, _, record = term
    assert record["own_modes"] == {name: {f"{LESSON}/{ANSWERS}": "0o600", "Untitled.ipynb": "0o600"} for name in LEARNERS}


def test_learners_run_the_course_from_the_wheel_and_hold_no_key(term):
    hub, _, record = term
    package = record["package"]
    assert package["file"].startswith(str(hub.prefix / "venv" / "lib"))
    assert str(ROOT) not in " ".join(package["path"])


# -- the exchange attacks ---------------------------------------------------------------------

def test_every_forged_entry_is_refused_by_name_and_why(term):
    _, _, record = term
    refused = sorted(line.split("Not collected: ", 1)[1] for line in record["collect_again"]["err"].splitlines()
                     if "Not collected: " in line)
    assert [line.split("+", 1)[0] + " " + line.rsplit(": ", 1)[-1] for line in refused] == [
        f"{ANA} it names the learner '{ANA}' but belongs to '{BEN}'",
        f"{BEN} it holds a link, {ANSWERS}",
        f"{BEN} it holds a link, {ANSWERS}",
    ]


def test_honest_work_stands_and_a_backdated_entry_counts_from_when_it_was_written(term):
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    _, users, record = term
    course = users[GRADER].home / "peer-course"
    submitted = course / "submitted"
    assert [p for p in submitted.rglob("*") if p.is_symlink()] == []
    handed_in = parse_utc((submitted / CY / LESSON / "timestamp.txt").read_text()).replace(tzinfo=timezone.utc)
    assert handed_in >= record["forged_at"] - timedelta(seconds=1)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        scores = {s.student_id: (s.code_score, s.score, s.late_submission_penalty)
                  for s in gb.find_assignment(LESSON).submissions}
        rubric = gb.find_grade("rubric-l1-r01", NOTEBOOK, LESSON, CY)
        assert (rubric.manual_score, rubric.max_score) == (2.0, 2.0)
    # ANA: both keys; BEN: no key; CY: two keys and a complete reflection (5), and 2 rubric points
    assert scores == {ANA: (4.0, 4.0, 0.0), BEN: (0.0, 0.0, 0.0), CY: (5.0, 7.0, 0.0)}


def test_autograde_graded_every_learner(term):
    _, _, record = term
    assert f"{LESSON}: graded 3 of 3 learner(s) with 2 worker(s)" in record["autograde"]["out"] + record["autograde"]["err"]


# -- feedback and formgrader ------------------------------------------------------------------

def test_each_learner_fetches_their_own_feedback_and_a_hand_made_entry_holds_back_no_one(term):
    _, users, record = term
    pages = record["feedback_text"]
    assert {name: len(found) for name, found in pages.items()} == {ANA: 1, BEN: 1, CY: 0}
    assert record["release_feedback"]["rc"] == 1
    said = record["release_feedback"]["out"] + record["release_feedback"]["err"]
    assert f"feedback not released for 1 learner(s): {CY} (every other learner's is released" in said
    assert f"feedback for {CY} not released: {users[GRADER].home}/peer-course/feedback/{CY}/{LESSON}/submission_secret.txt is missing" in said
    # each page is the learner's own: ana's shows her two keys' points, ben's his miss
    assert "(Score: 4.0 / 26.0)" in pages[ANA][0] and "(Score: 0.0 / 26.0)" in pages[BEN][0]


def test_formgrader_answers_the_grader_only_whatever_a_learner_configures(term):
    _, _, record = term
    assert record["formgrader"] == {GRADER: 200, ANA: 404, BEN: 404, CY: 404}
    assert record["formgrader_after_asking"] == 404
    assert record["manual_grades"] == ["rubric-l1-r01", "rubric-l1-r02"]
    given = record["rubric_given"]
    assert (given["name"], given["student"], given["manual_score"], given["needs_manual_grade"]) == ("rubric-l1-r01", CY, 2.0, False)


def _page_config(page: str) -> dict:
    start = page.index('<script id="jupyter-config-data" type="application/json">')
    text = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(text)


def test_learners_lab_has_no_formgrader_or_assignment_editor_and_the_graders_no_dead_panel(term):
    _, _, record = term
    disabled = {name: sorted(x for x in _page_config(page)["disabledExtensions"] if "nbgrader" in x)
                for name, page in record["lab_page"].items()}
    assert disabled == {
        BEN: ["@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"],
        GRADER: ["@jupyter/nbgrader:formgrader"],
    }


def test_learners_lab_runs_the_course_extension_and_the_graders_stock_jupyterlab(term):
    """The learners' extension (Run waits for the kernel, Run All keeps the place) is loaded
    from the course's wheel in place of JupyterLab's cell executor; graders keep JupyterLab's."""
    _, _, record = term
    config = {name: _page_config(page) for name, page in record["lab_page"].items()}
    assert {name: ([e["name"] for e in c["federated_extensions"] if e["name"].startswith("peercourse")],
                   "@jupyterlab/notebook-extension:cell-executor" in c["disabledExtensions"])
            for name, c in config.items()} == {BEN: (["peercourse-learner"], True), GRADER: ([], False)}


def test_a_fetched_lesson_carries_the_language_info_its_learners_kernel_reports(term):
    """So an untouched lesson closes without "Save your work?" (KernelInfoReleaseAssignment):
    JupyterLab marks a notebook changed when its kernel's language_info differs from the file's."""
    _, _, record = term
    kept, reported = record["language_info"]
    assert kept == reported and kept["name"] == "python" and kept["version"].count(".") == 2


def test_the_hub_forbids_framing_and_the_grader_home_page_links_formgrader_in_its_own_tab(term):
    hub, _, record = term
    assert record["csp"] == "frame-ancestors 'none'"
    status, url, page = record["home_pages"][GRADER]
    assert (status, url) == (200, f"{hub.url}/hub/home")
    assert f'href="/user/{GRADER}/formgrader"' in page and 'target="_blank"' in page
    status, url, page = record["home_pages"][ANA]
    assert (status, url) == (200, f"{hub.url}/hub/home")
    assert "formgrader" not in page.lower()
    assert record["wrong_password"][1].startswith(f"{hub.url}/hub/login")
