"""Errors of the job host. Stable codes; HTTP statuses live only in `hotline.api.errors`."""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, InvalidInput, NotFound

__all__ = [
    "InvalidSchedule",
    "JobCancelled",
    "JobError",
    "JobNotFound",
    "JobNotRunnable",
    "RetryLater",
    "UnknownJobKind",
]


class JobError(HotlineError):
    code = "job.error"


class UnknownJobKind(JobError, InvalidInput):
    """No handler is registered for a job's kind (on schedule, or when it comes due)."""

    code = "job.kind.unknown"

    def __init__(self, kind: str) -> None:
        super().__init__(f"no handler for job kind {kind!r}", details={"kind": kind})


class InvalidSchedule(JobError, InvalidInput):
    """A cron expression, time zone or due time that cannot be used; `details.field` names it."""

    code = "job.schedule.invalid"

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(message, details={"field": field, "value": str(value)})


class JobNotFound(JobError, NotFound):
    code = "job.not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job {job_id!r}", details={"job_id": job_id})


class JobNotRunnable(JobError, Conflict):
    """Run-now or cancel asked of a job in a state that does not allow it."""

    code = "job.state"


class JobCancelled(JobError):
    """Raised inside a handler (by `ctx.checkpoint()` or `ctx.raise_if_cancelled()`) when the
    job was cancelled; the host rolls back the firing's open transaction and marks it cancelled."""

    code = "job.cancelled"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled", details={"job_id": job_id})


class RetryLater(JobError):
    """A handler's way to say "not now, try again after `delay_s`" without counting a failure
    (a rate limit, a peer that is down). Its transaction is rolled back like any failure."""

    code = "job.retry_later"

    def __init__(self, message: str, *, delay_s: float) -> None:
        super().__init__(message, details={"delay_s": delay_s})
        self.delay_s = delay_s
