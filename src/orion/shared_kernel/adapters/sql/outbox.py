"""The transactional outbox: each module's events, written in the transaction of the change.

Every module has the same table in its own schema (``catalog.outbox`` ...): ``outbox_table``
declares it for the module's metadata and ``create_outbox_table`` is its migration. A row
is the whole envelope: the correlation id and W3C trace context are captured when the row is
written, so whoever publishes it later continues the request's trace. A statement trigger
sends ``NOTIFY orion_outbox, '<schema>'`` so that the relay wakes at commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from opentelemetry import propagate
from sqlalchemy.dialects.postgresql import JSONB, UUID

from orion.shared_kernel.application import context
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.domain.ids import new_id

NOTIFY_CHANNEL = "orion_outbox"


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", UUID(as_uuid=True), primary_key=True),  # the message id
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("aggregate_id", UUID(as_uuid=True), nullable=False),
        sa.Column("aggregate_version", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("correlation_id", sa.Text),
        sa.Column("causation_id", sa.Text),
        sa.Column("traceparent", sa.Text),
        sa.Column("tracestate", sa.Text),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("last_error", sa.Text),
        sa.Column("parked_at", sa.DateTime(timezone=True)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    ]


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("outbox", metadata, *_columns())


def create_outbox_table(schema: str) -> None:
    """For a module's migration: ``create_outbox_table("catalog")``."""
    op.create_table("outbox", *_columns(), schema=schema)
    op.create_index(
        "outbox_due",
        "outbox",
        ["next_attempt_at"],
        schema=schema,
        postgresql_where=sa.text("published_at IS NULL AND parked_at IS NULL"),
    )
    op.create_index(
        "outbox_parked",
        "outbox",
        ["parked_at"],
        schema=schema,
        postgresql_where=sa.text("parked_at IS NOT NULL"),
    )
    op.create_index(
        "outbox_published",
        "outbox",
        ["published_at"],
        schema=schema,
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.execute(
        f"""
        CREATE FUNCTION "{schema}".notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{NOTIFY_CHANNEL}', '{schema}');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f'CREATE TRIGGER outbox_notify AFTER INSERT ON "{schema}".outbox '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".notify_outbox()'
    )


def outbox_rows(events: list[IntegrationEvent]) -> list[dict[str, Any]]:
    """The rows for events staged in this context: its correlation, causation and trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    correlation = context.correlation_id.get()
    causation = context.causation_id.get()
    return [
        {
            "id": new_id(),
            "type": event.wire_name,
            "aggregate_id": event.aggregate_id,
            "aggregate_version": event.aggregate_version,
            "occurred_at": event.occurred_at,
            "payload": event.to_payload(),
            "correlation_id": correlation,
            "causation_id": causation,
            "traceparent": carrier.get("traceparent"),
            "tracestate": carrier.get("tracestate"),
        }
        for event in events
    ]
