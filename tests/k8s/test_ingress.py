"""The ingress carries the nginx gateway's edge rules (deploy/nginx, and the limits
deploy/compose gives it), read from the gateway's own files: a change there fails here until
the ingress follows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.k8s.conftest import OVERLAYS, ROOT, named, of_kind

NGINX = ROOT / "deploy/nginx"
PREFIX = "nginx.ingress.kubernetes.io/"


def directive(name: str) -> str:
    text = (NGINX / "templates/orion.conf.template").read_text()
    found = re.findall(rf"^\s*{name} ([^;]+);", text, re.MULTILINE)
    assert found, name
    return str(found[0])


def compose_default(variable: str) -> str:
    text = (ROOT / "deploy/compose/compose.yml").read_text()
    found = re.search(rf"{variable}: \$\{{{variable}:-([^}}]+)\}}", text)
    assert found is not None, variable
    return found[1]


# set by Orion on every answer (shared_kernel/adapters/http/app.py, _secure): the gateway adds
# them only where an answer lacks them, and the ingress, whose custom headers replace the
# upstream's, not at all (the docs page keeps its own Content-Security-Policy)
ORION_SETS = {"Content-Security-Policy", "X-Content-Type-Options"}


def gateway_headers() -> dict[str, str]:
    """The headers the gateway adds (security-headers.conf), a mapped one by the value it
    takes when Orion's answer lacks the header, less those Orion always sets."""
    template = (NGINX / "templates/orion.conf.template").read_text()
    defaults = dict(
        re.findall(r'^map \$upstream_http_\w+ \$(\w+) \{\n\s*"" "([^"]+)";', template, re.M)
    )
    text = (NGINX / "snippets/security-headers.conf").read_text()
    added = re.findall(r'^add_header ([A-Za-z-]+) (?:"([^"]+)"|\$(\w+)) always;', text, re.M)
    headers = {name: value or defaults[variable] for name, value, variable in added}
    assert headers.keys() >= ORION_SETS
    return {name: value for name, value in headers.items() if name not in ORION_SETS}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_has_the_gateways_edge_rules(overlay: str, rendered: Any) -> None:
    objects = rendered[overlay]
    rate = compose_default("GATEWAY_RATE")
    assert rate.endswith("r/s")
    expected = {
        "proxy-body-size": directive("client_max_body_size"),
        "client-body-timeout": directive("client_body_timeout").removesuffix("s"),
        "proxy-connect-timeout": directive("proxy_connect_timeout").removesuffix("s"),
        "proxy-send-timeout": directive("proxy_send_timeout").removesuffix("s"),
        "proxy-read-timeout": directive("proxy_read_timeout").removesuffix("s"),
        "proxy-next-upstream-tries": directive("proxy_next_upstream_tries"),
        "proxy-next-upstream-timeout": directive("proxy_next_upstream_timeout").removesuffix("s"),
        "limit-rps": rate.removesuffix("r/s"),
        "limit-burst-multiplier": str(int(compose_default("GATEWAY_BURST")) // int(rate[:-3])),
        "limit-connections": compose_default("GATEWAY_CONNECTIONS"),
        "ssl-redirect": "true",
        "force-ssl-redirect": "true",
    }
    ingresses = list(of_kind(objects, "Ingress"))
    assert len(ingresses) == 2
    for ingress in ingresses:
        notes = {
            key.removeprefix(PREFIX): value
            for key, value in ingress["metadata"]["annotations"].items()
            if key.startswith(PREFIX)
        }
        assert {key: notes.get(key) for key in expected} == expected, ingress["metadata"]["name"]
        headers = named(objects, "ConfigMap", notes["custom-headers"])["data"]
        assert headers == gateway_headers()
    # retries: idempotent methods everywhere, the checkout's POST too (its Idempotency-Key)
    general = named(objects, "Ingress", "orion-api")["metadata"]["annotations"]
    checkout = named(objects, "Ingress", "orion-checkout")["metadata"]["annotations"]
    assert general[PREFIX + "proxy-next-upstream"] == directive("proxy_next_upstream")
    assert checkout[PREFIX + "proxy-next-upstream"] == "error timeout non_idempotent"
    (path,) = named(objects, "Ingress", "orion-checkout")["spec"]["rules"][0]["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/api/v1/orders", "Exact")
    routed = {
        p["path"]
        for ingress in (named(objects, "Ingress", "orion-api"),)
        for p in ingress["spec"]["rules"][0]["http"]["paths"]
    }
    assert not any("/metrics".startswith(path) for path in routed), "/metrics is public"
