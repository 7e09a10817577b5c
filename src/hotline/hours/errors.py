"""Errors of the business-hours engine: bad ranges, days, dates or zones, naming the field."""

from __future__ import annotations

from hotline.errors import InvalidInput

__all__ = ["InvalidHours"]


class InvalidHours(InvalidInput):
    """A calendar that cannot be used; `details.field` names what (`weekly.sat`, `timezone`,
    `holidays.3.date`), `details.value` the offending text."""

    code = "hours.invalid"

    def __init__(self, message: str, *, field: str, value: object = None) -> None:
        details: dict[str, object] = {"field": field}
        if value is not None:
            details["value"] = str(value)
        super().__init__(message, details=details)
