"""Each module's SQL touches its own schema only.

Every statement is recorded twice over: SQLAlchemy's ``before_cursor_execute`` sees what
goes through it (asyncpg's query logger does not see prepared statements), and asyncpg's
query logger on every pooled connection sees what bypasses SQLAlchemy (``CompiledQuery``).
Then each module runs a full round of its use cases and no statement may name a table
outside its schema."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from orion.bootstrap import Orion
from orion.modules.audit.contracts.commands import RunAudit
from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.queries import GetProduct, ListCategories, ListProducts
from orion.modules.catalog.contracts.queries import GetProductsForOrder
from orion.modules.ordering.application.commands import CleanUp
from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1, OrderCancelledV1
from orion.modules.payments.contracts.commands import Reconcile
from orion.modules.payments.contracts.queries import GetOrderPayment
from tests.conftest import Client
from tests.fakes.payments import delivery
from tests.integration.ordering.helpers import ORDER_BODY, checkout, customer, put_item, settle

# The table after FROM, JOIN, INTO or UPDATE, schema-qualified or not.
# (``DO UPDATE SET`` and ``FOR UPDATE OF`` name no table.)
TABLE = re.compile(
    r'\b(?:FROM|JOIN|INTO|UPDATE)\s+(?!SET\b|OF\b)("?\w+"?(?:\."?\w+"?)?)', re.IGNORECASE
)


def schemas_of(statement: str) -> set[str]:
    tables = {match.replace('"', "") for match in TABLE.findall(statement)}
    return {table.split(".")[0] if "." in table else "<unqualified>" for table in tables}


@asynccontextmanager
async def statements_run(orion: Orion) -> AsyncIterator[list[str]]:
    """Every statement run on the engine's connections while inside."""
    statements: list[str] = []

    def log(record: Any) -> None:
        statements.append(record.query)

    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    def on_execute(*args: Any) -> None:
        statements.append(args[2])  # (connection, cursor, statement, ...)

    await orion.engine.dispose()  # new connections only, each with the logger
    engine = orion.engine.sync_engine
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "connect", on_connect)
        event.remove(engine, "before_cursor_execute", on_execute)
    assert statements, "no statement was recorded"


@asynccontextmanager
async def schemas_touched(orion: Orion) -> AsyncIterator[set[str]]:
    """The schemas named by every statement run while inside."""
    schemas: set[str] = set()
    async with statements_run(orion) as statements:
        yield schemas
    schemas.update(schema for statement in statements for schema in schemas_of(statement))


async def test_catalog_statements_stay_in_its_schema(orion: Orion) -> None:
    async with schemas_touched(orion) as schemas:
        view = await orion.mediator.send(
            CreateProduct(
                sku="OWN-1",
                name="Own",
                description="",
                category="C",
                price_amount=100,
                price_currency="EUR",
                stock=1,
            )
        )
        view = await orion.mediator.send(
            UpdateProduct(product_id=view.id, expected_version=view.version, price_amount=200)
        )
        await orion.mediator.send(AdjustStock(product_id=view.id, delta=3))
        await orion.mediator.ask(GetProduct(product_id=view.id))
        page = await orion.mediator.ask(ListProducts(q="own", limit=1))
        await orion.mediator.ask(ListProducts(cursor=page.next_cursor, limit=1))
        await orion.mediator.ask(ListCategories())
        await orion.mediator.ask(GetProductsForOrder(product_ids=(view.id,)))
        await orion.mediator.send(DeleteProduct(product_id=view.id))
    assert schemas == {"catalog"}


async def test_identity_statements_stay_in_its_schema(orion: Orion, client: Client) -> None:
    post: Callable[..., Awaitable[Any]] = client.post
    account = {"email": "own@example.com", "password": "a long passphrase"}
    async with schemas_touched(orion) as schemas:
        await post("/api/v1/auth/register", json={**account, "full_name": "Own"})
        pair = await (await post("/api/v1/auth/login", json=account)).get_json()
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        await client.patch("/api/v1/me", json={"full_name": "Owner"}, headers=headers)
        refreshed = await post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        tokens = await refreshed.get_json()
        await post("/api/v1/auth/password-reset", json={"email": account["email"]})
        await post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert schemas == {"identity"}


