"""dids: the numbers table is the one place a number is routed to a flow

Revision ID: 0022
Revises: 0020

Before, a number could name a flow that did not exist, and a flow's own `dids` routed calls
only when no table row did (ADR 0200). Now the table is the only route: `flow` may be empty
(the number is not routed yet, calls are refused), and this revision moves what the old
fallback did into rows:

- a number whose flow is not published takes the active flow that lists it, else no flow;
- a number an active flow lists and no center owns becomes that flow's center's number.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dids", schema=None) as batch_op:
        batch_op.alter_column("flow", existing_type=sa.String(64), nullable=True)
    _move_flow_dids_into_rows(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE dids SET flow = 'main' WHERE flow IS NULL"))
    with op.batch_alter_table("dids", schema=None) as batch_op:
        batch_op.alter_column("flow", existing_type=sa.String(64), nullable=False)


def _move_flow_dids_into_rows(bind: Any) -> None:
    active = bind.execute(
        sa.text(
            "SELECT v.tenant_id, v.name, v.document FROM flow_versions v JOIN flow_active a"
            " ON a.tenant_id = v.tenant_id AND a.name = v.name AND a.version = v.version"
            " ORDER BY v.tenant_id, v.name"
        )
    ).all()
    published: set[tuple[str, str]] = set()
    listed: dict[str, tuple[str, str]] = {}  # number -> (tenant, flow); the first name wins
    for tenant_id, name, document in active:
        published.add((str(tenant_id), str(name)))
        if isinstance(document, str):  # JSON comes back as text on some drivers
            document = json.loads(document)
        for number in (document or {}).get("dids") or []:
            listed.setdefault(str(number), (str(tenant_id), str(name)))
    rows = bind.execute(sa.text("SELECT id, tenant_id, number, flow FROM dids")).all()
    owned = set()
    for row_id, tenant_id, number, flow in rows:
        owned.add(str(number))
        if flow is not None and (str(tenant_id), str(flow)) in published:
            continue
        claim = listed.get(str(number))
        target = claim[1] if claim is not None and claim[0] == str(tenant_id) else None
        bind.execute(
            sa.text("UPDATE dids SET flow = :flow WHERE id = :id"), {"flow": target, "id": row_id}
        )
    now = time.time()
    for number, (tenant_id, name) in sorted(listed.items()):
        if number in owned or number.lstrip("+") in owned:
            continue
        bind.execute(
            sa.text(
                "INSERT INTO dids (id, tenant_id, number, flow, description, created_at,"
                " updated_at) VALUES (:id, :tenant, :number, :flow, '', :now, :now)"
            ),
            {"id": _new_id(now), "tenant": tenant_id, "number": number, "flow": name, "now": now},
        )


def _new_id(now: float) -> str:
    from hotline.ids import new_id

    return new_id(now)
