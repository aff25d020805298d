"""The dashboard's pages: a Quart blueprint, its Jinja2 templates and its static files."""

from __future__ import annotations
