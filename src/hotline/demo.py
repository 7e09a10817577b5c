"""The demo center: tenant `demo` with users, skills, queues, a DID, business hours, codes and
a dozen customers (two VIP) — what `hotline demo` seeds and the end-to-end tests start from."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.auth.model import Principal
from hotline.calendars.service import import_shipped
from hotline.calendars.shipped import shipped_years
from hotline.clock import Clock
from hotline.config import Settings
from hotline.crm.service import CustomerService
from hotline.directory.schemas import (
    AgentIn,
    AgentSkillIn,
    CalendarIn,
    CustomerIn,
    DidIn,
    DispositionIn,
    QueueIn,
    QueueSkillIn,
    QuickReplyIn,
    ReasonIn,
    SkillIn,
    TeamIn,
    UserIn,
)
from hotline.directory.service import DirectoryService
from hotline.flows.loader import read_flow_file
from hotline.flows.service import FlowService
from hotline.hours import WEEKDAYS
from hotline.ids import new_id
from hotline.knowledge import KnowledgeService
from hotline.knowledge.seed import seed_knowledge
from hotline.store.auth_repo import SqlTenants
from hotline.store.flow_repo import SqlFlowRepository
from hotline.store.knowledge_repo import SqlKnowledge
from hotline.store.repos import SqlRepos
from hotline.store.tenant_repo import SqlTenantStore
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.schemas import CategoryIn, DepartmentIn, SlaPolicyIn
from hotline.tickets.setup import TicketSetup

__all__ = ["DEMO_CALENDAR", "DEMO_CUSTOMERS", "DemoCenter", "create_tenant", "seed_demo"]

DEMO_SLUG = "demo"
# The calendar the demo flow's hours node names (examples/flows/main.yaml) and both queues use.
DEMO_CALENDAR = "business"
# The zh-CN demo IVR on DID 4001 (examples/flows/main.yaml in the repository).
DEMO_FLOW = Path(__file__).resolve().parents[2] / "examples" / "flows" / "main.yaml"

DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {"name": "王芳", "phones": ["13800138001"], "vip_level": 2, "tags": ["VIP", "理财"]},
    {"name": "李强", "phones": ["+86 139 1000 2002"], "vip_level": 1, "tags": ["VIP"]},
    {"name": "张伟", "phones": ["13700137003"], "tags": ["新客户"]},
    {"name": "刘洋", "phones": ["010-6552 9904"], "tags": []},
    {
        "name": "陈静",
        "phones": ["13600136005"],
        "emails": ["chenjing@example.com"],
        "tags": ["投诉"],
    },
    {"name": "杨磊", "phones": ["13500135006"], "tags": []},
    {"name": "赵敏", "phones": ["13400134007"], "tags": ["售后"]},
    {"name": "黄丽", "phones": ["13300133008"], "tags": []},
    {"name": "周杰", "phones": ["13200132009"], "tags": ["售前"]},
    {"name": "吴婷", "phones": ["13100131010"], "tags": []},
    {
        "name": "Emily Carter",
        "phones": ["+1 415 555 0111"],
        "emails": ["emily@example.com"],
        "tags": ["English"],
    },
    {"name": "徐明", "phones": ["15800158012", "021-6888 1212"], "tags": []},
]


@dataclass(frozen=True, slots=True)
class DemoCenter:
    tenant_id: str
    password: str
    created: bool


def _system_principal(tenant_id: str) -> Principal:
    return Principal(
        tenant_id=tenant_id,
        tenant_slug=DEMO_SLUG,
        user_id="system",
        username="system",
        display_name="system",
        roles=("admin",),
        language="zh-CN",
        via="token",
    )


async def create_tenant(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    slug: str,
    name: str,
    sip_domain: str,
    language: str = "zh-CN",
    timezone: str = "Asia/Shanghai",
    region: str = "CN",
) -> str:
    now = clock.now()
    tenant_id = new_id(now)
    async with uow_factory() as uow:
        await SqlTenants(uow.conn).add(
            {
                "id": tenant_id,
                "slug": slug,
                "name": name,
                "language": language,
                "timezone": timezone,
                "region": region,
                "sip_domain": sip_domain,
                "created_at": now,
                "updated_at": now,
            }
        )
        await uow.commit()
    return tenant_id


async def seed_demo(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    settings: Settings,
    *,
    password: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> DemoCenter:
    """Create the demo center unless it exists. Returns its tenant and the users' password."""
    async with uow_factory(write=False) as uow:
        existing = await SqlTenants(uow.conn).by_slug(DEMO_SLUG)
    if existing is not None:
        return DemoCenter(existing["id"], password or "", created=False)
    password = password or secrets.token_urlsafe(9)
    tenant_id = await create_tenant(
        uow_factory, clock, slug=DEMO_SLUG, name="演示呼叫中心", sip_domain=settings.sip.realm
    )
    actor = _system_principal(tenant_id)
    async with uow_factory() as uow:
        d = DirectoryService(
            SqlRepos(uow.conn),
            actor=actor,
            clock=clock,
            emit=uow.emit,
            sip_realm=settings.sip.realm,
        )
        progress("users")
        await d.create_user(
            UserIn(username="admin", display_name="管理员", password=password, roles=["admin"])
        )
        supervisor = await d.create_user(
            UserIn(
                username="supervisor",
                display_name="班长 周",
                password=password,
                roles=["supervisor"],
            )
        )
        progress("skills and teams")
        presales = await d.create_simple("skill", SkillIn(name="售前", description="pre-sales"))
        aftersales = await d.create_simple("skill", SkillIn(name="售后", description="after-sales"))
        team = await d.create_simple("team", TeamIn(name="一组", supervisor_id=supervisor["id"]))
        progress("agents")
        agents = [
            ("agent1", "坐席 李娜", "1001", "browser", [(presales, 8), (aftersales, 6)]),
            ("agent2", "坐席 王磊", "1002", "sip", [(presales, 9)]),
            ("agent3", "坐席 陈晨", "1003", "sip", [(aftersales, 9)]),
        ]
        agent_users: list[str] = []
        for username, display, extension, mode, skills in agents:
            made = await d.create_agent(
                AgentIn.model_validate(
                    {
                        "username": username,
                        "display_name": display,
                        "password": password,
                        "extension": extension,
                        "sip_password": password,
                        "phone_mode": mode,
                        "skills": [
                            AgentSkillIn(skill_id=s["id"], proficiency=p) for s, p in skills
                        ],
                        "team_ids": [team["id"]],
                    }
                )
            )
            agent_users.append(str(made["user_id"]))
        progress("business hours, holidays, queues, number")
        # The Chinese holidays shipped for 2026 and 2027 (节假日日历), visible in the admin.
        holiday_ids = [(await import_shipped(d, year=year))["id"] for year in shipped_years("CN")]
        # Real business hours with a lunch break, following those holidays and their make-up
        # workdays (调休上班). The demo's own hours ("business", what the flow's hours node
        # and both queues ask) are open around the clock, so a newcomer reaches an agent at
        # any hour; point them at 工作时间 to see business hours and holidays at work.
        await d.create_simple(
            "calendar",
            CalendarIn.model_validate(
                {
                    "name": "工作时间",
                    "timezone": "Asia/Shanghai",
                    "weekly": {
                        **{
                            day: [["09:00", "12:00"], ["13:00", "18:00"]]
                            for day in ("mon", "tue", "wed", "thu", "fri")
                        },
                        "sat": [["09:00", "12:00"]],
                    },
                    "holiday_calendar_ids": holiday_ids,
                    "makeup_day": "mon",
                }
            ),
        )
        calendar = await d.create_simple(
            "calendar",
            CalendarIn.model_validate(
                {
                    "name": DEMO_CALENDAR,
                    "timezone": "Asia/Shanghai",
                    "weekly": {day: [["00:00", "24:00"]] for day in WEEKDAYS},
                }
            ),
        )
        await d.create_queue(
            QueueIn(
                name="sales",
                display_name="售前咨询",
                skills=[QueueSkillIn(skill_id=presales["id"], min_proficiency=1)],
                calendar_id=calendar["id"],
            )
        )
        await d.create_queue(
            QueueIn(
                name="support",
                display_name="售后服务",
                skills=[QueueSkillIn(skill_id=aftersales["id"], min_proficiency=1)],
                calendar_id=calendar["id"],
                disposition_required=True,
            )
        )
        # Numbers are the platform's to give (docs/tenants.md): the seed assigns DID 4001.
        now = clock.now()
        await SqlTenantStore(uow.conn).add_number(
            {
                "id": new_id(now),
                "tenant_id": tenant_id,
                **DidIn(number="4001", flow="main", description="客服热线").model_dump(),
                "created_at": now,
                "updated_at": now,
            }
        )
        progress("codes")
        for code, zh, en, category in [
            ("resolved", "已解决", "Resolved", "resolved"),
            ("follow_up", "需跟进", "Needs follow-up", "unresolved"),
            ("sale", "成交", "Sale", "sale"),
            ("no_sale", "未成交", "No sale", "no_sale"),
            ("callback", "预约回电", "Callback booked", "callback"),
            ("complaint", "投诉", "Complaint", "other"),
        ]:
            await d.create_simple(
                "disposition",
                DispositionIn.model_validate(
                    {"code": code, "label_zh": zh, "label_en": en, "category": category}
                ),
            )
        for code, zh, en in [
            ("break", "小休", "Break"),
            ("lunch", "用餐", "Lunch"),
            ("training", "培训", "Training"),
            ("meeting", "会议", "Meeting"),
            ("missed", "未接来电", "Missed offer"),
        ]:
            await d.create_simple("reason", ReasonIn(code=code, label_zh=zh, label_en=en))
        for title, text, queue in [
            ("问候", "您好，很高兴为您服务，请问有什么可以帮您？", None),
            ("核实身份", "为了保护您的账户安全，请提供一下预留手机号的后四位。", None),
            ("退换货", "您的退换货申请已受理，我们会在3个工作日内联系您。", "support"),
            ("Greeting (en)", "Hello, thank you for calling. How may I help you?", None),
        ]:
            await d.create_simple("quick_reply", QuickReplyIn(title=title, text=text, queue=queue))
        progress("knowledge base")
        await seed_knowledge(
            KnowledgeService(
                SqlKnowledge(uow.conn), tenant_id=tenant_id, emit=uow.emit, now=clock.now
            )
        )
        progress("ticket departments, categories, SLA")
        await seed_ticket_setup(
            TicketSetup(SqlTicketConfig(uow.conn), tenant_id=tenant_id, clock=clock),
            agents=agent_users,
            lead=str(supervisor["id"]),
        )
        progress("customers")
        customers = CustomerService(
            SqlRepos(uow.conn), tenant_id=tenant_id, clock=clock, emit=uow.emit, actor=actor
        )
        for c in DEMO_CUSTOMERS:
            await customers.create(CustomerIn(**c))
        await uow.commit()
    progress("flow main")
    async with uow_factory() as uow:
        flows = FlowService(
            SqlFlowRepository(uow.conn), uow, clock, prompts_root=settings.media.prompts_dir
        )
        await flows.publish_document(
            tenant_id,
            read_flow_file(DEMO_FLOW),
            by="demo",
            queues=["sales", "support"],
            calendars=[DEMO_CALENDAR, "工作时间"],
        )
        await uow.commit()
    return DemoCenter(tenant_id, password, created=True)


