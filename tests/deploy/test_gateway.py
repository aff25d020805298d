"""The nginx gateway (deploy/nginx) on loopback with TLS from a test CA, in front of two API
containers: HTTPS only, both instances served, edge limits and refusals as problem+json at the
gateway, request ids made or passed on, and Orion believing the gateway alone about clients."""

from __future__ import annotations

import json
import re
import socket
import ssl
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from orion.shared_kernel.adapters.http.app import API_CSP
from orion.shared_kernel.adapters.http.docs import DOCS_CSP
from tests.deploy.conftest import ROOT, Shop
from tests.deploy.gateway import Gateway, running_gateway
from tests.fakes.loopback import free_port

PROBLEM_JSON = "application/problem+json"
COMPOSE = ROOT / "deploy" / "compose"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")  # TLS 1.1 on purpose
def test_https_answers_with_tls_1_2_or_newer_and_http_redirects(gateway: Gateway) -> None:
    with gateway.client() as https:
        answer = https.get("/api/v1/products")
        docs = https.get("/docs")
    assert answer.status_code == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    # one copy of each header, Orion's where it sets one: the docs page keeps its own policy
    assert answer.headers.get_list("X-Content-Type-Options") == ["nosniff"]
    assert answer.headers.get_list("Content-Security-Policy") == [API_CSP]
    assert docs.headers.get_list("Content-Security-Policy") == [DOCS_CSP]
    assert docs.headers.get_list("X-Frame-Options") == ["DENY"]
    for version, accepted in [(ssl.TLSVersion.TLSv1_1, False), (ssl.TLSVersion.TLSv1_2, True)]:
        assert _handshake(gateway, version) is accepted, version
    plain = httpx.get(f"http://127.0.0.1:{gateway.http_port}/api/v1/products?limit=2")
    assert plain.status_code == 308
    assert (
        plain.headers["Location"]
        == f"https://localhost:{gateway.https_port}/api/v1/products?limit=2"
    )
    with gateway.client() as https:
        metrics = https.get("/metrics")  # the processes' metrics are not for the public
    assert (metrics.status_code, metrics.headers["Content-Type"]) == (404, PROBLEM_JSON)


def _handshake(gateway: Gateway, version: ssl.TLSVersion) -> bool:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=_ca_pem(gateway))
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = version
    context.set_ciphers("ALL:@SECLEVEL=0")  # let the client offer old versions: the server says no
    try:
        with (
            socket.create_connection(("127.0.0.1", gateway.https_port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost"),
        ):
            return True
    except ssl.SSLError:
        return False


def _ca_pem(gateway: Gateway) -> str:
    return (gateway.access_log.parent / "tls" / "chain.pem").read_text()


def test_both_instances_serve_and_request_ids_reach_orion(shop: Shop, gateway: Gateway) -> None:
    given = [f"deploy-{uuid.uuid4().hex}" for _ in range(8)]
    with gateway.client("127.0.0.7") as https:
        for request_id in given:
            answer = https.get("/api/v1/products", headers={"X-Request-ID": request_id})
            assert answer.headers["X-Request-ID"] == request_id  # the client's, echoed
        made = https.get("/api/v1/categories").headers["X-Request-ID"]
    assert made not in given
    finished = {
        api.name: {
            line["request_id"]: line
            for line in api.log_lines()
            if line.get("event") == "request_finished"
        }
        for api in shop.apis
    }
    served = {name: set(given) & set(lines) for name, lines in finished.items()}
    assert all(served.values()), served  # least connections: both instances had some
    assert set().union(*served.values()) == set(given)
    lines = {**finished[shop.apis[0].name], **finished[shop.apis[1].name]}
    assert made in lines  # the id nginx made is the one Orion logged
    # Orion logs the client's address (from the gateway's X-Forwarded-For), not the gateway's
    assert {lines[request_id]["client"] for request_id in [*given, made]} == {"127.0.0.7"}
    logged = [json.loads(line) for line in gateway.access_log.read_text().splitlines()]
    assert {line["request_id"] for line in logged} >= {*given, made}


def test_the_edge_limit_answers_429_problem_json(gateway: Gateway) -> None:
    with gateway.client("127.0.0.9") as https, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: https.get("/health/live"), range(300)))
    limited = [answer for answer in answers if answer.status_code == 429]
    assert limited, [answer.status_code for answer in answers]
    assert {answer.status_code for answer in answers} == {200, 429}
    problem = limited[0].json()
    assert limited[0].headers["Content-Type"] == PROBLEM_JSON
    assert problem["type"] == "/problems/rate-limited"
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert problem["request_id"] == limited[0].headers["X-Request-ID"]
    with gateway.client("127.0.0.10") as other:  # per client address: another is served
        assert other.get("/health/live").status_code == 200


