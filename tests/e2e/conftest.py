"""What every e2e test may ask for."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import BROKER_URL, SERVER_URL, unavailable
from tests.e2e.deployment import DELAYS_MS
from tests.e2e.test_serve import _admin_sql
from tests.integration.messaging.conftest import delete_topology, orion_queues


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the server for one deployment; its queues deleted after."""
    name = f"orion_e2e_{uuid.uuid4().hex[:10]}"
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
