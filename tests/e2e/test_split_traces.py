"""One trace across processes: the API, the relay and each worker apart on RabbitMQ, each
exporting its spans to its own stdout (``ORION_OTEL_EXPORTER=console``). The checkout's
trace id, chosen by the caller, is on the relay's publishes, the payment worker's span and
the notification worker's span of the paid email."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import BROKER_URL
from tests.e2e.deployment import ADDRESS, DELAYS_MS, PASSWORD, new_pen, shopper, sign_in, stopped
from tests.e2e.test_serve import READY_WITHIN_S, orion, orion_env
from tests.fakes.loopback import free_port
from tests.log_hygiene import process_log

SETTLED_WITHIN_S = 60  # a deadline, not a timing: a loaded CI machine is slow
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PROCESSES = {
    "relay": ["relay"],
    # identity's worker completes ann's sign-up (her welcome) after its answer
    "ordering": ["worker", "--module", "catalog,identity,ordering"],
    "payments": ["worker", "--module", "payments"],
    "notifications": ["worker", "--module", "notifications"],
}


def spans_in(path: Path) -> list[dict[str, Any]]:
    """The console exporter's output: JSON objects one after another."""
    text, decoder, found, at = path.read_text(), json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return found
        span, at = decoder.raw_decode(text, at)
        found.append(span)


def test_the_workers_spans_join_the_checkouts_trace_across_processes(
    database: str, tmp_path: Path
) -> None:
    env = orion_env(
        ORION_DATABASE_URL=database,
        ORION_BROKER_URL=BROKER_URL,
        ORION_DATA_DIR=str(tmp_path),
        ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
        ORION_OTEL_EXPORTER="console",
        ORION_TRACE_SAMPLE_RATIO="1",  # every trace, not the default share
    )
    assert orion("migrate", env=env).returncode == 0
    made = orion("admin", "create", "--email", "boss@example.com", env=env, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    port = free_port()
    commands = {"api": ["serve", "--port", str(port), "--no-workers", "--no-relay"]}
    commands |= PROCESSES
    outputs = {name: tmp_path / f"{name}.spans" for name in commands}
    processes = {}
    for name, command in commands.items():
        with outputs[name].open("wb") as out, process_log(name) as err:
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "orion", *command], env=env, stdout=out, stderr=err
            )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + READY_WITHIN_S
            while True:
                assert time.monotonic() < deadline, "the API was not ready in time"
                try:
                    if http.get("/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            admin = sign_in(http, "boss@example.com")
            pen = new_pen(http, admin, 10)
            ann = shopper(http, "ann")
            assert http.put(f"/api/v1/cart/items/{pen}", json={"quantity": 1}, headers=ann)
            placed = http.post(
                "/api/v1/orders",
                json={"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}},
                headers={
                    **ann,
                    "Idempotency-Key": "traced",
                    "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
                },
            )
            assert placed.status_code == 202, placed.text
            order = f"/api/v1/orders/{placed.json()['id']}"
            emails = tmp_path / "outbox-mail"
            deadline = time.monotonic() + SETTLED_WITHIN_S
            while http.get(order, headers=ann).json()["status"] != "paid" or (
                len(list(emails.glob("*.eml"))) < 3  # ann's welcome, confirmation, paid
            ):
                assert time.monotonic() < deadline, http.get(order, headers=ann).json()
                time.sleep(0.1)
    finally:
        codes = dict(zip(processes, stopped(processes.values()), strict=True))
    assert codes == dict.fromkeys(commands, 0)  # and each flushed its spans on the way out

    spans = {name: spans_in(path) for name, path in outputs.items()}

    def in_trace(name: str, prefix: str) -> list[dict[str, Any]]:
        return [
            span
            for span in spans[name]
            if span["name"].startswith(prefix) and span["context"]["trace_id"] == f"0x{TRACE_ID}"
        ]

    assert in_trace("api", "POST /api/v1/orders")
    assert in_trace("relay", "publish ordering.order_placed.v1")
    assert in_trace("payments", "payments process ordering.order_awaiting_payment.v1")
    assert in_trace("ordering", "ordering process payments.payment_captured.v1")
    assert in_trace("notifications", "notifications process ordering.order_paid.v1")
