"""Orion's image run as containers by the deploy tests: each a ``docker run`` with a name of
the run's own, against this machine's PostgreSQL, RabbitMQ and Redis (host networking: they
listen on loopback here)."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.log_hygiene import process_log

READY_WITHIN_S = 60
GRACE_S = 30  # the stop grace period deploy/compose gives every Orion container
# a read-only root and a tmpfs for temporary files, as deploy/compose runs them
READ_ONLY = ["--network", "host", "--read-only", "--tmpfs", "/tmp"]  # noqa: S108  (the container's)


def docker(*args: str, check: bool = True, timeout: float = 120) -> str:
    """``docker ARGS``: its standard output; raises with its error output when it fails."""
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])} failed: {done.stderr.strip()}")
    return done.stdout


@dataclass
class Container:
    """One Orion process in a container: ``args`` after ``orion``; ``health`` its liveness
    URL (serve's port, or a relay's or worker's --metrics-port)."""

    name: str
    image: str
    env_file: Path
    args: list[str]
    health: str
    volumes: list[str] = field(default_factory=list)

    def run(self) -> None:
        mounts = [option for volume in self.volumes for option in ("--volume", volume)]
        docker(
            "run", "--detach", "--name", self.name,
            *READ_ONLY,
            "--env-file", str(self.env_file), "--stop-timeout", str(GRACE_S),
            "--health-cmd", f"python -c \"import urllib.request as u; u.urlopen('{self.health}')\"",
            *mounts, self.image, *self.args,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_WITHIN_S
        ready = self.health.replace("/health/live", "/health/ready")
        while time.monotonic() < deadline:
            if self.inspect()["State"]["Status"] == "exited":
                raise AssertionError(f"{self.name} exited:\n{self.logs()[-3000:]}")
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} was not ready in time:\n{self.logs()[-3000:]}")

    def inspect(self) -> dict[str, object]:
        found: list[dict[str, object]] = json.loads(docker("inspect", self.name))
        return found[0]

    def stop(self) -> tuple[int, float]:
        """SIGTERM, and SIGKILL after the grace period: the exit code and the seconds taken."""
        started = time.monotonic()
        docker("stop", "--time", str(GRACE_S), self.name, timeout=GRACE_S + 30)
        seconds = time.monotonic() - started
        state = self.inspect()["State"]
        assert isinstance(state, dict)
        return int(state["ExitCode"]), seconds

    def kill(self) -> None:
        docker("kill", "--signal", "KILL", self.name)

    def start(self) -> None:
        docker("start", self.name)

    def logs(self) -> str:
        done = subprocess.run(
            ["docker", "logs", self.name], capture_output=True, text=True, check=False
        )
        return done.stdout + done.stderr

    def log_lines(self) -> list[dict[str, object]]:
        """Its JSON log lines (what is not JSON, e.g. a traceback's lines, left out)."""
        lines = []
        for line in self.logs().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def remove(self) -> None:
        """Keeps its logs with the run's for the end-of-run secret check, then removes it."""
        with process_log(f"container-{self.name}") as kept:
            kept.write(self.logs().encode())
        docker("rm", "--force", "--volumes", self.name, check=False)