def test_a_2_mb_body_is_refused_at_the_gateway(shop: Shop, gateway: Gateway) -> None:
    request_id = f"too-big-{uuid.uuid4().hex}"
    with gateway.client("127.0.0.11") as https:
        answer = https.post(
            "/api/v1/auth/register",
            content=b"x" * 2_000_000,
            headers={"Content-Type": "application/json", "X-Request-ID": request_id},
        )
    assert (answer.status_code, answer.headers["Content-Type"]) == (413, PROBLEM_JSON)
    assert answer.json()["type"] == "/problems/payload-too-large"
    assert answer.headers["X-Request-ID"] == request_id
    assert all(request_id not in api.logs() for api in shop.apis)  # Orion never saw it


def test_json_is_gzipped(gateway: Gateway) -> None:
    with gateway.client() as https:
        answer = https.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "paths" in answer.json()


def test_no_instance_answering_is_a_502_problem(tmp_path: Path) -> None:
    with running_gateway(tmp_path / "nginx", [free_port()]) as lonely, lonely.client() as https:
        answer = https.get("/api/v1/products")
    assert (answer.status_code, answer.headers["Content-Type"]) == (502, PROBLEM_JSON)
    assert answer.json()["type"] == "/problems/bad-gateway"
    assert answer.headers["X-Request-ID"] == answer.json()["request_id"]


def test_log_shipping_keeps_the_ids_orion_and_the_gateway_log(shop: Shop, gateway: Gateway) -> None:
    """Loki and Alloy cannot run here: their configuration is checked against the log lines
    of this run's containers and gateway instead. Every id those lines carry is kept as
    structured metadata (searchable in Loki without a label per request), which Loki's
    schema must allow; Alloy reads every container through Docker's socket."""
    loki = (COMPOSE / "loki.yaml").read_text()
    assert re.search(r"^\s+allow_structured_metadata: true$", loki, re.MULTILINE)
    assert re.search(r"^\s+schema: v13$", loki, re.MULTILINE)  # structured metadata needs it
    alloy = (COMPOSE / "config.alloy").read_text()
    metadata = re.search(r"stage\.structured_metadata \{\s*values = \{([^}]*)\}", alloy)
    assert metadata is not None
    kept = set(re.findall(r"(\w+)\s*=", metadata[1]))
    extracted = set(re.findall(r"(\w+)\s*=\s*\"\w+\"", alloy))
    assert kept <= extracted
    assert "/var/run/docker.sock:/var/run/docker.sock:ro" in (COMPOSE / "compose.yml").read_text()

    with gateway.client() as https:
        request_id = https.get("/api/v1/categories").headers["X-Request-ID"]
    orion = [
        line
        for api in shop.apis
        for line in api.log_lines()
        if line.get("request_id") == request_id
    ]
    assert orion, "Orion logged no line of the request"
    assert {"request_id", "correlation_id", "trace_id", "span_id"} <= kept
    assert all(
        {"request_id", "correlation_id", "trace_id", "span_id"} <= set(line) for line in orion
    )
    nginx = [json.loads(line) for line in gateway.access_log.read_text().splitlines()]
    assert [line["request_id"] for line in nginx if line["request_id"] == request_id] == [
        request_id
    ]
