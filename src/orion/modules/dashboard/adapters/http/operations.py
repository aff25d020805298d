"""The dashboard's operations page: each module's outbox backlog and parked rows, the
dead-letter queues with their first messages and a replay (confirmed first), the circuit
breakers' states, how fresh the exchange rates are, and the consistency auditor's open
findings (docs/audit/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, Response, g, render_template, request

from orion.modules.audit.contracts.queries import GetAuditStatus
from orion.shared_kernel.application.context import Actor
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.application.operations import GetOperations, ReplayDeadLetters

OwnAudit = Callable[[Actor, str, dict[str, Any], dict[str, Any]], Awaitable[None]]


def add_operations_pages(blueprint: Blueprint, mediator: Mediator, audit: OwnAudit) -> None:
    @blueprint.get("/operations")
    async def operations() -> str:
        return await render_template(
            "operations.html",
            ops=await mediator.ask(GetOperations()),
            audit=await mediator.ask(GetAuditStatus()),
            moved=request.args.get("moved"),
            queue=request.args.get("queue"),
        )

    @blueprint.get("/operations/replay")
    async def confirm_replay() -> str:
        return await render_template("confirm_replay.html", queue=request.args.get("queue", ""))

    @blueprint.post("/operations/replay")
    async def replay() -> Response:
        queue = (await request.form).get("queue", "")
        moved = await mediator.send(ReplayDeadLetters(queue=queue))
        actor = g.web_session.actor("operations.replay")
        await audit(actor, f"Queue {queue}", {"dead_letters": moved}, {"replayed": moved})
        return Response(
            status=303, headers={"Location": f"/admin/operations?moved={moved}&queue={queue}"}
        )