async def seed_ticket_setup(setup: TicketSetup, *, agents: list[str], lead: str) -> None:
    """The demo's departments (客服部 assigns by hand, 售后部 to the member with the fewest
    open tickets), a small category tree and two SLA policies on 工作时间."""
    await setup.save_department(
        DepartmentIn(code="客服部", name="客服部", lead_id=lead, members=agents)
    )
    await setup.save_department(
        DepartmentIn(
            code="售后部", name="售后部", lead_id=lead, members=agents[-2:], assignment="least_open"
        )
    )
    for code, zh, en, parent in [
        ("inquiry", "咨询", "Inquiry", None),
        ("complaint", "投诉", "Complaint", None),
        ("return", "退换货", "Return or exchange", "complaint"),
        ("repair", "维修", "Repair", None),
    ]:
        await setup.save_category(CategoryIn(code=code, name_zh=zh, name_en=en, parent=parent))
    await setup.save_policy(
        SlaPolicyIn.model_validate(
            {
                "name": "紧急 / urgent", "position": 0, "priorities": ["urgent"],
                "first_response_s": 3600, "resolution_s": 8 * 3600, "calendar": "工作时间",
                "escalation": [{"to": "lead"}, {"to": "manager", "after_s": 3600}],
            }
        )
    )  # fmt: skip
    await setup.save_policy(
        SlaPolicyIn.model_validate(
            {
                "name": "标准 / standard", "position": 10,
                "first_response_s": 4 * 3600, "resolution_s": 3 * 9 * 3600,
                "calendar": "工作时间", "escalation": [{"to": "lead"}],
            }
        )
    )  # fmt: skip
