"""Money: integer minor units, a real ISO 4217 currency, explicit rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from orion.shared_kernel.domain.money import InvalidMoney, Money, currency_exponent


def test_money_holds_integer_minor_units_and_a_currency() -> None:
    money = Money(amount=1250, currency="EUR")

    assert money.amount == 1250
    assert money.currency == "EUR"


@pytest.mark.parametrize("amount", [12.5, 12.0, True, False, Decimal("12.50"), "1250"])
def test_cannot_create_money_from_anything_but_an_int(amount: Any) -> None:
    with pytest.raises(InvalidMoney):
        Money(amount=amount, currency="EUR")


@pytest.mark.parametrize("code", ["ZZZ", "eur", "", "EURO"])
def test_cannot_create_money_in_an_unknown_currency(code: str) -> None:
    with pytest.raises(InvalidMoney, match="ISO 4217"):
        Money(amount=100, currency=code)


@pytest.mark.parametrize("code", ["XAU", "XDR"])
def test_cannot_price_in_a_currency_without_minor_unit(code: str) -> None:
    with pytest.raises(InvalidMoney, match="not a currency a shop can price in"):
        Money(amount=1, currency=code)


@pytest.mark.parametrize(("code", "exponent"), [("JPY", 0), ("EUR", 2), ("KWD", 3)])
def test_currency_exponent_follows_iso_4217(code: str, exponent: int) -> None:
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize(
    ("value", "currency", "amount"),
    [
        (Decimal("12.50"), "EUR", 1250),
        (Decimal("1250"), "JPY", 1250),
        (Decimal("1.234"), "KWD", 1234),
    ],
)
def test_from_decimal_scales_major_units_by_the_currency_exponent(
    value: Decimal, currency: str, amount: int
) -> None:
    assert Money.from_decimal(value, currency) == Money(amount=amount, currency=currency)


def test_from_decimal_rounds_half_to_even_by_default() -> None:
    assert Money.from_decimal(Decimal("0.125"), "EUR").amount == 12
    assert Money.from_decimal(Decimal("0.135"), "EUR").amount == 14


def test_from_decimal_rounds_with_the_mode_it_is_given() -> None:
    assert Money.from_decimal(Decimal("0.125"), "EUR", rounding=ROUND_HALF_EVEN).amount == 12
    assert Money.from_decimal(Decimal("0.125"), "EUR", rounding=ROUND_HALF_UP).amount == 13
    assert Money.from_decimal(Decimal("2.5"), "JPY", rounding=ROUND_HALF_EVEN).amount == 2
    assert Money.from_decimal(Decimal("2.5"), "JPY", rounding=ROUND_HALF_UP).amount == 3


def test_from_decimal_refuses_an_unknown_currency() -> None:
    with pytest.raises(InvalidMoney):
        Money.from_decimal(Decimal("1.00"), "ZZZ")


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        (Money(amount=1250, currency="EUR"), "12.50"),
        (Money(amount=1250, currency="JPY"), "1250"),
        (Money(amount=1234, currency="KWD"), "1.234"),
        (Money(amount=-5, currency="EUR"), "-0.05"),
    ],
)
def test_to_decimal_gives_major_units_with_the_currency_exponent(
    money: Money, expected: str
) -> None:
    assert money.to_decimal() == Decimal(expected)
    assert str(money.to_decimal()) == expected


def test_from_decimal_and_to_decimal_round_trip() -> None:
    money = Money(amount=199999, currency="KWD")

    assert Money.from_decimal(money.to_decimal(), "KWD") == money


def test_adding_and_subtracting_the_same_currency() -> None:
    a = Money(amount=1000, currency="EUR")
    b = Money(amount=250, currency="EUR")

    assert a + b == Money(amount=1250, currency="EUR")
    assert a - b == Money(amount=750, currency="EUR")
    assert b * 3 == Money(amount=750, currency="EUR")


def test_cannot_add_different_currencies() -> None:
    with pytest.raises(InvalidMoney, match="EUR with USD"):
        Money(amount=1, currency="EUR") + Money(amount=1, currency="USD")


def test_cannot_subtract_different_currencies() -> None:
    with pytest.raises(InvalidMoney):
        Money(amount=1, currency="EUR") - Money(amount=1, currency="JPY")


def test_money_is_negative_only_below_zero() -> None:
    assert Money(amount=-1, currency="EUR").is_negative()
    assert not Money(amount=0, currency="EUR").is_negative()
