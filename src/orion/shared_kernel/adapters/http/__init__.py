"""Quart plumbing shared by the modules' blueprints: problem+json, auth, pagination."""

from __future__ import annotations
