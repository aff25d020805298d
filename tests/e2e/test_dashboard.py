"""The admin dashboard in a real Chromium against a running Orion (one process, PostgreSQL,
RabbitMQ, Redis), shared by the module's tests: an admin signs in with the keyboard; after
30 orders placed through the API (some declined, some cancelled, some shipped) the
overview's figures are those computed from the API; events delivered again change none;
``orion analytics rebuild`` gives the same page. A customer's token and sign-in get 403;
a write without its CSRF token is refused; no console error, no CSP violation, no serious
accessibility issue."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from playwright.sync_api import Browser

from orion.modules.catalog.contracts.events import ProductCreatedV1
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.messaging.rabbitmq import ATTEMPTS_HEADER, ERROR_HEADER, to_amqp
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.conftest import BROKER_URL, REDIS_URL, _asyncpg_dsn
from tests.e2e.browser import Watched, chromium
from tests.e2e.deployment import (
    ADDRESS,
    DELAYS_MS,
    PASSWORD,
    deployed,
    new_pen,
    shopper,
    sign_in,
    subjects,
)
from tests.e2e.test_serve import Server, orion, orion_env, server_database
from tests.integration.messaging.conftest import delete_topology, orion_queues

ADMIN = "boss@example.com"
SETTLED_WITHIN_S = 90


@dataclass
class Shop:
    server: Server
    env: dict[str, str]
    database: str
    admin: dict[str, str]
    data: Path

    @property
    def http(self) -> httpx.Client:
        return self.server.http

    @property
    def base(self) -> str:
        return self.server.base


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    data = tmp_path_factory.mktemp("dashboard")
    try:
        with server_database() as url:
            env = orion_env(
                ORION_DATABASE_URL=url,
                ORION_DATA_DIR=str(data),
                ORION_BROKER_URL=BROKER_URL,
                ORION_REDIS_URL=REDIS_URL,
                ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
                ORION_REGISTER_LIMIT_PER_ADDRESS="1000/hour",
            )
            with deployed("one-process", env, admin=ADMIN) as server:
                yield Shop(server, env, url, sign_in(server.http, ADMIN), data)
    finally:
        for queue in orion_queues():
            asyncio.run(delete_topology(BROKER_URL, queue, DELAYS_MS))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def admin_page(shop: Shop, browser: Browser) -> Iterator[Watched]:
    """A tab signed in as the admin, with the keyboard alone; no problem left at the end."""
    context = browser.new_context(base_url=shop.base, viewport={"width": 1400, "height": 900})
    watched = Watched(context.new_page())
    page = watched.page
    page.goto("/admin/")
    assert page.url.endswith("/admin/login")
    page.keyboard.type(ADMIN)  # the email field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/")
    yield watched
    context.close()
    assert watched.problems == []


def in_thread(work: Coroutine[Any, Any, Any]) -> Any:
    """Runs in a thread of its own: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


def sql(shop: Shop, statement: str) -> Any:
    async def run() -> Any:
        connection = await asyncpg.connect(_asyncpg_dsn(shop.database))
        try:
            return await connection.fetch(statement)
        finally:
            await connection.close()

    return in_thread(run())


