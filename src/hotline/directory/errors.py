"""Errors of the configuration services; codes are stable for API clients."""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, NotFound

__all__ = ["DuplicateName", "EntityNotFound", "UnknownReference"]


class EntityNotFound(NotFound):
    code = "config.not_found"


class DuplicateName(Conflict):
    code = "config.duplicate"


class UnknownReference(InvalidInput):
    code = "config.unknown_reference"
