"""The dashboard's notification page: the email log, failures first (what an operator must
look at), then the rest newest first."""

from __future__ import annotations

from quart import Blueprint, render_template, request

from orion.modules.notifications.contracts.log import ListEmails
from orion.shared_kernel.application.mediator import Mediator


def add_notification_pages(blueprint: Blueprint, mediator: Mediator) -> None:
    @blueprint.get("/notifications")
    async def notifications() -> str:
        recipient = request.args.get("recipient", "").strip() or None
        cursor = request.args.get("cursor") or None
        failed = None
        if cursor is None:
            failed = await mediator.ask(ListEmails(status="failed", recipient=recipient, limit=100))
        sent = await mediator.ask(
            ListEmails(status="sent", recipient=recipient, limit=25, cursor=cursor)
        )
        return await render_template(
            "notifications.html", failed=failed, sent=sent, recipient=recipient or ""
        )
