"""The identity module's settings (``ORION_<NAME>``)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from orion.modules.identity.adapters.security.tokens import parse_keys
from orion.shared_kernel.adapters.settings import PlatformSettings, Rate


class IdentitySettings(PlatformSettings):
    jwt_keys: SecretStr | None = Field(
        default=None,
        description="kid:secret[,kid:secret]: the first signs access tokens, all verify; "
        "unset: a key made once under the data dir",
    )
    jwt_issuer: str = "orion"
    jwt_audience: str = "orion-api"
    access_token_ttl_s: int = Field(default=900, ge=60, le=900)
    login_limit_per_account_address: Rate = Field(
        default="5/minute",
        description="Failed sign-ins to one account from one client address; past it that "
        "address is refused (429) for that account",
    )
    login_limit_per_address: Rate = Field(
        default="20/minute",
        description="Failed sign-ins from one client address, any account; past it refused",
    )
    login_limit_per_account: Rate = Field(
        default="10/minute",
        description="Failed sign-ins to one account from anywhere; past it each try waits "
        "(0.25 s, doubled with each further failure), never refused",
    )
    login_delay_max_s: float = Field(
        default=8, ge=0, le=60, description="The longest wait of a sign-in to a guessed account"
    )
    register_limit_per_address: Rate = "10/hour"
    reset_limit_per_address: Rate = "5/hour"

    @field_validator("jwt_keys")
    @classmethod
    def signing_keys(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            parse_keys(keys.get_secret_value())  # ValueError says what is wrong
        return keys
