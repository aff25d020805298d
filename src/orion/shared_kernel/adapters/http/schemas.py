"""Request and response shapes more than one module speaks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orion.shared_kernel.domain.money import InvalidMoney, currency_exponent


class Body(BaseModel):
    """A JSON request body: unknown fields are refused, and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MoneyIn(Body):
    amount: int = Field(ge=0, le=10**15, description="Minor units: 1999 is 19.99 EUR.")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code, e.g. EUR.")

    @field_validator("currency")
    @classmethod
    def known_currency(cls, code: str) -> str:
        try:
            currency_exponent(code)
        except InvalidMoney as error:
            raise ValueError(error.detail) from None
        return code


class MoneyOut(BaseModel):
    amount: int
    currency: str
