"""Settings named by a Vault path (``ORION_<NAME>_VAULT=mount/path#key``), read at start from
a real OpenBao: every secret setting through AppRole, a whole ``orion serve`` through a token
file, and the three ways a start fails (a wrong token, a missing path, Vault down), each one
line naming the setting and the path, never a secret."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from orion.settings import Settings, SettingsError, load_settings
from orion.shared_kernel.adapters.settings import VaultSettings
from tests.conftest import BROKER_URL, REDIS_URL
from tests.e2e.test_serve import Server, orion_env
from tests.fakes.loopback import free_port
from tests.integration.vault.conftest import OpenBao, token_file
from tests.log_hygiene import secret

KV = "secret"  # the KV version 2 engine -dev mounts


def secret_settings() -> list[str]:
    """Every setting that holds a secret, except Vault's own (they cannot come from it)."""
    return [
        name
        for name, field in Settings.model_fields.items()
        if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ()))
        and name not in VaultSettings.model_fields
    ]


VALUES = {  # a valid value of each, registered so that no log line may hold one
    "database_url": "postgresql://orion:{}@db.example:5432/orion",
    "redis_url": "redis://:{}@redis.example:6379/0",
    "broker_url": "amqp://orion:{}@rabbitmq.example:5672/orion",
    "jwt_keys": "vault:{}",
    "smtp_url": "smtp://orion:{}@mail.example:587",
    "payment_provider_key": "pk_{}",
}


def approle(bao: OpenBao, path: str) -> tuple[str, str]:
    """An AppRole that may read ``path`` only: its role id and a new secret id."""
    client = bao.client()
    if "approle/" not in client.sys.list_auth_methods():
        client.sys.enable_auth_method("approle")
    policy = f"orion-{secrets.token_hex(4)}"
    client.sys.create_or_update_policy(
        policy, f'path "{KV}/data/{path}" {{ capabilities = ["read"] }}'
    )
    client.auth.approle.create_or_update_approle(policy, token_policies=[policy])
    role_id = client.auth.approle.read_role_id(policy)["data"]["role_id"]
    secret_id = client.auth.approle.generate_secret_id(policy)["data"]["secret_id"]
    return role_id, secret(f"approle secret id {policy}", secret_id)


def test_every_secret_setting_comes_from_the_kv_engine_through_approle(
    openbao: OpenBao, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = secret_settings()
    assert set(names) == set(VALUES), "a new secret setting: give it a value here"
    path = f"orion/{secrets.token_hex(4)}"
    values = {
        name: VALUES[name].format(secret(f"vault {name}", secrets.token_urlsafe(32)))
        for name in names
    }
    openbao.client().secrets.kv.v2.create_or_update_secret(path=path, mount_point=KV, secret=values)
    role_id, secret_id = approle(openbao, path)
    for name in names:
        monkeypatch.delenv(f"ORION_{name.upper()}", raising=False)
        monkeypatch.setenv(f"ORION_{name.upper()}_VAULT", f"{KV}/{path}#{name}")
    monkeypatch.setenv("ORION_VAULT_ADDR", openbao.address)
    monkeypatch.setenv("ORION_VAULT_AUTH", "approle")
    monkeypatch.setenv("ORION_VAULT_ROLE_ID", role_id)
    monkeypatch.setenv("ORION_VAULT_SECRET_ID", secret_id)

    settings = load_settings()

    read: dict[str, Any] = {name: getattr(settings, name).get_secret_value() for name in names}
    values["database_url"] = values["database_url"].replace("postgresql:", "postgresql+asyncpg:")
    assert read == values


def test_a_value_given_directly_and_from_vault_is_refused(
    openbao: OpenBao, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORION_SMTP_URL", "smtp://mail.example")
    monkeypatch.setenv("ORION_SMTP_URL_VAULT", f"{KV}/orion/mail#url")
    monkeypatch.setenv("ORION_VAULT_ADDR", openbao.address)

    with pytest.raises(SettingsError, match=r"^ORION_SMTP_URL_VAULT: set only one of"):
        load_settings()


def test_orion_serves_with_its_database_broker_redis_and_keys_from_vault(
    openbao: OpenBao, database_url: str, tmp_path: Path
) -> None:
    path = f"orion/api-{secrets.token_hex(4)}"
    keys = "vault:" + secret("vault jwt keys", secrets.token_urlsafe(32))
    openbao.client().secrets.kv.v2.create_or_update_secret(
        path=path,
        mount_point=KV,
        secret={"database": database_url, "broker": BROKER_URL, "redis": REDIS_URL, "jwt": keys},
    )
    env = orion_env(
        ORION_VAULT_ADDR=openbao.address,
        ORION_VAULT_TOKEN_FILE=str(token_file(tmp_path, openbao.root_token)),
        ORION_DATABASE_URL_VAULT=f"{KV}/{path}#database",
        ORION_BROKER_URL_VAULT=f"{KV}/{path}#broker",
        ORION_REDIS_URL_VAULT=f"{KV}/{path}#redis",
        ORION_DATA_DIR=str(tmp_path / "data"),
    )
    env.pop("ORION_JWT_KEYS")
    env["ORION_JWT_KEYS_VAULT"] = f"{KV}/{path}#jwt"
    server = Server(env, "--no-workers", "--no-relay")
    try:
        server.wait_ready()
        ready = server.http.get("/health/ready").json()
    finally:
        assert server.stop() == 0
    assert {"database", "broker", "redis"} <= set(ready["checks"]), ready
    assert all(check["status"] == "pass" for check in ready["checks"].values()), ready


@pytest.mark.parametrize("case", ["wrong token", "missing path", "vault down"])
def test_each_failed_start_is_one_line_naming_the_setting_and_the_path(
    openbao: OpenBao, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = f"orion/{secrets.token_hex(4)}"
    openbao.client().secrets.kv.v2.create_or_update_secret(
        path=path, mount_point=KV, secret={"database": "postgresql://db.example/orion"}
    )
    wrong = secret("a wrong vault token", "hvs." + secrets.token_urlsafe(24))
    address, token, reference, words = {  # Vault's address, the token, the path, the words
        "wrong token": (openbao.address, wrong, f"{KV}/{path}#database", "permission denied"),
        "missing path": (
            openbao.address, openbao.root_token, f"{KV}/orion/absent#database",
            "no secret at this path",
        ),
        "vault down": (
            f"http://127.0.0.1:{free_port()}", openbao.root_token, f"{KV}/{path}#database",
            "Vault unreachable",
        ),
    }[case]  # fmt: skip
    variables = {
        "ORION_VAULT_ADDR": address,
        "ORION_VAULT_TOKEN_FILE": str(token_file(tmp_path, token)),
        "ORION_VAULT_START_TIMEOUT_S": "1.5",
        "ORION_DATABASE_URL_VAULT": reference,
    }
    expected = f"ORION_DATABASE_URL_VAULT: cannot read {reference} from Vault at {address}: {words}"
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    started = time.monotonic()
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(expected)
    assert str(raised.value).endswith("; gave up after 1.5 s")
    assert 1 <= time.monotonic() - started < 15  # tried again, for a bounded time
    assert token not in str(raised.value)
    if case != "vault down":
        return
    # the command: that line alone, and a failed exit (one case: each start costs seconds)
    done = subprocess.run(
        [sys.executable, "-m", "orion", "migrate"], env=orion_env(**variables),
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"orion: invalid setting {raised.value}\n"
