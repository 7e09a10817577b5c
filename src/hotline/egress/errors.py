"""Errors of outgoing requests."""

from __future__ import annotations

from hotline.errors import PermissionDenied

__all__ = ["EgressRefused"]


class EgressRefused(PermissionDenied):
    """The target resolves to an address Hotline may not call (`details`: host, address)."""

    code = "egress.refused"
