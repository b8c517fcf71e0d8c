#!/usr/bin/env bash
# One command, as root, on a fresh Debian or Ubuntu server: a JupyterHub for the course that
# is private by default. Safe to run again: it creates what is missing and checks the rest.
#
#   sudo deploy/setup-hub.sh --grader gina --learners roster.txt
#
# then set each account's password (sudo passwd NAME) and open http://SERVER:8000.
# docs/instructors.md explains every step; tests/test_hub.py runs a whole term on the result.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CHECKOUT="$(dirname "$HERE")"

PREFIX=/opt/peercourse          # the hub's environment and proxy
ETC=/etc/peercourse             # the hub's configuration
STATE=/var/lib/peercourse       # the hub's database and cookie secret
EXCHANGE=/srv/nbgrader/exchange
COURSE_ID=ca-peer-support
IP=""                           # all interfaces
PORT=8000
HUB_PORT=8081
PROXY_API_PORT=8001
LEARNERS_GROUP=peercourse-learners
GRADERS_GROUP=peercourse-graders
GRADER=""
LEARNERS=""
SERVICE=auto
SSL_CERT=""
SSL_KEY=""
PYTHON=/usr/bin/python3

usage() {
    sed -n '2,8p' "$0"
    cat <<'USAGE'
Options:
  --grader NAME          the grader account (one per course; created if missing)
  --learners FILE|a,b,c  learner accounts: a file with one name per line, or a list
  --course-id ID         nbgrader's course id (default ca-peer-support)
  --ip IP --port N       where the hub listens (default all interfaces, port 8000)
  --hub-port N --proxy-api-port N   loopback ports for the hub and proxy APIs (8081, 8001)
  --ssl-cert FILE --ssl-key FILE    serve HTTPS (strongly advised off a private network)
  --prefix DIR --etc DIR --state DIR --exchange DIR   where things go (see the top of this file)
  --service | --no-service          install and start a systemd service (default: if systemd runs)
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --grader) GRADER="$2"; shift 2 ;;
        --learners) LEARNERS="$2"; shift 2 ;;
        --course-id) COURSE_ID="$2"; shift 2 ;;
        --ip) IP="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --hub-port) HUB_PORT="$2"; shift 2 ;;
        --proxy-api-port) PROXY_API_PORT="$2"; shift 2 ;;
        --ssl-cert) SSL_CERT="$2"; shift 2 ;;
        --ssl-key) SSL_KEY="$2"; shift 2 ;;
        --prefix) PREFIX="$2"; shift 2 ;;
        --etc) ETC="$2"; shift 2 ;;
        --state) STATE="$2"; shift 2 ;;
        --exchange) EXCHANGE="$2"; shift 2 ;;
        --learners-group) LEARNERS_GROUP="$2"; shift 2 ;;
        --graders-group) GRADERS_GROUP="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --service) SERVICE=yes; shift ;;
        --no-service) SERVICE=no; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "setup-hub: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { echo "setup-hub: $*"; }
