"""Split-mode parity: the same journey (sign up, ask for a reset, get both emails once) with
everything in one `orion serve`, and with the API, the relay and the workers as separate
processes on RabbitMQ."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import BROKER_URL
from tests.e2e.deployment import DELAYS_MS, deployed, subjects
from tests.e2e.test_serve import orion_env
from tests.log_hygiene import secret

EMAILS_WITHIN_S = 60  # a deadline, not a timing: a loaded CI machine is slow


@pytest.mark.parametrize("mode", ["one-process", "split"])
def test_the_journey_is_the_same_in_one_process_and_split(
    mode: str, database: str, tmp_path: Path
) -> None:
    env = orion_env(
        ORION_DATABASE_URL=database,
        ORION_BROKER_URL=BROKER_URL,
        ORION_DATA_DIR=str(tmp_path),
        ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
    )
    with deployed(mode, env) as server:
        account = {
            "email": "grace@example.com",
            "password": secret("e2e password", "a long passphrase"),
        }
        signed_up = server.http.post(
            "/api/v1/auth/register", json={**account, "full_name": "Grace Hopper"}
        )
        assert signed_up.status_code == 202
        reset = server.http.post("/api/v1/auth/password-reset", json={"email": account["email"]})
        assert reset.status_code == 202

        folder = tmp_path / "outbox-mail"
        deadline = time.monotonic() + EMAILS_WITHIN_S
        while len(subjects(folder)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert subjects(folder) == ["Confirm your email address", "Reset your password"]
        time.sleep(1)  # nothing more arrives
        assert len(subjects(folder)) == 2
        if mode == "split":
            relayed = scrape(server.ops["relay"])
            emailed = scrape(server.ops["worker --module notifications"])
            ready = [httpx.get(f"{base}/health/ready").status_code for base in server.ops.values()]
    if mode == "split":  # each worker and the relay report their own work
        # the sign-up and the reset asked for, then what identity's worker made of them after
        # the answers: the welcome and the reset link (ADR 8)
        assert relayed['orion_relay_messages_total{module="identity",outcome="published"}'] == 4
        assert (
            emailed['orion_consumer_messages_total{consumer="notifications",outcome="processed"}']
            == 2
        )
        assert ready == [200] * len(server.ops)


def scrape(base: str) -> dict[str, float]:
    """``/metrics`` of one process: each sample by its name and labels."""
    text = httpx.get(f"{base}/metrics").text
    return {
        name: float(value)
        for name, _, value in (line.rpartition(" ") for line in text.splitlines())
        if name and not name.startswith("#")
    }
