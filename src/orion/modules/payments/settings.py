"""The payments module's settings (``ORION_PAYMENT_*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from orion.shared_kernel.adapters.settings import PlatformSettings


class PaymentsSettings(PlatformSettings):
    payment_gateway: Literal["simulated", "http"] = Field(
        default="simulated", description="simulated: in-process, the outcome chosen by token"
    )
    payment_provider_url: str | None = Field(
        default=None, description="The HTTP provider's base URL (docs/payment-provider.md)."
    )
    payment_provider_key: SecretStr | None = None
    payment_connect_timeout_s: float = Field(default=2, gt=0, le=60)
    payment_read_timeout_s: float = Field(default=10, gt=0, le=300)
    payment_max_attempts: int = Field(
        default=4, ge=1, le=20, description="Calls per provider request before the ladder."
    )
    payment_retry_budget_s: float = Field(
        default=15, gt=0, description="Time one provider request may spend retrying."
    )
    payment_breaker_threshold: int = Field(default=5, ge=1)
    payment_breaker_ttl_s: float = Field(default=30, gt=0)
    payment_reconcile_after_s: float = Field(
        default=60, gt=0, description="Payments unsettled this long are asked about."
    )
    payment_give_up_after_s: float = Field(
        default=3600, gt=0, description="A payment never answered this long fails."
    )
