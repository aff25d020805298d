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
    login_limit_per_account: Rate = "5/minute"
    login_limit_per_address: Rate = "20/minute"
    register_limit_per_address: Rate = "10/hour"
    reset_limit_per_address: Rate = "5/hour"

    @field_validator("jwt_keys")
    @classmethod
    def signing_keys(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            parse_keys(keys.get_secret_value())  # ValueError says what is wrong
        return keys