async def test_ordering_statements_stay_in_its_schema(orion: Orion, client: Client) -> None:
    """Ordering asks the catalog (prices), identity (the caller, the customer's contact) and
    payments (an order's payment) through their contracts, so their reads run too; but no
    statement spans two schemas, and everything ordering writes is in its own."""
    pen = await orion.mediator.send(
        CreateProduct(
            sku="OWN-2",
            name="Pen",
            description="",
            category="C",
            price_amount=100,
            price_currency="EUR",
            stock=5,
        )
    )
    headers = await customer(orion)
    async with statements_run(orion) as statements:
        guest = await (await client.post("/api/v1/carts")).get_json()
        await put_item(client, {"X-Cart-Token": guest["token"]}, pen.id)
        await client.get("/api/v1/cart", headers={**headers, "X-Cart-Token": guest["token"]})
        order = await (await checkout(client, headers)).get_json()
        await checkout(client, headers, body={**ORDER_BODY, "payment": {"token": "x"}})
        await client.get("/api/v1/orders", query_string={"q": "Pen"}, headers=headers)
        await client.get(f"/api/v1/orders/{order['id']}", headers=headers)
        await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
        await orion.mediator.send(
            CleanUp(guest_cart_ttl=timedelta(days=30), idempotency_key_ttl=timedelta(days=1))
        )
    assert [statement for statement in statements if len(schemas_of(statement)) > 1] == []
    writes = [s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert writes
    assert {schema for w in writes for schema in schemas_of(w)} == {"ordering"}
    touched = {schema for statement in statements for schema in schemas_of(statement)}
    assert touched == {"ordering", "catalog", "identity", "payments"}


async def test_payments_statements_stay_in_its_schema(orion: Orion) -> None:
    """Payments hears of orders through events only: all its SQL is in its own schema."""
    order = uuid.uuid4()
    about: dict[str, Any] = {
        "aggregate_id": order,
        "aggregate_version": 2,
        "occurred_at": datetime.now(UTC),
        "number": "ORN-000001",
        "customer_id": uuid.uuid4(),
        "customer_email": "own@example.com",
        "customer_name": "Own",
        "currency": "EUR",
        "total_amount": 1_000,
    }
    container = orion.modules["payments"].container
    awaiting = OrderAwaitingPaymentV1(**about, payment_token="tok_visa")
    cancelled = OrderCancelledV1(
        **about, reason="customer_request", previous_status="paid", refund_due=True
    )
    async with schemas_touched(orion) as schemas:
        await container.charge_on_awaiting_payment()(awaiting, delivery(awaiting))
        await container.refund_on_cancelled()(cancelled, delivery(cancelled))
        assert await orion.mediator.ask(GetOrderPayment(order_id=order)) is not None
        await orion.mediator.send(Reconcile(after=timedelta(0), give_up_after=timedelta(days=1)))
    assert schemas == {"payments"}


async def test_the_auditor_reads_through_contracts_and_writes_its_own_schema(
    orion: Orion, client: Client
) -> None:
    """The auditor asks every module (and the platform, for the outboxes) through their
    contracts: no statement spans two schemas, and all it writes is in its own."""
    await orion.start_consumers()
    pen = await orion.mediator.send(
        CreateProduct(
            sku="OWN-3",
            name="Pen",
            description="",
            category="C",
            price_amount=100,
            price_currency="EUR",
            stock=5,
        )
    )
    headers = await customer(orion)
    await put_item(client, headers, pen.id)
    await checkout(client, headers)
    await settle(orion)
    async with statements_run(orion) as statements:
        await orion.mediator.send(RunAudit())
        await orion.mediator.send(RunAudit(from_checkpoint=True))
    # asyncpg looks the uuid[] parameter's type up in pg_catalog once per connection
    statements = [s for s in statements if "typeinfo_tree" not in s]
    assert [statement for statement in statements if len(schemas_of(statement)) > 1] == []
    writes = [s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert {schema for w in writes for schema in schemas_of(w)} == {"audit"}
    touched = {schema for statement in statements for schema in schemas_of(statement)}
    assert {"ordering", "payments", "catalog", "notifications"} < touched
