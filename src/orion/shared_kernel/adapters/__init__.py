"""Implementations of the shared ports: mediator, SQL, HTTP, logging."""

from __future__ import annotations
