"""Migrations on the real server: per-module schema and history, idempotent, safe in parallel."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from orion.bootstrap import Orion
from tests.conftest import shop_settings


async def test_migrations_are_idempotent_and_safe_to_run_at_once(database_url: str) -> None:
    shops = [Orion(shop_settings(), database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(shop.migrate() for shop in shops))
        async with shops[0].engine.connect() as connection:
            versions = set(
                (
                    await connection.execute(
                        sa.text(
                            "SELECT version_num FROM catalog.alembic_version UNION ALL "
                            "SELECT version_num FROM identity.alembic_version UNION ALL "
                            "SELECT version_num FROM ordering.alembic_version UNION ALL "
                            "SELECT version_num FROM payments.alembic_version UNION ALL "
                            "SELECT version_num FROM notifications.alembic_version"
                        )
                    )
                ).scalars()
            )
            tables = set(
                (
                    await connection.execute(
                        sa.text(
                            "SELECT table_schema || '.' || table_name"
                            " FROM information_schema.tables"
                            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                        )
                    )
                ).scalars()
            )
    finally:
        for shop in shops:
            await shop.aclose()
    assert versions == {
        "catalog_0003",
        "identity_0002",
        "ordering_0002",
        "payments_0001",
        "notifications_0002",
    }
    # every table lives in its module's schema; nothing lands in public
    assert tables == {
        "catalog.alembic_version",
        "catalog.products",
        "catalog.reservations",
        "catalog.reservation_lines",
        "catalog.inbox",
        "catalog.outbox",
        "identity.alembic_version",
        "identity.users",
        "identity.sessions",
        "identity.refresh_tokens",
        "identity.one_time_tokens",
        "identity.outbox",
        "identity.inbox",
        "ordering.alembic_version",
        "ordering.carts",
        "ordering.cart_items",
        "ordering.orders",
        "ordering.order_lines",
        "ordering.order_history",
        "ordering.order_summaries",
        "ordering.idempotency_keys",
        "ordering.inbox",
        "ordering.outbox",
        "payments.alembic_version",
        "payments.payments",
        "payments.payment_attempts",
        "payments.inbox",
        "payments.outbox",
        "notifications.alembic_version",
        "notifications.emails",
        "notifications.inbox",
        "notifications.outbox",
    }
