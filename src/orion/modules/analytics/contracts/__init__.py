"""What other modules (the admin dashboard) and the CLI may ask the analytics module."""

from __future__ import annotations
