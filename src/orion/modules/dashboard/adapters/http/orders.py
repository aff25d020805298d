"""The dashboard's order pages: the list (the API's filters, keyset pages), an order (lines,
history, payment), and its moves, each confirmed on a page of its own first; a move the
order's status does not allow is refused with the reason, on the order's page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from quart import Blueprint, Response, g, render_template, request
from werkzeug.exceptions import NotFound as NoSuchPage

from orion.modules.notifications.contracts.log import ListEmails
from orion.modules.ordering.contracts.admin import (
    GetOrderForAdmin,
    ListOrdersForAdmin,
    Move,
    MoveOrder,
    OrderDetail,
)
from orion.modules.payments.contracts.queries import GetOrderPayment
from orion.shared_kernel.adapters.http.problems import status_of
from orion.shared_kernel.application import context
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import Conflict

STATUSES = ("pending", "awaiting_payment", "paid", "shipped", "delivered", "cancelled")
SORTS = {
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "-total": "Largest total",
    "total": "Smallest total",
    "status": "Status",
}
MOVES = {"ship": "Ship", "deliver": "Mark delivered", "cancel": "Cancel"}


@contextmanager
def acting_as(action: str) -> Iterator[None]:
    """The signed-in admin as the actor of what the write changes: the audit log's who."""
    token = context.actor.set(g.web_session.actor(action))
    try:
        yield
    finally:
        context.actor.reset(token)


def add_order_pages(blueprint: Blueprint, mediator: Mediator) -> None:
    @blueprint.get("/orders")
    async def orders() -> str:
        args = request.args
        statuses = tuple(s for s in args.getlist("status") if s in STATUSES)
        sort = args.get("sort") if args.get("sort") in SORTS else "-created_at"
        q, email = args.get("q", "").strip(), args.get("email", "").strip()
        filters = {"status": list(statuses), "q": q, "email": email, "sort": sort}
        page = await mediator.ask(
            ListOrdersForAdmin(
                statuses=statuses,
                q=q or None,
                customer_email=email or None,
                sort=str(sort),
                limit=25,
                cursor=args.get("cursor") or None,
            )
        )
        return await render_template(
            "orders.html", page=page, filters=filters, statuses=STATUSES, sorts=SORTS
        )

    @blueprint.get("/orders/<uuid:order_id>")
    async def order(order_id: uuid.UUID) -> str:
        return await _order_page(mediator, await _order(mediator, order_id))

    @blueprint.get("/orders/<uuid:order_id>/<move>")
    async def confirm_move(order_id: uuid.UUID, move: str) -> str:
        if move not in MOVES:
            raise NoSuchPage()
        found = await _order(mediator, order_id)
        return await render_template("confirm_move.html", order=found, move=move, moves=MOVES)

    @blueprint.post("/orders/<uuid:order_id>/<move>")
    async def move_order(order_id: uuid.UUID, move: str) -> Response | tuple[str, int]:
        if move not in MOVES:
            raise NoSuchPage()
        try:
            with acting_as(f"orders.{move}"):
                await mediator.send(MoveOrder(order_id=order_id, move=cast(Move, move)))
        except Conflict as refused:
            page = await _order_page(mediator, await _order(mediator, order_id), refused)
            return page, status_of(refused)
        return Response(status=303, headers={"Location": f"/admin/orders/{order_id}?done={move}"})


async def _order(mediator: Mediator, order_id: uuid.UUID) -> OrderDetail:
    return await mediator.ask(GetOrderForAdmin(order_id=order_id))


async def _order_page(mediator: Mediator, found: OrderDetail, refused: Any = None) -> str:
    payment = await mediator.ask(GetOrderPayment(order_id=found.order_id))
    to_customer = await mediator.ask(ListEmails(recipient=found.customer_email, limit=100))
    emails = [email for email in to_customer.items if found.number in email.subject]
    return await render_template(
        "order.html",
        order=found,
        payment=payment,
        emails=emails,
        moves=MOVES,
        refused=refused,
        done=MOVES.get(request.args.get("done", "")),
    )
