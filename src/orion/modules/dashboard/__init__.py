"""Dashboard: the operators' web pages at ``/admin`` (ADR 31), served by Orion itself:
server-rendered, signed in with identity's accounts (admins only), talking to the other
modules through the mediator and their contracts, as the HTTP API does.

Errors (``domain/errors.py``): DashboardError
├── SignedOut (NotAuthenticated)
├── AdminsOnly (NotAllowed)
└── CsrfRefused (NotAllowed)
"""

from __future__ import annotations
