"""deploy/compose: the whole file validates; the stack comes up here (stand-ins built from
Debian's packages for the images this machine cannot pull: deploy/compose/compose.standins.yml)
and serves the README's order journey through the gateway; Prometheus scrapes every Orion
process; the rolling-restart script replaces containers while reads go on, none refused.
Grafana, Loki, Alloy, the collector and Jaeger cannot run here: the file's validation covers
them (and test_gateway.py the log shipping's configuration)."""

from __future__ import annotations

import os
import random
import shutil
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import unavailable
from tests.deploy.conftest import BASE_IMAGE, ROOT, RUN, own_folder
from tests.deploy.containers import keep_logs
from tests.e2e.deployment import ADDRESS, PASSWORD, new_pen, shopper, sign_in
from tests.fakes.loopback import free_port

COMPOSE = ROOT / "deploy" / "compose"
STANDINS = ["postgres", "rabbitmq", "redis", "gateway", "prometheus", "alertmanager"]
# every service with an image or a stand-in here; Grafana, Loki, Alloy, the collector and
# Jaeger are validated by `docker-compose config` only
SERVICES = [
    *STANDINS,
    "migrate", "api-1", "api-2", "relay-1", "relay-2",
    "worker-catalog", "worker-payments", "worker-notifications",
]  # fmt: skip
ORION_TARGETS = 7  # the API instances, relays and workers Prometheus scrapes
PAID_WITHIN_S = 30


