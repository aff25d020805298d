"""Writes base/prometheusrule.yaml from deploy/prometheus/alerts.yml: the Prometheus
Operator's PrometheusRule holds the same groups, so the alerts have one source."""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent
HEAD = """\
# Made from deploy/prometheus/alerts.yml, the one source of Orion's alerts (kept equal by
# tests/k8s/test_manifests_match_orion.py); after editing it, regenerate with
#   .venv/bin/python deploy/k8s/prometheusrule.py
"""


def prometheus_rule() -> dict[str, object]:
    groups = yaml.safe_load((HERE.parent / "prometheus/alerts.yml").read_text())["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "orion"},
        "spec": {"groups": groups},
    }


if __name__ == "__main__":
    text = yaml.safe_dump(prometheus_rule(), sort_keys=False, width=100)
    (HERE / "base/prometheusrule.yaml").write_text(HEAD + text)
