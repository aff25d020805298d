"""Settings from ORION_* variables and ORION_*_FILE secret files; errors name the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orion.settings import Settings, SettingsError, load_settings

# pydantic-settings wraps any exception a source raises in its own SettingsError, so the
# one-line orion.settings.SettingsError from SecretFileSource never reaches load_settings'
# callers (the CLI catches only orion's and prints a traceback instead).


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ORION_* variable of the real environment may leak into a test."""
    for name in list(os.environ):
        if name.upper().startswith("ORION_"):
            monkeypatch.delenv(name)


FILE_KEY = "k1:from-a-file-from-a-file-from-a-file"  # ORION_JWT_KEYS: kid:32+ bytes
HUNTER_KEY = "k1:token-hunter2-token-hunter2-token-hunter2"


def secret_file(directory: Path, content: str) -> Path:
    path = directory / "secret"
    path.write_text(content)
    return path


def test_defaults_apply_without_any_variable() -> None:
    settings = load_settings()

    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.jwt_keys is None
    assert settings.data_dir == Path(".orion")
    assert settings.db_pool_size == 10
    assert settings.log_level == "INFO"
    assert settings.log_format == "auto"


def test_orion_variables_are_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ORION_DATABASE_URL", "postgresql+asyncpg://orion:pw@db:5432/orion")
    monkeypatch.setenv("ORION_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("ORION_JWT_KEYS", "k1:s3cret-s3cret-s3cret-s3cret-s3cret")
    monkeypatch.setenv("ORION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ORION_DB_POOL_SIZE", "25")
    monkeypatch.setenv("ORION_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("ORION_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("ORION_LOG_FORMAT", "json")

    settings = load_settings()

    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == "postgresql+asyncpg://orion:pw@db:5432/orion"
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == "redis://cache:6379/0"
    assert settings.jwt_keys is not None
    assert settings.jwt_keys.get_secret_value() == "k1:s3cret-s3cret-s3cret-s3cret-s3cret"
    assert settings.data_dir == tmp_path
    assert settings.db_pool_size == 25
    assert settings.max_body_bytes == 2048
    assert settings.log_level == "DEBUG"
    assert settings.log_format == "json"


def test_file_variable_reads_the_secret_and_strips_the_trailing_newline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "ORION_JWT_KEYS_FILE",
        str(secret_file(tmp_path, FILE_KEY + "\n")),
    )

    settings = load_settings()

    assert settings.jwt_keys is not None
    assert settings.jwt_keys.get_secret_value() == FILE_KEY


def test_file_variable_strips_a_windows_line_ending(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "secret"
    path.write_bytes(FILE_KEY.encode() + b"\r\n")
    monkeypatch.setenv("ORION_JWT_KEYS_FILE", str(path))

    settings = load_settings()

    assert settings.jwt_keys is not None
    assert settings.jwt_keys.get_secret_value() == FILE_KEY


def test_a_malformed_signing_key_is_refused_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORION_JWT_KEYS", "k1:short")

    with pytest.raises(SettingsError, match=r"^ORION_JWT_KEYS: .*at least 32 bytes"):
        load_settings()


def test_file_variable_works_for_a_non_secret_field(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ORION_DB_POOL_SIZE_FILE", str(secret_file(tmp_path, "7\n")))

    assert load_settings().db_pool_size == 7


def test_value_given_both_directly_and_by_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ORION_JWT_KEYS", "direct")
    monkeypatch.setenv(
        "ORION_JWT_KEYS_FILE",
        str(secret_file(tmp_path, FILE_KEY + "\n")),
    )

    with pytest.raises(SettingsError, match="ORION_JWT_KEYS"):
        load_settings()


def test_unreadable_secret_file_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ORION_JWT_KEYS_FILE", str(tmp_path / "missing"))

    with pytest.raises(SettingsError, match=r"^ORION_JWT_KEYS_FILE: cannot read"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ORION_DB_POOL_SIZE", "ten"),
        ("ORION_DB_POOL_SIZE", "0"),
        ("ORION_MAX_BODY_BYTES", "1.5"),
        ("ORION_LOG_LEVEL", "TRACE"),
    ],
)
def test_bad_value_is_refused_with_a_message_starting_with_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert str(raised.value).startswith(f"{variable}: ")


@pytest.mark.parametrize(
    "url", ["mysql://orion:pw@db/orion", "sqlite:///orion.db", "db:5432/orion", "postgresql"]
)
def test_database_url_must_be_postgresql(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ORION_DATABASE_URL", url)

    with pytest.raises(SettingsError, match=r"^ORION_DATABASE_URL: .*postgresql://"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://orion:pw@db:5432/orion",
        "postgres://orion:pw@db:5432/orion",
        "postgresql+asyncpg://orion:pw@db:5432/orion",
    ],
)
def test_postgresql_url_is_normalized_to_asyncpg(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ORION_DATABASE_URL", url)

    settings = load_settings()

    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == "postgresql+asyncpg://orion:pw@db:5432/orion"


def test_secrets_never_appear_in_repr_or_str(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ORION_DATABASE_URL", "postgresql://orion:db-hunter2@db:5432/orion")
    monkeypatch.setenv("ORION_REDIS_URL", "redis://:redis-hunter2@cache:6379/0")
    monkeypatch.setenv(
        "ORION_JWT_KEYS_FILE",
        str(secret_file(tmp_path, HUNTER_KEY + "\n")),
    )

    settings = load_settings()

    for text in (repr(settings), str(settings)):
        assert "hunter2" not in text
        assert "db:5432" not in text
    assert settings.jwt_keys is not None
    assert settings.jwt_keys.get_secret_value() == HUNTER_KEY


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(ValueError, match="frozen"):
        settings.db_pool_size = 3  # type: ignore[misc]


def test_the_inbox_keeps_message_ids_at_least_as_long_as_the_outbox_keeps_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORION_OUTBOX_RETENTION_HOURS", "200")
    monkeypatch.setenv("ORION_INBOX_RETENTION_HOURS", "100")

    with pytest.raises(SettingsError, match="ORION_INBOX_RETENTION_HOURS"):
        load_settings()
    monkeypatch.setenv("ORION_INBOX_RETENTION_HOURS", "200")
    assert load_settings().inbox_retention_hours == 200
