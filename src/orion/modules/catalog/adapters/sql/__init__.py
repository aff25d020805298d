"""Tables, repository, unit of work and read model on PostgreSQL schema ``catalog``."""

from __future__ import annotations