@dataclass
class Stack:
    env: dict[str, str]
    https: str
    tls: Path
    prometheus: str

    def compose(self, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
        done = subprocess.run(
            ["docker-compose", *args], cwd=COMPOSE, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"docker-compose {' '.join(args)}:\n{done.stderr[-4000:]}"
        return done.stdout

    def client(self) -> httpx.Client:
        trust = ssl.create_default_context(cafile=self.tls / "ca.pem")
        return httpx.Client(base_url=self.https, verify=trust, timeout=15)


@pytest.fixture(autouse=True, scope="module")
def _docker_compose() -> None:
    if shutil.which("docker-compose") is None:
        unavailable("docker-compose (deploy/docker/host.sh)", FileNotFoundError("docker-compose"))


def compose_env(**values: str) -> dict[str, str]:
    """The environment of docker-compose: the machine's, without what a .env would set."""
    return {
        key: value for key, value in os.environ.items() if not key.startswith("ORION_")
    } | values


def test_the_whole_compose_file_validates() -> None:
    for files in ["compose.yml", "compose.yml:compose.standins.yml"]:
        done = subprocess.run(
            ["docker-compose", "config", "--quiet"], cwd=COMPOSE,
            env=compose_env(COMPOSE_FILE=files), capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def stack(image: str) -> Iterator[Stack]:
    """The stack of a project of the run's own, on a network of its own, published on free
    loopback ports, with its secrets and certificate made by init.sh in a temporary folder."""
    with own_folder("compose") as folder:
        yield from _stack(image, folder)


def _stack(image: str, folder: Path) -> Iterator[Stack]:
    https_port = free_port()
    subnet = f"172.28.{random.randrange(100, 200)}"  # noqa: S311  (not a secret)
    env = compose_env(
        COMPOSE_PROJECT_NAME=f"orion-test-{RUN}",
        COMPOSE_FILE="compose.yml:compose.standins.yml",
        ORION_IMAGE=image,
        STANDIN_BASE_IMAGE=BASE_IMAGE,
        ORION_SECRETS_DIR=str(folder / "secrets"),
        ORION_TLS_DIR=str(folder / "tls"),
        ORION_ENV_FILE=str(folder / ".env"),
        ORION_SUBNET=f"{subnet}.0/24",
        ORION_SUBNET_DYNAMIC=f"{subnet}.128/25",
        GATEWAY_ADDRESS=f"{subnet}.10",
        GATEWAY_HTTPS_PUBLISH=f"127.0.0.1:{https_port}",
        GATEWAY_HTTP_PUBLISH=f"127.0.0.1:{free_port()}",
        ORION_PUBLIC_URL=f"https://localhost:{https_port}",
        ORION_OTEL_EXPORTER="none",  # no collector here
        **{
            f"{name}_PUBLISH": f"127.0.0.1:{free_port()}"
            for name in ["RABBITMQ_UI", "PROMETHEUS", "GRAFANA", "JAEGER"]
        },
    )
    made = subprocess.run(
        [str(COMPOSE / "init.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    stack = Stack(
        env,
        f"https://127.0.0.1:{https_port}",
        folder / "tls",
        f"http://{env['PROMETHEUS_PUBLISH']}",
    )
    try:
        stack.compose("build", *STANDINS, timeout=900)
        stack.compose("up", "--detach", "--no-build", *SERVICES)
        yield stack
    finally:
        logs = stack.compose("logs", "--no-color")
        stack.compose("kill")  # its data goes with it: no need to wait for a clean stop
        stack.compose("down", "--volumes", "--remove-orphans")
        keep_logs("compose", logs)


def test_the_stack_serves_the_order_journey_through_the_gateway(stack: Stack) -> None:
    admin_email = f"ops-{uuid.uuid4().hex[:6]}@example.com"
    stack.compose("run", "--rm", "-T", "cli", "admin", "create", "--email", admin_email,
                  stdin=PASSWORD + "\n")  # fmt: skip
    with stack.client() as https:
        admin = sign_in(https, admin_email)
        mug = new_pen(https, admin, stock=10)
        ada = shopper(https, f"ada-{uuid.uuid4().hex[:6]}")
        number = _buy(https, ada, mug)
    subjects = stack.compose(
        "exec", "-T", "worker-notifications", "sh", "-c",
        "grep -h '^Subject: ' /var/lib/orion/outbox-mail/*.eml",
    )  # fmt: skip
    assert f"Subject: Payment received for order {number}" in subjects
    deadline = time.monotonic() + 30  # Prometheus scrapes every 15 s
    while (up := _orion_targets_up(stack)) < ORION_TARGETS:
        assert time.monotonic() < deadline, f"{up} of {ORION_TARGETS} Orion targets up"
        time.sleep(1)


def _buy(https: httpx.Client, customer: dict[str, str], product: str) -> str:
    """A checkout paid by the simulated provider: the order's number, once it is paid."""
    added = https.put(f"/api/v1/cart/items/{product}", json={"quantity": 2}, headers=customer)
    assert added.status_code == 200, added.text
    placed = https.post(
        "/api/v1/orders",
        json={"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}},
        headers={**customer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 202, placed.text
    assert placed.http_version == "HTTP/1.1"  # httpx speaks HTTP/1.1; nginx offers h2 too
    deadline = time.monotonic() + PAID_WITHIN_S
    while (order := https.get(placed.headers["Location"], headers=customer).json())[
        "status"
    ] != "paid":
        assert time.monotonic() < deadline, order
        time.sleep(0.2)
    number: str = order["number"]
    return number


def _orion_targets_up(stack: Stack) -> int:
    answer = httpx.get(f"{stack.prometheus}/api/v1/query", params={"query": "up == 1"}).json()
    return sum(
        1 for result in answer["data"]["result"] if result["metric"]["job"].startswith("orion")
    )


def test_the_rolling_restart_replaces_containers_refusing_no_read(stack: Stack) -> None:
    rolled = ["api-1", "api-2", "relay-1"]  # an API instance's way, and a relay's or worker's
    before = {service: _container_id(stack, service) for service in rolled}
    statuses: list[int | str] = []
    done = threading.Event()

    def read() -> None:
        with stack.client() as https:
            while not done.is_set():
                try:
                    statuses.append(https.get("/api/v1/products").status_code)
                except httpx.TransportError as error:
                    statuses.append(type(error).__name__)
                time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        restarted = subprocess.run(
            [str(COMPOSE / "rolling-restart.sh"), *rolled], env=stack.env,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    finally:
        done.set()
        reader.join()
    assert restarted.returncode == 0, restarted.stderr
    assert all(_container_id(stack, service) != before[service] for service in rolled)
    assert [status for status in statuses if status != 200] == []
    assert len(statuses) > 100  # the reads went on the whole time


def _container_id(stack: Stack, service: str) -> str:
    return stack.compose("ps", "--quiet", service).strip()
