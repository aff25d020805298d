"""The rolling-update, scaling and mesh settings fit Orion's own timings, read from Orion
(its Hypercorn graceful timeout, its consumers' drain, its publish timeout, its pool's wait)
and measured (how long ``orion serve`` takes to be ready), never copied by hand:

- a pod stopped gets its preStop pause, then Orion's drain, inside its grace period;
- while Orion drains (readiness 503, requests still served), the kubelet sees it unready
  before the drain ends, so no one sends it new work past its graceful timeout;
- the startup budget covers a start twice over, the rollout deadline the budget;
- scaling in takes one pod per period, each period longer than a pod's stop;
- the mesh answers late requests with Orion's own 503 first (its timeouts are longer than
  the pool's wait), retries as often as the gateway does, and ends within the ingress' read.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from orion.commands import _hypercorn_config
from orion.shared_kernel.adapters.messaging.rabbitmq import DRAIN_TIMEOUT_S, PUBLISH_TIMEOUT_S
from orion.shared_kernel.adapters.sql.engine import create_engine
from tests.e2e.test_serve import Server, orion_env
from tests.k8s.conftest import OVERLAYS, ROOT, container, named, of_kind, workloads
from tests.k8s.test_manifests_match_orion import arguments

Objects = dict[str, list[dict[str, Any]]]
GRACEFUL_S = _hypercorn_config("0.0.0.0:8000").graceful_timeout
MARGIN_S = 5  # for the process to exit and the kubelet to see it


def drain_s(args: list[str]) -> float:
    """The longest a role takes from SIGTERM to exit (orion/commands.py): the API finishes its
    requests; a worker its messages, then its ops server its requests; a relay its pass."""
    command = args[0]
    if command == "serve":
        return GRACEFUL_S
    if command == "worker":
        return DRAIN_TIMEOUT_S + GRACEFUL_S
    assert command == "relay", command
    return PUBLISH_TIMEOUT_S + GRACEFUL_S


def seconds(text: str) -> float:
    value = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text)
    assert value is not None, text
    return float(value[1]) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[value[2]]


def pod(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_stopped_pod_drains_within_its_grace_period(overlay: str, rendered: Objects) -> None:
    for workload in workloads(rendered[overlay]):
        if workload["kind"] != "Deployment":
            continue
        orion, name = container(workload), workload["metadata"]["name"]
        pause = orion["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = pod(workload)["terminationGracePeriodSeconds"]
        needed = pause + drain_s(arguments(workload)) + MARGIN_S
        assert grace >= needed, f"{name}: {grace} s of grace, {needed} s needed"
        readiness = orion["readinessProbe"]
        unready_after = readiness["periodSeconds"] * readiness["failureThreshold"]
        assert unready_after <= GRACEFUL_S, f"{name}: seen unready after {unready_after} s"
        strategy = workload["spec"]["strategy"]["rollingUpdate"]
        assert strategy["maxUnavailable"] == 0, name


def test_the_startup_budget_covers_a_measured_start(
    rendered: Objects, database_url: str, tmp_path: Any
) -> None:
    started = time.monotonic()
    server = Server(orion_env(ORION_DATABASE_URL=database_url, ORION_DATA_DIR=str(tmp_path)))
    try:
        server.wait_ready()
        start_s = time.monotonic() - started
    finally:
        server.stop()
    for overlay in OVERLAYS:
        for workload in workloads(rendered[overlay]):
            if workload["kind"] != "Deployment":
                continue
            startup = container(workload)["startupProbe"]
            budget = startup["periodSeconds"] * startup["failureThreshold"]
            name = workload["metadata"]["name"]
            assert budget >= 2 * start_s, f"{name}: {budget} s to start, one took {start_s:.1f}"
            ready_s = budget + workload["spec"]["minReadySeconds"]
            assert workload["spec"]["progressDeadlineSeconds"] >= ready_s, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_scaling_in_takes_one_pod_at_a_time_each_given_its_stop(
    overlay: str, rendered: Objects
) -> None:
    objects = rendered[overlay]

    def longest_stop(name: str) -> float:
        deployment = named(objects, "Deployment", name)
        return float(pod(deployment)["terminationGracePeriodSeconds"])

    hpa = named(objects, "HorizontalPodAutoscaler", "orion-api")
    behaviours = [(hpa["spec"]["scaleTargetRef"]["name"], hpa["spec"]["behavior"])]
    for scaled in of_kind(objects, "ScaledObject"):
        behaviour = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        behaviours.append((scaled["spec"]["scaleTargetRef"]["name"], behaviour))
        assert scaled["spec"]["cooldownPeriod"] >= longest_stop(
            scaled["spec"]["scaleTargetRef"]["name"]
        )
    for name, behaviour in behaviours:
        (policy,) = behaviour["scaleDown"]["policies"]
        assert (policy["type"], policy["value"]) == ("Pods", 1), name
        assert policy["periodSeconds"] >= longest_stop(name), name
        assert behaviour["scaleDown"]["stabilizationWindowSeconds"] >= policy["periodSeconds"]


def test_the_mesh_routes_fit_orion_and_the_gateway(rendered: Objects) -> None:
    objects = rendered["mesh"]
    pool_wait_s = create_engine("postgresql+asyncpg://x@127.0.0.1/x", pool_size=1).pool.timeout()
    nginx = (ROOT / "deploy/nginx/templates/orion.conf.template").read_text()
    gateway_read_s = seconds(re.search(r"proxy_read_timeout (\S+);", nginx)[1])  # type: ignore[index]
    gateway_tries = int(re.search(r"proxy_next_upstream_tries (\d+);", nginx)[1])  # type: ignore[index]
    routes = list(of_kind(objects, "HTTPRoute"))
    assert {r["metadata"]["name"] for r in routes} == {
        "orion-api-reads", "orion-api-checkout", "orion-api-writes",
    }  # fmt: skip
    for route in routes:
        notes, name = route["metadata"]["annotations"], route["metadata"]["name"]
        request_s = seconds(notes["timeout.linkerd.io/request"])
        assert pool_wait_s < request_s <= gateway_read_s, name
        if "retry.linkerd.io/limit" in notes:
            assert int(notes["retry.linkerd.io/limit"]) == gateway_tries - 1, name
            per_try_s = seconds(notes["retry.linkerd.io/timeout"])
            assert pool_wait_s < per_try_s <= request_s / gateway_tries, name
            assert "5xx" not in notes["retry.linkerd.io/http"], f"{name}: Orion's 500/503 repeated"
        methods = {m.get("method") for rule in route["spec"]["rules"] for m in rule["matches"]}
        if "retry.linkerd.io/limit" in notes:
            safe = methods <= {"GET", "HEAD"} or route["spec"]["rules"][0]["matches"] == [
                {"method": "POST", "path": {"type": "Exact", "value": "/api/v1/orders"}}
            ]
            assert safe, f"{name} retries what is not safe to repeat"
    for workload in workloads(objects):
        notes = workload["spec"]["template"]["metadata"]["annotations"]
        # the proxy stops after Orion has drained, not before
        assert notes["config.alpha.linkerd.io/proxy-enable-native-sidecar"] == "true"
