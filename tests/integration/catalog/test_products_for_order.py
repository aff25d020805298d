"""The contracts query other modules ask the catalog through the mediator."""

from __future__ import annotations

import uuid

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct, DeleteProduct
from orion.modules.catalog.contracts.queries import GetProductsForOrder


async def test_answers_price_stock_and_availability(orion: Orion) -> None:
    kept = await orion.mediator.send(
        CreateProduct(
            sku="K-1",
            name="Kept",
            description="",
            category="C",
            price_amount=1000,
            price_currency="JPY",
            stock=4,
        )
    )
    gone = await orion.mediator.send(
        CreateProduct(
            sku="G-1",
            name="Gone",
            description="",
            category="C",
            price_amount=500,
            price_currency="EUR",
            stock=1,
        )
    )
    await orion.mediator.send(DeleteProduct(product_id=gone.id))
    answer = await orion.mediator.ask(
        GetProductsForOrder(product_ids=(kept.id, gone.id, uuid.uuid4()))
    )
    by_sku = {product.sku: product for product in answer}
    assert set(by_sku) == {"K-1", "G-1"}
    assert by_sku["K-1"].price_amount == 1000
    assert by_sku["K-1"].currency == "JPY"
    assert by_sku["K-1"].stock == 4
    assert by_sku["K-1"].active is True
    assert by_sku["G-1"].active is False
