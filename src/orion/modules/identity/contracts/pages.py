"""Where Orion serves the pages its emailed links open when the shop has no storefront
page for them (the notifications module builds the links; identity serves the pages)."""

from __future__ import annotations

VERIFY_EMAIL_PAGE = "/verify-email"
RESET_PASSWORD_PAGE = "/reset-password"  # noqa: S105 (a path, not a password)
