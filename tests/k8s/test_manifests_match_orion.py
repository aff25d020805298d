"""The rendered manifests match Orion itself: every environment variable is a real setting
with a valid value, every command and flag exists in ``orion --help``, every probe path
answers on the port named, every worker's queues are Orion's, the HPAs, PDBs, Services,
monitors and network policies select the pods they mean, the migration Job runs before the
Deployments, the PrometheusRule is deploy/prometheus/alerts.yml, and the canary is the API."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from orion.__main__ import parser
from orion.bootstrap import Orion
from orion.settings import Settings
from tests.conftest import shop_settings
from tests.k8s.conftest import (
    K8S,
    OVERLAYS,
    ROOT,
    container,
    named,
    of_kind,
    pod_labels,
    selects,
    tool,
    workloads,
)

# variables Orion reads that are not its settings: the OpenTelemetry SDK's own
FOREIGN = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_RESOURCE_ATTRIBUTES"}

Objects = dict[str, list[dict[str, Any]]]


def environment(objects: list[dict[str, Any]], workload: dict[str, Any]) -> dict[str, str]:
    """The container's environment: its ConfigMaps' data, then its own variables."""
    orion, env = container(workload), {}
    for source in orion.get("envFrom", []):
        env.update(named(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    env.update({variable["name"]: variable.get("value", "") for variable in orion.get("env", [])})
    return env


def setting(variable: str) -> str | None:
    """The setting a variable sets (ORION_X, ORION_X_FILE, ORION_X_VAULT), or None."""
    if not variable.startswith("ORION_"):
        return None
    name = variable.removeprefix("ORION_").lower()
    for suffix in ("_file", "_vault"):
        if name.endswith(suffix) and name.removesuffix(suffix) in Settings.model_fields:
            return name.removesuffix(suffix)
    return name if name in Settings.model_fields else None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_is_a_setting_with_a_valid_value(overlay: str, rendered: Objects) -> None:
    objects = rendered[overlay]
    for workload in workloads(objects):
        env = environment(objects, workload)
        unknown = {v for v in env if setting(v) is None and v not in FOREIGN}
        assert unknown == set(), f"{workload['metadata']['name']}: not settings: {unknown}"
        direct = {
            name: value
            for variable, value in env.items()
            if (name := setting(variable)) is not None and variable == f"ORION_{name.upper()}"
        }
        try:
            Settings(**direct)
        except ValidationError as error:
            pytest.fail(f"{workload['metadata']['name']}: {error}")
        for variable, path in env.items():
            if variable.endswith("_FILE") and variable.startswith("ORION_"):
                assert mounted(workload, path), f"{variable}={path} is not mounted"


def mounted(workload: dict[str, Any], path: str) -> bool:
    return any(
        path.startswith(mount["mountPath"].rstrip("/") + "/")
        for mount in container(workload).get("volumeMounts", [])
    )


def test_a_variable_that_is_no_setting_is_caught() -> None:
    assert setting("ORION_DB_POOL_SIZE") == "db_pool_size"
    assert setting("ORION_JWT_KEYS_FILE") == "jwt_keys"
    assert setting("ORION_DATABASE_URL_VAULT") == "database_url"
    assert setting("ORION_DB_POOL") is None
    assert setting("ORION_SOMETHING_FILE") is None


def arguments(workload: dict[str, Any]) -> list[str]:
    orion = container(workload)
    return [*orion.get("command", [])[1:], *orion.get("args", [])]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_command_and_flag_exists_in_orion_help(overlay: str, rendered: Objects) -> None:
    helps: dict[str, str] = {}
    for workload in workloads(rendered[overlay]):
        args = arguments(workload)
        parser().parse_args(args)  # an unknown command or flag: SystemExit
        command = args[0]
        if command not in helps:
            helps[command] = subprocess.run(
                [sys.executable, "-m", "orion", command, "--help"],
                capture_output=True, text=True, check=True, timeout=60,
            ).stdout  # fmt: skip
        for flag in (arg for arg in args if arg.startswith("--")):
            assert flag in helps[command], f"{shlex.join(args)}: {flag} not in its --help"


def probes(workload: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(kind, path, container port) of each HTTP probe, named ports resolved."""
    orion = container(workload)
    ports = {port["name"]: port["containerPort"] for port in orion.get("ports", [])}
    found = []
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        check = orion.get(kind, {}).get("httpGet")
        assert check is not None, f"{workload['metadata']['name']} has no HTTP {kind}"
        port = check["port"]
        found.append((kind, check["path"], ports[port] if isinstance(port, str) else port))
    return found


