"""What the catalog answers: in its contracts, where the admin dashboard asks too."""

from __future__ import annotations

from orion.modules.catalog.contracts.products import (
    MAX_PAGE,
    PRICE_BAND_STARTS,
    CategoryView,
    FacetCount,
    GetProduct,
    GetProductFacets,
    ListCategories,
    ListProducts,
    PriceBandCount,
    ProductFacets,
    ProductFilters,
    ProductPage,
    ProductSort,
    ProductView,
)

__all__ = [
    "MAX_PAGE",
    "PRICE_BAND_STARTS",
    "CategoryView",
    "FacetCount",
    "GetProduct",
    "GetProductFacets",
    "ListCategories",
    "ListProducts",
    "PriceBandCount",
    "ProductFacets",
    "ProductFilters",
    "ProductPage",
    "ProductSort",
    "ProductView",
]
