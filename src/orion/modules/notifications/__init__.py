"""Notifications: the emails Orion sends, once per (event, recipient).

Errors (``domain/errors.py``): NotificationsError
└── UnknownTemplate (InvalidInput)
"""

from __future__ import annotations
