"""Catalog: products, categories, prices and stock on hand.

Errors (``domain/errors.py``): CatalogError
├── ProductNotFound (NotFound)
├── DuplicateSku (Conflict)
├── StaleProduct (ConcurrencyConflict)
├── InsufficientStock (Conflict)
└── InvalidProduct (InvalidInput)
"""

from __future__ import annotations
