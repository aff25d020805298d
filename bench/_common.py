"""What the benchmarks share: throwaway databases and virtual hosts, server subprocesses, CPU
meters, percentiles. Imported as ``_common`` (a script's own folder is first on sys.path)."""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import asyncpg

HOST = "127.0.0.1"
POSTGRES = "postgres@127.0.0.1:5432"
BROKER = "amqp://guest:guest@127.0.0.1:5672/"
START_TIMEOUT_SECONDS = 30.0


def load_average() -> str:
    return f"load average {os.getloadavg()[0]:.2f} (other work on these cores skews the figures)"


# -- throwaway database and virtual host ---------------------------------------------------


def database_url(name: str) -> str:
    """Orion's (SQLAlchemy) URL of a database on the benchmark's PostgreSQL server."""
    return f"postgresql+asyncpg://{POSTGRES}/{name}"


def database_dsn(name: str) -> str:
    """asyncpg's DSN of a database on the benchmark's PostgreSQL server."""
    return f"postgresql://{POSTGRES}/{name}"


@contextmanager
def throwaway_database(template: str | None = None) -> Iterator[str]:
    """A new database on the PostgreSQL server (a copy of ``template`` if given); yields its
    name and drops it on exit."""
    name = f"orion_bench_{secrets.token_hex(4)}"
    copy = "" if template is None else f' TEMPLATE "{template}"'
    asyncio.run(run_admin_sql(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield name
    finally:
        asyncio.run(run_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def run_admin_sql(statement: str) -> None:
    connection = await asyncpg.connect(database_dsn("postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def throwaway_vhost(broker_url: str) -> Iterator[str]:
    """A new virtual host on the broker, open to the URL's user; yields the URL pointing at
    it and deletes it (with every queue and exchange in it) on exit."""
    parts = urlsplit(broker_url)
    user = unquote(parts.username or "guest")
    name = f"orion_bench_{secrets.token_hex(4)}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield parts._replace(path="/" + quote(name, safe="")).geturl()
    finally:
        rabbitmqctl("delete_vhost", name)


def rabbitmqctl(*arguments: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *arguments], check=True, capture_output=True)


# -- server subprocesses --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own http URL)
        body: bytes = response.read()
        return body


@contextmanager
def server(
    command: list[str], ready_url: str, env: Mapping[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Starts a server subprocess, waits until ``ready_url`` answers, stops it by its pid."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            if not answers(ready_url, process):
                output.seek(0)
                log = output.read().decode(errors="replace")
                sys.exit(f"{' '.join(command)} did not answer {ready_url}:\n{log}")
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    """Whether ``url`` answers before the timeout, while the process serving it lives."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            fetch(url)
        except OSError:
            time.sleep(0.1)
        else:
            return True
    return False


# -- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class Cpu:
    """Over a stretch of the run: how much of one core a process used, and how busy the
    machine's cores were on average (every process; unknown without /proc/stat)."""

    process: float
    machine: float | None
    name: str = "this process"

    def __str__(self) -> str:
        return f"cpu: {self.name} {self.process:.0%} of a core{machine_share(self.machine)}"


def machine_share(machine: float | None) -> str:
    return "" if machine is None else f", all {os.cpu_count()} cores {machine:.0%}"


class CpuMeter:
    """CPU time of this process, or of the process ``pid`` (from /proc), from now on."""

    def __init__(self, pid: int | None = None, name: str = "this process") -> None:
        self._pid = pid
        self._name = name
        self._start = self._now()

    def _now(self) -> tuple[float, float, tuple[int, int] | None]:
        return time.perf_counter(), process_seconds(self._pid), machine_ticks()

    def read(self) -> Cpu:
        (wall0, process0, machine0), (wall1, process1, machine1) = self._start, self._now()
        machine = None
        if machine0 is not None and machine1 is not None and machine1[1] > machine0[1]:
            machine = (machine1[0] - machine0[0]) / (machine1[1] - machine0[1])
        process = (process1 - process0) / (wall1 - wall0)
        return Cpu(process=process, machine=machine, name=self._name)


def process_seconds(pid: int | None) -> float:
    """User + system CPU seconds of this process, or of the process ``pid``."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)
