"""The monitoring assets in deploy/: Prometheus's config and alert rules as promtool reads
them (and the rules' unit tests), Alertmanager's config, and the provisioned Grafana
dashboard against its schema, each of its queries naming a metric Orion exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
# scripts/tools (run by scripts/test) unpacks Debian's prometheus and prometheus-alertmanager
# packages here when the machine has no promtool or amtool
UNPACKED = ROOT / ".cache" / "tools" / "usr" / "bin"
EXPOSED = re.compile(r"\borion_[a-z_]+")
METRICS_MODULES = [
    ROOT / "src/orion/shared_kernel/adapters/metrics.py",
    ROOT / "src/orion/modules/ordering/adapters/sql/metrics.py",
    ROOT / "src/orion/modules/payments/adapters/sql/metrics.py",
    ROOT / "src/orion/modules/audit/adapters/sql/status.py",
]


def tool(name: str) -> str:
    found = shutil.which(name) or (str(UNPACKED / name) if (UNPACKED / name).exists() else None)
    if found is None:
        unavailable(
            f"{name} (Debian's prometheus packages; scripts/tools unpacks it)", LookupError()
        )
    assert found is not None
    return found


@pytest.fixture(scope="module")
def promtool() -> str:
    return tool("promtool")


@pytest.fixture(scope="module")
def amtool() -> str:
    return tool("amtool")


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, cwd=DEPLOY, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_prometheus_config_and_rules_are_valid(promtool: str) -> None:
    assert "SUCCESS" in run(promtool, "check", "config", "prometheus/prometheus.yml")
    assert "9 rules found" in run(promtool, "check", "rules", "prometheus/alerts.yml")


def test_alert_rules_pass_their_unit_tests(promtool: str) -> None:
    assert "SUCCESS" in run(promtool, "test", "rules", "prometheus/alerts_test.yml")


def test_alertmanager_config_is_valid_and_routes_pages_to_the_on_call(amtool: str) -> None:
    config = "--config.file=alertmanager/alertmanager.yml"
    assert "SUCCESS" in run(amtool, "check-config", "alertmanager/alertmanager.yml")
    routed = [
        run(amtool, "config", "routes", "test", config, f"severity={severity}").split()[0]
        for severity in ("page", "ticket")
    ]
    assert routed == ["on-call", "team"]
    rules = (DEPLOY / "prometheus/alerts.yml").read_text()
    assert set(re.findall(r"severity: (\w+)", rules)) == {"page", "ticket"}


def test_the_dashboard_matches_its_schema_and_queries_exposed_metrics() -> None:
    schema = json.loads((DEPLOY / "grafana/dashboard.schema.json").read_text())
    dashboard = json.loads((DEPLOY / "grafana/dashboards/orion.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(dashboard, schema, cls=jsonschema.Draft202012Validator)
    exposed = {name for path in METRICS_MODULES for name in EXPOSED.findall(path.read_text())}
    queried = {
        name.removesuffix("_total").removesuffix("_bucket")
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in EXPOSED.findall(target["expr"])
    }
    assert queried
    assert queried <= exposed
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    provisioning = (DEPLOY / "grafana/provisioning/dashboards/orion.yml").read_text()
    assert "type: file" in provisioning


def test_every_metric_family_has_a_dashboard_panel() -> None:
    dashboard = (DEPLOY / "grafana/dashboards/orion.json").read_text()
    families = set()
    for path in METRICS_MODULES:
        families |= set(re.findall(r'"(orion_[a-z_]+)"', path.read_text()))
    missing = {family for family in families if family not in dashboard}
    assert missing == set()
