"""Orion deployed as processes, the way the e2e tests run it: one `orion serve`, or the API,
the relay and workers apart; and what a storefront does against it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.test_serve import Server, orion
from tests.fakes.loopback import free_port
from tests.log_hygiene import process_log, secret

DELAYS_MS = [200, 500]  # the retry ladder of the e2e deployments
PASSWORD = secret("customer password", "a long enough passphrase")
ADDRESS = {
    "name": "Ada",
    "line1": "1 Rue",
    "city": "Paris",
    "postal_code": "75001",
    "country": "FR",
}
# the processes of each mode: the API first
MODES: dict[str, list[list[str]]] = {
    "in-process": [["serve"]],  # without ORION_BROKER_URL
    "one-process": [["serve"]],
    "split": [
        ["serve", "--no-workers", "--no-relay"],
        ["relay"],
        ["worker", "--module", "catalog,identity,ordering"],
        ["worker", "--module", "payments"],
        ["worker", "--module", "notifications"],
    ],
}


def orion_process(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m orion ARGS`` in the background (a worker, a relay), its output kept with
    the run's logs."""
    with process_log(args[0]) as output:
        return subprocess.Popen(
            [sys.executable, "-m", "orion", *args], env=env, stdout=output, stderr=output
        )


@contextmanager
def deployed(mode: str, env: dict[str, str], *, admin: str | None = None) -> Iterator[Server]:
    """The mode's processes, migrated first (and with an admin of that email), ready; on
    leaving, each must exit cleanly on SIGTERM."""
    assert orion("migrate", env=env).returncode == 0
    if admin is not None:
        made = orion("admin", "create", "--email", admin, env=env, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    (_, *api), *others = MODES[mode]
    server = Server(env, *api)
    workers = []
    for command in others:
        port = free_port()
        server.ops[" ".join(command)] = f"http://127.0.0.1:{port}"
        workers.append(orion_process(*command, "--metrics-port", str(port), env=env))
    try:
        server.wait_ready()
        yield server
    finally:
        try:
            assert server.stop() == 0
        finally:  # an API that failed to start or stop must not leave its workers running
            assert stopped(workers) == [0] * len(workers)


def stopped(processes: Iterable[subprocess.Popen[bytes]], within_s: float = 30) -> list[int]:
    """Each process sent SIGTERM, then waited for together; one still running after
    ``within_s`` is killed (a test must leave nothing behind to consume its queues): their
    exit codes, -9 for a killed one."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + within_s
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return [process.returncode for process in processes]


def new_pen(http: httpx.Client, admin: dict[str, str], stock: int, sku: str = "PEN") -> str:
    """An admin's new product, a 3.50 EUR pen: its id."""
    created = http.post(
        "/api/v1/admin/products",
        json={
            "sku": sku,
            "name": "Pen",
            "category": "Tests",
            "price": {"amount": 350, "currency": "EUR"},
            "stock": stock,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    product_id: str = created.json()["id"]
    return product_id


def buy(
    http: httpx.Client,
    headers: dict[str, str],
    product_id: str,
    quantity: int = 1,
    *,
    key: str | None = None,
) -> str:
    """``quantity`` of the product in the customer's cart, then checked out with a good card
    (``key``: the Idempotency-Key, by default one per product and quantity): the order's id."""
    put = http.put(f"/api/v1/cart/items/{product_id}", json={"quantity": quantity}, headers=headers)
    assert put.status_code == 200, put.text
    placed = http.post(
        "/api/v1/orders",
        json={"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}},
        headers={**headers, "Idempotency-Key": key or f"{product_id}-{quantity}"},
    )
    assert placed.status_code == 202, placed.text
    order_id: str = placed.json()["id"]
    return order_id


def sign_in(http: httpx.Client, email: str) -> dict[str, str]:
    tokens = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def shopper(http: httpx.Client, name: str) -> dict[str, str]:
    """A new customer's Authorization headers (``<name>@example.com``)."""
    email = f"{name}@example.com"
    registered = http.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": name}
    )
    assert registered.status_code == 202, registered.text
    return sign_in(http, email)


def subjects(folder: Path) -> list[str]:
    """The subjects of the emails written as files there, sorted."""
    return sorted(
        line.split(": ", 1)[1]
        for path in folder.glob("*.eml")
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )
