"""The dialer on SQL storage: campaigns, call lists (and the import target's adapter),
attaching lists to a campaign (hygiene applied as records are made), do-not-call numbers,
due records, records written back, caller-id daily counts and campaign figures. Every query
is filtered by tenant; nothing here commits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.dialer.dispositions import CampaignCall
from hotline.dialer.edit import dispositions_out
from hotline.dialer.errors import CampaignNotFound, DialerError, ListAlreadyAttached
from hotline.dialer.events import CampaignCallPlaced
from hotline.dialer.figures import Attempt, CampaignFigures, ListSize, campaign_figures
from hotline.dialer.hygiene import DoNotCall, dialable_number, screen
from hotline.dialer.lists import CallListRecords, entry_key
from hotline.dialer.model import (
    DIALABLE,
    CallRecord,
    Campaign,
    CampaignList,
    CampaignStatus,
    DialMode,
    Disposition,
    ListOrder,
    RecordStatus,
)
from hotline.dialer.outcomes import Outcome
from hotline.ids import new_id
from hotline.imports.model import Record
from hotline.routing.events import QueueAnswered
from hotline.store.dialer_tables import (
    dialer_attempts,
    dialer_callerid_days,
    dialer_campaign_lists,
    dialer_campaigns,
    dialer_dnc,
    dialer_list_entries,
    dialer_lists,
    dialer_records,
    dialer_staffed,
)
from hotline.store.tables import events
from hotline.store.uow import UnitOfWork

__all__ = ["Attached", "SqlCallListRecords", "SqlDialerStore", "SqlLiveStorage"]

_CHUNK = 500
_CAMPAIGN_COLUMNS = (
    "name",
    "mode",
    "status",
    "queue_id",
    "flow_id",
    "abandon_cap",
    "abandon_window_s",
    "ring_timeout_s",
    "caller_id_daily_cap",
    "calendar_id",
    "max_lines_per_agent",
)


@dataclass(frozen=True, slots=True)
class Attached:
    """What attaching a list did: records made, numbers kept out by DNC or as duplicates."""

    added: int
    dnc: int
    duplicates: int


def _campaign(row: Any) -> Campaign:
    return Campaign(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        mode=DialMode(row.mode),
        status=CampaignStatus(row.status),
        queue_id=row.queue_id,
        flow_id=row.flow_id,
        abandon_cap=row.abandon_cap,
        abandon_window_s=row.abandon_window_s,
        ring_timeout_s=row.ring_timeout_s,
        caller_ids=tuple(row.caller_ids or ()),
        caller_id_daily_cap=row.caller_id_daily_cap,
        window=dict(row.window or {}),
        calendar_id=row.calendar_id,
        retry=dict(row.retry or {}),
        script=dict(row.script or {}),
        max_lines_per_agent=row.max_lines_per_agent,
        dispositions=tuple(Disposition(**d) for d in row.dispositions or ()),
    )


def _record(row: Any) -> CallRecord:
    return CallRecord(
        id=row.id,
        campaign_id=row.campaign_id,
        list_id=row.list_id,
        phone=row.phone,
        fields=dict(row.fields or {}),
        priority=row.priority,
        time_zone=row.time_zone,
        status=RecordStatus(row.status),
        attempts=row.attempts,
        next_at=row.next_at,
        last_outcome=row.last_outcome,
        last_cause=row.last_cause,
        agent_id=row.agent_id,
        outcomes=dict(row.outcomes or {}),
    )


class SqlDialerStore:
    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self.conn = conn
        self.tenant_id = tenant_id

    # -- campaigns -------------------------------------------------------------------------

    async def add_campaign(self, campaign: Campaign, now: float) -> None:
        taken = await self.conn.scalar(
            select(dialer_campaigns.c.id).where(
                dialer_campaigns.c.tenant_id == self.tenant_id,
                dialer_campaigns.c.name == campaign.name,
            )
        )
        if taken:
            raise DialerError(f"a campaign is already named {campaign.name!r}", field="name")
        await self.conn.execute(
            insert(dialer_campaigns).values(
                id=campaign.id,
                tenant_id=self.tenant_id,
                **{c: getattr(campaign, c) for c in _CAMPAIGN_COLUMNS},
                caller_ids=list(campaign.caller_ids),
                window=dict(campaign.window),
                retry=dict(campaign.retry),
                script=dict(campaign.script),
                dispositions=dispositions_out(campaign),
                staffed_s=0.0,
                created_at=now,
                updated_at=now,
            )
        )

    async def update_campaign(self, campaign: Campaign, now: float) -> None:
        """Write the campaign's settings (its status is left as stored)."""
        t = dialer_campaigns
        taken = await self.conn.scalar(
            select(t.c.id).where(
                t.c.tenant_id == self.tenant_id, t.c.name == campaign.name, t.c.id != campaign.id
            )
        )
        if taken:
            raise DialerError(f"a campaign is already named {campaign.name!r}", field="name")
        values = {c: getattr(campaign, c) for c in _CAMPAIGN_COLUMNS if c != "status"}
        await self.conn.execute(
            update(t)
            .where(t.c.tenant_id == self.tenant_id, t.c.id == campaign.id)
            .values(
                **values,
                caller_ids=list(campaign.caller_ids),
                window=dict(campaign.window),
                retry=dict(campaign.retry),
                script=dict(campaign.script),
                dispositions=dispositions_out(campaign),
                updated_at=now,
            )
        )

    async def campaign(self, campaign_id: str) -> Campaign:
        t = dialer_campaigns
        row = (
            await self.conn.execute(
                select(t).where(t.c.tenant_id == self.tenant_id, t.c.id == campaign_id)
            )
        ).first()
        if row is None:
            raise CampaignNotFound(f"no campaign {campaign_id!r}", details={"field": "campaign_id"})
        return _campaign(row)

    async def campaigns(self) -> list[Campaign]:
        t = dialer_campaigns
        rows = await self.conn.execute(
            select(t).where(t.c.tenant_id == self.tenant_id).order_by(t.c.name)
        )
        return [_campaign(r) for r in rows]

    async def set_status(self, campaign_id: str, status: CampaignStatus, now: float) -> None:
        t = dialer_campaigns
        await self.conn.execute(
            update(t)
            .where(t.c.tenant_id == self.tenant_id, t.c.id == campaign_id)
            .values(status=str(status), updated_at=now)
        )

    # -- lists -----------------------------------------------------------------------------

    async def list_id(self, name: str, now: float, *, create: bool = False) -> str | None:
        t = dialer_lists
        found = await self.conn.scalar(
            select(t.c.id).where(t.c.tenant_id == self.tenant_id, t.c.name == name)
        )
        if found or not create:
            return found
        made = new_id(now)
        await self.conn.execute(
            insert(t).values(
                id=made, tenant_id=self.tenant_id, name=name, created_at=now, updated_at=now
            )
        )
        return made

    async def lists(self) -> list[dict[str, Any]]:
        t, e = dialer_lists, dialer_list_entries
        q = (
            select(t.c.id, t.c.name, func.count(e.c.id).label("entries"))
            .select_from(t.outerjoin(e, e.c.list_id == t.c.id))
            .where(t.c.tenant_id == self.tenant_id)
            .group_by(t.c.id, t.c.name)
            .order_by(t.c.name)
        )
        return [
            {"id": r.id, "name": r.name, "entries": r.entries} for r in await self.conn.execute(q)
        ]

    async def campaign_lists(self, campaign_id: str) -> list[CampaignList]:
        t = dialer_campaign_lists
        rows = await self.conn.execute(
            select(t)
            .where(t.c.tenant_id == self.tenant_id, t.c.campaign_id == campaign_id)
            .order_by(t.c.position)
        )
        return [CampaignList(r.list_id, r.position, ListOrder(r.ordering)) for r in rows]

    async def set_lists(
        self, campaign_id: str, kept: Sequence[CampaignList], removed: Sequence[str]
    ) -> None:
        """Lists in their new order; those removed are no longer dialed (their records stay,
        with what was dialed of them)."""
        cl = dialer_campaign_lists
        mine = and_(cl.c.tenant_id == self.tenant_id, cl.c.campaign_id == campaign_id)
        if removed:
            await self.conn.execute(delete(cl).where(mine, cl.c.list_id.in_(list(removed))))
        for item in kept:
            await self.conn.execute(
                update(cl)
                .where(mine, cl.c.list_id == item.list_id)
                .values(position=item.position, ordering=str(item.order))
            )

    async def attach_list(
        self,
        campaign_id: str,
        list_id: str,
        now: float,
        *,
        position: int | None = None,
        order: ListOrder = ListOrder.IN_ORDER,
    ) -> Attached:
        """Add a list to the campaign (last, unless `position`), making one record per entry
        whose number is on no do-not-call list and not yet in the campaign."""
        await self.campaign(campaign_id)
        attached = await self.campaign_lists(campaign_id)
        if any(a.list_id == list_id for a in attached):
            raise ListAlreadyAttached(
                "the list is already in the campaign", details={"field": "list_id"}
            )
        if position is None:
            position = max((a.position for a in attached), default=-1) + 1
        else:  # make room: the lists from there on move one place down
            cl = dialer_campaign_lists
            await self.conn.execute(
                update(cl)
                .where(
                    cl.c.tenant_id == self.tenant_id,
                    cl.c.campaign_id == campaign_id,
                    cl.c.position >= position,
                )
                .values(position=cl.c.position + 1)
            )
        await self.conn.execute(
            insert(dialer_campaign_lists).values(
                campaign_id=campaign_id,
                list_id=list_id,
                tenant_id=self.tenant_id,
                position=position,
                ordering=str(order),
            )
        )
        e = dialer_list_entries
        rows = await self.conn.execute(
            select(e)
            .where(e.c.tenant_id == self.tenant_id, e.c.list_id == list_id)
            .order_by(e.c.id)
        )
        records, entries = [], {}
        for r in rows:
            record = CallRecord(
                id=new_id(now),
                campaign_id=campaign_id,
                list_id=list_id,
                phone=r.phone,
                fields={**(r.fields or {}), **({"name": r.name} if r.name else {})},
                priority=r.priority,
                time_zone=r.time_zone,
            )
            records.append(record)
            entries[record.id] = r.id
        existing = await self._phones(campaign_id)
        screened = screen(records, await self.do_not_call(campaign_id), already=existing)
        await self._insert([*screened.kept, *screened.dnc], now, entries)
        return Attached(len(screened.kept), len(screened.dnc), len(screened.duplicates))

    async def _phones(self, campaign_id: str) -> set[str]:
        r = dialer_records
        rows = await self.conn.execute(
            select(r.c.phone).where(r.c.tenant_id == self.tenant_id, r.c.campaign_id == campaign_id)
        )
        return {row.phone for row in rows}

    async def _insert(
        self, records: Sequence[CallRecord], now: float, entries: dict[str, str] | None = None
    ) -> None:
        values = [
            {
                "id": rec.id,
                "tenant_id": self.tenant_id,
                "campaign_id": rec.campaign_id,
                "list_id": rec.list_id,
                "entry_id": (entries or {}).get(rec.id),
                "phone": rec.phone,
                "fields": rec.fields,
                "priority": rec.priority,
                "time_zone": rec.time_zone,
                "status": str(rec.status),
                "attempts": rec.attempts,
                "next_at": rec.next_at,
                "last_outcome": rec.last_outcome,
                "last_cause": rec.last_cause,
                "agent_id": rec.agent_id,
                "outcomes": rec.outcomes,
                "created_at": now,
                "updated_at": now,
            }
            for rec in records
        ]
        for start in range(0, len(values), _CHUNK):
            await self.conn.execute(insert(dialer_records), values[start : start + _CHUNK])

    # -- do not call -----------------------------------------------------------------------

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str:
        """Put a number on the tenant's list (or the campaign's): records not yet finished
        are taken out of dialing at once. Returns the number in E.164."""
        number = dialable_number(phone)
        t = dialer_dnc
        key = campaign_id or ""
        exists = await self.conn.scalar(
            select(func.count()).where(
                t.c.tenant_id == self.tenant_id, t.c.campaign_id == key, t.c.phone == number
            )
        )
        if not exists:
            await self.conn.execute(
                insert(t).values(
                    tenant_id=self.tenant_id,
                    campaign_id=key,
                    phone=number,
                    reason=reason[:200],
                    created_at=now,
                )
            )
        r = dialer_records
        where = [
            r.c.tenant_id == self.tenant_id,
            r.c.phone == number,
            r.c.status.in_([str(s) for s in DIALABLE]),
        ]
        if campaign_id:
            where.append(r.c.campaign_id == campaign_id)
        await self.conn.execute(
            update(r).where(and_(*where)).values(status=str(RecordStatus.DNC), updated_at=now)
        )
        return number

    async def remove_dnc(self, phone: str, *, campaign_id: str | None = None) -> None:
        t = dialer_dnc
        await self.conn.execute(
            delete(t).where(
                t.c.tenant_id == self.tenant_id,
                t.c.campaign_id == (campaign_id or ""),
                t.c.phone == dialable_number(phone),
            )
        )

    async def do_not_call(self, campaign_id: str) -> DoNotCall:
        t = dialer_dnc
        rows = await self.conn.execute(
            select(t.c.campaign_id, t.c.phone).where(
                t.c.tenant_id == self.tenant_id, t.c.campaign_id.in_(["", campaign_id])
            )
        )
        tenant: list[str] = []
        campaign: list[str] = []
        for row in rows:
            (campaign if row.campaign_id else tenant).append(row.phone)
        return DoNotCall.of(tenant, campaign)

    # -- records ---------------------------------------------------------------------------

    async def due(self, campaign_id: str, now: float, limit: int) -> list[CallRecord]:
        """Dialable records whose time has come, in the campaign's list order (the window and
        the list's own order are applied by `selection.due_records` on these)."""
        r, cl = dialer_records, dialer_campaign_lists
        q = (
            select(r)
            .join(cl, and_(cl.c.campaign_id == r.c.campaign_id, cl.c.list_id == r.c.list_id))
            .where(
                r.c.tenant_id == self.tenant_id,
                r.c.campaign_id == campaign_id,
                r.c.status.in_([str(s) for s in DIALABLE]),
                r.c.next_at <= now,
            )
            .order_by(cl.c.position, r.c.id)
            .limit(limit)
        )
        return [_record(row) for row in await self.conn.execute(q)]

    async def records(self, campaign_id: str) -> list[CallRecord]:
        """Every record of the campaign, whatever its status."""
        r = dialer_records
        q = (
            select(r)
            .where(r.c.tenant_id == self.tenant_id, r.c.campaign_id == campaign_id)
            .order_by(r.c.id)
        )
        return [_record(row) for row in await self.conn.execute(q)]

    async def record(self, record_id: str) -> CallRecord | None:
        """The record, locked until the transaction ends (PostgreSQL; SQLite writes one at a
        time anyway): whoever reads it to write it back — the dialer at a call's end, the
        agent's answers, the preview's finish — waits for the other."""
        r = dialer_records
        row = (
            await self.conn.execute(
                select(r)
                .where(r.c.tenant_id == self.tenant_id, r.c.id == record_id)
                .with_for_update()
            )
        ).first()
        return _record(row) if row else None

    async def save_fields(self, record_id: str, fields: Mapping[str, Any], now: float) -> None:
        r = dialer_records
        await self.conn.execute(
            update(r)
            .where(r.c.tenant_id == self.tenant_id, r.c.id == record_id)
            .values(fields=dict(fields), updated_at=now)
        )

    async def save(self, record: CallRecord, now: float) -> None:
        r = dialer_records
        await self.conn.execute(
            update(r)
            .where(r.c.tenant_id == self.tenant_id, r.c.id == record.id)
            .values(
                status=str(record.status),
                attempts=record.attempts,
                next_at=record.next_at,
                last_outcome=record.last_outcome,
                last_cause=record.last_cause,
                agent_id=record.agent_id,
                outcomes=record.outcomes,
                fields=record.fields,
                updated_at=now,
            )
        )

    async def release_stale(self, campaign_id: str, now: float) -> int:
        """Records taken for preview whose lease ran out go back to dialing."""
        r = dialer_records
        base = [
            r.c.tenant_id == self.tenant_id,
            r.c.campaign_id == campaign_id,
            r.c.status == str(RecordStatus.IN_PROGRESS),
            r.c.next_at <= now,
        ]
        released = 0
        for status, attempted in ((RecordStatus.RETRY, True), (RecordStatus.PENDING, False)):
            result = await self.conn.execute(
                update(r)
                .where(*base, (r.c.attempts > 0) if attempted else (r.c.attempts == 0))
                .values(status=str(status), agent_id=None, updated_at=now)
            )
            released += result.rowcount or 0
        return released

    # -- caller ids ------------------------------------------------------------------------

    async def dials_on(self, day: str) -> dict[str, int]:
        t = dialer_callerid_days
        rows = await self.conn.execute(
            select(t.c.caller_id, t.c.dials).where(t.c.tenant_id == self.tenant_id, t.c.day == day)
        )
        return {row.caller_id: row.dials for row in rows}

    async def count_dial(self, caller_id: str, day: str) -> None:
        t = dialer_callerid_days
        changed = await self.conn.execute(
            update(t)
            .where(t.c.tenant_id == self.tenant_id, t.c.caller_id == caller_id, t.c.day == day)
            .values(dials=t.c.dials + 1)
        )
        if not changed.rowcount:
            await self.conn.execute(
                insert(t).values(tenant_id=self.tenant_id, caller_id=caller_id, day=day, dials=1)
            )

    # -- figures ---------------------------------------------------------------------------

    async def add_attempt(self, campaign_id: str, record_id: str, attempt: Attempt) -> None:
        await self.conn.execute(
            insert(dialer_attempts).values(
                id=new_id(attempt.at),
                tenant_id=self.tenant_id,
                campaign_id=campaign_id,
                record_id=record_id,
                at=attempt.at,
                outcome=str(attempt.outcome),
                answered_at=attempt.answered_at,
                handle_s=attempt.handle_s,
                right_party=attempt.right_party,
                conversion=attempt.conversion,
                amd_verdict=attempt.amd_verdict,
                amd_sure=attempt.amd_sure if attempt.amd_verdict is not None else None,
                amd_decision_s=attempt.amd_decision_s if attempt.amd_verdict is not None else None,
                machine_message_left=attempt.machine_message_left,
            )
        )

    async def dispose_attempt(self, record_id: str, *, right_party: bool, conversion: bool) -> bool:
        a = dialer_attempts
        last = await self.conn.scalar(
            select(a.c.id)
            .where(
                a.c.tenant_id == self.tenant_id,
                a.c.record_id == record_id,
                a.c.outcome == str(Outcome.CONNECTED),
            )
            .order_by(a.c.at.desc(), a.c.id.desc())
            .limit(1)
        )
        if last is None:
            return False
        await self.conn.execute(
            update(a)
            .where(a.c.tenant_id == self.tenant_id, a.c.id == last)
            .values(right_party=right_party, conversion=conversion)
        )
        return True

    async def campaign_call(self, interaction_id: str, agent_id: str) -> CampaignCall | None:
        """From the interaction log: the call's `dialer.call.placed`, if it was put through to
        the agent (a `queue.answered` of theirs: offered and not taken is not enough)."""
        e = events
        rows = (
            await self.conn.execute(
                select(e.c.type, e.c.agent_id, e.c.payload).where(
                    e.c.tenant_id == self.tenant_id, e.c.interaction_id == interaction_id
                )
            )
        ).all()
        placed = next((r.payload for r in rows if r.type == CampaignCallPlaced.type), None)
        took = any(r.type == QueueAnswered.type and r.agent_id == agent_id for r in rows)
        if placed is None or not took:
            return None
        return CampaignCall(interaction_id, str(placed["campaign_id"]), str(placed["record_id"]))

    async def attempts(self, campaign_id: str, since: float | None = None) -> list[Attempt]:
        a = dialer_attempts
        query = select(a).where(a.c.tenant_id == self.tenant_id, a.c.campaign_id == campaign_id)
        if since is not None:
            query = query.where(a.c.at > since)
        rows = await self.conn.execute(query.order_by(a.c.at, a.c.id))
        return [
            Attempt(r.at, Outcome(r.outcome), r.answered_at, r.handle_s, r.right_party,
                    r.conversion, r.amd_verdict, r.amd_sure is not False,
                    r.amd_decision_s or 0.0, r.machine_message_left, r.record_id)
            for r in rows
        ]  # fmt: skip

    async def add_staffed(self, campaign_id: str, slices: Mapping[float, float]) -> None:
        """Add staffed agent-seconds per slice (`staffed_slices`) and to the running total,
        in the caller's transaction. One dialer writes a campaign's slices at a time (its job's
        lease), so an update that finds no row may insert it."""
        total = sum(slices.values())
        if total <= 0:
            return
        t, st = dialer_campaigns, dialer_staffed
        await self.conn.execute(
            update(t)
            .where(t.c.tenant_id == self.tenant_id, t.c.id == campaign_id)
            .values(staffed_s=t.c.staffed_s + total)
        )
        for slice_at, seconds in sorted(slices.items()):
            found = await self.conn.execute(
                update(st)
                .where(st.c.campaign_id == campaign_id, st.c.slice_at == slice_at)
                .values(staffed_s=st.c.staffed_s + seconds)
            )
            if not found.rowcount:
                await self.conn.execute(
                    insert(st).values(
                        campaign_id=campaign_id, slice_at=slice_at, tenant_id=self.tenant_id,
                        staffed_s=seconds,
                    )
                )  # fmt: skip

    async def staffed(self, campaign_id: str, since: float | None, end: float) -> float:
        """Staffed agent-seconds: to date (`since` None: the running total), or those of the
        slices that start in [since, end)."""
        if since is None:
            t = dialer_campaigns
            total = await self.conn.scalar(
                select(t.c.staffed_s).where(t.c.tenant_id == self.tenant_id, t.c.id == campaign_id)
            )
            return float(total or 0.0)
        st = dialer_staffed
        summed = await self.conn.scalar(
            select(func.sum(st.c.staffed_s)).where(
                st.c.tenant_id == self.tenant_id,
                st.c.campaign_id == campaign_id,
                st.c.slice_at >= since,
                st.c.slice_at < end,
            )
        )
        return float(summed or 0.0)

    async def list_size(self, campaign_id: str, end: float | None) -> ListSize:
        """The campaign's records made by `end` (None: all), with the ids of those on a
        do-not-call list."""
        r = dialer_records
        made = and_(r.c.tenant_id == self.tenant_id, r.c.campaign_id == campaign_id)
        if end is not None:
            made = and_(made, r.c.created_at <= end)
        records = await self.conn.scalar(select(func.count()).select_from(r).where(made))
        dnc = await self.conn.scalars(
            select(r.c.id).where(made, r.c.status == str(RecordStatus.DNC))
        )
        return ListSize(int(records or 0), frozenset(dnc))

    async def figures(
        self, campaign: Campaign, now: float, since: float | None = None
    ) -> CampaignFigures:
        """The campaign's figures (`hotline.dialer.figures` defines them) from its attempts,
        its records and its staffed seconds; with `since`, a report period's."""
        r = dialer_records
        base = and_(r.c.tenant_id == self.tenant_id, r.c.campaign_id == campaign.id)
        by_status = {
            row.status: row.n
            for row in await self.conn.execute(
                select(r.c.status, func.count().label("n")).where(base).group_by(r.c.status)
            )
        }
        return campaign_figures(
            await self.attempts(campaign.id),
            by_status,
            now,
            window_s=campaign.abandon_window_s,
            cap=campaign.abandon_cap,
            staffed_s=await self.staffed(campaign.id, since, now),
            size=await self.list_size(campaign.id, None if since is None else now),
            since=since,
        )


