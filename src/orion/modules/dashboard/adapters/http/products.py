"""The dashboard's product pages: list and search, create, edit under the product's version
(an edit made stale by another shows the conflict, the other's values beside the yours,
instead of overwriting them), stock adjustments with a reason, deactivation."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from quart import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from orion.modules.catalog.contracts.products import (
    AdjustStock,
    CreateProduct,
    GetProduct,
    ListProducts,
    ProductView,
    UpdateProduct,
)
from orion.modules.dashboard.adapters.http.orders import acting_as
from orion.shared_kernel.adapters.http.problems import status_of
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import ConcurrencyConflict, DomainError, InvalidInput
from orion.shared_kernel.domain.money import Money


class InvalidForm(InvalidInput):
    code = "invalid-form"
    title = "The form has an invalid field"


def _price(form: MultiDict[str, str]) -> tuple[int, str]:
    currency = form.get("currency", "").strip().upper()
    try:
        amount = Money.from_decimal(Decimal(form.get("price", "").strip()), currency).amount
    except (InvalidOperation, ValueError):
        raise InvalidForm("the price is a number, such as 12.50") from None
    return amount, currency


def _whole(form: MultiDict[str, str], field: str) -> int:
    try:
        return int(form.get(field, "").strip())
    except ValueError:
        raise InvalidForm(f"{field} is a whole number") from None


def see_other(location: str) -> Response:
    return Response(status=303, headers={"Location": location})


def add_product_pages(blueprint: Blueprint, mediator: Mediator) -> None:
    @blueprint.get("/products")
    async def products() -> str:
        q = request.args.get("q", "").strip()
        page = await mediator.ask(
            ListProducts(q=q or None, limit=25, cursor=request.args.get("cursor") or None)
        )
        return await render_template("products.html", page=page, q=q)

    @blueprint.get("/products/new")
    async def new_product() -> str:
        return await render_template("product_form.html", product=None, form={}, error=None)

    @blueprint.post("/products/new")
    async def create_product() -> Response | tuple[str, int]:
        form = await request.form
        try:
            amount, currency = _price(form)
            with acting_as("products.create"):
                created = await mediator.send(
                    CreateProduct(
                        sku=form.get("sku", "").strip(),
                        name=form.get("name", "").strip(),
                        description=form.get("description", "").strip(),
                        category=form.get("category", "").strip(),
                        price_amount=amount,
                        price_currency=currency,
                        stock=_whole(form, "stock"),
                        active=True,
                    )
                )
        except DomainError as error:
            page = await render_template("product_form.html", product=None, form=form, error=error)
            return page, status_of(error)
        return see_other(f"/admin/products/{created.id}?done=created")

    @blueprint.get("/products/<uuid:product_id>")
    async def product(product_id: uuid.UUID) -> str:
        found = await _product(mediator, product_id)
        return await render_template(
            "product_form.html",
            product=found,
            form=_as_form(found),
            error=None,
            done=request.args.get("done"),
        )

    @blueprint.post("/products/<uuid:product_id>")
    async def edit_product(product_id: uuid.UUID) -> Response | tuple[str, int]:
        form = await request.form
        try:
            amount, currency = _price(form)
            with acting_as("products.update"):
                await mediator.send(
                    UpdateProduct(
                        product_id=product_id,
                        expected_version=_whole(form, "version"),
                        name=form.get("name", "").strip(),
                        description=form.get("description", "").strip(),
                        category=form.get("category", "").strip(),
                        price_amount=amount,
                        price_currency=currency,
                    )
                )
        except DomainError as error:
            current = await _product(mediator, product_id)
            conflict = current if isinstance(error, ConcurrencyConflict) else None
            page = await render_template(
                "product_form.html", product=current, form=form, error=error, conflict=conflict
            )
            return page, status_of(error)
        return see_other(f"/admin/products/{product_id}?done=saved")

    @blueprint.post("/products/<uuid:product_id>/stock")
    async def adjust_stock(product_id: uuid.UUID) -> Response | tuple[str, int]:
        form = await request.form
        try:
            reason = form.get("reason", "").strip()
            if not reason:
                raise InvalidForm("a stock adjustment says why")
            with acting_as("products.stock"):
                await mediator.send(
                    AdjustStock(product_id=product_id, delta=_whole(form, "delta"), reason=reason)
                )
        except DomainError as error:
            current = await _product(mediator, product_id)
            page = await render_template(
                "product_form.html", product=current, form=_as_form(current), error=error
            )
            return page, status_of(error)
        return see_other(f"/admin/products/{product_id}?done=stock")

    @blueprint.post("/products/<uuid:product_id>/deactivate")
    async def deactivate(product_id: uuid.UUID) -> Response | tuple[str, int]:
        form = await request.form
        try:
            with acting_as("products.deactivate"):
                await mediator.send(
                    UpdateProduct(
                        product_id=product_id,
                        expected_version=_whole(form, "version"),
                        active=False,
                    )
                )
        except DomainError as error:
            current = await _product(mediator, product_id)
            page = await render_template(
                "product_form.html", product=current, form=_as_form(current), error=error
            )
            return page, status_of(error)
        return see_other(f"/admin/products/{product_id}?done=deactivated")


async def _product(mediator: Mediator, product_id: uuid.UUID) -> ProductView:
    return await mediator.ask(GetProduct(product_id=product_id, include_hidden=True))


def _as_form(product: ProductView) -> dict[str, Any]:
    price = Money(amount=product.price_amount, currency=product.price_currency).to_decimal()
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": str(price),
        "currency": product.price_currency,
        "version": product.version,
    }
