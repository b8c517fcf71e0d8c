"""A throwaway PostgreSQL server for tests: Debian's postgresql binaries, a cluster in a
temporary folder, listening on 127.0.0.1 only, stopped and deleted afterwards. initdb
refuses to run as root, so as root the cluster belongs to the `postgres` user."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import free_port

ROLE = "grader"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL's server binaries (Debian package postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="peercourse-pg-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> "Cluster":
        data = self.dir / "data"
        data.mkdir()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
            shutil.chown(data, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", ROLE, "--no-sync", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=50"
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        return self

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={ROLE} dbname=postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    """A throwaway server for one test module (import this fixture into the module). Skipped
    without Debian's postgresql binaries, except in CI, which must run it."""
    if binaries() is None:
        if os.environ.get("PEERCOURSE_CI") == "1":
            pytest.fail("PostgreSQL is missing; .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL is missing: apt-get install postgresql")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()
