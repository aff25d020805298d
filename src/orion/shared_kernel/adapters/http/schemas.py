"""Request and response shapes more than one module speaks."""

from __future__ import annotations

from typing import Annotated

from iso4217 import Currency
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from orion.shared_kernel.domain.money import InvalidMoney, currency_exponent


def _known_currency(code: str) -> str:
    try:
        currency_exponent(code)
    except InvalidMoney as error:
        raise ValueError(error.detail) from None
    return code


# What PostgreSQL's integer columns hold: a bound past it would reach the database and fail
# there, so a filter or field on such a column is bounded here (422) and says so in OpenAPI.
BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1
MinorUnitsFilter = Annotated[int, Field(ge=0, le=BIGINT_MAX)]


def _not_a_number(value: object) -> object:
    """Pydantic takes a number for a date-time (seconds since 1970); the document promises an
    ISO 8601 string, and a number is refused as it says."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    elif not isinstance(value, (int, float)):
        return value
    raise ValueError("a date-time in ISO 8601 with its offset, such as 2026-12-07T10:00:00Z")


DateTimeFilter = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]

# The ISO 4217 codes a shop can price in (those with minor units), listed in the OpenAPI
# document as they are checked here.
PRICEABLE = sorted(currency.code for currency in Currency if currency.exponent is not None)

# An ISO 4217 code Orion knows the exponent of, wherever a request names a currency.
CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, json_schema_extra={"enum": PRICEABLE}),
    AfterValidator(_known_currency),
]


class Body(BaseModel):
    """A JSON request body: unknown fields are refused, and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MoneyIn(Body):
    amount: int = Field(ge=0, le=10**15, description="Minor units: 1999 is 19.99 EUR.")
    currency: CurrencyCode = Field(description="ISO 4217 code, e.g. EUR.")


class AddressIn(Body):
    """A postal address, as a customer keeps one and as an order ships to it."""

    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field(default="", max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. FR")


class MoneyOut(BaseModel):
    amount: int
    currency: str
