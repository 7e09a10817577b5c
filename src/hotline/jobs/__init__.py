"""The job host: timed background work stored in the database, fired once (docs/jobs.md).

Public surface:

- `JobHost(engine, bus, clock, JobHostSettings(...))` — `register(kind, handler, retry=…)`,
  `every(kind, cron, timezone=…)` (recurring system jobs), `schedule(conn, kind, …)` and
  `schedule_recurring(conn, kind, …)` from inside a unit of work, `cancel`, `run_now`, `live`,
  `start()` / `stop()`, and `run_due()` for tests with a `FakeClock`;
- `JobContext` — what a handler receives (`conn`, `emit`, `payload`, `idempotency_key`,
  `progress()`, `checkpoint()`, `cancelled`);
- `Jobs(conn)` — status queries (`get`, `find`, `list`) and control on any connection;
- `Retry`, `JobState`, `JobView`, `Progress`, `SYSTEM_TENANT`; errors in `hotline.jobs.errors`;
- `next_occurrence`, `occurrences`, `check_cron` — the pure due-time logic;
- the built-in `mail.send` job (`MailJob`, `SmtpTarget`, `mail_payload`).
"""

from __future__ import annotations

from hotline.jobs.context import JobContext
from hotline.jobs.errors import (
    InvalidSchedule,
    JobCancelled,
    JobError,
    JobNotFound,
    JobNotRunnable,
    RetryLater,
    UnknownJobKind,
)
from hotline.jobs.host import Handler, JobHost, JobHostSettings
from hotline.jobs.mail import MAIL_KIND, MailJob, SmtpTarget, mail_payload
from hotline.jobs.model import SYSTEM_TENANT, JobState, JobView, Progress, Retry
from hotline.jobs.repo import Jobs
from hotline.jobs.timing import check_cron, next_occurrence, occurrences

__all__ = [
    "MAIL_KIND",
    "SYSTEM_TENANT",
    "Handler",
    "InvalidSchedule",
    "JobCancelled",
    "JobContext",
    "JobError",
    "JobHost",
    "JobHostSettings",
    "JobNotFound",
    "JobNotRunnable",
    "JobState",
    "JobView",
    "Jobs",
    "MailJob",
    "Progress",
    "Retry",
    "RetryLater",
    "SmtpTarget",
    "UnknownJobKind",
    "check_cron",
    "mail_payload",
    "next_occurrence",
    "occurrences",
]
