"""The catalog API's request and response shapes (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from orion.modules.catalog.application.queries import (
    MAX_PAGE,
    CategoryView,
    ProductFacets,
    ProductView,
)
from orion.modules.catalog.domain.product import SKU
from orion.shared_kernel.adapters.http.exchange_rates import ConversionOut, CurrencyQuery
from orion.shared_kernel.adapters.http.schemas import (
    INTEGER_MAX,
    Body,
    MinorUnitsFilter,
    MoneyIn,
    MoneyOut,
)


class ProductIn(Body):
    sku: str = Field(pattern=f"^{SKU.pattern}$", examples=["TSHIRT-RED-M"])
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    category: str = Field(min_length=1, max_length=64)
    price: MoneyIn
    stock: int = Field(default=0, ge=0, le=10**9)
    active: bool = True


class ProductPatch(Body):
    """Only the fields given change. Send the ETag in ``If-Match``, or ``version`` here."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    category: str | None = Field(default=None, min_length=1, max_length=64)
    price: MoneyIn | None = None
    active: bool | None = None
    version: int | None = Field(default=None, ge=0, le=INTEGER_MAX)


class StockAdjustmentIn(Body):
    delta: int = Field(
        ge=-(10**9),
        le=10**9,
        description="Added to stock, never 0; negative removes.",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: str | None = Field(default=None, max_length=200)


class ProductFiltersQuery(BaseModel):
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Full-text search of name, category and description, in web search "
        'syntax ("a phrase", or, -word); the last word also matches as a prefix.',
    )
    category: str | None = Field(default=None, max_length=64)
    min_price: MinorUnitsFilter | None = Field(default=None, description="Minor units, inclusive.")
    max_price: MinorUnitsFilter | None = Field(default=None, description="Minor units, inclusive.")
    in_stock: bool | None = None


class ProductListQuery(ProductFiltersQuery, CurrencyQuery):
    sort: (
        Literal["relevance", "name", "-name", "price", "-price", "created_at", "-created_at"] | None
    ) = Field(
        default=None,
        description="relevance with q, else name. With q, an exact name comes first, then "
        "the best matches, each rank ordered by this.",
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="Above 100 is refused (422).")
    cursor: str | None = Field(default=None, max_length=512)


class ProductOut(BaseModel):
    id: uuid.UUID
    sku: str
    name: str
    description: str
    category: str
    price: MoneyOut
    stock: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int
    converted: ConversionOut | None = Field(
        default=None, description="With ?currency=: the price in it, and the rate used."
    )


class ProductPageOut(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None


class FacetCountOut(BaseModel):
    name: str
    count: int


class PriceBandOut(BaseModel):
    min_price: int = Field(description="Minor units, inclusive: the list's min_price.")
    max_price: int | None = Field(description="Minor units, inclusive; null: no upper end.")
    count: int


class ProductFacetsOut(BaseModel):
    total: int = Field(description="Products matching every filter: the list's length.")
    categories: list[FacetCountOut] = Field(description="Counted without the category filter.")
    price_bands: list[PriceBandOut] = Field(description="Counted without the price filters.")


class CategoryOut(BaseModel):
    name: str
    product_count: int


class CategoriesOut(BaseModel):
    items: list[CategoryOut]


def product_json(view: ProductView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "sku": view.sku,
        "name": view.name,
        "description": view.description,
        "category": view.category,
        "price": {"amount": view.price_amount, "currency": view.price_currency},
        "stock": view.stock,
        "active": view.active,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "version": view.version,
    }


def category_json(view: CategoryView) -> dict[str, Any]:
    return {"name": view.name, "product_count": view.product_count}


def facets_json(facets: ProductFacets) -> dict[str, Any]:
    return {
        "total": facets.total,
        "categories": [{"name": item.name, "count": item.count} for item in facets.categories],
        "price_bands": [
            {"min_price": band.min_price, "max_price": band.max_price, "count": band.count}
            for band in facets.price_bands
        ],
    }
