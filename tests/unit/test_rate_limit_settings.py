"""Rate-limit settings are checked at start: a bad rate or proxy address names its variable."""

from __future__ import annotations

import pytest

from orion.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ORION_RATE_LIMIT_ANONYMOUS", "lots"),
        ("ORION_RATE_LIMIT_AUTH", "10 per fortnight"),
        ("ORION_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
    ],
)
def test_a_bad_rate_limit_setting_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=variable):
        load_settings()


def test_rates_and_proxies_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORION_RATE_LIMIT_USER", "50/second")
    monkeypatch.setenv("ORION_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")

    settings = load_settings()

    assert settings.rate_limit_user == "50/second"
    assert settings.trusted_proxies == "10.0.0.0/8, 192.0.2.1"
