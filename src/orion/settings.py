"""Orion's settings: ``ORION_*`` environment variables, and ``ORION_*_FILE`` variables that
name a file holding the value (how Docker and Kubernetes mount secrets).

A value given both ways is refused. Secrets are ``SecretStr``: never in ``repr`` or a log line.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import limits
import pydantic_settings
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PREFIX = "ORION_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True)

    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql+asyncpg://user:password@host:5432/db; unset: embedded PostgreSQL",
    )
    data_dir: Path = Field(default=Path(".orion"), description="Embedded PostgreSQL's data.")
    redis_url: SecretStr | None = Field(default=None, description="redis://host:6379/0")
    broker_url: SecretStr | None = Field(
        default=None, description="amqp://user:password@host:5672/vhost; unset: in-process"
    )
    jwt_keys: SecretStr | None = Field(
        default=None,
        description="kid:secret[,kid:secret]: the first signs access tokens, all verify; "
        "unset: a key made once under the data dir",
    )
    jwt_issuer: str = "orion"
    jwt_audience: str = "orion-api"
    access_token_ttl_s: int = Field(default=900, ge=60, le=900)
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="The shop's address, for links in emails."
    )
    mail_sender: str = "Orion <no-reply@localhost>"
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:password@host:port (STARTTLS when offered) or smtps:// (TLS); "
        "unset: emails are .eml files under the data dir",
    )
    smtp_timeout_s: float = Field(
        default=10, gt=0, le=300, description="How long one email may take to hand over."
    )
    login_limit_per_account: str = "5/minute"
    login_limit_per_address: str = "20/minute"
    register_limit_per_address: str = "10/hour"
    reset_limit_per_address: str = "5/hour"
    rate_limit_anonymous: str = Field(
        default="1200/minute", description="Requests per client address without a token."
    )
    rate_limit_user: str = Field(default="3000/minute", description="Requests per signed-in user.")
    rate_limit_auth: str = Field(
        default="300/minute", description="Requests to /api/v1/auth/* per client address."
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses or CIDR networks (comma-separated) whose X-Forwarded-For is "
        "believed; unset: none, the peer's address is the client's",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_pool_timeout_s: float = Field(
        default=10,
        gt=0,
        le=60,
        description="How long a request waits for a connection (a burst of checkouts queues "
        "behind a pool of 10); then 503.",
    )
    db_statement_timeout_ms: int = Field(
        default=5000,
        ge=100,
        le=600_000,
        description="Longest a statement may run (a checkout's take milliseconds); then 503.",
    )
    db_lock_timeout_ms: int = Field(
        default=2000,
        ge=10,
        le=600_000,
        description="Longest a statement may wait for a row lock; then 503.",
    )
    cache_ttl_s: float = Field(
        default=30,
        gt=0,
        le=3600,
        description="How long a cached product page may live: the backstop of invalidation.",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=100 * 1_048_576)
    relay_batch_size: int = Field(default=200, ge=1, le=10_000)
    relay_poll_interval_ms: int = Field(default=1000, ge=10, le=60_000)
    outbox_max_attempts: int = Field(default=10, ge=1, le=1000)
    outbox_retention_hours: float = Field(default=168, ge=0)
    inbox_retention_hours: float = Field(
        default=336,
        gt=0,
        description="How long consumers keep the ids of the messages they handled, to refuse "
        "a second delivery; at least ORION_OUTBOX_RETENTION_HOURS.",
    )
    consumer_prefetch: int = Field(default=32, ge=1, le=10_000)
    retry_delays_ms: list[int] = Field(
        default=[1_000, 10_000, 60_000],
        description="Delays before each retry of a failed message (JSON list); then the DLQ.",
    )
    guest_cart_ttl_days: float = Field(
        default=30, gt=0, description="Guest carts untouched this long are removed."
    )
    idempotency_key_ttl_hours: float = Field(
        default=24, ge=24, description="How long a checkout's Idempotency-Key is remembered."
    )
    housekeeping_interval_s: float = Field(
        default=300, ge=1, description="How often workers run clean-ups and periodic checks."
    )
    payment_gateway: Literal["simulated", "http"] = Field(
        default="simulated", description="simulated: in-process, the outcome chosen by token"
    )
    payment_provider_url: str | None = Field(
        default=None, description="The HTTP provider's base URL (docs/payment-provider.md)."
    )
    payment_provider_key: SecretStr | None = None
    payment_connect_timeout_s: float = Field(default=2, gt=0, le=60)
    payment_read_timeout_s: float = Field(default=10, gt=0, le=300)
    payment_max_attempts: int = Field(
        default=4, ge=1, le=20, description="Calls per provider request before the ladder."
    )
    payment_retry_budget_s: float = Field(
        default=15, gt=0, description="Time one provider request may spend retrying."
    )
    payment_breaker_threshold: int = Field(default=5, ge=1)
    payment_breaker_ttl_s: float = Field(default=30, gt=0)
    exchange_rates_source: Literal["static", "ecb", "frankfurter"] = Field(
        default="static",
        description="static: the rates file shipped with Orion (its date shown); ecb: the ECB's "
        "daily XML; frankfurter: a Frankfurter-style JSON API",
    )
    exchange_rates_url: str | None = Field(
        default=None, description="The publisher's URL; unset: the ECB's or Frankfurter's own."
    )
    exchange_rates_refresh_s: float = Field(
        default=3600, gt=0, description="Rates older than this show as stale; half: refreshed."
    )
    exchange_rates_max_age_s: float = Field(
        default=86400, gt=0, description="Rates older than this are refused: conversion is 503."
    )
    exchange_rates_connect_timeout_s: float = Field(default=2, gt=0, le=60)
    exchange_rates_read_timeout_s: float = Field(default=5, gt=0, le=300)
    exchange_rates_max_attempts: int = Field(default=4, ge=1, le=20)
    exchange_rates_breaker_threshold: int = Field(default=5, ge=1)
    exchange_rates_breaker_ttl_s: float = Field(default=60, gt=0)
    payment_reconcile_after_s: float = Field(
        default=60, gt=0, description="Payments unsettled this long are asked about."
    )
    payment_give_up_after_s: float = Field(
        default=3600, gt=0, description="A payment never answered this long fails."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    otel_exporter: Literal["none", "console", "otlp"] = Field(
        default="none",
        description="Where spans go; otlp reads the standard OTEL_EXPORTER_OTLP_* variables.",
    )
    trace_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces recorded (parent decides)."
    )

    @field_validator(
        "login_limit_per_account",
        "login_limit_per_address",
        "register_limit_per_address",
        "reset_limit_per_address",
        "rate_limit_anonymous",
        "rate_limit_user",
        "rate_limit_auth",
    )
    @classmethod
    def rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError("must be a rate such as 100/minute") from None
        return value

    @field_validator("inbox_retention_hours")
    @classmethod
    def inbox_outlives_outbox(cls, value: float, info: ValidationInfo) -> float:
        # a published row can be published again only while the outbox keeps it
        outbox = info.data.get("outbox_retention_hours")
        if outbox is not None and value < outbox:
            raise ValueError("must be at least ORION_OUTBOX_RETENTION_HOURS")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # ValueError names the bad one
        return value

    @field_validator("database_url")
    @classmethod
    def postgresql_only(cls, url: SecretStr | None) -> SecretStr | None:
        if url is None:
            return None
        value = url.get_secret_value()
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in {"postgresql", "postgres", "postgresql+asyncpg"}:
            raise ValueError("must be a postgresql:// URL")
        return SecretStr(f"postgresql+asyncpg://{rest}")

    @field_validator("smtp_url")
    @classmethod
    def smtp_only(cls, url: SecretStr | None) -> SecretStr | None:
        if url is None:
            return None
        parts = urlsplit(url.get_secret_value())
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("must be an smtp:// or smtps:// URL with a host")
        return url

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
