"""What the Kubernetes, Vault and Terraform checks share: the tools (``scripts/tools``
installs them under .cache/tools; ``.ci/run`` calls it) and each overlay rendered once by
``kubectl kustomize``. A missing tool skips these tests, or fails them with CI=true."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import unavailable

ROOT = Path(__file__).parents[2]
K8S = ROOT / "deploy/k8s"
OVERLAYS = ("dev", "prod", "mesh")
KUBERNETES_VERSION = "1.32.0"  # the oldest minor the manifests are written for (native sidecars)
TOOLS = ROOT / ".cache/tools/bin"


def tool(name: str) -> str:
    """The tool's path: .cache/tools first, then PATH."""
    found = shutil.which(name, path=str(TOOLS)) or shutil.which(name)
    if found is None:
        unavailable(f"{name} (scripts/tools)", FileNotFoundError(name))
    assert found is not None
    return found


def render(overlay: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [tool("kubectl"), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"{overlay} does not render: {done.stderr}"
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Each overlay's objects, as ``kubectl kustomize`` renders them."""
    return {overlay: render(overlay) for overlay in OVERLAYS}


def of_kind(objects: list[dict[str, Any]], *kinds: str) -> Iterator[dict[str, Any]]:
    return (item for item in objects if item["kind"] in kinds)


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = (o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)
    return found


def workloads(objects: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Orion's Deployments and its Job (the mesh's canary too; not dev's data services)."""
    for item in of_kind(objects, "Deployment", "Job"):
        if item["metadata"]["name"].startswith("orion-"):
            yield item


def container(workload: dict[str, Any]) -> dict[str, Any]:
    (orion,) = (
        c for c in workload["spec"]["template"]["spec"]["containers"] if c["name"] == "orion"
    )
    return orion


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels, matchExpressions In/NotIn/Exists) picks labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels
