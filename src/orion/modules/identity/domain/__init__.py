"""domain of the identity module."""

from __future__ import annotations
