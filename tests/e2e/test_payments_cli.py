"""`orion payments reconcile` as an operator runs it: a charge the provider made but whose
answer never came back (every answer dropped) is found by its key and recorded, once."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1
from orion.modules.payments.adapters.sql.tables import outbox, payments
from orion.modules.payments.application.gateway import GatewayUnavailable
from tests.conftest import shop_settings
from tests.e2e import test_serve as serve
from tests.fakes.payments import delivery
from tests.fakes.provider import API_KEY, CHARGE_THEN_DROP, fake_provider


async def test_reconcile_records_a_charge_whose_answers_were_all_lost(
    orion: Orion, database_url: str
) -> None:
    async with fake_provider() as provider:
        settings = {
            "payment_gateway": "http",
            "payment_provider_url": provider.url,
            "payment_provider_key": SecretStr(API_KEY),
            "payment_read_timeout_s": 0.5,
            "payment_retry_budget_s": 1,
        }
        shop = Orion(shop_settings(**settings), database_url)
        provider.down = CHARGE_THEN_DROP  # it charges, and every answer is lost
        order = uuid.uuid4()
        awaiting = OrderAwaitingPaymentV1(
            aggregate_id=order,
            aggregate_version=2,
            occurred_at=datetime.now(UTC),
            number="ORN-000001",
            customer_id=uuid.uuid4(),
            customer_email="ada@example.com",
            customer_name="Ada",
            currency="EUR",
            total_amount=4_200,
            payment_token="tok_visa",
        )
        charge = shop.modules["payments"].container.charge_on_awaiting_payment()
        with pytest.raises(GatewayUnavailable):
            await charge(awaiting, delivery(awaiting))
        await shop.aclose()
        assert sum(provider.charges_made.values()) == 1
        provider.down = None

        done: subprocess.CompletedProcess[str] = await asyncio.to_thread(
            serve.orion,
            "payments",
            "reconcile",
            "--after",
            "0",
            env=serve.orion_env(
                ORION_DATABASE_URL=database_url,
                ORION_PAYMENT_GATEWAY="http",
                ORION_PAYMENT_PROVIDER_URL=provider.url,
                ORION_PAYMENT_PROVIDER_KEY=API_KEY,
            ),
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == (
            "payments examined: 1, settled: 1, still unsettled (provider unreachable): 0"
        )
        assert list(provider.charges_made.values()) == [1]  # the same key: no second charge
    async with orion.engine.connect() as connection:
        status = await connection.scalar(sa.select(payments.c.status))
        events = (await connection.execute(sa.select(outbox.c.type))).scalars().all()
    assert status == "captured"
    assert events == ["payments.payment_captured.v1"]
