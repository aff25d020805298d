"""What an operator (the CLI) may tell the identity module to do, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminAccount:
    user_id: uuid.UUID
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAdmin(Command[AdminAccount]):
    """Creates an admin, or promotes the account with this email (its password then changes)."""

    email: str
    password: str
    full_name: str
