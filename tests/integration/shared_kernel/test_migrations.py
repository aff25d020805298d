"""Migrations on the real server: per-module schema and history, idempotent, safe in parallel."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.sql.migrations import MIGRATION_LOCK
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
                            "SELECT version_num FROM notifications.alembic_version UNION ALL "
                            "SELECT version_num FROM audit.alembic_version UNION ALL "
                            "SELECT version_num FROM analytics.alembic_version UNION ALL "
                            "SELECT version_num FROM dashboard.alembic_version"
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
        "catalog_0006",
        "identity_0003",
        "ordering_0005",
        "payments_0002",
        "notifications_0003",
        "audit_0001",
        "analytics_0001",
        "dashboard_0001",
    }
    # every table lives in its module's schema; nothing lands in public
    assert tables == {
        "catalog.alembic_version",
        "catalog.products",
        "catalog.reservations",
        "catalog.reservation_lines",
        "catalog.stock_movements",
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
        "audit.alembic_version",
        "audit.findings",
        "audit.runs",
        "audit.repairs",
        "audit.inbox",
        "audit.outbox",
        "catalog.audit_log",
        "identity.audit_log",
        "ordering.audit_log",
        "analytics.alembic_version",
        "analytics.customers",
        "analytics.inbox",
        "analytics.order_lines",
        "analytics.orders",
        "analytics.outbox",
        "analytics.payments",
        "analytics.products",
        "dashboard.alembic_version",
        "dashboard.audit_log",
        "dashboard.inbox",
        "dashboard.outbox",
        "dashboard.web_sessions",
    }


async def test_a_migration_waits_for_another_past_the_requests_time_limits(
    database_url: str,
) -> None:
    """Requests have a lock timeout; a migration waiting for another's lock does not."""
    shop = Orion(shop_settings(db_lock_timeout_ms=10, db_statement_timeout_ms=100), database_url)
    try:
        async with shop.engine.connect() as holder:
            await holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            waiting = asyncio.create_task(shop.migrate())
            await asyncio.sleep(0.5)  # past both limits
            assert not waiting.done()
            await holder.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
            )
        await waiting
    finally:
        await shop.aclose()
