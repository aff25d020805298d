"""What every module uses and no module owns, in the same three layers as a module."""

from __future__ import annotations
