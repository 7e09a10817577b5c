"""Tenants at runtime: the platform operator creates, suspends, resumes and deletes contact
centers while the server runs (docs/tenants.md). Pure model and rules here; SQL in
`hotline.store.tenant_repo`, HTTP in `hotline.api.platform`, the command in `hotline.cli`."""

from hotline.tenants.errors import (
    AgentLimitReached,
    NumbersByOperator,
    NumberTaken,
    TenantError,
    TenantExists,
    TenantNotFound,
    TenantSuspended,
)
from hotline.tenants.model import (
    PLATFORM_SLUG,
    Limits,
    TenantAction,
    TenantIn,
    TenantKind,
    TenantStatus,
    next_status,
)

__all__ = [
    "PLATFORM_SLUG",
    "AgentLimitReached",
    "Limits",
    "NumberTaken",
    "NumbersByOperator",
    "TenantAction",
    "TenantError",
    "TenantExists",
    "TenantIn",
    "TenantKind",
    "TenantNotFound",
    "TenantStatus",
    "TenantSuspended",
    "next_status",
]
