"""The bounded contexts. Each talks to another only through its `contracts` package."""

from __future__ import annotations
