"""The catalog's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
)


class CatalogError(DomainError):
    code = "catalog-error"


class ProductNotFound(CatalogError, NotFound):
    code = "product-not-found"
    title = "Product not found"


class DuplicateSku(CatalogError, Conflict):
    code = "duplicate-sku"
    title = "A product with this SKU exists"


class StaleProduct(CatalogError, ConcurrencyConflict):
    code = "stale-product-version"
    title = "The product changed since it was read"


class InsufficientStock(CatalogError, Conflict):
    code = "insufficient-stock"
    title = "Stock cannot go below zero"


class InvalidProduct(CatalogError, InvalidInput):
    code = "invalid-product"
    title = "Invalid product"


class ProductUnavailable(CatalogError, Conflict):
    code = "product-unavailable"
    title = "The product is inactive or deleted"


class InvalidReservation(CatalogError, InvalidInput):
    code = "invalid-reservation"
    title = "Invalid stock reservation"
