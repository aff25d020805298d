"""What the deploy tests share: the image, built once per run from the Dockerfile on the
Debian-built base; one shop of containers (two API instances, a relay, a worker) on a database
and a RabbitMQ virtual host of the run's own; the nginx gateway in front of it.

Docker's daemon, nginx and the base image come from ``deploy/docker/host.sh`` (``.ci/run``
calls it); without them these tests skip, or fail with CI=true.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import SERVER_URL, TOLD, own_vhost, redis_database, unavailable
from tests.deploy.containers import READ_ONLY, Container, docker, keep_logs
from tests.deploy.gateway import Gateway, running_gateway
from tests.e2e.deployment import DELAYS_MS, PASSWORD
from tests.e2e.test_serve import _admin_sql
from tests.fakes.loopback import free_port
from tests.log_hygiene import secret

ROOT = Path(__file__).parents[2]
BASE_IMAGE = os.environ.get("ORION_TEST_BASE_IMAGE", "orion-base:bookworm")
RUN = secrets.token_hex(4)
ADMIN = "ops@example.com"
ORION_UID = 10001  # the image's user
MODULES = "catalog,identity,ordering,payments,notifications"


@contextmanager
def own_folder(name: str) -> Iterator[Path]:
    """A temporary folder outside pytest's: other pytest sessions on this machine prune old
    ones there (they keep three), and a container's bind mount must outlive whatever runs
    meanwhile."""
    folder = Path(tempfile.mkdtemp(prefix=f"orion-{name}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    """Orion's image built by deploy/docker/build.sh on the Debian-built base; its size is
    printed. Docker's cache makes a rebuild of unchanged sources quick."""
    try:
        docker("info", timeout=20)
        docker("image", "inspect", BASE_IMAGE)
    except (OSError, AssertionError, subprocess.TimeoutExpired) as error:
        unavailable(
            f"Docker's daemon or the base image {BASE_IMAGE} (deploy/docker/host.sh)", error
        )
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        unavailable("nginx (deploy/docker/host.sh)", FileNotFoundError("nginx"))
    tag = f"orion-test:{RUN}"
    built = subprocess.run(
        [str(ROOT / "deploy/docker/build.sh"), tag],
        env={**os.environ, "BASE_IMAGE": BASE_IMAGE},
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-5000:]
    size = int(docker("image", "inspect", "--format", "{{.Size}}", tag))
    TOLD.append(f"deploy: image {tag} built on {BASE_IMAGE}: {size / 2**20:.0f} MiB")
    yield tag
    docker("rmi", tag, check=False)  # its layers stay in the cache for the next run


@dataclass
class Shop:
    """The containers of one shop, and where they write."""

    apis: list[Container]
    relay: Container
    worker: Container
    mail: Path
    database_url: str
    env_file: Path
    image: str

    @property
    def all(self) -> list[Container]:
        return [*self.apis, self.relay, self.worker]

    def orion(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """A one-off ``orion ARGS`` in a container of the image (migrate, admin, outbox)."""
        return subprocess.run(
            [
                "docker", "run", "--rm", "--interactive", *READ_ONLY,
                "--env-file", str(self.env_file), self.image, *args,
            ],
            input=stdin, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip


@pytest.fixture(scope="session")
def shop(image: str) -> Iterator[Shop]:
    """Two API instances, a relay and a worker of every module, in containers (read-only root,
    the image's non-root user), on a migrated database of their own; emails as files in
    ``mail``; an admin (``ADMIN``, ``PASSWORD``)."""
    with own_folder("shop") as folder, own_vhost("orion_deploy") as broker_url:
        yield from _shop(image, folder, broker_url)


def _shop(image: str, folder: Path, broker_url: str) -> Iterator[Shop]:
    """Its own database, virtual host and Redis database: the containers run until the
    session ends, beside the other tests of this process."""
    name = f"orion_deploy_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    database_url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    env_file = folder / "orion.env"
    env_file.write_text(
        f"ORION_DATABASE_URL={database_url}\n"
        f"ORION_BROKER_URL={broker_url}\n"
        f"ORION_REDIS_URL={redis_database()}\n"
        f"ORION_JWT_KEYS=deploy:{secret('deploy signing key', secrets.token_urlsafe(32))}\n"
        f"ORION_RETRY_DELAYS_MS={DELAYS_MS}\n"
        "ORION_TRUSTED_PROXIES=127.0.0.1\n"  # the gateway: it connects from 127.0.0.1
        "ORION_LOG_LEVEL=INFO\n"
        # every client of these tests registers from 127.0.0.1, run after run, on one Redis
        "ORION_REGISTER_LIMIT_PER_ADDRESS=100000/hour\n"
    )
    mail = folder / "data"
    mail.mkdir()
    os.chown(mail, ORION_UID, ORION_UID)
    apis = []
    for number in (1, 2):
        port = free_port()
        apis.append(
            Container(
                f"orion-{RUN}-api-{number}",
                image,
                env_file,
                ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-workers", "--no-relay"],
                f"http://127.0.0.1:{port}/health/live",
            )
        )
    relay_port, worker_port = free_port(), free_port()
    relay = Container(
        f"orion-{RUN}-relay", image, env_file, ["relay", "--metrics-port", str(relay_port)],
        f"http://127.0.0.1:{relay_port}/health/live",
    )  # fmt: skip
    worker = Container(
        f"orion-{RUN}-worker", image, env_file,
        ["worker", "--module", MODULES, "--metrics-port", str(worker_port)],
        f"http://127.0.0.1:{worker_port}/health/live", volumes=[f"{mail}:/var/lib/orion"],
    )  # fmt: skip
    shop = Shop(apis, relay, worker, mail / "outbox-mail", database_url, env_file, image)
    try:
        migrated = shop.orion("migrate")
        assert migrated.returncode == 0, migrated.stderr
        made = shop.orion("admin", "create", "--email", ADMIN, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        for container in shop.all:
            container.run()
        for container in shop.all:
            container.wait_ready()
        yield shop
    finally:
        logs = {container.name: container.remove() for container in shop.all}
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for container_name, lines in logs.items():
            keep_logs(f"container-{container_name}", lines)


@pytest.fixture(scope="session")
def gateway(shop: Shop) -> Iterator[Gateway]:
    """deploy/nginx on loopback (TLS by a test CA) in front of the shop's two instances."""
    ports = [int(httpx.URL(api.health).port or 0) for api in shop.apis]
    with own_folder("gateway") as folder, running_gateway(folder / "nginx", ports) as running:
        yield running
