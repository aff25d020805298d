"""Split-mode parity: the same journey (sign up, ask for a reset, get both emails once) with
everything in one `orion serve`, and with the API, the relay and the notifications worker as
separate processes on RabbitMQ."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import SERVER_URL, unavailable
from tests.e2e.test_serve import Server, _admin_sql, orion, orion_env
from tests.integration.messaging.conftest import BROKER_URL, delete_topology, orion_queues

EMAILS_WITHIN_S = 20
DELAYS_MS = [200, 500]
MODES = {
    "one-process": [["serve"]],
    "split": [
        ["serve", "--no-workers", "--no-relay"],
        ["relay"],
        ["worker", "--module", "notifications"],
    ],
}


@pytest.fixture
def database() -> Iterator[str]:
    name = f"orion_split_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL server", error)
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for queue in orion_queues():
            asyncio.run(delete_topology(BROKER_URL, queue, DELAYS_MS))


@pytest.mark.parametrize("mode", list(MODES))
def test_the_journey_is_the_same_in_one_process_and_split(
    mode: str, database: str, tmp_path: Path
) -> None:
    env = orion_env(
        ORION_DATABASE_URL=database,
        ORION_BROKER_URL=BROKER_URL,
        ORION_DATA_DIR=str(tmp_path),
        ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
    )
    assert orion("migrate", env=env).returncode == 0
    api, *others = MODES[mode]
    server = Server(env, *api[1:])
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "orion", *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in others
    ]
    try:
        server.wait_ready()
        account = {"email": "grace@example.com", "password": "a long passphrase"}
        signed_up = server.http.post(
            "/api/v1/auth/register", json={**account, "full_name": "Grace Hopper"}
        )
        assert signed_up.status_code == 201
        assert (
            server.http.post(
                "/api/v1/auth/password-reset", json={"email": account["email"]}
            ).status_code
            == 202
        )

        folder = tmp_path / "outbox-mail"
        deadline = time.monotonic() + EMAILS_WITHIN_S
        while len(list(folder.glob("*.eml"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        subjects = sorted(
            line.split(": ", 1)[1]
            for path in folder.glob("*.eml")
            for line in path.read_text().splitlines()
            if line.startswith("Subject: ")
        )
        assert subjects == ["Confirm your email address", "Reset your password"]
        time.sleep(1)  # nothing more arrives
        assert len(list(folder.glob("*.eml"))) == 2
    finally:
        assert server.stop() == 0
        for worker in workers:
            worker.terminate()
            assert worker.wait(timeout=30) == 0
