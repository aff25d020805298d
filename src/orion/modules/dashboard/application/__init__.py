"""The dashboard's use cases: its sign-in sessions."""

from __future__ import annotations
