"""What every e2e test may ask for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.conftest import BROKER_URL
from tests.e2e.deployment import DELAYS_MS
from tests.e2e.test_serve import server_database
from tests.integration.messaging.conftest import delete_topology, orion_queues


def _delete_orion_queues() -> None:
    for queue in orion_queues():
        asyncio.run(delete_topology(BROKER_URL, queue, DELAYS_MS))


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the server for one deployment, and Orion's queues deleted before
    and after: an earlier test of this process may have left a message in one (an
    integration test publishing an OrderPaid of its own), which the deployment would take."""
    _delete_orion_queues()
    try:
        with server_database() as url:
            yield url
    finally:
        _delete_orion_queues()
