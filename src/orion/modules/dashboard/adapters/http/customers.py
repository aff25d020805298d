"""The dashboard's customer pages: list and search, an account with its orders, and the
admin's writes on it (disable: its sessions and tokens end at once; enable; change role),
each refused with the reason when identity says no (the last admin stays)."""

from __future__ import annotations

import uuid

from quart import Blueprint, Response, render_template, request

from orion.modules.dashboard.adapters.http.orders import acting_as
from orion.modules.identity.contracts.users import (
    ChangeRole,
    DisableUser,
    EnableUser,
    GetUser,
    ListUsers,
)
from orion.modules.ordering.contracts.admin import ListOrdersForAdmin
from orion.shared_kernel.adapters.http.problems import status_of
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import DomainError
from orion.shared_kernel.domain.roles import ROLES

WRITES = ("disable", "enable", "role")


def add_customer_pages(blueprint: Blueprint, mediator: Mediator) -> None:
    @blueprint.get("/customers")
    async def customers() -> str:
        q = request.args.get("q", "").strip()
        role = request.args.get("role") if request.args.get("role") in ROLES else None
        page = await mediator.ask(
            ListUsers(q=q or None, role=role, limit=25, cursor=request.args.get("cursor") or None)
        )
        return await render_template("customers.html", page=page, q=q, role=role, roles=ROLES)

    @blueprint.get("/customers/<uuid:user_id>")
    async def customer(user_id: uuid.UUID) -> str:
        return await _page(mediator, user_id)

    @blueprint.post("/customers/<uuid:user_id>/<write>")
    async def change_customer(user_id: uuid.UUID, write: str) -> Response | tuple[str, int]:
        form = await request.form
        try:
            with acting_as(f"customers.{write}"):
                if write == "disable":
                    await mediator.send(DisableUser(user_id=user_id))
                elif write == "enable":
                    await mediator.send(EnableUser(user_id=user_id))
                elif write == "role":
                    await mediator.send(ChangeRole(user_id=user_id, role=form.get("role", "")))
                else:
                    return Response(status=404)
        except DomainError as error:
            return await _page(mediator, user_id, error), status_of(error)
        return Response(
            status=303, headers={"Location": f"/admin/customers/{user_id}?done={write}"}
        )


async def _page(mediator: Mediator, user_id: uuid.UUID, error: DomainError | None = None) -> str:
    user = await mediator.ask(GetUser(user_id=user_id))
    orders = await mediator.ask(ListOrdersForAdmin(customer_email=user.email, limit=50))
    return await render_template(
        "customer.html",
        user=user,
        orders=orders,
        roles=ROLES,
        error=error,
        done=request.args.get("done"),
    )
