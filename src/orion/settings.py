"""Orion's settings: ``ORION_*`` environment variables, and ``ORION_*_FILE`` variables that
name a file holding the value (how Docker and Kubernetes mount secrets). Each setting is
declared once, by the module that uses it (``orion/modules/*/settings.py``) or by the shared
kernel (``PlatformSettings``); this file makes them one object.

A value given both ways is refused. Secrets are ``SecretStr``: never in ``repr`` or a log line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pydantic_settings
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from orion.modules.identity.settings import IdentitySettings
from orion.modules.notifications.settings import NotificationsSettings
from orion.modules.ordering.settings import OrderingSettings
from orion.modules.payments.settings import PaymentsSettings

PREFIX = "ORION_"


class Settings(
    IdentitySettings, OrderingSettings, PaymentsSettings, NotificationsSettings, BaseSettings
):
    """Every setting, loaded once; each module's container gets it as the module's own model
    (``PaymentsSettings`` ...), the shared ones from ``PlatformSettings``."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, SecretFileSource(settings_cls))


class SecretFileSource(EnvSettingsSource):
    """``ORION_X_FILE=/run/secrets/x`` sets ``x`` to the file's content, trailing newline cut."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{PREFIX}{field_name.upper()}_FILE"
        path = os.environ.get(variable)
        if path is None:
            return None, field_name, False
        if f"{PREFIX}{field_name.upper()}" in os.environ:
            raise SettingsError(f"{variable}: set {PREFIX}{field_name.upper()} or it, not both")
        try:
            return Path(path).read_text().rstrip("\r\n"), field_name, False
        except OSError as error:
            raise SettingsError(f"{variable}: cannot read {path}: {error.strerror}") from None


class SettingsError(Exception):
    """One line that names the variable and what is wrong with it."""


def load_settings() -> Settings:
    try:
        return Settings()
    except pydantic_settings.SettingsError as error:  # wraps what a source raised
        if isinstance(error.__cause__, SettingsError):
            raise error.__cause__ from None
        raise
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        variable = PREFIX + "_".join(str(part) for part in first["loc"]).upper()
        raise SettingsError(f"{variable}: {first['msg']}") from None
