"""Machines on one machine, for the cluster tests and the benchmark: a Dask scheduler (a
LocalCluster with no workers of its own) and `dask worker` processes started as separate
machines would start them, each in a folder of its own with an environment of its own
(only PATH, HOME and LANG), sharing nothing with the others but what the test gives them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

from peercourse.autograde_pool import kill_with_descendants


class Machines:
    """A Dask scheduler and worker processes started as separate machines would start them."""

    def __init__(self, root: Path):
        from distributed import LocalCluster

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.scheduler = LocalCluster(n_workers=0, host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                                      processes=True)
        self.workers: dict[str, subprocess.Popen] = {}

    def start_worker(self, name: str) -> None:
        home = self.root / name
        home.mkdir()
        environment = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.scheduler.scheduler_address, "--name", name,
             "--nthreads", "1", "--no-nanny", "--no-dashboard", "--local-directory", str(home / "dask")],
            cwd=home, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for_workers(self, seconds: float = 120.0) -> None:
        """Return once every worker started has joined the scheduler."""
        self.scheduler.wait_for_workers(len(self.workers), timeout=seconds)

    def worker_of(self, process: psutil.Process) -> str | None:
        """The name of the worker whose processes include `process`."""
        pids = {worker.pid: name for name, worker in self.workers.items()}
        for ancestor in [process, *process.parents()]:
            if ancestor.pid in pids:
                return pids[ancestor.pid]
        return None

    def close(self) -> None:
        for worker in self.workers.values():
            kill_with_descendants(worker.pid, worker.kill)
            worker.wait(30)
        self.scheduler.close()
