"""The periodic audit: from its checkpoint, so that its cost follows what changed since, one
replica at a time (a lease), its results on ``/metrics``."""

from __future__ import annotations

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.audit.contracts.commands import AuditReport, RunAudit
from tests.conftest import Client
from tests.integration.audit.conftest import hold_stock_again, order


async def periodic(orion: Orion) -> dict[str, int] | None:
    """What the periodic job's run checked, by invariant; None when it found another running."""
    report = await orion.mediator.send(RunAudit(from_checkpoint=True))
    if report is None:
        return None
    assert isinstance(report, AuditReport)
    return {result.invariant: result.checked for result in report.results}


async def test_each_run_checks_what_changed_since_the_last_one_and_open_findings(
    client: Client, orion: Orion
) -> None:
    await order(client, orion)
    declined = await order(client, orion, token="tok_declined")
    assert await periodic(orion) == {
        "order_payment": 2,
        "reservation_release": 2,  # the declined order's, and the paid one's live reservation
        "stock_ledger": 2,
        "order_emails": 2,
        "messages_flowing": 0,
    }
    assert await periodic(orion) == {
        "order_payment": 0,
        "reservation_release": 0,
        "stock_ledger": 0,
        "order_emails": 0,
        "messages_flowing": 0,
    }
    await hold_stock_again(orion, declined)  # behind the checkpoint: the next run misses it
    await order(client, orion)
    assert await periodic(orion) == {
        "order_payment": 1,
        "reservation_release": 1,
        "stock_ledger": 1,
        "order_emails": 1,
        "messages_flowing": 0,
    }
    await orion.mediator.send(RunAudit())  # a full run finds it; the periodic one then re-checks
    assert (await periodic(orion) or {})["reservation_release"] == 1


async def test_a_run_in_progress_elsewhere_is_left_alone(orion: Orion) -> None:
    assert await periodic(orion) is not None
    async with orion.engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE audit.runs SET claimed_until = now() + interval '1 hour'")
        )
    assert await periodic(orion) is None


async def test_the_results_are_metrics(client: Client, orion: Orion) -> None:
    declined = await order(client, orion, token="tok_declined")
    await hold_stock_again(orion, declined)
    await periodic(orion)
    response = await orion.create_ops_app(shared_state=True).test_client().get("/metrics")
    text = await response.get_data(as_text=True)
    assert 'orion_audit_violations{invariant="reservation_release"} 1.0' in text
    assert 'orion_audit_violations{invariant="order_payment"} 0.0' in text
    assert "orion_audit_last_run_timestamp_seconds " in text
