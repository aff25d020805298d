"""The dashboard's audit log page: every admin write of every module, newest first."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, render_template, request, url_for

from orion.shared_kernel.application.audit import ListAuditLog
from orion.shared_kernel.application.mediator import Mediator

PAGE = 50


def shown(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """A write's changed values as the page shows them, as JSON; but a list the write only
    added to (an order's history) shows what was added, the entries kept only counted."""
    old = {key: json.dumps(value, ensure_ascii=False) for key, value in before.items()}
    new = {key: json.dumps(value, ensure_ascii=False) for key, value in after.items()}
    for key, value in before.items():
        grown = after.get(key)
        if isinstance(value, list) and isinstance(grown, list) and grown[: len(value)] == value:
            old[key] = f"{len(value)} entries"
            new[key] = "+ " + ", ".join(
                json.dumps(item, ensure_ascii=False) for item in grown[len(value) :]
            )
    return old, new


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
        rows = [(record, *shown(record.before, record.after)) for record in records]
        return await render_template("audit.html", rows=rows, filters=filters, older=older)
