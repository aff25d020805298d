"""``GET /api/v1/exchange-rates?base=EUR``, and the JSON every route that shows a converted
price adds beside the base price."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint, Response, jsonify
from quart_schema import document_response, validate_querystring

from orion.shared_kernel.adapters.http.schemas import CurrencyCode, MoneyOut
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, Quote
from orion.shared_kernel.domain.money import Money


class CurrencyQuery(BaseModel):
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code: prices are also shown converted into it."
    )


class RatesQuery(BaseModel):
    base: CurrencyCode = "EUR"


class RatesOut(BaseModel):
    base: str
    rates: dict[str, str] = Field(description="1 base buys this much of each, as decimal text.")
    source: str = Field(description="The publisher: ecb, frankfurter or static.")
    as_of: str = Field(description="The publisher's date for these rates.")
    fetched_at: str
    stale: bool = Field(description="True when the publisher could not be reached lately.")


class ConversionOut(BaseModel):
    price: MoneyOut
    rate: str
    source: str
    as_of: str
    stale: bool


def quote_json(quote: Quote) -> dict[str, Any]:
    return {
        "source": quote.table.source,
        "as_of": quote.table.as_of.isoformat(),
        "fetched_at": quote.fetched_at.isoformat(),
        "stale": quote.stale,
    }


def converted_json(quote: Quote, money: Money, target: str) -> dict[str, Any]:
    """A price in ``target``, with the rate and where it came from."""
    converted = quote.convert(money, target)
    return {
        "price": {"amount": converted.amount, "currency": converted.currency},
        "rate": str(quote.rate(money.currency, target)),
        "source": quote.table.source,
        "as_of": quote.table.as_of.isoformat(),
        "stale": quote.stale,
    }


def exchange_rates_blueprint(converter: CurrencyConverter) -> Blueprint:
    blueprint = Blueprint("exchange_rates", __name__, url_prefix="/api/v1")

    @blueprint.get("/exchange-rates")
    @validate_querystring(RatesQuery)
    @document_response(RatesOut)
    async def exchange_rates(query_args: RatesQuery) -> Response:
        """Today's reference rates from ``base``; 503 when none are recent enough."""
        quote = await converter.quote()
        table = quote.table.rebased(query_args.base)
        return jsonify(
            {
                "base": table.base,
                "rates": {code: str(table.rates[code]) for code in sorted(table.rates)},
                **quote_json(quote),
            }
        )

    return blueprint
