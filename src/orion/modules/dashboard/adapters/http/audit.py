"""The dashboard's audit log page: every admin write of every module, newest first."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from quart import Blueprint, render_template, request, url_for

from orion.shared_kernel.application.audit import ListAuditLog
from orion.shared_kernel.application.mediator import Mediator

PAGE = 50


def add_audit_pages(blueprint: Blueprint, mediator: Mediator) -> None:
    @blueprint.get("/audit")
    async def audit() -> str:
        args = request.args
        filters = {
            key: args.get(key, "").strip() for key in ("module", "action", "actor", "subject")
        }
        before = args.get("before")
        try:
            older_than = datetime.fromisoformat(before) if before else None
        except ValueError:
            older_than = None
        records = await mediator.ask(
            ListAuditLog(
                module=filters["module"] or None,
                action=filters["action"] or None,
                actor_email=filters["actor"] or None,
                subject=filters["subject"] or None,
                before=older_than,
                limit=PAGE,
            )
        )
        older = None
        if len(records) == PAGE:
            given = {key: value for key, value in filters.items() if value}
            given["before"] = records[-1].at.isoformat()
            older = f"{url_for('dashboard.audit')}?{urlencode(given)}"
        return await render_template("audit.html", records=records, filters=filters, older=older)
