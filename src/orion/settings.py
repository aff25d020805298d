"""Orion's settings: ``ORION_*`` environment variables, ``ORION_*_FILE`` variables that
name a file holding the value (how Docker and Kubernetes mount secrets), and ``ORION_*_VAULT``
variables that name a secret in Vault (``mount/path#key``, read at start). Each setting is
declared once, by the module that uses it (``orion/modules/*/settings.py``) or by the shared
kernel (``PlatformSettings``); this file makes them one object.

A value given two ways is refused. Secrets are ``SecretStr``: never in ``repr`` or a log line.
"""

from __future__ import annotations

import os
from functools import partial
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

from orion.modules.audit.settings import AuditSettings
from orion.modules.identity.settings import IdentitySettings
from orion.modules.notifications.settings import NotificationsSettings
from orion.modules.ordering.settings import OrderingSettings
from orion.modules.payments.settings import PaymentsSettings
from orion.shared_kernel.adapters.settings import VaultSettings
from orion.shared_kernel.adapters.vault import SecretReference, Vault, VaultError, reason

PREFIX = "ORION_"


class Settings(
    IdentitySettings,
    OrderingSettings,
    PaymentsSettings,
    NotificationsSettings,
    AuditSettings,
    BaseSettings,
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
        return (
            init_settings,
            env_settings,
            SecretFileSource(settings_cls),
            VaultSource(settings_cls),
        )


class SecretFileSource(EnvSettingsSource):
    """``ORION_X_FILE=/run/secrets/x`` sets ``x`` to the file's content, trailing newline cut."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{PREFIX}{field_name.upper()}_FILE"
        path = os.environ.get(variable)
        if path is None:
            return None, field_name, False
        _only_one_way(field_name, "_FILE")
        try:
            return Path(path).read_text().rstrip("\r\n"), field_name, False
        except OSError as error:
            raise SettingsError(f"{variable}: cannot read {path}: {error.strerror}") from None


class VaultSource(EnvSettingsSource):
    """``ORION_X_VAULT=secret/orion/api#x`` sets ``x`` to that key of the KV version 2 secret
    ``orion/api`` in the engine mounted at ``secret``, read once at start from the Vault that
    ``ORION_VAULT_*`` name (signed in by token, AppRole or Kubernetes service account).

    Vault down, refusing or without the path: tried again for ``ORION_VAULT_START_TIMEOUT_S``,
    then one line naming the variable, the path and why."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._vault: Vault | None = None

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{PREFIX}{field_name.upper()}_VAULT"
        text = os.environ.get(variable)
        if text is None:
            return None, field_name, False
        _only_one_way(field_name, "_VAULT")
        if field_name in VaultSettings.model_fields:
            raise SettingsError(f"{variable}: Vault's own settings cannot come from Vault")
        try:
            reference = SecretReference.parse(text)
        except ValueError as error:
            raise SettingsError(f"{variable}: {error}") from None
        if self._vault is None:
            self._vault = Vault(vault_settings())
        timeout_s = self._vault.settings.vault_start_timeout_s
        try:
            value = self._vault.retried(partial(self._vault.read, reference), timeout_s)
        except VaultError as error:  # how to reach Vault is incomplete
            raise SettingsError(f"{variable}: {error}") from None
        except Exception as error:  # any kind, put in words by reason(): never Vault's text
            raise SettingsError(
                f"{variable}: cannot read {reference} from Vault at {self._vault.address}: "
                f"{reason(error)}; gave up after {timeout_s:g} s"
            ) from None
        return value, field_name, False


class _VaultSettingsOnly(VaultSettings, BaseSettings):
    """How to reach Vault, loaded first: from the environment and files, never from Vault."""

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
        return (env_settings, SecretFileSource(settings_cls))


def vault_settings() -> VaultSettings:
    """Vault's own settings, for the settings named by a Vault path."""
    try:
        settings = _VaultSettingsOnly()
    except ValidationError as error:
        raise _settings_error(error) from None
    if settings.vault_addr is None:
        raise SettingsError(f"{PREFIX}VAULT_ADDR: needed by the {PREFIX}*_VAULT variables")
    return settings


def _only_one_way(field_name: str, suffix: str) -> None:
    variable = f"{PREFIX}{field_name.upper()}"
    ways = (variable, f"{variable}_FILE", f"{variable}_VAULT")
    others = [name for name in ways if name in os.environ]
    if len(others) > 1:
        raise SettingsError(f"{variable}{suffix}: set only one of {', '.join(others)}")


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
        raise _settings_error(error) from None


def _settings_error(error: ValidationError) -> SettingsError:
    first = error.errors(include_url=False)[0]
    variable = PREFIX + "_".join(str(part) for part in first["loc"]).upper()
    return SettingsError(f"{variable}: {first['msg']}")
