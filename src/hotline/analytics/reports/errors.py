"""Errors of the reports; codes are stable for API clients. Messages are fixed English
sentences the UI catalog translates (the API answers in the caller's language); the values
go in `details`."""

from __future__ import annotations

from hotline.errors import InvalidInput, NotFound, PermissionDenied, Unavailable

__all__ = [
    "CountingInvalid",
    "DimensionUnknown",
    "DrillUnsupported",
    "FigureUnknown",
    "PdfUnavailable",
    "PeriodInvalid",
    "ReportError",
    "ReportForbidden",
    "ResolvedMarkUnknown",
    "SubscriptionNotFound",
    "TargetInvalid",
    "TargetsNotFound",
]


class ReportError(Exception):
    """Marker base: every error below is also one of the kernel's kinds."""


class PeriodInvalid(InvalidInput, ReportError):
    code = "reports.period.invalid"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(
            "The report period is not valid: use day, week, month or range with dates as "
            "YYYY-MM-DD, the end not before the start, at most 366 days.",
            details={"field": field, "value": value},
        )


class DimensionUnknown(InvalidInput, ReportError):
    code = "reports.dimension.unknown"

    def __init__(self, value: str) -> None:
        super().__init__(
            "Reports can be grouped by center, queue, skill, team, agent, channel, did or vip.",
            details={"field": "by", "value": value},
        )


class FigureUnknown(InvalidInput, ReportError):
    code = "reports.figure.unknown"

    def __init__(self, value: str) -> None:
        super().__init__(
            "There is no such figure in the reports.", details={"field": "figure", "value": value}
        )


class ResolvedMarkUnknown(InvalidInput, ReportError):
    code = "reports.mark.unknown"

    def __init__(self, value: str) -> None:
        super().__init__(
            "The resolved mark must be resolved, not_resolved or unmarked.",
            details={"field": "mark", "value": value},
        )


class DrillUnsupported(InvalidInput, ReportError):
    code = "reports.drill.unsupported"

    def __init__(self, by: str) -> None:
        super().__init__(
            "The contacts behind a figure can be listed by center, queue, team, agent, "
            "channel, did or vip.",
            details={"field": "by", "value": by},
        )


class TargetInvalid(InvalidInput, ReportError):
    code = "reports.target.invalid"

    def __init__(self, field: str, value: object) -> None:
        super().__init__(
            "A target is out of range: rates are between 0 and 1, seconds above 0.",
            details={"field": field, "value": value},
        )


class CountingInvalid(InvalidInput, ReportError):
    code = "reports.counting.invalid"

    def __init__(self, field: str, value: object) -> None:
        super().__init__(
            "A counting rule is out of range: the short-abandon threshold is 0–60 seconds, the "
            "FCR window 1–30 days, the VIP threshold 1–600 seconds and the lowest satisfied "
            "rating 1–5.",
            details={"field": field, "value": value},
        )


class TargetsNotFound(NotFound, ReportError):
    code = "reports.targets.not_found"

    def __init__(self, queue_id: str) -> None:
        super().__init__("This queue has no targets of its own.", details={"id": queue_id})


class ReportForbidden(PermissionDenied, ReportError):
    code = "reports.forbidden"

    def __init__(self, by: str, key: str | None) -> None:
        super().__init__(
            "You may see only your own figures (agents) or your teams' (supervisors).",
            details={"by": by, "key": key},
        )


class SubscriptionNotFound(NotFound, ReportError):
    code = "reports.subscription.not_found"

    def __init__(self, subscription_id: str) -> None:
        super().__init__("There is no such scheduled report.", details={"id": subscription_id})


class PdfUnavailable(Unavailable, ReportError):
    code = "reports.pdf.unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The report could not be printed as PDF: Chromium is missing or did not finish "
            "(scripts/system-deps.sh installs it).",
            details={"reason": reason},
        )