die() { echo "setup-hub: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo): it creates accounts and sets their permissions"
[ -n "$GRADER" ] || die "name the grader account with --grader NAME"
[[ "$COURSE_ID" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "course id '$COURSE_ID': letters, digits, . _ - only"
valid_name() { [[ "$1" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; }

# -- 1. the system's packages: Python's venv, Node.js for JupyterHub's proxy ---------------
need=()
"$PYTHON" -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# -- 2. private by default: new homes 0700, new files 0600 ---------------------------------
# useradd reads HOME_MODE (Debian 12, Ubuntu 22.04 and later) and UMASK from login.defs.
set_login_def() {
    if grep -qE "^[[:space:]]*$1[[:space:]]" /etc/login.defs; then
        sed -i -E "s/^[[:space:]]*$1[[:space:]].*/$1\t\t$2/" /etc/login.defs
    else
        printf '%s\t\t%s\n' "$1" "$2" >> /etc/login.defs
    fi
}
set_login_def HOME_MODE 0700
set_login_def UMASK 077

# -- 3. groups and accounts -----------------------------------------------------------------
getent group "$LEARNERS_GROUP" >/dev/null || groupadd "$LEARNERS_GROUP"
getent group "$GRADERS_GROUP" >/dev/null || groupadd "$GRADERS_GROUP"

account() {  # account NAME GROUP: create or check; the home is the account's alone
    local name="$1" group="$2" home
    valid_name "$name" || die "account name '$name': lower-case letters, digits, _ and - only"
    if ! id "$name" >/dev/null 2>&1; then
        useradd --create-home --shell /bin/bash --groups "$group" "$name"
        say "created $name ($group); set a password with: passwd $name"
    else
        usermod -a -G "$group" "$name"
    fi
    home="$(getent passwd "$name" | cut -d: -f6)"
    [ -d "$home" ] || { mkdir -p "$home"; chown "$name:" "$home"; }
    chmod 0700 "$home"
}

account "$GRADER" "$GRADERS_GROUP"
if id -nG "$GRADER" | tr ' ' '\n' | grep -qx "$LEARNERS_GROUP"; then
    die "$GRADER is also in $LEARNERS_GROUP: a grader account must not be a learner's"
fi
learner_names=()
if [ -n "$LEARNERS" ]; then
    if [ -f "$LEARNERS" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            line="${line%%#*}"; line="$(echo "$line" | tr -d '[:space:]')"
            [ -n "$line" ] && learner_names+=("$line")
        done < "$LEARNERS"
    else
        IFS=',' read -r -a learner_names <<< "$LEARNERS"
    fi
fi
for name in "${learner_names[@]}"; do
    [ "$name" = "$GRADER" ] && die "$name is the grader; a grader account must not be a learner's"
    account "$name" "$LEARNERS_GROUP"
done

# -- 4. the course's environment: JupyterHub, the course as a built wheel, the proxy --------
# The wheel holds the course's code and no lesson, key or hidden test (tests/test_wheel.py);
# learners' servers run from this environment and never see the checkout.
mkdir -p "$PREFIX"
chmod 0755 "$PREFIX"
[ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
"$PREFIX/venv/bin/python" -m pip install --quiet --upgrade "pip>=23.2"
"$PREFIX/venv/bin/python" -m pip wheel --quiet --no-deps -w "$wheels" "$CHECKOUT"
# first the course alone, replaced even at the same version (a re-run after a course update),
# then what it needs at the versions CI tested (constraints/, one file per Python), which pip leaves alone where
# already installed. The instructor extra (pandas, for reports) is there for the graders, who
# share this environment; learners' kernels never import it.
"$PREFIX/venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheels"/peercourse-*.whl
pins="$CHECKOUT/constraints/python$("$PREFIX/venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])').txt"
[ -f "$pins" ] || { echo "setup-hub.sh: no pinned versions for this Python ($pins); the course is tested on 3.11 and 3.12" >&2; exit 1; }
"$PREFIX/venv/bin/python" -m pip install --quiet -c "$pins" "$(ls "$wheels"/peercourse-*.whl)[hub,instructor]"
mkdir -p "$PREFIX/venv/etc/jupyter" "$PREFIX/venv/share/jupyter/lab/settings"
# hub-wide nbgrader settings: the learners' side of grading, the course id, the exchange
{
    cat "$CHECKOUT/etc/jupyter/nbgrader_config.py"
    printf '\n# Hub-wide, written by deploy/setup-hub.sh\n'
    printf 'c.CourseDirectory.course_id = %s\n' "'$COURSE_ID'"
    printf 'c.Exchange.root = %s\n' "'$EXCHANGE'"
} > "$PREFIX/venv/etc/jupyter/nbgrader_config.py"
cp "$CHECKOUT/etc/lab/overrides.json" "$PREFIX/venv/share/jupyter/lab/settings/overrides.json"
"$PREFIX/venv/bin/jupyter" kernelspec install "$CHECKOUT/etc/kernels/python3" --sys-prefix --replace --name python3 >/dev/null
if [ ! -x "$PREFIX/proxy/node_modules/.bin/configurable-http-proxy" ]; then
    npm install --silent --no-audit --no-fund --prefix "$PREFIX/proxy" configurable-http-proxy@5.3.0 >/dev/null
fi
chmod -R a+rX,go-w "$PREFIX"

# -- 5. the exchange: learners hand in without seeing or touching each other's work ---------
# root owns the exchange, 1777 like /tmp: nbgrader insists that everyone can write to it,
# and the sticky bit keeps anyone from renaming or removing what is not theirs, such as the
# course's folder, which the grader owns and this script makes before any learner could.
# inbound 1733: learners may write, none may list, and no one may move another's entry.
# The course's GuardedCollect refuses links, entries under another learner's name and
# backdated times (docs/instructors.md).
mkdir -p "$EXCHANGE/$COURSE_ID"
chown root:root "$EXCHANGE"; chmod 1777 "$EXCHANGE"
chown "$GRADER:$GRADERS_GROUP" "$EXCHANGE/$COURSE_ID"; chmod 0755 "$EXCHANGE/$COURSE_ID"
for part in outbound:0755 inbound:1733 feedback:0711; do
    dir="$EXCHANGE/$COURSE_ID/${part%%:*}"
    mkdir -p "$dir"; chown "$GRADER:$GRADERS_GROUP" "$dir"; chmod "${part##*:}" "$dir"
done

# -- 6. the grader's course directory: the only place keys live -----------------------------
grader_home="$(getent passwd "$GRADER" | cut -d: -f6)"
course="$grader_home/peer-course"
if [ ! -e "$course" ]; then
    mkdir -p "$course"
    cp -r "$CHECKOUT/source" "$course/source"
    cp "$CHECKOUT/nbgrader_config.py" "$course/nbgrader_config.py"
    chown -R "$GRADER:" "$course"
    say "made the course directory $course"
else
    say "kept the existing course directory $course"
fi
chmod 0700 "$course"

# -- 7. the hub's configuration ----------------------------------------------------------------
mkdir -p "$ETC/jupyterhub_config.d" "$STATE"
chmod 0755 "$ETC"; chmod 0700 "$STATE" "$ETC/jupyterhub_config.d"
cp "$HERE/jupyterhub_config.py" "$ETC/jupyterhub_config.py"
rm -rf "$ETC/jupyter-learner" "$ETC/jupyter-grader"
cp -r "$HERE/learner" "$ETC/jupyter-learner"
cp -r "$HERE/grader" "$ETC/jupyter-grader"
rm -rf "$ETC/templates"; cp -r "$HERE/templates" "$ETC/templates"
"$PREFIX/venv/bin/python" - "$ETC/hub.json" <<PY
import json, sys
json.dump({
    "prefix": "$PREFIX", "state": "$STATE", "exchange": "$EXCHANGE", "course_id": "$COURSE_ID",
    "ip": "$IP", "port": $PORT, "hub_port": $HUB_PORT, "proxy_api_port": $PROXY_API_PORT,
    "learners_group": "$LEARNERS_GROUP", "graders_group": "$GRADERS_GROUP", "grader": "$GRADER",
    "ssl_cert": "$SSL_CERT", "ssl_key": "$SSL_KEY",
}, open(sys.argv[1], "w"), indent=2)
PY
chown -R root:root "$ETC"; chmod -R a+rX,go-w "$ETC"; chmod 0700 "$ETC/jupyterhub_config.d"

# -- 8. the service ----------------------------------------------------------------------------
START="$PREFIX/venv/bin/jupyterhub -f $ETC/jupyterhub_config.py"
if [ "$SERVICE" = auto ]; then
    if [ -d /run/systemd/system ]; then SERVICE=yes; else SERVICE=no; fi
fi
if [ "$SERVICE" = yes ]; then
    cat > /etc/systemd/system/peercourse-hub.service <<UNIT
[Unit]
Description=JupyterHub for the peer support course
After=network.target

[Service]
User=root
UMask=0077
WorkingDirectory=$STATE
ExecStart=$START
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload
    systemctl enable --now peercourse-hub.service
    systemctl restart peercourse-hub.service
    say "the hub runs as the service peercourse-hub (systemctl status peercourse-hub)"
else
    say "no systemd here: start the hub with: (cd $STATE && umask 077 && $START)"
fi
say "done. Hub on port $PORT; grader $GRADER, course directory $course; exchange $EXCHANGE"
