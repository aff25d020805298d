"""The ordering routes: carts and checkout for customers (and guests' carts), the order
history, and order handling for admins.

A guest cart is named by the ``X-Cart-Token`` header (its token is told once, when made); a
signed-in customer's cart by the customer, and a guest token sent along is merged into it.
Checkout needs an ``Idempotency-Key`` header: the same key with the same body replays the
first answer (``Idempotent-Replayed: true``), with another body it is 422, and while the
first request is still running it is 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from quart import Blueprint, Response, jsonify, request
from quart_schema import document_response, validate_querystring, validate_request

from orion.modules.ordering.application.commands import (
    CancelOrder,
    ClearCart,
    DeliverOrder,
    OpenCart,
    PlaceOrder,
    RemoveCartItem,
    SetCartItem,
    ShipOrder,
)
from orion.modules.ordering.application.queries import (
    CartRef,
    CartView,
    GetCart,
    GetOrder,
    ListOrders,
    OrderView,
)
from orion.modules.ordering.domain.errors import IdempotencyKeyRequired, InvalidIdempotencyKey
from orion.modules.ordering.domain.order import ShippingAddress
from orion.modules.payments.contracts.queries import GetOrderPayment
from orion.shared_kernel.adapters.http.auth import (
    authenticate,
    optional_bearer,
    optional_principal,
    require_admin,
    require_user,
)
from orion.shared_kernel.adapters.http.exchange_rates import CurrencyQuery
from orion.shared_kernel.adapters.http.openapi import answers, headers
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.application.mediator import Mediator

from .schemas import (
    AdminOrderListQuery,
    CartItemIn,
    CartOut,
    OrderIn,
    OrderListQuery,
    OrderOut,
    OrderPageOut,
    cart_json,
    converted_cart_json,
    order_json,
    payment_json,
    statuses,
    summary_json,
)

CART_HEADER = "X-Cart-Token"
IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY = 255
CART_TOKEN = {
    "name": CART_HEADER,
    "description": "A guest cart's token, as told when it was made.",
    "schema": {"type": "string"},
}
KEY = {
    "name": IDEMPOTENCY_KEY,
    "required": True,
    "description": "Unique to this checkout (a UUID): a retry with it cannot order twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
}


def ordering_blueprint(mediator: Mediator, exchange_rates: CurrencyConverter) -> Blueprint:
    blueprint = Blueprint("ordering", __name__, url_prefix="/api/v1")

    async def cart_ref() -> CartRef:
        principal = await optional_principal()
        return CartRef(
            customer_id=None if principal is None else principal.user_id,
            token=request.headers.get(CART_HEADER) or None,
        )

    async def current_cart() -> CartView:
        ref = await cart_ref()
        if ref.customer_id is None:
            return await mediator.ask(GetCart(cart=ref))
        opened = await mediator.send(OpenCart(customer_id=ref.customer_id, guest_token=ref.token))
        return opened.cart

    @blueprint.post("/carts")
    @optional_bearer
    @headers(CART_TOKEN)
    @document_response(CartOut)
    @document_response(CartOut, 201)
    async def open_cart() -> Response:
        """A new guest cart (its ``token`` is in the answer, once), or for a signed-in
        customer their cart: 201 when made, 200 when it was there."""
        ref = await cart_ref()
        opened = await mediator.send(OpenCart(customer_id=ref.customer_id, guest_token=ref.token))
        response = jsonify(cart_json(opened.cart, opened.token))
        response.status_code = 201 if opened.created else 200
        return response

    @blueprint.get("/cart")
    @optional_bearer
    @headers(CART_TOKEN)
    @answers(404)
    @validate_querystring(CurrencyQuery)
    @document_response(CartOut)
    async def get_cart(query_args: CurrencyQuery) -> Response:
        """The current cart, each line at the catalog's current price; with ``?currency=``,
        also in that currency (503 when no rates are recent enough)."""
        cart = await current_cart()
        body = cart_json(cart)
        if query_args.currency is not None:
            quote = await exchange_rates.quote()
            body["converted"] = converted_cart_json(cart, quote, query_args.currency)
        return jsonify(body)

    @blueprint.put("/cart/items/<uuid:product_id>")
    @optional_bearer
    @headers(CART_TOKEN)
    @answers(409)
    @validate_request(CartItemIn)
    @document_response(CartOut)
    async def set_item(product_id: uuid.UUID, data: CartItemIn) -> Response:
        """Puts a product in the cart with this quantity (1 to 99; at most 100 lines)."""
        cart = await mediator.send(
            SetCartItem(cart=await cart_ref(), product_id=product_id, quantity=data.quantity)
        )
        return jsonify(cart_json(cart))

    @blueprint.delete("/cart/items/<uuid:product_id>")
    @optional_bearer
    @headers(CART_TOKEN)
    @document_response(CartOut)
    async def remove_item(product_id: uuid.UUID) -> Response:
        cart = await mediator.send(RemoveCartItem(cart=await cart_ref(), product_id=product_id))
        return jsonify(cart_json(cart))

    @blueprint.delete("/cart")
    @optional_bearer
    @headers(CART_TOKEN)
    @answers(204, 404)
    async def clear_cart() -> Response:
        """Empties the cart."""
        await mediator.send(ClearCart(cart=await cart_ref()))
        return Response(status=204)

    @blueprint.post("/orders")
    @answers(409, 428)
    @headers(KEY)
    @require_user
    @validate_request(OrderIn)
    @document_response(OrderOut, 202)
    async def place_order(data: OrderIn) -> Response:
        """Checkout of the signed-in customer's cart, at the catalog's prices. 202: the order
        is ``pending`` while stock is reserved. Needs an ``Idempotency-Key`` header."""
        principal = await authenticate()
        placed = await mediator.send(
            PlaceOrder(
                customer_id=principal.user_id,
                idempotency_key=_idempotency_key(),
                fingerprint=hashlib.sha256(
                    json.dumps(
                        # without a currency, the body hashes as it did before there was one
                        data.model_dump(
                            mode="json", exclude={"currency"} if data.currency is None else None
                        ),
                        sort_keys=True,
                    ).encode()
                ).hexdigest(),
                shipping_address=ShippingAddress(**data.shipping_address.model_dump()),
                payment_token=data.payment.token,
                currency=data.currency,
            )
        )
        response = _order_response(placed.order, status=202)
        response.headers["Location"] = f"/api/v1/orders/{placed.order.id}"
        if placed.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    @blueprint.get("/orders")
    @require_user
    @validate_querystring(OrderListQuery)
    @document_response(OrderPageOut)
    async def list_orders(query_args: OrderListQuery) -> Response:
        """Your orders, newest first unless ``sort`` says otherwise."""
        principal = await authenticate()
        return await _order_page(mediator, query_args, customer_id=principal.user_id)

    @blueprint.get("/orders/<uuid:order_id>")
    @require_user
    @document_response(OrderOut)
    async def get_order(order_id: uuid.UUID) -> Response:
        """One of your orders, with its lines and status history."""
        principal = await authenticate()
        view = await mediator.ask(GetOrder(order_id=order_id, customer_id=principal.user_id))
        return await _order_with_payment(mediator, view, for_admin=False)

    @blueprint.post("/orders/<uuid:order_id>/cancel")
    @answers(409)
    @require_user
    @document_response(OrderOut)
    async def cancel_order(order_id: uuid.UUID) -> Response:
        """Cancels your order unless it has shipped (409); a paid order is refunded."""
        principal = await authenticate()
        view = await mediator.send(CancelOrder(order_id=order_id, customer_id=principal.user_id))
        return _order_response(view)

    @blueprint.get("/admin/orders")
    @require_admin
    @validate_querystring(AdminOrderListQuery)
    @document_response(OrderPageOut)
    async def list_all_orders(query_args: AdminOrderListQuery) -> Response:
        """Every customer's orders; ``email`` narrows to one customer."""
        return await _order_page(mediator, query_args, customer_id=None, email=query_args.email)

    @blueprint.get("/admin/orders/<uuid:order_id>")
    @require_admin
    @document_response(OrderOut)
    async def get_any_order(order_id: uuid.UUID) -> Response:
        """Any order, with its payment's attempts and provider references."""
        view = await mediator.ask(GetOrder(order_id=order_id, customer_id=None))
        return await _order_with_payment(mediator, view, for_admin=True)

    @blueprint.post("/admin/orders/<uuid:order_id>/ship")
    @answers(409)
    @require_admin
    @document_response(OrderOut)
    async def ship_order(order_id: uuid.UUID) -> Response:
        """A paid order leaves the warehouse; any other status answers 409."""
        return _order_response(await mediator.send(ShipOrder(order_id=order_id)))

    @blueprint.post("/admin/orders/<uuid:order_id>/deliver")
    @answers(409)
    @require_admin
    @document_response(OrderOut)
    async def deliver_order(order_id: uuid.UUID) -> Response:
        """A shipped order reached its customer; any other status answers 409."""
        return _order_response(await mediator.send(DeliverOrder(order_id=order_id)))

    @blueprint.post("/admin/orders/<uuid:order_id>/cancel")
    @answers(409)
    @require_admin
    @document_response(OrderOut)
    async def cancel_any_order(order_id: uuid.UUID) -> Response:
        """Cancels an order that has not shipped; a paid one is refunded."""
        return _order_response(
            await mediator.send(CancelOrder(order_id=order_id, customer_id=None))
        )

    return blueprint


