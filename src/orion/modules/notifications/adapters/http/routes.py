"""The notifications routes: the notification log, for admins."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify
from quart_schema import document_response, validate_querystring

from orion.modules.notifications.application.queries import ListNotifications
from orion.modules.notifications.domain.email import EmailStatus
from orion.shared_kernel.adapters.http.auth import require_admin
from orion.shared_kernel.application.mediator import Mediator

from .schemas import NotificationListQuery, NotificationPageOut, notification_json


def notifications_blueprint(mediator: Mediator) -> Blueprint:
    blueprint = Blueprint("notifications", __name__, url_prefix="/api/v1")

    @blueprint.get("/admin/notifications")
    @require_admin
    @validate_querystring(NotificationListQuery)
    @document_response(NotificationPageOut)
    async def list_notifications(query_args: NotificationListQuery) -> Response:
        """Every email tried, newest first: ``sent`` or ``failed`` (tried again from the
        retry ladder), its attempts and last error; ``status`` and ``recipient`` filter."""
        page = await mediator.ask(
            ListNotifications(
                status=None if query_args.status is None else EmailStatus(query_args.status),
                recipient=query_args.recipient,
                limit=query_args.limit,
                cursor=query_args.cursor,
            )
        )
        return jsonify(
            {
                "items": [notification_json(item) for item in page.items],
                "next_cursor": page.next_cursor,
            }
        )

    return blueprint
