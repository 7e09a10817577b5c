"""Errors of the outbound dialer, each with a stable code and the field it blames."""

from __future__ import annotations

from hotline.errors import Conflict, IllegalTransition, InvalidInput, NotFound

__all__ = [
    "CampaignNotFound",
    "CampaignStateError",
    "DialerError",
    "InvalidCampaign",
    "InvalidNumber",
    "ListAlreadyAttached",
    "RecordNotFound",
]


class DialerError(InvalidInput):
    """Base of the dialer's input errors; `details.field` names what is wrong."""

    code = "dialer.invalid"

    def __init__(self, message: str, *, field: str, value: object = None) -> None:
        # The sentence is also the template the screens translate (ADR 0122), after the field.
        details: dict[str, object] = {"field": field, "template": message}
        if value is not None:
            details["value"] = str(value)
        super().__init__(message, details=details)


class InvalidCampaign(DialerError):
    code = "dialer.campaign.invalid"


class InvalidNumber(DialerError):
    """A number that is not a dialable E.164 number."""

    code = "dialer.number.invalid"


class CampaignNotFound(NotFound):
    code = "dialer.campaign.not_found"


class RecordNotFound(NotFound):
    code = "dialer.record.not_found"


class ListAlreadyAttached(Conflict):
    code = "dialer.list.attached"


class CampaignStateError(IllegalTransition):
    """A campaign asked to do what its state does not allow (start a finished campaign)."""

    code = "dialer.campaign.state"

    def __init__(self, state: str, action: str) -> None:
        super().__init__("campaign", state, action, code=self.code)
