"""deploy/terraform: ``terraform fmt -check`` passes. ``terraform validate`` needs ``terraform
init``, which downloads the AWS, Helm, Vault and PostgreSQL providers and the registry
modules: not possible on this machine (no network beyond the package registries), so it is
not run here; instead python-hcl2 parses every file and checks what validate would not:
every variable typed and described, every output described, every output that carries a
credential sensitive, and no secret written into the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tests.k8s.conftest import ROOT, tool

TERRAFORM = ROOT / "deploy/terraform"
FILES = sorted(TERRAFORM.rglob("*.tf"))
SECRET_NAMES = re.compile(r"(^|_)(password|secret|token|private_key|api_key|secret_id)$", re.I)
CREDENTIAL_OUTPUTS = re.compile(r"password|admin|url|token|secret", re.IGNORECASE)


def unquoted(value: Any) -> Any:
    """python-hcl2 keeps a string's quotes (a literal) apart from an expression: drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def literal(value: Any) -> bool:
    """A string written out in the code, with nothing interpolated into it."""
    return isinstance(value, str) and value.startswith('"') and "${" not in value


def parsed(path: Path) -> dict[str, Any]:
    with path.open() as file:
        loaded: dict[str, Any] = hcl2.load(file)
    return loaded


def test_terraform_fmt_check_passes() -> None:
    done = subprocess.run(
        [tool("terraform"), "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_file_parses_and_the_modules_are_there() -> None:
    assert len(FILES) >= 10
    roots = {path.parent.relative_to(TERRAFORM).as_posix() for path in FILES}
    assert roots >= {
        ".", "vault-config", "modules/network", "modules/cluster", "modules/postgresql",
        "modules/rabbitmq", "modules/redis", "modules/vault",
    }  # fmt: skip
    for path in FILES:
        parsed(path)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_variables_are_typed_and_described_outputs_described_and_hidden(path: Path) -> None:
    content = parsed(path)
    for block in content.get("variable", []):
        for name, body in block.items():
            assert "type" in body, f"{path.name}: variable {name} has no type"
            assert len(unquoted(body.get("description", ""))) > 5, f"{path.name}: variable {name}"
    for block in content.get("output", []):
        for name, body in block.items():
            assert len(unquoted(body.get("description", ""))) > 5, f"{path.name}: output {name}"
            if CREDENTIAL_OUTPUTS.search(name) and "address" not in name:
                assert body.get("sensitive") is True, f"{path.name}: output {name} not sensitive"


def literal_secrets(node: Any, where: str = "") -> list[str]:
    """Attributes named like a secret whose value is a literal, not a reference."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            key = unquoted(key)
            if SECRET_NAMES.search(key) and literal(value):
                found.append(f"{where}.{key}")
            found += literal_secrets(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            found += literal_secrets(item, where)
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_no_secret_is_written_in_the_code(path: Path) -> None:
    content = parsed(path)
    assert literal_secrets(content) == []


def test_a_literal_password_would_be_caught() -> None:
    code = 'resource "x" "y" {\n  password = "hunter2-hunter2"\n  token = var.token\n}\n'
    assert literal_secrets(hcl2.loads(code)) == [".resource.x.y.password"]