def bound_port(args: list[str]) -> tuple[str, int]:
    """Which app the command serves on which port: ``serve --port`` the API, a relay's or a
    worker's ``--metrics-port`` its ops app; on every address (the kubelet probes the pod's)."""
    parsed = parser().parse_args(args)
    assert parsed.host == "0.0.0.0", f"{shlex.join(args)} binds {parsed.host}"  # noqa: S104
    if parsed.command == "serve":
        return "api", parsed.port
    return "ops", parsed.metrics_port


async def test_every_probe_path_answers_on_the_port_named(
    rendered: Objects, database_url: str
) -> None:
    shop = Orion(shop_settings(), database_url)
    apps = {"api": shop.create_app(), "ops": shop.create_ops_app()}
    asked: set[tuple[str, str]] = set()
    try:
        for overlay in OVERLAYS:
            for workload in workloads(rendered[overlay]):
                if workload["kind"] != "Deployment":
                    continue
                app, port = bound_port(arguments(workload))
                for kind, path, probe_port in probes(workload):
                    assert probe_port == port, (
                        f"{workload['metadata']['name']} {kind}: {probe_port}"
                    )
                    asked.add((app, path))
        for app, path in sorted(asked):
            async with apps[app].test_app() as running:
                response = await running.test_client().get(path)
            assert response.status_code == 200, f"{app} {path}: {response.status_code}"
    finally:
        await shop.aclose()
    assert asked == {
        ("api", "/health/live"), ("api", "/health/ready"),
        ("ops", "/health/live"), ("ops", "/health/ready"),
    }  # fmt: skip


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_worker_scales_on_exactly_the_queues_it_consumes(
    overlay: str, rendered: Objects
) -> None:
    objects = rendered[overlay]
    shop = Orion(shop_settings(), "postgresql+asyncpg://orion@127.0.0.1/unused")
    scaled = {
        item["spec"]["scaleTargetRef"]["name"]: item for item in of_kind(objects, "ScaledObject")
    }
    consumed: set[str] = set()
    for workload in of_kind(objects, "Deployment"):
        args = arguments(workload)
        if args[0] != "worker":
            continue
        modules = parser().parse_args(args).module.split(",")
        queues = {subscription.queue for subscription in shop.subscriptions(modules)}
        scaler = scaled.pop(workload["metadata"]["name"])
        named_queues = [t["metadata"]["queueName"] for t in scaler["spec"]["triggers"]]
        assert sorted(named_queues) == sorted(queues), workload["metadata"]["name"]
        assert all(t["type"] == "rabbitmq" for t in scaler["spec"]["triggers"])
        consumed |= set(modules)
    assert scaled == {}, "a ScaledObject for no worker"
    subscribing = {s.queue.split(".")[0] for s in shop.subscriptions()}
    assert subscribing <= consumed, "a module's events are consumed by no worker"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_budgets_services_and_monitors_select_the_pods_they_mean(
    overlay: str, rendered: Objects
) -> None:
    objects = rendered[overlay]
    pods = {
        w["metadata"]["name"]: pod_labels(w) for w in of_kind(objects, "Deployment", "StatefulSet")
    }
    components = {name: labels["app.kubernetes.io/component"] for name, labels in pods.items()}

    def picked(selector: dict[str, Any]) -> set[str]:
        return {name for name, labels in pods.items() if selects(selector, labels)}

    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        assert picked(deployment["spec"]["selector"]) == {name}, f"{name}'s selector"
        for spread in deployment["spec"]["template"]["spec"].get("topologySpreadConstraints", []):
            assert picked(spread["labelSelector"]) == {name}, f"{name}'s spread"
    for hpa in of_kind(objects, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", "orion-api")
        assert named(objects, "Deployment", target["name"])
    budgets = {}
    for budget in of_kind(objects, "PodDisruptionBudget"):
        (covered,) = picked(budget["spec"]["selector"])  # one Deployment each
        budgets[covered] = budget
    assert set(budgets) == {n for n in pods if n != "orion-api-canary" and n.startswith("orion-")}
    for service in of_kind(objects, "Service"):
        name = service["metadata"]["name"]
        selected = picked({"matchLabels": service["spec"]["selector"]})
        assert selected == {name}, f"Service {name} selects {selected}"
    (api_monitor,) = of_kind(objects, "ServiceMonitor")
    monitored = [
        s
        for s in of_kind(objects, "Service")
        if selects(api_monitor["spec"]["selector"], s["metadata"]["labels"])
    ]
    assert [s["metadata"]["name"] for s in monitored] == ["orion-api"]
    (pod_monitor,) = of_kind(objects, "PodMonitor")
    assert {components[n] for n in picked(pod_monitor["spec"]["selector"])} == {
        "relay", "worker-catalog", "worker-payments", "worker-notifications",
    }  # fmt: skip
    for policy in of_kind(objects, "NetworkPolicy"):
        assert picked(policy["spec"]["podSelector"]), (
            f"{policy['metadata']['name']} selects nothing"
        )
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    assert picked(peer["podSelector"]), policy["metadata"]["name"]


def test_the_migration_job_runs_the_release_image_before_the_deployments(
    rendered: Objects, tmp_path: Path
) -> None:
    for overlay in OVERLAYS:
        objects = rendered[overlay]
        job = named(objects, "Job", "orion-migrate")
        assert arguments(job) == ["migrate"]
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        images = {container(workload)["image"] for workload in workloads(objects)}
        assert images == {container(job)["image"]}, f"{overlay}: the Job's image is not the roles'"
    calls = deploy_with_a_recording_kubectl(tmp_path, "prod")
    job_applied = calls.index("apply --selector app.kubernetes.io/component=migrate")
    job_done = calls.index("wait --for=condition=complete job/orion-migrate")
    roles = calls.index(
        "apply --selector app.kubernetes.io/component,app.kubernetes.io/component notin (migrate)"
    )
    first_rollout = next(i for i, call in enumerate(calls) if call.startswith("rollout status"))
    assert job_applied < job_done < roles < first_rollout, calls


def deploy_with_a_recording_kubectl(tmp_path: Path, overlay: str) -> list[str]:
    """deploy.sh against a kubectl that renders for real and records everything else."""
    log = tmp_path / "calls"
    fake = tmp_path / "kubectl"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$1" = kustomize ]; then exec {tool("kubectl")} "$@"; fi\n'
        'args=(); while [ $# -gt 0 ]; do case "$1" in\n'
        "  -n|-f) shift 2;; --server-side|--ignore-not-found|--wait=true|--timeout=*) shift;;\n"
        '  *) args+=("$1"); shift;; esac; done\n'
        f'echo "${{args[*]}}" >> {log}\n'
        'if [ "${args[0]} ${args[1]}" = "get deployments" ]; then\n'
        "  echo deployment.apps/orion-api\n"
        "fi\n"
    )
    fake.chmod(0o755)
    subprocess.run(
        [str(K8S / "deploy.sh"), overlay], env={**os.environ, "KUBECTL": str(fake)},
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return log.read_text().splitlines()


def test_the_prometheus_rule_is_deploy_prometheus_alerts(rendered: Objects) -> None:
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    for overlay in OVERLAYS:
        rule = named(rendered[overlay], "PrometheusRule", "orion")
        assert rule["spec"]["groups"] == alerts["groups"]


def test_the_canary_is_the_api_but_for_its_name_and_replicas(rendered: Objects) -> None:
    objects = rendered["mesh"]
    stable, canary = (named(objects, "Deployment", n) for n in ("orion-api", "orion-api-canary"))

    def shape(deployment: dict[str, Any]) -> dict[str, Any]:
        spec = yaml.safe_load(yaml.safe_dump(deployment["spec"]))
        spec.pop("replicas")
        spec.pop("selector")
        spec["template"]["metadata"].pop("labels")
        for spread in spec["template"]["spec"].get("topologySpreadConstraints", []):
            spread.pop("labelSelector")
        return spec

    assert shape(canary) == shape(stable)
    assert canary["spec"]["replicas"] == 0
