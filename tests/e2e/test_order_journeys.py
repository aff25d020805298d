"""Order journeys through a running shop: customers check out, the catalog reserves stock
or not, a customer cancels; every order reaches the state the scenario expects within a
bound. The same scenario runs on the embedded default's in-process broker, in one process
on RabbitMQ, and split into API, relay and workers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BROKER_URL
from tests.e2e.deployment import (
    ADDRESS,
    DELAYS_MS,
    MODES,
    buy,
    deployed,
    new_pen,
    shopper,
    sign_in,
    subjects,
)
from tests.e2e.test_serve import orion_env

SETTLED_WITHIN_S = 60  # a deadline, not a timing: a loaded CI machine is slow


def stock_of(http: httpx.Client, admin: dict[str, str], product_id: str) -> int:
    return int(http.get(f"/api/v1/admin/products/{product_id}", headers=admin).json()["stock"])


def status_of(http: httpx.Client, headers: dict[str, str], order_id: str) -> tuple[str, Any]:
    order = http.get(f"/api/v1/orders/{order_id}", headers=headers).json()
    return order["status"], order["history"][-1]["reason"]


@pytest.mark.parametrize("mode", list(MODES))
def test_every_order_reaches_the_state_its_journey_expects(
    mode: str, database: str, tmp_path: Path
) -> None:
    settings = {"ORION_DATABASE_URL": database, "ORION_DATA_DIR": str(tmp_path)}
    if mode != "in-process":
        settings |= {"ORION_BROKER_URL": BROKER_URL, "ORION_RETRY_DELAYS_MS": str(DELAYS_MS)}
    env = orion_env(**settings)
    with deployed(mode, env, admin="boss@example.com") as server:
        http = server.http
        admin = sign_in(http, "boss@example.com")
        scarce, plenty = (
            http.post(
                "/api/v1/admin/products",
                json={
                    "sku": sku,
                    "name": sku.title(),
                    "category": "Tests",
                    "price": {"amount": 1_000, "currency": "EUR"},
                    "stock": stock,
                },
                headers=admin,
            ).json()["id"]
            for sku, stock in (("scarce", 3), ("plenty", 100))
        )
        expected: dict[str, tuple[dict[str, str], tuple[str, Any]]] = {}
        for name in ("ann", "bob", "cem"):  # the three units there are
            headers = shopper(http, name)
            expected[buy(http, headers, scarce, 1)] = (headers, ("paid", None))
        greedy = shopper(http, "dee")  # more than there ever was: never reserved
        expected[buy(http, greedy, scarce, 4)] = (greedy, ("cancelled", "out_of_stock"))
        eve = shopper(http, "eve")
        expected[buy(http, eve, plenty, 2)] = (eve, ("paid", None))
        changed_mind = shopper(http, "fay")
        cancelled = buy(http, changed_mind, plenty, 5)
        expected[cancelled] = (changed_mind, ("cancelled", "customer_request"))
        assert http.post(f"/api/v1/orders/{cancelled}/cancel", headers=changed_mind).is_success

        deadline = time.monotonic() + SETTLED_WITHIN_S
        while True:
            reached = {
                order_id: status_of(http, headers, order_id)
                for order_id, (headers, _) in expected.items()
            }
            if reached == {order_id: state for order_id, (_, state) in expected.items()}:
                break
            assert time.monotonic() < deadline, f"not settled in {SETTLED_WITHIN_S} s: {reached}"
            time.sleep(0.2)

        def stock(product_id: str) -> int:
            return int(
                http.get(f"/api/v1/admin/products/{product_id}", headers=admin).json()["stock"]
            )

        deadline = time.monotonic() + SETTLED_WITHIN_S  # the cancelled order's release
        while stock_of(http, admin, plenty) != 98:
            assert time.monotonic() < deadline, (
                f"plenty's stock is {stock_of(http, admin, plenty)}, not 98"
            )
            time.sleep(0.2)
        assert stock_of(http, admin, scarce) == 0


@pytest.mark.parametrize("mode", ["one-process", "split"])
def test_a_good_card_is_paid_and_a_declined_one_cancelled(
    mode: str, database: str, tmp_path: Path
) -> None:
    env = orion_env(
        ORION_DATABASE_URL=database,
        ORION_DATA_DIR=str(tmp_path),
        ORION_BROKER_URL=BROKER_URL,
        ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
    )
    with deployed(mode, env, admin="boss@example.com") as server:
        http = server.http
        admin = sign_in(http, "boss@example.com")
        pen = new_pen(http, admin, 10)

        ann = shopper(http, "ann")
        paid = buy(http, ann, pen, 2)
        deadline = time.monotonic() + SETTLED_WITHIN_S  # how fast is bench/checkout.py's
        while status_of(http, ann, paid)[0] != "paid":
            assert time.monotonic() < deadline, f"not paid: {status_of(http, ann, paid)}"
            time.sleep(0.05)

        bob = shopper(http, "bob")
        put = http.put(f"/api/v1/cart/items/{pen}", json={"quantity": 3}, headers=bob)
        assert put.status_code == 200
        declined = http.post(
            "/api/v1/orders",
            json={"shipping_address": ADDRESS, "payment": {"token": "tok_declined"}},
            headers={**bob, "Idempotency-Key": "bob-1"},
        ).json()["id"]
        while status_of(http, bob, declined) != ("cancelled", "payment_declined"):
            assert time.monotonic() < deadline, status_of(http, bob, declined)
            time.sleep(0.1)
        while stock_of(http, admin, pen) != 8:  # ann's two are sold; bob's three are back
            assert time.monotonic() < deadline, f"stock {stock_of(http, admin, pen)}"
            time.sleep(0.1)

        folder = tmp_path / "outbox-mail"
        while len(subjects(folder)) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # nothing more arrives
        anns = http.get(f"/api/v1/orders/{paid}", headers=ann).json()["number"]
        bobs = http.get(f"/api/v1/orders/{declined}", headers=bob).json()["number"]
        assert subjects(folder) == sorted(
            [
                "Confirm your email address",  # ann's and bob's sign-ups
                "Confirm your email address",
                f"We received your order {anns}",
                f"Payment received for order {anns}",
                f"We received your order {bobs}",
                f"Your order {bobs} is cancelled",
            ]
        )
