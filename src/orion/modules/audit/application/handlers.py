"""The auditor's use cases: a run over a window (the CLI's, or the periodic job's from its
checkpoint) and a repair. Neither is registered with a unit of work: each asks other
modules between its own short transactions, never inside one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from orion.modules.audit.contracts.commands import (
    AuditReport,
    Example,
    InvariantResult,
    Repaired,
    RepairInvariant,
    RunAudit,
)
from orion.modules.audit.contracts.queries import AuditStatus, GetAuditStatus
from orion.modules.audit.domain.errors import NotRepairable, UnknownInvariant
from orion.modules.audit.domain.verdict import Verdict, Window
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.application.messages import Command

from .invariants import Invariant, Reads
from .ports import AuditFindings, AuditStore

Fix = Callable[[uuid.UUID], Command[bool]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Auditor:
    """The invariants and how each is checked: the window's grace, the examples shown, and
    the mechanical fixes by invariant and problem (each a command of the owning module that
    answers whether it changed anything)."""

    invariants: Sequence[Invariant]
    mediator: Mediator
    store: AuditStore
    clock: Clock
    grace: timedelta
    examples: int
    fixes: Mapping[str, Mapping[str, Fix]] = field(default_factory=dict)

    def window(self, since: datetime | None) -> Window:
        now = self.clock.now()
        return Window(since=since, before=now - self.grace, now=now)

    def invariant(self, name: str) -> Invariant:
        for invariant in self.invariants:
            if invariant.name == name:
                return invariant
        names = ", ".join(i.name for i in self.invariants)
        raise UnknownInvariant(f"no invariant {name!r} (invariants: {names})")

    async def check(self, invariant: Invariant, reads: Reads) -> Verdict:
        """Checks the window and the open findings, and records what was found."""
        reopened = await self.store.open_findings(invariant.name)
        verdict = await invariant.check(reads, reopened)
        await self.store.record(invariant.name, verdict, at=reads.window.now)
        return verdict

    def reads(self, since: datetime | None) -> Reads:
        """What a run over [since, now - grace) reads, shared by its invariants."""
        return Reads(self.mediator, self.window(since))

    def result(self, name: str, verdict: Verdict) -> InvariantResult:
        found = [Example(subject=s, problem=p) for s, p in sorted(verdict.violations.items())]
        return InvariantResult(
            invariant=name,
            checked=len(verdict.judged),
            violations=len(found),
            examples=found[: self.examples],
        )


class RunAuditHandler:
    def __init__(self, *, auditor: Auditor, lease: timedelta) -> None:
        self._auditor = auditor
        self._lease = lease

    async def __call__(self, command: RunAudit) -> AuditReport | None:
        auditor = self._auditor
        since = command.since
        if command.from_checkpoint:
            taken, since = await auditor.store.claim(now=auditor.clock.now(), lease=self._lease)
            if not taken:
                return None  # another replica is auditing
            if since is None:  # the first run: one interval back (all history: `orion audit`)
                since = auditor.clock.now() - auditor.grace - self._lease
        reads = auditor.reads(since)
        results = [
            auditor.result(invariant.name, await auditor.check(invariant, reads))
            for invariant in auditor.invariants
        ]
        window = reads.window
        if command.from_checkpoint:
            await auditor.store.advance(to=window.before, at=window.now)
        return AuditReport(since=since, before=window.before, results=results)


class RepairInvariantHandler:
    """Checks the invariant again, sends the owning module's command for each violation that
    has a mechanical fix (each idempotent: a second repair finds nothing to do), records each
    repair, and checks once more so that the findings say what is left."""

    def __init__(self, *, auditor: Auditor) -> None:
        self._auditor = auditor

    async def __call__(self, command: RepairInvariant) -> Repaired:
        auditor = self._auditor
        invariant = auditor.invariant(command.invariant)
        fixes = auditor.fixes.get(invariant.name)
        if not fixes:
            raise NotRepairable(f"{invariant.name} has no mechanical repair: see its docs")
        reads = auditor.reads(command.since)
        verdict = await auditor.check(invariant, reads)
        repaired = []
        for subject, problem in sorted(verdict.violations.items()):
            fix = fixes.get(problem)
            if fix is not None and await auditor.mediator.send(fix(uuid.UUID(subject))):
                await auditor.store.repaired(invariant.name, subject, problem, at=reads.window.now)
                repaired.append(Example(subject=subject, problem=problem))
        left = await auditor.check(invariant, auditor.reads(command.since))
        return Repaired(
            invariant=invariant.name,
            repaired=repaired,
            left=[Example(subject=s, problem=p) for s, p in sorted(left.violations.items())],
        )


class GetAuditStatusHandler:
    def __init__(self, findings: AuditFindings) -> None:
        self._findings = findings

    async def __call__(self, query: GetAuditStatus) -> AuditStatus:
        return await self._findings.status(query.examples)
