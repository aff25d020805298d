"""The catalog's routes: public browsing under ``/api/v1``, management under ``/api/v1/admin``.

Writes use optimistic concurrency: GET returns an ``ETag`` (the product's version in quotes);
PATCH needs it back in ``If-Match`` (or ``version`` in the body) and answers 412 when stale,
428 when neither is sent.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from quart import Blueprint, Response, jsonify, request
from quart_schema import (
    document_response,
    validate_querystring,
    validate_request,
)

from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.queries import (
    GetProduct,
    GetProductFacets,
    ListCategories,
    ListProducts,
    ProductView,
)
from orion.modules.catalog.domain.errors import StaleProduct
from orion.shared_kernel.adapters.http.auth import require_admin
from orion.shared_kernel.adapters.http.exchange_rates import CurrencyQuery, converted_json
from orion.shared_kernel.adapters.http.openapi import answers, headers
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, Quote
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import PreconditionRequired
from orion.shared_kernel.domain.money import Money

from .schemas import (
    CategoriesOut,
    ProductFacetsOut,
    ProductFiltersQuery,
    ProductIn,
    ProductListQuery,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    StockAdjustmentIn,
    category_json,
    facets_json,
    product_json,
)

# an ETag this API sends: a version in quotes (ASCII digits, as many as an integer column holds)
ETAG = re.compile(r'"([0-9]{1,10})"')
IF_MATCH = {
    "name": "If-Match",
    "description": "The ETag from GET: the version this write was made against.",
    "schema": {"type": "string", "pattern": '^"[0-9]{1,10}"$'},
}


def catalog_blueprint(mediator: Mediator, exchange_rates: CurrencyConverter) -> Blueprint:
    blueprint = Blueprint("catalog", __name__, url_prefix="/api/v1")

    @blueprint.get("/products")
    @validate_querystring(ProductListQuery)
    @document_response(ProductPageOut)
    async def list_products(query_args: ProductListQuery) -> Response:
        """Browse products: search (ranked), filter, sort, and page with ``cursor``/
        ``next_cursor``."""
        currency = query_args.currency
        page = await mediator.ask(ListProducts(**query_args.model_dump(exclude={"currency"})))
        quote = None if currency is None else await exchange_rates.quote()
        return jsonify(
            {
                "items": [_with_conversion(item, quote, currency) for item in page.items],
                "next_cursor": page.next_cursor,
            }
        )

    @blueprint.get("/products/facets")
    @validate_querystring(ProductFiltersQuery)
    @document_response(ProductFacetsOut)
    async def product_facets(query_args: ProductFiltersQuery) -> Response:
        """How many of the products these filters select are in each category and each price
        band: the facets of a list or a search, each counted without its own filter."""
        facets = await mediator.ask(GetProductFacets(**query_args.model_dump()))
        return jsonify(facets_json(facets))

    @blueprint.get("/products/<uuid:product_id>")
    @validate_querystring(CurrencyQuery)
    @document_response(ProductOut)
    async def get_product(product_id: uuid.UUID, query_args: CurrencyQuery) -> Response:
        """One product; its ``ETag`` is the version admins send back in ``If-Match``.
        With ``?currency=``, its price converted too (503 when no rates are recent enough)."""
        view = await mediator.ask(GetProduct(product_id=product_id))
        if query_args.currency is None:
            return _product_response(view)
        quote = await exchange_rates.quote()
        response = jsonify(_with_conversion(view, quote, query_args.currency))
        response.headers["ETag"] = f'"{view.version}"'
        return response

    @blueprint.get("/categories")
    @document_response(CategoriesOut)
    async def list_categories() -> Response:
        """Categories that have products on sale, with how many."""
        categories = await mediator.ask(ListCategories())
        return jsonify({"items": [category_json(item) for item in categories]})

    @blueprint.post("/admin/products")
    @answers(409)
    @require_admin
    @validate_request(ProductIn)
    @document_response(ProductOut, 201)
    async def create_product(data: ProductIn) -> Response:
        """Create a product. A SKU already in use answers 409."""
        view = await mediator.send(
            CreateProduct(
                sku=data.sku,
                name=data.name,
                description=data.description,
                category=data.category,
                price_amount=data.price.amount,
                price_currency=data.price.currency,
                stock=data.stock,
                active=data.active,
            )
        )
        response = _product_response(view, status=201)
        response.headers["Location"] = f"/api/v1/admin/products/{view.id}"
        return response

    @blueprint.get("/admin/products/<uuid:product_id>")
    @require_admin
    @document_response(ProductOut)
    async def get_any_product(product_id: uuid.UUID) -> Response:
        """One product, inactive ones included."""
        view = await mediator.ask(GetProduct(product_id=product_id, include_hidden=True))
        return _product_response(view)

    @blueprint.patch("/admin/products/<uuid:product_id>")
    @answers(412, 428)
    @headers(IF_MATCH)
    @require_admin
    @validate_request(ProductPatch)
    @document_response(ProductOut)
    async def update_product(product_id: uuid.UUID, data: ProductPatch) -> Response:
        """Change some fields. Needs ``If-Match`` (or ``version``); stale answers 412."""
        expected = _expected_version(data.version)
        if expected is None:
            raise PreconditionRequired(
                "send the ETag from GET in If-Match, or the version in the body"
            )
        view = await mediator.send(
            UpdateProduct(
                product_id=product_id,
                expected_version=expected,
                name=data.name,
                description=data.description,
                category=data.category,
                price_amount=data.price.amount if data.price else None,
                price_currency=data.price.currency if data.price else None,
                active=data.active,
            )
        )
        return _product_response(view)

    @blueprint.delete("/admin/products/<uuid:product_id>")
    @answers(204, 412)
    @headers(IF_MATCH)
    @require_admin
    async def delete_product(product_id: uuid.UUID) -> Response:
        """Soft delete: gone from the shop, kept for order history. ``If-Match`` optional."""
        await mediator.send(
            DeleteProduct(product_id=product_id, expected_version=_expected_version(None))
        )
        return Response(status=204)

    @blueprint.post("/admin/products/<uuid:product_id>/stock")
    @answers(409)
    @require_admin
    @validate_request(StockAdjustmentIn)
    @document_response(ProductOut)
    async def adjust_stock(product_id: uuid.UUID, data: StockAdjustmentIn) -> Response:
        """Add to or remove from stock on hand; it never goes below zero (409)."""
        view = await mediator.send(
            AdjustStock(product_id=product_id, delta=data.delta, reason=data.reason)
        )
        return _product_response(view)

    return blueprint


def _with_conversion(
    view: ProductView, quote: Quote | None, currency: str | None
) -> dict[str, Any]:
    body = product_json(view)
    if quote is not None and currency is not None:
        price = Money(amount=view.price_amount, currency=view.price_currency)
        body["converted"] = converted_json(quote, price, currency)
    return body


def _product_response(view: ProductView, status: int = 200) -> Response:
    response = jsonify(product_json(view))
    response.status_code = status
    response.headers["ETag"] = f'"{view.version}"'
    return response


def _expected_version(body_version: int | None) -> int | None:
    """The version from ``If-Match`` (an ETag this API sent) or else from the body."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    tag = ETAG.fullmatch(header.strip())
    if tag is not None:
        return int(tag[1])
    raise StaleProduct(f"If-Match {header!r} matches no version of this product")