async def dead_letter(queue: str, event: IntegrationEvent) -> None:
    """A real event left in ``queue``'s dead-letter queue, as a consumer that failed on it
    its last time leaves it."""
    sent = Envelope(
        message_id=uuid.uuid4(),
        type=event.wire_name,
        occurred_at=event.occurred_at,
        correlation_id="dashboard-e2e",
        causation_id=None,
        traceparent=None,
        tracestate=None,
        aggregate_id=event.aggregate_id,
        aggregate_version=event.aggregate_version,
        payload=event.to_payload(),
        source="catalog",
    )
    headers = {ATTEMPTS_HEADER: 3, ERROR_HEADER: "RuntimeError: the database was down"}
    connection = await aio_pika.connect(BROKER_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(to_amqp(sent, **headers), f"{queue}.dlq")


def place_orders(shop: Shop) -> list[str]:
    """30 orders by 10 customers of 3 products: 22 with a good card, 5 declined, 3 short of
    funds; then 4 paid ones cancelled (refunded), 6 shipped, 3 of those delivered."""
    http, admin = shop.http, shop.admin
    prices = {"pen": 350, "ink": 1_275, "pad": 2_000}
    products = {}
    for sku, price in prices.items():
        created = http.post(
            "/api/v1/admin/products",
            json={
                "sku": sku.upper(),
                "name": sku.title(),
                "category": "Tests",
                "price": {"amount": price, "currency": "EUR"},
                "stock": 500,
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
        products[sku] = created.json()["id"]
    customers = [shopper(http, f"buyer{n}") for n in range(10)]
    tokens = ["tok_visa"] * 22 + ["tok_declined"] * 5 + ["tok_insufficient_funds"] * 3
    orders = []
    for n, token in enumerate(tokens):
        who = customers[n % 10]
        for k, sku in enumerate(prices):
            if (n + k) % 3 != 2:
                put = http.put(
                    f"/api/v1/cart/items/{products[sku]}",
                    json={"quantity": 1 + (n + k) % 4},
                    headers=who,
                )
                assert put.status_code == 200, put.text
        placed = http.post(
            "/api/v1/orders",
            json={"shipping_address": ADDRESS, "payment": {"token": token}},
            headers={**who, "Idempotency-Key": f"order-{n}"},
        )
        assert placed.status_code == 202, placed.text
        orders.append(placed.json()["id"])
    wait_until(lambda: count(shop, "paid") == 22, "22 orders paid")
    paid = orders[:22]
    for order_id in paid[:4]:
        assert http.post(f"/api/v1/admin/orders/{order_id}/cancel", headers=admin).is_success
    for order_id in paid[4:10]:
        assert http.post(f"/api/v1/admin/orders/{order_id}/ship", headers=admin).is_success
    for order_id in paid[4:7]:
        assert http.post(f"/api/v1/admin/orders/{order_id}/deliver", headers=admin).is_success
    wait_until(
        lambda: [detail(shop, o)["payment"]["status"] for o in paid[:4]] == ["refunded"] * 4,
        "the cancelled orders refunded",
    )
    return orders


def detail(shop: Shop, order_id: str) -> dict[str, Any]:
    answer = shop.http.get(f"/api/v1/admin/orders/{order_id}", headers=shop.admin)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def count(shop: Shop, status: str) -> int:
    answer = shop.http.get(
        "/api/v1/admin/orders", params={"status": status, "limit": 100}, headers=shop.admin
    )
    assert answer.status_code == 200, answer.text
    return len(answer.json()["items"])


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + SETTLED_WITHIN_S
    while not condition():
        assert time.monotonic() < deadline, f"not so after {SETTLED_WITHIN_S} s: {what}"
        time.sleep(0.3)


def figures_from_the_api(shop: Shop, orders: list[str]) -> dict[str, int]:
    """The overview's KPIs, computed from what the API says of each order and its payment."""
    details = [detail(shop, order_id) for order_id in orders]
    payments = [d["payment"] for d in details if d["payment"] is not None]
    taken = [p["amount"]["amount"] for p in payments if p["status"] in {"captured", "refunded"}]
    refunded = [p["amount"]["amount"] for p in payments if p["status"] == "refunded"]
    gross = sum(taken)
    return {
        "orders": len(details),
        "gross": gross,
        "refunds": sum(refunded),
        "net": gross - sum(refunded),
        "paid_orders": len(taken),
        "average_order_value": int(
            (Decimal(gross) / len(taken)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        ),
        "cancelled": sum(d["status"] == "cancelled" for d in details),
        "payment_failures": sum(p["status"] == "failed" for p in payments),
        "new_customers": 10,
        "active_customers": len({d["customer_id"] for d in details}),
    }


def kpis(watched: Watched) -> dict[str, int]:
    found = watched.page.eval_on_selector_all(
        "[data-kpi]", "nodes => nodes.map(n => [n.dataset.kpi, Number(n.dataset.value)])"
    )
    return dict(found)


def test_the_overview_shows_the_figures_of_the_api_exact_under_redelivery_and_rebuilt(
    shop: Shop, admin_page: Watched
) -> None:
    orders = place_orders(shop)
    expected = figures_from_the_api(shop, orders)
    assert expected["paid_orders"] == 22
    assert expected["payment_failures"] == 8
    assert expected["cancelled"] == 12

    page = admin_page.page

    def shown() -> dict[str, int]:
        page.goto("/admin/")
        return kpis(admin_page)

    wait_until(lambda: shown() == expected, f"the overview shows {expected}")
    funnel = page.eval_on_selector_all(
        "table[data-table=funnel] tbody td", "cells => cells.map(c => Number(c.textContent))"
    )
    assert funnel == [30, 22, 6, 3]
    failures = page.text_content("table[data-table=failures]") or ""
    assert "card_declined" in failures
    assert "insufficient_funds" in failures
    before = page.inner_text("main")
    admin_page.screenshot("overview")

    handled = sql(shop, "SELECT count(*) AS n FROM analytics.inbox")[0]["n"]
    sql(shop, "UPDATE ordering.outbox SET published_at = NULL")  # every order event again
    sql(shop, "UPDATE payments.outbox SET published_at = NULL")
    wait_until(
        lambda: (
            sql(
                shop,
                "SELECT (SELECT count(*) FROM ordering.outbox WHERE published_at IS NULL)"
                " + (SELECT count(*) FROM payments.outbox WHERE published_at IS NULL) AS n",
            )[0]["n"]
            == 0
        ),
        "the events published again",
    )
    wait_until(
        lambda: sql(shop, "SELECT count(*) AS n FROM analytics.inbox")[0]["n"] == handled,
        "the inbox as it was",
    )
    page.goto("/admin/")
    assert page.inner_text("main") == before

    rebuilt = orion("analytics", "rebuild", env=shop.env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "30 orders" in rebuilt.stdout
    page.goto("/admin/")
    assert page.inner_text("main") == before
    assert admin_page.axe() == []


def test_a_customer_gets_403_and_a_write_needs_its_csrf_token(
    shop: Shop, admin_page: Watched
) -> None:
    http = shop.http
    customer = shopper(http, "nosy")
    for method, path in (("GET", "/admin/"), ("GET", "/admin/login"), ("POST", "/admin/logout")):
        answer = http.request(method, path, headers=customer)
        assert answer.status_code == (200 if path == "/admin/login" else 403), path
    refused = http.post(
        "/admin/login",
        data={"email": "nosy@example.com", "password": PASSWORD},
    )
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers

    cookies = {c["name"]: c["value"] for c in admin_page.page.context.cookies()}
    with httpx.Client(base_url=shop.base, cookies=cookies) as as_admin:
        assert as_admin.get("/admin/").status_code == 200
        assert as_admin.post("/admin/logout", data={}).status_code == 403
        assert as_admin.get("/admin/").status_code == 200  # nothing was done
    admin_page.page.goto("/admin/login")
    admin_page.screenshot("login")


def test_an_admin_ships_an_order_with_the_keyboard_the_customer_is_told_and_it_is_audited(
    shop: Shop, admin_page: Watched
) -> None:
    http = shop.http
    pen = new_pen(http, shop.admin, stock=10, sku="KEYBOARD-PEN")
    ada = shopper(http, "ada")
    assert http.put(f"/api/v1/cart/items/{pen}", json={"quantity": 2}, headers=ada).is_success
    placed = http.post(
        "/api/v1/orders",
        json={"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}},
        headers={**ada, "Idempotency-Key": "keyboard"},
    )
    order = placed.json()
    wait_until(lambda: detail(shop, order["id"])["status"] == "paid", "the order paid")

    page = admin_page.page
    page.goto("/admin/orders?status=paid")
    admin_page.screenshot("orders")
    assert admin_page.axe() == []
    link = page.get_by_role("link", name=order["number"])
    link.focus()
    page.keyboard.press("Enter")  # the order's page
    page.wait_for_url(f"**/admin/orders/{order['id']}")
    admin_page.screenshot("order")
    assert admin_page.axe() == []
    page.get_by_role("link", name="Ship").focus()
    page.keyboard.press("Enter")  # the confirmation
    page.wait_for_url(f"**/admin/orders/{order['id']}/ship")
    admin_page.screenshot("confirm-ship")
    page.get_by_role("button", name="Yes, ship").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?done=ship")
    assert "shipped" in page.inner_text("h1")

    mail = shop.data / "outbox-mail"
    wait_until(lambda: f"Your order {order['number']} is on its way" in subjects(mail), "the email")
    page.goto("/admin/audit?action=orders.ship")
    row = page.locator("tr[data-action='orders.ship']").first
    assert ADMIN in row.inner_text()
    assert order["id"] in row.inner_text()
    admin_page.screenshot("audit")
    assert admin_page.axe() == []


def test_products_customers_and_a_replay_from_the_pages_each_in_the_audit_log(
    shop: Shop, admin_page: Watched, browser: Browser
) -> None:
    http, page = shop.http, admin_page.page

    page.goto("/admin/products/new")
    for field, value in {
        "#sku": "LAMP-1",
        "#name": "Desk lamp",
        "#category": "Office",
        "#price": "24.90",
        "#stock": "4",
        "#description": "Warm light",
    }.items():
        page.fill(field, value)
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**done=created")
    product_url = page.url.split("?")[0]
    listed = http.get("/api/v1/products", params={"q": "Desk lamp"}).json()["items"]
    assert [item["sku"] for item in listed] == ["LAMP-1"]

    other = Watched(page.context.new_page())  # a second tab on the same product
    other.page.goto(product_url)
    page.fill("#name", "Desk lamp, brass")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**done=saved")
    other.page.fill("#name", "Desk lamp, steel")
    other.page.get_by_role("button", name="Save").click()
    conflict = other.page.locator("[data-conflict]")
    assert "Desk lamp, brass" in conflict.inner_text()
    other.screenshot("product-conflict")
    assert other.axe() == []
    other.page.close()
    assert other.problems == []
    assert http.get(f"/api/v1/products/{product_url.rsplit('/', 1)[1]}").json()["name"] == (
        "Desk lamp, brass"
    )

    page.fill("#delta", "-1")
    page.fill("#reason", "shop display")
    page.get_by_role("button", name="Adjust stock").click()
    page.wait_for_url("**done=stock")
    assert page.locator("[data-stock]").inner_text() == "3"
    admin_page.screenshot("product")
    page.goto("/admin/products")
    admin_page.screenshot("products")
    assert admin_page.axe() == []

    cem = shopper(http, "cem")
    assert http.get("/api/v1/me", headers=cem).status_code == 200
    page.goto("/admin/customers?q=cem")
    admin_page.screenshot("customers")
    page.get_by_role("link", name="cem").click()
    page.get_by_role("button", name="Disable (ends their sessions now)").click()
    page.wait_for_url("**done=disable")
    assert http.get("/api/v1/me", headers=cem).status_code == 401  # at once
    admin_page.screenshot("customer")
    assert admin_page.axe() == []

    queue = "analytics.catalog"
    lost = ProductCreatedV1(
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        sku="LOST-1",
        name="Lost lamp",
        description="",
        category="Office",
        price_amount=100,
        price_currency="EUR",
        stock=1,
        active=True,
    )
    in_thread(dead_letter(queue, lost))
    page.goto("/admin/operations")
    admin_page.screenshot("operations")
    assert admin_page.axe() == []
    page.get_by_role("link", name=f"Replay {queue}").click()
    page.get_by_role("button", name="Yes, replay").click()
    page.wait_for_url("**moved=1**")
    page.goto("/admin/notifications")
    admin_page.screenshot("notifications")
    assert admin_page.axe() == []
    wait_until(
        lambda: (
            sql(shop, "SELECT count(*) AS n FROM analytics.products WHERE sku = 'LOST-1'")[0]["n"]
            == 1
        ),
        "the replayed event consumed",
    )

    page.goto("/admin/audit")
    actions = page.eval_on_selector_all(
        "tr[data-action]", "rows => rows.map(r => r.dataset.action)"
    )
    for action in (
        "products.create",
        "products.update",
        "products.stock",
        "customers.disable",
        "operations.replay",
    ):
        assert action in actions, action
    assert actions.count("products.update") == 1  # the stale edit wrote nothing
