"""What a job is: its state machine, its retry policy and the read model the API shows.

A job is one row: a kind (which handler runs it), a JSON payload, a tenant, a due time and,
for recurring jobs, a cron expression evaluated in a time zone. States are data (DESIGN §3.4):

    pending ──lease──► running ──done──► done            (one-off)
       ▲                  │ └──done──► pending         (recurring: next occurrence)
       │                  ├─failure─► pending (backoff) │ failed (attempts used up)
       └──────────────────┘─cancel──► cancelled
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotline.errors import IllegalTransition

__all__ = [
    "SYSTEM_TENANT",
    "TRANSITIONS",
    "JobState",
    "JobView",
    "Progress",
    "Retry",
    "check_transition",
]

# Jobs that belong to no tenant (retention purges, backups) carry this tenant id.
SYSTEM_TENANT = "system"


class JobState(StrEnum):
    PENDING = "pending"  # waiting for its due time (or for a retry's backoff)
    RUNNING = "running"  # leased by a node; its firing is in progress
    DONE = "done"  # a one-off job that succeeded
    FAILED = "failed"  # a one-off job whose attempts are used up
    CANCELLED = "cancelled"


TRANSITIONS: dict[tuple[JobState, str], JobState] = {
    (JobState.PENDING, "lease"): JobState.RUNNING,
    (JobState.PENDING, "cancel"): JobState.CANCELLED,
    (JobState.PENDING, "reschedule"): JobState.PENDING,
    (JobState.RUNNING, "done"): JobState.DONE,
    (JobState.RUNNING, "next"): JobState.PENDING,
    (JobState.RUNNING, "retry"): JobState.PENDING,
    (JobState.RUNNING, "fail"): JobState.FAILED,
    (JobState.RUNNING, "cancel"): JobState.CANCELLED,
    (JobState.RUNNING, "expire"): JobState.PENDING,  # lease ran out: the node died
    (JobState.DONE, "reschedule"): JobState.PENDING,
    (JobState.FAILED, "reschedule"): JobState.PENDING,
    (JobState.CANCELLED, "reschedule"): JobState.PENDING,
}


def check_transition(state: JobState, action: str) -> JobState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition("job", state.value, action, code="job.state") from None


@dataclass(frozen=True, slots=True)
class Retry:
    """Retries of a failed firing: `max_attempts` in all, waiting `base_s × factor^(n-1)`
    (at most `max_s`) before attempt n+1. A recurring job that uses them up skips to its next
    occurrence; a one-off one becomes `failed`."""

    max_attempts: int = 5
    base_s: float = 10.0
    factor: float = 4.0
    max_s: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_s < 0 or self.factor < 1 or self.max_s < 0:
            raise ValueError(f"invalid retry policy {self}")

    def delay_s(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_s, self.base_s * self.factor ** max(0, attempt - 1)))


@dataclass(frozen=True, slots=True)
class Progress:
    done: int = 0
    total: int | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as the status API and the admin page show it (epoch seconds, UTC)."""

    id: str
    tenant_id: str
    kind: str
    key: str | None
    state: JobState
    payload: dict[str, Any]
    due_at: float | None  # next run (None once done, failed or cancelled)
    cron: str | None
    timezone: str | None
    attempts: int  # attempts of the current firing (leases taken)
    max_attempts: int
    runs: int  # successful firings so far
    last_run_at: float | None
    last_finished_at: float | None
    last_error: str | None
    progress: Progress = field(default_factory=Progress)
    cancel_requested: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tenant_id": self.tenant_id,
            "kind": self.kind,
            "key": self.key,
            "state": self.state.value,
            "payload": self.payload,
            "due_at": self.due_at,
            "cron": self.cron,
            "timezone": self.timezone,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "runs": self.runs,
            "last_run_at": self.last_run_at,
            "last_finished_at": self.last_finished_at,
            "last_error": self.last_error,
            "progress": {
                "done": self.progress.done,
                "total": self.progress.total,
                "message": self.progress.message,
            },
            "cancel_requested": self.cancel_requested,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
