"""SMS errors: a stable code each, and a message that is a catalog id (English text, the UI
catalog has the Chinese), so the API answers in the caller's language; specifics in `details`."""

from __future__ import annotations

from typing import Any, ClassVar

from hotline.errors import Conflict, HotlineError, InvalidInput, Unauthenticated, Unavailable

__all__ = [
    "SmsEncodingError",
    "SmsError",
    "SmsInvalid",
    "SmsOptedOut",
    "SmsProviderError",
    "SmsSignatureInvalid",
]


class SmsError(HotlineError):
    code = "sms.error"


class SmsInvalid(InvalidInput):
    """Bad input naming the field: `SmsInvalid("sms.to.invalid", "to")`."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "sms.to.invalid": "The phone number to text is not valid.",
        "sms.text.empty": "The text of the SMS is empty.",
        "sms.text.too_long": "The text of the SMS is too long.",
        "sms.sender.unknown": "No sender id of this center has this name.",
        "sms.template.unknown": "No SMS template has this name.",
        "sms.template.invalid": "The SMS template names a value that is not given.",
        "sms.provider.unknown": "The SMS provider is either http or smpp.",
        "sms.provider.url": "The SMS provider's address must be an http or https URL.",
        "sms.provider.smpp": "The SMPP provider needs a host, a port and a system id.",
        "sms.language.unknown": "SMS templates are written in zh-CN or en.",
        "sms.optout.word": "An opt-out word must be 1–20 characters.",
        "sms.not_configured": "This center has no SMS provider configured.",
    }

    def __init__(self, code: str, field: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": field, **details})


class SmsEncodingError(InvalidInput):
    """A text or a received part that cannot be encoded or read (code names which)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class SmsOptedOut(Conflict):
    def __init__(self, to: str) -> None:
        super().__init__(
            "This number asked not to be texted (opt-out).",
            code="sms.opted_out",
            details={"field": "to", "to": to},
        )


class SmsSignatureInvalid(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("The webhook signature is missing or wrong.", code="sms.signature")


class SmsProviderError(Unavailable):
    """The provider refused or could not be reached; `retry` says whether trying again helps."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__("The SMS provider did not take the message.", code="sms.provider")
        self.details = {"reason": reason}
        self.retry = retry
