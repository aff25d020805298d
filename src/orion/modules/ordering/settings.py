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
