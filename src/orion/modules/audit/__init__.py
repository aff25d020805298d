"""The consistency auditor: proves, in production, that the modules agree.

Each invariant (``domain/invariants.py``) is checked through the modules' contracts (the
queries each answers on the mediator), never their tables, for what settled longer ago than
a grace period; violations are kept as findings until a later check finds them gone. A
periodic job audits what changed since its checkpoint; ``orion audit`` any window, and
``orion audit --repair`` fixes what is mechanical through the owning module's commands.

Errors: ``AuditError`` (root) > ``UnknownInvariant``, ``NotRepairable``.
"""
