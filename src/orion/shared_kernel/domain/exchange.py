"""Currency conversion with published reference rates: ``Decimal`` only, rounded once, to
the target currency's ISO 4217 exponent, with an explicit rounding mode (half-even, the
banker's rounding, so that rounding errors do not drift one way over many prices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal

from orion.shared_kernel.domain.errors import DependencyUnavailable, InvalidInput
from orion.shared_kernel.domain.money import Money, currency_exponent

# Cross rates (USD -> JPY through EUR) keep 12 significant digits: more than any publisher
# gives (the ECB gives 5 or 6), so rounding to minor units stays the only rounding that shows.
CROSS_RATE = Context(prec=12, rounding=ROUND_HALF_EVEN)


class UnsupportedCurrency(InvalidInput):
    code = "unsupported-currency"
    title = "No exchange rate for this currency"


class RatesUnavailable(DependencyUnavailable):
    """No rates recent enough to price with: refused rather than priced wrongly."""

    code = "exchange-rates-unavailable"
    title = "Exchange rates are unavailable"


@dataclass(frozen=True, slots=True, kw_only=True)
class RateTable:
    """One publication: ``1 base = rates[code] code``, as of the publisher's ``as_of`` date."""

    base: str
    as_of: date
    source: str
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        currency_exponent(self.base)
        if any(rate <= 0 for rate in self.rates.values()):
            raise InvalidInput("exchange rates must be positive")

    @property
    def currencies(self) -> list[str]:
        return sorted({self.base, *self.rates})

    def rate(self, source: str, target: str) -> Decimal:
        """How many ``target`` one ``source`` buys, crossed through the base when needed."""
        return CROSS_RATE.divide(self._per_base(target), self._per_base(source))

    def rebased(self, base: str) -> RateTable:
        rates = {code: self.rate(base, code) for code in self.currencies if code != base}
        return RateTable(base=base, as_of=self.as_of, source=self.source, rates=rates)

    def _per_base(self, code: str) -> Decimal:
        if code == self.base:
            return Decimal(1)
        try:
            return self.rates[code]
        except KeyError:
            raise UnsupportedCurrency(
                f"{self.source} publishes no rate for {code!r}; known: {', '.join(self.currencies)}"
            ) from None


def convert(money: Money, target: str, rate: Decimal, rounding: str = ROUND_HALF_EVEN) -> Money:
    """``money`` times ``rate`` in ``target``, rounded once to its minor unit."""
    return Money.from_decimal(money.to_decimal() * rate, target, rounding=rounding)
