"""The roles an account can have. Admins manage the shop; customers buy."""

from __future__ import annotations

ADMIN = "admin"
CUSTOMER = "customer"
ROLES = (CUSTOMER, ADMIN)
