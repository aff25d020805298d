"""An import-linter contract type that allows instead of forbids: the source modules may
import, outside the root package, only the standard library and the packages it lists. A
deny-list misses every package nobody thought to name; this one fails the build on the first
new third-party import into the pure core (``importlinter.ini``, contract ``pure-core``).
"""

from __future__ import annotations

import sys
from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules


class AllowedImportsContract(Contract):
    """Options: ``source_modules`` (expressions, as packages), ``allowed_packages`` (top-level
    names of the third-party packages they may import besides the standard library)."""

    type_name = "allowed_imports"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    allowed_packages = fields.SetField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        root = self.session_options["root_packages"][0]
        allowed = set(self.allowed_packages) | set(sys.stdlib_module_names)  # type: ignore[arg-type]
        expressions = self.source_modules
        sources = {m.name for m in module_expressions_to_modules(graph, expressions)}  # type: ignore[arg-type]
        inside = {
            name
            for name in graph.modules
            if any(name == s or name.startswith(s + ".") for s in sources)
        }
        found: list[dict[str, Any]] = []
        for importer in sorted(inside):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                top = imported.split(".")[0]
                if top == root or top in allowed:
                    continue
                lines = [
                    d["line_number"]
                    for d in graph.get_import_details(importer=importer, imported=imported)
                ]
                found.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not found, warnings=[], metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["found"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(
                f"{item['importer']} is not allowed to import {item['imported']} ({lines})"
            )
            output.new_line()
