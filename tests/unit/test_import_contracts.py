"""Each boundary in ``importlinter.ini`` can fail: in a copy of the source, one violation at a
time is planted for each contract and ``lint-imports`` must find that contract broken (the
test command checks the real tree, where every one is kept)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

# contract name (as in importlinter.ini) -> (file under src/orion, the import planted in it)
PLANTED = {
    "The CLI composes, the composition root wires, modules use the shared kernel": (
        "modules/catalog/domain/product.py",
        "import orion.settings",
    ),
    "The composition root and the CLI see each module only through its module.py and contracts": (
        "bootstrap.py",
        "import orion.modules.catalog.adapters.cache",
    ),
    "Settings are made of the modules' own settings models, and nothing else of theirs": (
        "settings.py",
        "import orion.modules.catalog.contracts.events",
    ),
    "Modules do not import each other, except their public contracts": (
        "modules/ordering/domain/order.py",
        "import orion.modules.catalog.domain.product",
    ),
    "Inside a module: module > settings > adapters > application > domain | contracts": (
        "modules/catalog/domain/reservation.py",
        "import orion.modules.catalog.application.ports",
    ),
    "Shared kernel: adapters > application > domain": (
        "shared_kernel/domain/money.py",
        "import orion.shared_kernel.application.clock",
    ),
    "Contracts import only the shared kernel's domain and application "
    "(and what pure-core allows)": (
        "modules/catalog/contracts/queries.py",
        "import orion.modules.catalog.domain.errors",
    ),
    "Domain, application and contracts import only the standard library and the packages "
    "allowed here": (
        "modules/ordering/domain/cart.py",
        "import httpx",
    ),
    "The shared kernel imports no module and not the composition root": (
        "shared_kernel/adapters/clock.py",
        "import orion.modules.catalog.contracts.events",
    ),
    "No import cycles between siblings": (
        "shared_kernel/adapters/metrics.py",
        "import orion.shared_kernel.adapters.cache",
    ),
}


def lint_imports(tree: Path) -> str:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--config", "importlinter.ini"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return re.sub(r"\s+", " ", result.stdout + result.stderr)


def test_every_contract_is_planted() -> None:
    names = re.findall(r"^name = (.+)$", (ROOT / "importlinter.ini").read_text(), re.MULTILINE)

    assert sorted(names) == sorted(PLANTED)


def test_each_planted_violation_breaks_its_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "architecture", tmp_path / "tests" / "architecture")
    (tmp_path / "tests" / "__init__.py").touch()
    shutil.copy(ROOT / "importlinter.ini", tmp_path)
    assert "0 broken" in lint_imports(tmp_path)  # the copy is clean before a plant

    still_kept = []
    for name, (file, line) in PLANTED.items():
        path = tmp_path / "src" / "orion" / file
        clean = path.read_text()
        path.write_text(f"{clean}\n{line}  # planted\n")
        if not re.search(re.escape(name) + " ?BROKEN", lint_imports(tmp_path)):
            still_kept.append(name)
        path.write_text(clean)

    assert still_kept == []
