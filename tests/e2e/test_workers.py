"""``orion serve --workers N``: more API processes on the one port, on the embedded default."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import psutil

from tests.e2e.deployment import PASSWORD, buy, new_pen, shopper, sign_in
from tests.e2e.test_serve import Server, orion, orion_env

SETTLED_WITHIN_S = 60  # a deadline, not a timing


def other_api(first: psutil.Process, *, not_pid: int = 0, within_s: float = 60) -> psutil.Process:
    """The API process the first started (``--listen-fd``), other than ``not_pid``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        for child in first.children():
            try:
                if "--listen-fd" in child.cmdline() and child.pid != not_pid:
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.2)
    raise AssertionError(f"no other API process in {within_s} s")


def cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def place_order(base: str, name: str, product: str) -> tuple[dict[str, str], str]:
    """A new customer's order, on a connection of its own (either process may take it)."""
    with httpx.Client(base_url=base, timeout=10) as http:
        headers = shopper(http, name)
        return headers, buy(http, headers, product)


def test_two_api_processes_share_the_port_and_the_first_settles_what_either_takes(
    tmp_path: Path,
) -> None:
    env = orion_env(ORION_DATA_DIR=str(tmp_path / "data"))
    made = orion("admin", "create", "--email", "boss@example.com", env=env, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    server = Server(env, "--workers", "2")
    try:
        server.wait_ready()
        first = psutil.Process(server.process.pid)
        other = other_api(first)

        # each request on a new connection: the kernel hands it to a process accepting
        before = {process.pid: cpu_s(process) for process in (first, other)}
        for _ in range(300):
            assert httpx.get(f"{server.base}/api/v1/categories", timeout=10).status_code == 200
        spent = {process.pid: cpu_s(process) - before[process.pid] for process in (first, other)}
        assert min(spent.values()) > 0.02, f"CPU seconds by process: {spent}"

        with httpx.Client(base_url=server.base, timeout=10) as http:
            pen = new_pen(http, sign_in(http, "boss@example.com"), stock=20)
        orders = [place_order(server.base, f"worker{n}", pen) for n in range(6)]
        deadline = time.monotonic() + SETTLED_WITHIN_S
        while True:
            with httpx.Client(base_url=server.base, timeout=10) as http:
                statuses = {
                    http.get(f"/api/v1/orders/{order}", headers=headers).json()["status"]
                    for headers, order in orders
                }
            if statuses == {"paid"} or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert statuses == {"paid"}

        # a dead API process is replaced, and the port keeps answering meanwhile
        other.kill()
        replacement = other_api(first, not_pid=other.pid)
        assert httpx.get(f"{server.base}/health/ready", timeout=10).status_code == 200
    finally:
        assert server.stop() == 0
    assert not replacement.is_running()
    assert "api_process_exited" in server.log_text()
