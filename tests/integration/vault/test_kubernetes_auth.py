"""Orion signs in to a real OpenBao with its Kubernetes service-account token
(``ORION_VAULT_AUTH=kubernetes``): OpenBao asks the cluster's TokenReview API whether the
token is the service account's; here a loopback stand-in for that API answers, accepting only
the one token, so a wrong token is refused by OpenBao as a real cluster would have it."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from orion.settings import SettingsError, load_settings
from tests.integration.vault.conftest import OpenBao
from tests.log_hygiene import secret

NAMESPACE, ACCOUNT = "orion", "orion"
UID = "0b9a1c51-5b7c-4f1c-9f0e-2f4f3c0d9a11"  # the service account's


def service_account_token() -> str:
    """A token shaped as Kubernetes makes them (OpenBao reads its claims before the review)."""

    def part(claims: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    claims = {
        "iss": "kubernetes/serviceaccount",
        "kubernetes.io/serviceaccount/namespace": NAMESPACE,
        "kubernetes.io/serviceaccount/service-account.name": ACCOUNT,
        "kubernetes.io/serviceaccount/service-account.uid": UID,
        "sub": f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}",
    }
    signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{signature}"


@pytest.fixture
def token_review() -> Iterator[tuple[str, str]]:
    """The TokenReview API on loopback, authenticating one token: (its URL, the token)."""
    accepted = secret("service account token", service_account_token())

    class Review(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            known = review["spec"]["token"] == accepted
            status: dict[str, object] = {"authenticated": known}
            if known:
                status["user"] = {
                    "username": f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}",
                    "uid": UID,
                }
            body = json.dumps({**review, "status": status}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Review)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", accepted
    finally:
        server.shutdown()
        server.server_close()


def test_orion_signs_in_with_its_service_account_and_reads_its_secrets(
    openbao: OpenBao,
    token_review: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    review_url, token = token_review
    client, mount = openbao.client(), f"kubernetes-{secrets.token_hex(4)}"
    client.sys.enable_auth_method("kubernetes", path=mount)
    client.write(
        f"auth/{mount}/config",
        kubernetes_host=review_url,
        token_reviewer_jwt="reviewer",
        disable_local_ca_jwt=True,
        kubernetes_ca_cert=trustme.CA().cert_pem.bytes().decode(),  # unused: plain HTTP here
    )
    path = f"orion/k8s-{secrets.token_hex(4)}"
    client.sys.create_or_update_policy(
        mount, f'path "secret/data/{path}" {{ capabilities = ["read"] }}'
    )
    client.write(
        f"auth/{mount}/role/orion",
        bound_service_account_names=[ACCOUNT],
        bound_service_account_namespaces=[NAMESPACE],
        token_policies=[mount],
    )
    keys = "k8s:" + secret("jwt keys via k8s auth", secrets.token_urlsafe(32))
    client.secrets.kv.v2.create_or_update_secret(
        path=path, mount_point="secret", secret={"jwt": keys}
    )
    token_file = tmp_path / "token"
    monkeypatch.setenv("ORION_VAULT_ADDR", openbao.address)
    monkeypatch.setenv("ORION_VAULT_AUTH", "kubernetes")
    monkeypatch.setenv("ORION_VAULT_AUTH_MOUNT", mount)
    monkeypatch.setenv("ORION_VAULT_KUBERNETES_ROLE", "orion")
    monkeypatch.setenv("ORION_VAULT_KUBERNETES_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("ORION_VAULT_START_TIMEOUT_S", "1")
    monkeypatch.delenv("ORION_JWT_KEYS", raising=False)
    monkeypatch.setenv("ORION_JWT_KEYS_VAULT", f"secret/{path}#jwt")

    token_file.write_text(token + "\n")
    settings = load_settings()
    assert settings.jwt_keys is not None
    assert settings.jwt_keys.get_secret_value() == keys

    token_file.write_text(service_account_token())  # another pod's, or a forged one
    with pytest.raises(SettingsError, match=r"^ORION_JWT_KEYS_VAULT: .*permission denied"):
        load_settings()
