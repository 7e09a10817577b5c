"""One business-hours engine: the flow's hours node and the queue ask the same calendar object
(loaded from the database on SQLite and PostgreSQL), a 调休 Saturday with its own hours is open
in both, and the demo takes calls at any hour while its 2026/2027 holiday calendars drive its
工作时间 calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.auth.model import Principal
from hotline.bus import EventBus
from hotline.calendars import CalendarBook
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import DEMO_CALENDAR, DEMO_FLOW, seed_demo
from hotline.directory.routing import load_routing_config
from hotline.directory.schemas import CalendarIn, QueueIn, QueueSkillIn
from hotline.directory.service import DirectoryService
from hotline.flows import Lookup, LookupCompleted, Program, parse_flow, read_flow_file
from hotline.flows.events import NodeEntered
from hotline.hours import HoursStatus
from hotline.ids import QueueId
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWorkFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def flow_path(program: Program, tenant_id: str, now: float) -> list[str]:
    """The nodes a new call passes through (an unknown caller: the lookup finds nobody)."""
    result = program.start(tenant_id=tenant_id, now=now, variables={"caller.number": "1"})
    events = list(result.events)
    if isinstance(result.waiting_on, Lookup):
        events += program.step(result.state, LookupCompleted(False), now).events
    return [e.node for e in events if isinstance(e, NodeEntered)]


HOURS_FLOW: dict[str, Any] = {
    "name": "hours-probe",
    "timezone": "Asia/Shanghai",
    "start": "check",
    "nodes": {
        "check": {
            "type": "hours",
            "calendar": "调休测试",
            "open": "open",
            "closed": "closed",
            "holiday": "holiday",
        },
        "open": {"type": "hangup"},
        "closed": {"type": "hangup"},
        "holiday": {"type": "hangup"},
    },
}


async def seeded(engine: AsyncEngine, database_url: str) -> tuple[UnitOfWorkFactory, str]:
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    uows = UnitOfWorkFactory(engine, EventBus())
    center = await seed_demo(uows, FakeClock(), settings, password="demo-password-1")
    return uows, center.tenant_id


def admin(uow: Any, tenant_id: str) -> DirectoryService:
    return DirectoryService(
        SqlRepos(uow.conn),
        actor=Principal(
            tenant_id=tenant_id,
            tenant_slug="demo",
            user_id="u",
            username="admin",
            display_name="admin",
            roles=("admin",),
            language="zh-CN",
            via="token",
        ),
        clock=FakeClock(),
        emit=uow.emit,
        sip_realm="hotline",
    )


async def test_a_tiaoxiu_saturday_with_its_own_hours_is_open_in_the_flow_and_the_queue(
    engine: AsyncEngine, database_url: str
) -> None:
    uows, tenant_id = await seeded(engine, database_url)
    async with uows() as uow:
        directory = admin(uow, tenant_id)
        holidays, _ = await directory.list_simple(
            "holiday_calendar", search=None, limit=10, offset=0
        )
        calendar = await directory.create_simple(
            "calendar",
            CalendarIn.model_validate(
                {
                    "name": "调休测试",
                    "weekly": {
                        d: [["09:00", "12:00"], ["13:00", "18:00"]]
                        for d in ("mon", "tue", "wed", "thu", "fri")
                    },
                    "holiday_calendar_ids": [h["id"] for h in holidays],
                    # The 国庆 make-up Saturday worked 10:00–15:00, through the lunch break.
                    "holidays": [
                        {
                            "date": "2026-10-10",
                            "kind": "workday",
                            "name": "调休",
                            "hours": [["10:00", "15:00"]],
                        }
                    ],
                }
            ),
        )
        skills, _ = await directory.list_simple("skill", search=None, limit=10, offset=0)
        await directory.create_queue(
            QueueIn(
                name="tiaoxiu",
                display_name="调休",
                calendar_id=calendar["id"],
                skills=[QueueSkillIn(skill_id=skills[0]["id"], min_proficiency=1)],
            )
        )
        await uow.commit()

    book = CalendarBook(engine, None)
    await book.load_all()
    async with uows(write=False) as uow:
        config = await load_routing_config(SqlRepos(uow.conn), tenant_id)
    queue_hours = config.queues[QueueId("tiaoxiu")].hours
    flow_calendar = Program(parse_flow(HOURS_FLOW), calendars=book).calendar(tenant_id, "调休测试")
    # The one engine: the queue and the flow's hours node hold the very same object.
    assert queue_hours is not None
    assert flow_calendar is queue_hours

    program = Program(parse_flow(HOURS_FLOW), calendars=book)
    saturday_lunch = at("2026-10-10 12:30")  # Monday's hours would be at lunch; its own: open
    assert queue_hours.is_open(saturday_lunch)
    assert flow_path(program, tenant_id, saturday_lunch) == ["check", "open"]
    assert not queue_hours.is_open(at("2026-10-10 16:00"))
    assert flow_path(program, tenant_id, at("2026-10-10 16:00")) == ["check", "closed"]
    assert queue_hours.status(at("2026-10-02 10:00")) is HoursStatus.HOLIDAY
    assert flow_path(program, tenant_id, at("2026-10-02 10:00")) == ["check", "holiday"]
    assert flow_path(program, tenant_id, at("2026-10-17 10:00")) == ["check", "closed"]


async def test_the_demo_takes_calls_at_any_hour_and_its_holidays_are_real(
    engine: AsyncEngine, database_url: str
) -> None:
    uows, tenant_id = await seeded(engine, database_url)
    book = CalendarBook(engine, None)
    await book.load_all()
    async with uows(write=False) as uow:
        config = await load_routing_config(SqlRepos(uow.conn), tenant_id)
        holidays, _ = await SqlRepos(uow.conn).table("holiday_calendars").list(tenant_id)
    program = Program(parse_flow(read_flow_file(DEMO_FLOW)), calendars=book)

    # Sunday night (the newcomer's call that once got the closed notice) and National Day.
    for when in ("2026-11-29 23:30", "2026-10-01 10:00", "2027-02-06 03:00"):
        now = at(when)
        for queue in ("sales", "support"):
            hours = config.queues[QueueId(queue)].hours
            assert hours is not None
            assert hours.is_open(now), (queue, when)
        path = flow_path(program, tenant_id, now)
        assert "welcome" in path, (when, path)
        assert "closed_notice" not in path, (when, path)
    assert config.queues[QueueId("support")].hours is book.calendar(tenant_id, DEMO_CALENDAR)

    # The 2026 and 2027 Chinese holiday calendars are imported and drive 工作时间.
    assert sorted(h["name"] for h in holidays) == ["中国法定节假日 2026", "中国法定节假日 2027"]
    work = book.calendar(tenant_id, "工作时间")
    assert work is not None
    assert work.status(at("2026-10-01 10:00")) is HoursStatus.HOLIDAY  # 国庆节
    assert work.is_open(at("2026-10-10 15:00"))  # 调休 Saturday with Monday's hours
    assert not work.is_open(at("2026-10-17 15:00"))  # a plain Saturday afternoon
    assert work.is_open(at("2026-02-14 10:00"))  # 春节 make-up Saturday
    assert work.status(at("2027-02-08 10:00")) is HoursStatus.HOLIDAY  # 春节 2027 (Monday)
    assert work.status(at("2027-10-01 10:00")) is HoursStatus.HOLIDAY
    assert not work.is_open(at("2026-11-23 12:30"))  # lunch
    # Pointing the demo flow at 工作时间 makes holidays reach callers.
    flow = yaml.safe_load(DEMO_FLOW.read_text())
    flow["nodes"]["hours_check"]["calendar"] = "工作时间"
    business = Program(parse_flow(flow), calendars=book)
    assert "holiday_notice" in flow_path(business, tenant_id, at("2026-10-01 10:00"))
