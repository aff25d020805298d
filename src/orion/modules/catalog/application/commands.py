"""What an operator can ask the catalog to do: in its contracts, where the admin dashboard
sends it too."""

from __future__ import annotations

from orion.modules.catalog.contracts.products import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)

__all__ = [
    "AdjustStock",
    "CreateProduct",
    "DeleteProduct",
    "UpdateProduct",
]
