"""The notification log for admins: newest first, filtered by status and recipient, in
cursor pages that split ties on the time exactly; customers are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orion.bootstrap import Orion
from orion.modules.notifications.adapters.sql.tables import emails as log_table
from tests.conftest import Client
from tests.integration.ordering.helpers import customer
from tests.integration.ordering.test_history import pages

PATH = "/api/v1/admin/notifications"
T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)
# recipient, status, minutes after T0 (two emails share a time: the id orders them)
LOG = [
    ("ada@example.com", "sent", 0),
    ("bob@example.com", "failed", 1),
    ("Ada@Example.com", "failed", 2),
    ("bob@example.com", "sent", 3),
    ("ada@example.com", "sent", 3),
    ("cy@example.com", "sent", 4),
]


@pytest.fixture
async def log(orion: Orion) -> list[dict[str, Any]]:
    """The log's rows, newest first (as the list is expected to be)."""
    rows = []
    for n, (recipient, status, minutes) in enumerate(LOG):
        at = T0 + timedelta(minutes=minutes)
        rows.append(
            {
                "id": uuid.UUID(int=n + 1),
                "message_id": str(uuid.UUID(int=1000 + n)),
                "recipient": recipient,
                "template": "order_paid",
                "subject": f"Payment received for order ORN-{n}",
                "status": status,
                "attempts": 1 if status == "sent" else 2,
                "last_error": None if status == "sent" else "SMTPConnectError: refused",
                "created_at": at,
                "updated_at": at + timedelta(seconds=30),
                "sent_at": at + timedelta(seconds=30) if status == "sent" else None,
            }
        )
    async with orion.engine.begin() as connection:
        await connection.execute(log_table.insert(), rows)
    return sorted(rows, key=lambda row: (row["created_at"], row["id"]), reverse=True)


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def expected(rows: list[dict[str, Any]], **match: str) -> list[str]:
    return [
        str(row["id"])
        for row in rows
        if all(str(row[key]).lower() == value.lower() for key, value in match.items())
    ]


async def test_admins_list_the_log_newest_first_in_pages(
    client: Client, admin: dict[str, str], log: list[dict[str, Any]]
) -> None:
    items = await pages(client, PATH, admin)
    assert ids(items) == expected(log)
    failed = next(item for item in items if item["status"] == "failed")
    assert failed == {
        "id": "00000000-0000-0000-0000-000000000003",
        "message_id": str(uuid.UUID(int=1002)),
        "recipient": "Ada@Example.com",
        "template": "order_paid",
        "subject": "Payment received for order ORN-2",
        "status": "failed",
        "attempts": 2,
        "last_error": "SMTPConnectError: refused",
        "created_at": (T0 + timedelta(minutes=2)).isoformat(),
        "updated_at": (T0 + timedelta(minutes=2, seconds=30)).isoformat(),
        "sent_at": None,
    }


async def test_admins_filter_by_status_and_recipient(
    client: Client, admin: dict[str, str], log: list[dict[str, Any]]
) -> None:
    assert ids(await pages(client, PATH, admin, status="failed")) == expected(log, status="failed")
    assert ids(await pages(client, PATH, admin, status="sent")) == expected(log, status="sent")
    adas = await pages(client, PATH, admin, recipient="ADA@example.com")
    assert ids(adas) == expected(log, recipient="ada@example.com")
    assert len(adas) == 3
    both = await pages(client, PATH, admin, recipient="ada@example.com", status="sent")
    assert ids(both) == expected(log, recipient="ada@example.com", status="sent")
    assert await pages(client, PATH, admin, recipient="nobody@example.com") == []


@pytest.mark.parametrize(
    "query",
    [{"status": "pending"}, {"limit": "101"}, {"limit": "0"}, {"cursor": "not-a-cursor"}],
)
async def test_bad_queries_are_422(
    client: Client, admin: dict[str, str], log: list[dict[str, Any]], query: dict[str, str]
) -> None:
    response = await client.get(PATH, query_string=query, headers=admin)
    assert response.status_code == 422, await response.get_data(as_text=True)


async def test_customers_get_403_and_anonymous_callers_401(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    assert (await client.get(PATH, headers=headers)).status_code == 403
    assert (await client.get(PATH)).status_code == 401
