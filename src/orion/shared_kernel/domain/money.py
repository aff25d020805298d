"""Money as integer minor units plus an ISO 4217 code; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from iso4217 import Currency

from orion.shared_kernel.domain.errors import InvalidInput


class InvalidMoney(InvalidInput):
    code = "invalid-money"
    title = "Invalid amount or currency"


def currency_exponent(code: str) -> int:
    """Digits after the decimal point for an ISO 4217 currency (JPY 0, EUR 2, KWD 3)."""
    try:
        exponent = Currency(code).exponent
    except ValueError:
        raise InvalidMoney(f"{code!r} is not an ISO 4217 currency code") from None
    if exponent is None:  # XAU, XDR...: no minor unit, not money a shop can charge
        raise InvalidMoney(f"{code!r} is not a currency a shop can price in")
    return int(exponent)


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidMoney("amount must be an integer number of minor units")
        currency_exponent(self.currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Major units (``Decimal("12.50")``) to minor units, rounded explicitly."""
        minor = value.scaleb(currency_exponent(currency)).quantize(Decimal(1), rounding=rounding)
        return cls(amount=int(minor), currency=currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-currency_exponent(self.currency))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(amount=self.amount * factor, currency=self.currency)

    def is_negative(self) -> bool:
        return self.amount < 0

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidMoney(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        return f"{self.to_decimal()} {self.currency}"