def _idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        raise IdempotencyKeyRequired(
            f"send an {IDEMPOTENCY_KEY} header (a UUID is a good key) so that a retry cannot "
            "order twice"
        )
    if not 1 <= len(key) <= MAX_KEY:
        raise InvalidIdempotencyKey(f"{IDEMPOTENCY_KEY} must be 1 to {MAX_KEY} characters")
    return key


async def _order_page(
    mediator: Mediator,
    query: OrderListQuery,
    *,
    customer_id: uuid.UUID | None,
    email: str | None = None,
) -> Response:
    page = await mediator.ask(
        ListOrders(
            customer_id=customer_id,
            statuses=statuses(query.status),
            created_from=query.created_from,
            created_to=query.created_to,
            min_total=query.min_total,
            max_total=query.max_total,
            q=query.q,
            customer_email=email,
            sort=query.sort,
            limit=query.limit,
            cursor=query.cursor,
        )
    )
    return jsonify(
        {"items": [summary_json(item) for item in page.items], "next_cursor": page.next_cursor}
    )


async def _order_with_payment(mediator: Mediator, view: OrderView, *, for_admin: bool) -> Response:
    """The order and its payment as the payments module knows it (null before any)."""
    payment = await mediator.ask(GetOrderPayment(order_id=view.id))
    body = order_json(view)
    body["payment"] = None if payment is None else payment_json(payment, for_admin=for_admin)
    return jsonify(body)


def _order_response(view: OrderView, status: int = 200) -> Response:
    response = jsonify(order_json(view))
    response.status_code = status
    return response
