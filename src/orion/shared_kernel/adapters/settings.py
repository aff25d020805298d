"""The settings every part of Orion may read, and the types module settings are made of.

Each module declares its own settings as a pydantic model in its ``settings.py`` (its fields
named as their ``ORION_*`` variables, without the prefix); ``orion.settings.Settings`` is the
one object made of them all, loaded once, and each module's container receives it typed as
the module's own model: a setting is written once, where it is used.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import AfterValidator, BaseModel, Field, SecretStr, ValidationInfo, field_validator


def _rate(value: str) -> str:
    try:
        limits.parse(value)
    except ValueError:
        raise ValueError("must be a rate such as 100/minute") from None
    return value


Rate = Annotated[str, AfterValidator(_rate)]


class VaultSettings(BaseModel):
    """Where Vault (or OpenBao) is and how Orion signs in to it: read at start for the
    settings given as ``ORION_<NAME>_VAULT=mount/path#key`` (KV version 2), and for the
    database's short-lived users when ``ORION_VAULT_DATABASE_ROLE`` is set
    (docs/adr/0021-secrets-from-vault.md). These come from the environment or files only."""

    vault_addr: str | None = Field(
        default=None, description="https://vault:8200; unset: no setting is read from Vault"
    )
    vault_auth: Literal["token", "approle", "kubernetes"] = Field(
        default="token",
        description="token: ORION_VAULT_TOKEN; approle: ORION_VAULT_ROLE_ID and "
        "ORION_VAULT_SECRET_ID; kubernetes: the pod's service-account token and "
        "ORION_VAULT_KUBERNETES_ROLE",
    )
    vault_auth_mount: str | None = Field(
        default=None, description="Where the auth method is mounted; unset: its own name."
    )
    vault_token: SecretStr | None = None
    vault_role_id: str | None = None
    vault_secret_id: SecretStr | None = None
    vault_kubernetes_role: str | None = None
    vault_kubernetes_token_file: Path = Field(
        default=Path("/var/run/secrets/kubernetes.io/serviceaccount/token"),
        description="The service-account token presented to Vault's kubernetes auth.",
    )
    vault_namespace: str | None = None
    vault_ca_file: Path | None = Field(
        default=None, description="CA bundle for Vault's certificate; unset: the system's."
    )
    vault_start_timeout_s: float = Field(
        default=30,
        gt=0,
        le=600,
        description="How long start-up keeps trying Vault (down, refusing, a path missing) "
        "before it gives up with one line naming the setting and the path.",
    )
    vault_database_role: str | None = Field(
        default=None,
        description="A role of Vault's database secrets engine: ORION_DATABASE_URL's user "
        "and password come from it, short-lived, renewed, replaced when their lease ends",
    )
    vault_database_mount: str = Field(
        default="database", description="Where the database secrets engine is mounted."
    )


class PlatformSettings(VaultSettings):
    """Where the shared resources are, and how the shared machinery behaves."""

    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql+asyncpg://user:password@host:5432/db; unset: embedded PostgreSQL",
    )
    data_dir: Path = Field(default=Path(".orion"), description="Embedded PostgreSQL's data.")
    redis_url: SecretStr | None = Field(default=None, description="redis://host:6379/0")
    broker_url: SecretStr | None = Field(
        default=None, description="amqp://user:password@host:5672/vhost; unset: in-process"
    )
    rate_limit_anonymous: Rate = Field(
        default="1200/minute", description="Requests per client address without a token."
    )
    rate_limit_user: Rate = Field(default="3000/minute", description="Requests per signed-in user.")
    rate_limit_auth: Rate = Field(
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
    housekeeping_interval_s: float = Field(
        default=300, ge=1, description="How often workers run clean-ups and periodic checks."
    )
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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    otel_exporter: Literal["none", "console", "otlp"] = Field(
        default="none",
        description="Where spans go; otlp reads the standard OTEL_EXPORTER_OTLP_* variables.",
    )
    trace_sample_ratio: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of new traces recorded (parent decides); an unrecorded span costs "
        "next to nothing, a recorded one the most of a cheap request (ADR 13).",
    )

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


def reveal(secret: SecretStr | None) -> str | None:
    """A secret setting's value, for the one client that needs it; None when unset."""
    return None if secret is None else secret.get_secret_value()