class SqlCallListRecords(CallListRecords):
    """The `call_lists` import target's storage: entries keyed by list name and number."""

    def __init__(self, conn: AsyncConnection, *, tenant_id: str, now: float) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.now = now
        self.store = SqlDialerStore(conn, tenant_id)

    async def lock(self) -> None:
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"hotline.import:{self.tenant_id}:call_lists"},
            )

    async def _ids(self, names: Sequence[str], *, create: bool) -> dict[str, str]:
        out = {}
        for name in dict.fromkeys(names):
            found = await self.store.list_id(name, self.now, create=create)
            if found:
                out[name] = found
        return out

    async def find(self, keys: Sequence[str]) -> dict[str, Record]:
        pairs = [k.split("\x1f", 1) for k in keys]
        ids = await self._ids([name for name, _ in pairs], create=False)
        names = {v: k for k, v in ids.items()}
        out: dict[str, Record] = {}
        e = dialer_list_entries
        phones = [phone for _, phone in pairs]
        for start in range(0, len(phones), _CHUNK):
            q = select(e).where(
                e.c.tenant_id == self.tenant_id,
                e.c.list_id.in_(list(ids.values())),
                e.c.phone.in_(phones[start : start + _CHUNK]),
            )
            for row in await self.conn.execute(q):
                record = self._as_record(row, names[row.list_id])
                out[entry_key(record)] = record
        return out

    @staticmethod
    def _as_record(row: Any, list_name: str) -> Record:
        record: Record = {"list": list_name, "phone": row.phone}
        if row.name:
            record["name"] = row.name
        if row.priority:
            record["priority"] = row.priority
        if row.time_zone:
            record["time_zone"] = row.time_zone
        record.update({f"custom.{k}": v for k, v in (row.fields or {}).items()})
        return record

    @staticmethod
    def _values(record: Record) -> dict[str, Any]:
        return {
            "phone": record["phone"],
            "name": record.get("name"),
            "priority": int(record.get("priority") or 0),
            "time_zone": record.get("time_zone") or None,
            "fields": {
                k.removeprefix("custom."): v for k, v in record.items() if k.startswith("custom.")
            },
        }

    async def add(self, records: Sequence[Record]) -> None:
        ids = await self._ids([r["list"] for r in records], create=True)
        values = [
            {
                "id": new_id(self.now),
                "tenant_id": self.tenant_id,
                "list_id": ids[r["list"]],
                "created_at": self.now,
                **self._values(r),
            }
            for r in records
        ]
        for start in range(0, len(values), _CHUNK):
            await self.conn.execute(insert(dialer_list_entries), values[start : start + _CHUNK])

    async def replace(self, records: Sequence[Record]) -> None:
        ids = await self._ids([r["list"] for r in records], create=False)
        e = dialer_list_entries
        for record in records:
            await self.conn.execute(
                update(e)
                .where(
                    e.c.tenant_id == self.tenant_id,
                    e.c.list_id == ids[record["list"]],
                    e.c.phone == record["phone"],
                )
                .values(**self._values(record))
            )

    async def scan(self, batch_size: int) -> AsyncIterator[list[Record]]:
        t, e = dialer_lists, dialer_list_entries
        after = ""
        while True:
            rows = (
                await self.conn.execute(
                    select(e, t.c.name.label("list_name"))
                    .join(t, t.c.id == e.c.list_id)
                    .where(e.c.tenant_id == self.tenant_id, e.c.id > after)
                    .order_by(e.c.id)
                    .limit(batch_size)
                )
            ).all()
            if not rows:
                return
            yield [self._as_record(row, row.list_name) for row in rows]
            after = rows[-1].id


class SqlLiveStorage:
    """The live dialer's storage: each `session()` is one short unit of work, committed when
    the block ends without an error (no transaction stays open while calls ring)."""

    def __init__(self, uow: Callable[[], UnitOfWork], tenant_id: str) -> None:
        self._uow = uow
        self.tenant_id = tenant_id

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[SqlDialerStore]:
        async with self._uow() as uow:
            yield SqlDialerStore(uow.conn, self.tenant_id)
            await uow.commit()
