"""JupyterHub settings for one course on one server, private by default.

deploy/setup-hub.sh copies this file to the hub's configuration folder (/etc/peercourse by
default) beside hub.json, which holds what the set-up chose: paths, port, course id, groups.
Settings of your own go in jupyterhub_config.d/*.py beside it; they are read last, in name
order, so a re-run of the set-up never overwrites them.
"""
import grp
import json
import os
import pwd
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

HERE = Path(__file__).resolve().parent
hub = json.loads((HERE / "hub.json").read_text())
PREFIX = Path(hub["prefix"])

# Every file the hub and the servers it starts create is private to its owner: servers run
# as each user's own Linux account and inherit this mask (JupyterLab saves, nbgrader's cache
# with its submission secret, answers files). nbgrader submit and release set the modes the
# exchange needs on what they copy there.
os.umask(0o077)

# Where people connect; the hub's and the proxy's own ports answer on loopback only.
c.JupyterHub.bind_url = f"http://{hub['ip']}:{hub['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [str(PREFIX / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{hub['state']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{hub['state']}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = f"{hub['state']}/jupyterhub-proxy.pid"
if hub.get("ssl_cert"):
    c.JupyterHub.ssl_cert = hub["ssl_cert"]
    c.JupyterHub.ssl_key = hub["ssl_key"]

# Logins: the server's own accounts (PAM), members of the course's two groups only. Nobody
# is a hub admin: an admin could open every learner's server.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {hub["learners_group"], hub["graders_group"]}
c.PAMAuthenticator.admin_groups = set()
c.Authenticator.admin_users = set()

# Each user's server runs as their own account (LocalProcessSpawner), from the course's
# environment, which holds the course package as a built wheel and no key.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(PREFIX / "venv" / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"


def _in_graders_group(name: str) -> bool:
    """Read from the system at each use: a change to the group counts at the next start."""
    try:
        group = grp.getgrnam(hub["graders_group"])
        return name in group.gr_mem or pwd.getpwnam(name).pw_gid == group.gr_gid
    except KeyError:
        return False


def _config_dir(spawner) -> str:
    """A learner's highest-priority Jupyter configuration is a folder only root can change,
    so no learner can switch formgrader or the assignment editor back on. A grader keeps
    their own ~/.jupyter."""
    if _in_graders_group(spawner.user.name):
        return os.path.join(os.path.expanduser(f"~{spawner.user.name}"), ".jupyter")
    return str(HERE / "jupyter-learner")


def _config_path(spawner) -> str:
    # graders: the course directory for nbgrader and formgrader; no formgrader panel (jupyter-grader/)
    return str(HERE / "jupyter-grader") if _in_graders_group(spawner.user.name) else ""


def _lab_dir(kind):
    def folder(spawner) -> str:
        return os.path.join(os.path.expanduser(f"~{spawner.user.name}"), ".jupyter", "lab", kind)
    return folder


c.Spawner.environment = {
    "PATH": f"{PREFIX / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_CONFIG_DIR": _config_dir,
    "JUPYTER_CONFIG_PATH": _config_path,
    # JupyterLab keeps a user's own settings (theme, font size) in their home either way
    "JUPYTERLAB_SETTINGS_DIR": _lab_dir("user-settings"),
    "JUPYTERLAB_WORKSPACES_DIR": _lab_dir("workspaces"),
}


def _private_home(spawner) -> None:
    """Before any server starts: its user's home is theirs alone (0700), whatever made it."""
    home = Path(os.path.expanduser(f"~{spawner.user.name}"))
    if home.is_dir() and home.stat().st_mode & 0o077:
        home.chmod(0o700)
        spawner.log.warning("peercourse: %s's home was readable by others; it is now 0700", spawner.user.name)


c.Spawner.pre_spawn_hook = _private_home

# Graders open formgrader from the hub's home page, in its own tab (templates/home.html).
# It cannot open as a JupyterLab panel: the hub forbids framing a user's pages
# (frame-ancestors 'none'), which also keeps any learner's page from framing the grader's.
c.JupyterHub.template_paths = [str(HERE / "templates")]


def _formgrader_url(user) -> str:
    return f"{user.url}formgrader" if _in_graders_group(user.name) else ""


c.JupyterHub.template_vars = {"formgrader_url": _formgrader_url}

for extra in sorted((HERE / "jupyterhub_config.d").glob("*.py")):
    exec(compile(extra.read_text(), str(extra), "exec"))  # noqa: S102  (root's own files)
