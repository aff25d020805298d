"""Catalog: products, categories, prices, stock on hand and the stock reserved for orders.

Errors (``domain/errors.py``): CatalogError
├── ProductNotFound (NotFound)
├── DuplicateSku (Conflict)
├── StaleProduct (ConcurrencyConflict)
├── InsufficientStock (Conflict)
├── InvalidProduct (InvalidInput)
├── ProductUnavailable (Conflict)
└── InvalidReservation (InvalidInput)
"""

from __future__ import annotations
