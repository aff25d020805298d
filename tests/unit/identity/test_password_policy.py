"""The password policy (NIST SP 800-63B): 8 to 128 characters, no composition rules, not a
common password, not the email address."""

from __future__ import annotations

import pytest

from orion.modules.identity.adapters.security.passwords import common_passwords
from orion.modules.identity.application.passwords import check_password
from orion.modules.identity.domain.errors import WeakPassword

EMAIL = "ada.lovelace@example.com"
COMMON = frozenset({"password123", "letmein1"})


def length(n: int) -> str:
    return ("mz4-kq9 vw" * 13)[:n]


@pytest.mark.parametrize("n", [8, 9, 64, 127, 128])
def test_8_to_128_characters_are_accepted(n: int) -> None:
    check_password(length(n), email=EMAIL, common=COMMON)


@pytest.mark.parametrize("n", [0, 1, 7, 129, 1024])
def test_shorter_or_longer_is_refused(n: int) -> None:
    with pytest.raises(WeakPassword):
        check_password(length(n), email=EMAIL, common=COMMON)


def test_length_counts_characters_not_bytes() -> None:
    check_password("é" * 128, email=EMAIL, common=COMMON)  # 256 bytes in UTF-8
    with pytest.raises(WeakPassword):
        check_password("é" * 7, email=EMAIL, common=COMMON)


@pytest.mark.parametrize(
    "password", ["alllowercaseletters", "1234567890123", "ALL UPPER CASE", "   spaces   "]
)
def test_no_composition_rules(password: str) -> None:
    check_password(password, email=EMAIL, common=COMMON)


@pytest.mark.parametrize("password", ["password123", "PassWord123", "LETMEIN1"])
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    with pytest.raises(WeakPassword, match="common"):
        check_password(password, email=EMAIL, common=COMMON)


@pytest.mark.parametrize("password", [EMAIL, EMAIL.upper(), "ada.lovelace", "Ada.Lovelace"])
def test_the_email_or_its_local_part_is_refused(password: str) -> None:
    with pytest.raises(WeakPassword, match="email"):
        check_password(password, email=EMAIL, common=COMMON)


def test_the_shipped_list_has_the_passwords_attackers_try_first() -> None:
    shipped = common_passwords()
    assert len(shipped) >= 10_000
    for password in ("password123", "qwertyuiop", "iloveyou", "12345678", "sunshine"):
        assert password in shipped
        with pytest.raises(WeakPassword):
            check_password(password, email=EMAIL, common=shipped)
    check_password("correct horse battery staple", email=EMAIL, common=shipped)
    assert all(password == password.lower() for password in shipped)
