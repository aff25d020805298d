"""Analytics: the shop's figures (revenue, orders, funnel, products, customers, payment
failures, low stock) for a period and a currency, from a read model that other modules'
events feed through its inbox, and that ``orion analytics rebuild`` makes again from their
contracts.

Errors (``domain/errors.py``): AnalyticsError
└── InvalidPeriod (InvalidInput)
"""

from __future__ import annotations
