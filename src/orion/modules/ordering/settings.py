"""The ordering module's settings (``ORION_<NAME>``)."""

from __future__ import annotations

from pydantic import Field

from orion.shared_kernel.adapters.settings import PlatformSettings


class OrderingSettings(PlatformSettings):
    guest_cart_ttl_days: float = Field(
        default=30, gt=0, description="Guest carts untouched this long are removed."
    )
    idempotency_key_ttl_hours: float = Field(
        default=24, ge=24, description="How long a checkout's Idempotency-Key is remembered."
    )
    checkout_max_unsettled: int = Field(
        default=500,
        ge=1,
        description="Checkout answers 503 with Retry-After while this many orders or more are "
        "placed and not yet paid or cancelled (ADR 40).",
    )
    checkout_backlog_refresh_s: float = Field(
        default=0.5,
        ge=0,
        description="How often each process counts the unsettled orders (0: on every checkout).",
    )
