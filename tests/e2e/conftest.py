"""What every e2e test may ask for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.conftest import BROKER_URL
from tests.e2e.deployment import DELAYS_MS
from tests.e2e.test_serve import server_database
from tests.integration.messaging.conftest import delete_topology, orion_queues


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the server for one deployment; its queues deleted after."""
    try:
        with server_database() as url:
            yield url
    finally:
        for queue in orion_queues():
            asyncio.run(delete_topology(BROKER_URL, queue, DELAYS_MS))
