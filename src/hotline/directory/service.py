"""Configuration services: CRUD of skills, teams, agents, queues, numbers, calendars, codes and
users, each change audited and announced as a `config.changed` event.

Services validate what needs the database (unknown references, duplicates) and name the failing
field; they never commit — the unit of work at the edge does (DESIGN §3.7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from hotline.auth.model import Principal
from hotline.auth.passwords import check_strength, hash_password
from hotline.clock import Clock
from hotline.crm.hints import HintRuleIn, check_hint_rule
from hotline.directory.errors import (
    DuplicateName,
    EntityNotFound,
    FlowInUse,
    NumberNotOurs,
    ReasonUnknown,
    UnknownReference,
)
from hotline.directory.events import ConfigChanged
from hotline.directory.ports import Repos
from hotline.directory.schemas import (
    AgentIn,
    CalendarIn,
    CustomFieldIn,
    DidIn,
    DispositionIn,
    HolidayCalendarIn,
    QueueIn,
    QuickReplyIn,
    ReasonIn,
    SkillIn,
    TeamIn,
    UserIn,
    UserUpdate,
)
from hotline.errors import Conflict, InvalidInput
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.sip.auth import compute_ha1
from hotline.tenants.errors import AgentLimitReached, NumbersByOperator
from hotline.tenants.model import Limits

__all__ = ["SIMPLE", "DirectoryService", "SimpleEntity"]


@dataclass(frozen=True, slots=True)
class SimpleEntity:
    """A configuration entity that is one row: its table, schema and unique fields."""

    name: str
    table: str
    schema: type[BaseModel]
    unique: tuple[str, ...]
    search: tuple[str, ...]
    order_by: str
    global_unique: bool = False


SIMPLE: dict[str, SimpleEntity] = {
    e.name: e
    for e in (
        SimpleEntity("skill", "skills", SkillIn, ("name",), ("name", "description"), "name"),
        SimpleEntity("team", "teams", TeamIn, ("name",), ("name",), "name"),
        SimpleEntity("calendar", "calendars", CalendarIn, ("name",), ("name",), "name"),
        SimpleEntity(
            "holiday_calendar",
            "holiday_calendars",
            HolidayCalendarIn,
            ("name",),
            ("name", "source"),
            "name",
        ),
        SimpleEntity(
            "did", "dids", DidIn, ("number",), ("number", "flow", "description"), "number", True
        ),
        SimpleEntity(
            "disposition",
            "disposition_codes",
            DispositionIn,
            ("code",),
            ("code", "label_zh", "label_en"),
            "code",
        ),
        SimpleEntity(
            "reason",
            "not_ready_reasons",
            ReasonIn,
            ("code",),
            ("code", "label_zh", "label_en"),
            "code",
        ),
        SimpleEntity(
            "quick_reply", "quick_replies", QuickReplyIn, ("title",), ("title", "text"), "title"
        ),
        SimpleEntity(
            "hint_rule",
            "hint_rules",
            HintRuleIn,
            ("name",),
            ("name", "condition", "text_zh", "text_en"),
            "position",
        ),
        SimpleEntity(
            "custom_field",
            "custom_fields",
            CustomFieldIn,
            ("key",),
            ("key", "label_zh", "label_en"),
            "position",
        ),
    )
}


class DirectoryService:
    def __init__(
        self,
        repos: Repos,
        *,
        actor: Principal,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
        sip_realm: str,
        ip: str | None = None,
        max_agents: int | None = None,
    ) -> None:
        self.repos = repos
        self.max_agents = max_agents  # the tenant's seat limit (docs/tenants.md)
        self.actor = actor
        self.clock = clock
        self.emit = emit
        self.sip_realm = sip_realm
        self.ip = ip

    @property
    def tenant_id(self) -> str:
        return self.actor.tenant_id

    # -- audit ---------------------------------------------------------------------------------

    async def _changed(
        self,
        entity: str,
        entity_id: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        now = self.clock.now()
        await self.repos.audit.add(
            {
                "tenant_id": self.tenant_id,
                "at": now,
                "actor_id": self.actor.user_id,
                "actor_name": self.actor.username,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": _redact(before),
                "after": _redact(after),
                "ip": self.ip,
            }
        )
        self.emit(
            ConfigChanged(
                tenant_id=self.tenant_id, at=now, entity=entity, entity_id=entity_id, action=action
            )
        )

    async def _unique(
        self,
        table: str,
        entity: str,
        field: str,
        value: Any,
        *,
        exclude_id: str | None,
        global_: bool = False,
    ) -> None:
        tenant = None if global_ else self.tenant_id
        if await self.repos.table(table).find(tenant, field, value, exclude_id=exclude_id):
            raise DuplicateName(
                f"a {entity} with {field} {value!r} already exists",
                code=f"{entity}.{field}.taken",
                details={"field": field, "value": value},
            )

    async def _refs(self, table: str, ids: list[str], field: str, code: str) -> None:
        if not ids:
            return
        found = await self.repos.table(table).existing_ids(self.tenant_id, ids)
        for index, ref in enumerate(ids):
            if ref not in found:
                name = field.format(index=index)
                raise UnknownReference(
                    f"{name}: no such {table[:-1]} {ref!r}",
                    code=code,
                    details={"field": name, "value": ref},
                )

    async def _get_row(self, table: str, entity: str, entity_id: str) -> dict[str, Any]:
        row = await self.repos.table(table).get(self.tenant_id, entity_id)
        if row is None:
            raise EntityNotFound(f"no {entity} {entity_id!r}", details={"id": entity_id})
        return row

    # -- simple entities -------------------------------------------------------------------------

    async def list_simple(
        self, entity: str, *, search: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        spec = SIMPLE[entity]
        return await self.repos.table(spec.table).list(
            self.tenant_id,
            search=search,
            search_fields=spec.search,
            order_by=spec.order_by,
            limit=limit,
            offset=offset,
        )

    async def check_not_ready_reason(self, code: str) -> None:
        """An agent goes 示忙 with one of the center's active reasons, nothing else."""
        rows, _ = await self.repos.table(SIMPLE["reason"].table).list(
            self.tenant_id, filters={"code": code}, order_by="code", limit=1
        )
        if not any(r["code"] == code and r.get("active", True) for r in rows):
            raise ReasonUnknown(code)

    async def get_simple(self, entity: str, entity_id: str) -> dict[str, Any]:
        return await self._get_row(SIMPLE[entity].table, entity, entity_id)

    async def _check_simple(
        self, spec: SimpleEntity, values: dict[str, Any], exclude: str | None
    ) -> None:
        for field in spec.unique:
            await self._unique(
                spec.table,
                spec.name,
                field,
                values[field],
                exclude_id=exclude,
                global_=spec.global_unique,
            )
        if spec.name == "calendar":
            await self._refs(
                "holiday_calendars",
                list(values.get("holiday_calendar_ids") or []),
                "holiday_calendar_ids.{index}",
                "calendar.holiday_calendar.unknown",
            )
        flow = values.get("flow") if spec.name == "did" else None
        if flow and flow not in await self.repos.flow_names(self.tenant_id):
            raise UnknownReference(
                f"flow: no published flow {flow!r}",
                code="number.flow.unknown",
                details={"field": "flow", "value": flow},
            )
        if spec.name == "hint_rule":
            fields, _ = await self.repos.table(SIMPLE["custom_field"].table).list(
                self.tenant_id, order_by="position", limit=10_000
            )
            check_hint_rule(
                HintRuleIn.model_validate(values), {f["key"]: f["type"] for f in fields}
            )
        if spec.name == "team" and values.get("supervisor_id"):
            await self._refs(
                "users", [values["supervisor_id"]], "supervisor_id", "team.supervisor.unknown"
            )

    async def create_simple(self, entity: str, data: BaseModel) -> dict[str, Any]:
        if entity == "did":
            raise NumbersByOperator()  # the same answer for a free number and a taken one
        spec = SIMPLE[entity]
        values = data.model_dump(mode="json")
        await self._check_simple(spec, values, None)
        now = self.clock.now()
        row = {
            "id": new_id(now),
            "tenant_id": self.tenant_id,
            **values,
            "created_at": now,
            "updated_at": now,
        }
        await self.repos.table(spec.table).insert(row)
        await self._changed(entity, row["id"], "create", None, row)
        return row

    async def update_simple(self, entity: str, entity_id: str, data: BaseModel) -> dict[str, Any]:
        spec = SIMPLE[entity]
        before = await self._get_row(spec.table, entity, entity_id)
        values = data.model_dump(mode="json")
        if entity == "did" and values.get("number") != before["number"]:
            raise NumbersByOperator()
        await self._check_simple(spec, values, entity_id)
        values["updated_at"] = self.clock.now()
        await self.repos.table(spec.table).update(self.tenant_id, entity_id, values)
        after = {**before, **values}
        await self._changed(entity, entity_id, "update", before, after)
        return after

    async def delete_simple(self, entity: str, entity_id: str) -> None:
        spec = SIMPLE[entity]
        before = await self._get_row(spec.table, entity, entity_id)
        if entity == "did":
            raise NumbersByOperator()
        await self.repos.table(spec.table).delete(self.tenant_id, entity_id)
        await self._changed(entity, entity_id, "delete", before, None)

    # -- numbers and flows (ADR 0200: the numbers table is the one route) --------------------

    async def bind_numbers(self, flow: str, numbers: tuple[str, ...] | list[str]) -> None:
        """Route the center's `numbers` to `flow` (a published document's `dids`): the table
        row changes, audited; a number the center does not have is refused by its place."""
        table = self.repos.table(SIMPLE["did"].table)
        for index, number in enumerate(numbers):
            row = await table.find(None, "number", number)
            if row is None and number.startswith("+"):
                row = await table.find(None, "number", number.lstrip("+"))
            if row is None or row["tenant_id"] != self.tenant_id:
                raise NumberNotOurs(f"dids[{index}]", number)
            if row.get("flow") == flow:
                continue
            values = {"flow": flow, "updated_at": self.clock.now()}
            await table.update(self.tenant_id, row["id"], values)
            await self._changed("did", row["id"], "update", row, {**row, **values})

    async def numbers_using(self, flow: str) -> list[str]:
        rows, _ = await self.repos.table(SIMPLE["did"].table).list(
            self.tenant_id, filters={"flow": flow}, order_by="number", limit=10_000
        )
        return [str(r["number"]) for r in rows]

    async def check_flow_unused(self, flow: str) -> None:
        """Before a flow is deleted or renamed: refused while numbers route to it."""
        numbers = await self.numbers_using(flow)
        if numbers:
            raise FlowInUse(flow, numbers)

    # -- users -----------------------------------------------------------------------------------

    async def list_users(
        self, *, search: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows, total = await self.repos.table("users").list(
            self.tenant_id,
            search=search,
            search_fields=("username", "display_name"),
            order_by="username",
            limit=limit,
            offset=offset,
        )
        return [_user_view(r) for r in rows], total

    async def get_user(self, user_id: str) -> dict[str, Any]:
        return _user_view(await self._get_row("users", "user", user_id))

    async def _insert_user(
        self,
        username: str,
        display_name: str,
        password: str,
        roles: list[str],
        language: str | None,
        active: bool,
        email: str | None = None,
    ) -> dict[str, Any]:
        await self._unique("users", "user", "username", username, exclude_id=None)
        now = self.clock.now()
        row = {
            "id": new_id(now),
            "tenant_id": self.tenant_id,
            "username": username,
            "display_name": display_name,
            "password_hash": hash_password(password, context=[username, display_name]),
            "roles": roles,
            "language": language,
            "email": email,
            "active": active,
            "created_at": now,
            "updated_at": now,
        }
        await self.repos.table("users").insert(row)
        return row

    async def create_user(self, data: UserIn) -> dict[str, Any]:
        row = await self._insert_user(
            data.username,
            data.display_name,
            data.password,
            [str(r) for r in data.roles],
            data.language,
            data.active,
            str(data.email) if data.email else None,
        )
        await self._changed("user", row["id"], "create", None, row)
        return _user_view(row)

    async def update_user(self, user_id: str, data: UserUpdate) -> dict[str, Any]:
        before = await self._get_row("users", "user", user_id)
        if user_id == self.actor.user_id and ("admin" not in data.roles or not data.active):
            raise Conflict(
                "you cannot remove your own admin role or disable yourself",
                code="user.self_lockout",
                details={"field": "roles"},
            )
        values: dict[str, Any] = {
            "display_name": data.display_name,
            "roles": [str(r) for r in data.roles],
            "language": data.language,
            "email": str(data.email) if data.email else None,
            "active": data.active,
            "updated_at": self.clock.now(),
        }
        if data.password:
            values["password_hash"] = hash_password(
                data.password, context=[before["username"], data.display_name]
            )
        await self.repos.table("users").update(self.tenant_id, user_id, values)
        after = {**before, **values}
        await self._changed("user", user_id, "update", before, after)
        return _user_view(after)

    async def delete_user(self, user_id: str) -> None:
        if user_id == self.actor.user_id:
            raise Conflict("you cannot delete yourself", code="user.self_delete")
        before = await self._get_row("users", "user", user_id)
        await self.repos.table("users").delete(self.tenant_id, user_id)
        await self._changed("user", user_id, "delete", before, None)

    # -- agents ----------------------------------------------------------------------------------

    async def _agent_views(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        skills = await self.repos.links.agent_skills(ids)
        teams = await self.repos.links.agent_teams(ids)
        skill_names = {
            s["id"]: s["name"]
            for s in (await self.repos.table("skills").list(self.tenant_id, limit=100_000))[0]
        }
        team_names = {
            t["id"]: t["name"]
            for t in (await self.repos.table("teams").list(self.tenant_id, limit=100_000))[0]
        }
        user_ids = [r["user_id"] for r in rows]
        users = {
            u["id"]: u
            for u in (
                await self.repos.table("users").list(
                    self.tenant_id, ids=user_ids, limit=len(user_ids) or 1
                )
            )[0]
        }
        out = []
        for r in rows:
            user = users.get(r["user_id"], {})
            out.append(
                {
                    **r,
                    "username": user.get("username"),
                    "display_name": user.get("display_name"),
                    "skills": sorted(
                        (
                            {
                                "skill_id": s["skill_id"],
                                "name": skill_names.get(s["skill_id"]),
                                "proficiency": s["proficiency"],
                            }
                            for s in skills[r["id"]]
                        ),
                        key=lambda s: str(s["name"]),
                    ),
                    "team_ids": sorted(t["team_id"] for t in teams[r["id"]]),
                    "teams": sorted(team_names.get(t["team_id"], "") for t in teams[r["id"]]),
                }
            )
        return out

    async def list_agents(
        self, *, search: str | None, skill_id: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows, _ = await self.repos.table("agents").list(self.tenant_id, limit=100_000)
        views = await self._agent_views(rows)
        if search:
            s = search.lower()
            views = [
                v
                for v in views
                if s in (v["username"] or "").lower()
                or s in (v["display_name"] or "").lower()
                or s in (v["extension"] or "")
            ]
        if skill_id:
            views = [v for v in views if any(k["skill_id"] == skill_id for k in v["skills"])]
        views.sort(key=lambda v: str(v["username"]))
        return views[offset : offset + limit], len(views)

    async def get_agent(self, agent_id: str) -> dict[str, Any]:
        return (await self._agent_views([await self._get_row("agents", "agent", agent_id)]))[0]

    async def _check_agent(self, data: AgentIn, agent_id: str | None) -> None:
        await self._refs(
            "skills",
            [s.skill_id for s in data.skills],
            "skills[{index}].skill_id",
            "agent.skill.unknown",
        )
        await self._refs("teams", data.team_ids, "team_ids[{index}]", "agent.team.unknown")
        if data.extension:
            await self._unique("agents", "agent", "extension", data.extension, exclude_id=agent_id)
        if data.phone_mode == "sip" and not data.extension:
            raise InvalidInput(
                "a SIP phone needs an extension",
                code="agent.extension.required",
                details={"field": "extension"},
            )

    async def _write_agent_links(self, agent_id: str, data: AgentIn, username: str) -> None:
        await self.repos.links.replace(
            "agent_skills",
            "agent_id",
            agent_id,
            [{"skill_id": s.skill_id, "proficiency": s.proficiency} for s in data.skills],
        )
        await self.repos.links.replace(
            "agent_teams",
            "agent_id",
            agent_id,
            [{"team_id": t} for t in dict.fromkeys(data.team_ids)],
        )
        if data.sip_password and data.extension:
            check_strength(
                data.sip_password, context=[username, data.extension], field="sip_password"
            )
            ha1 = compute_ha1(data.extension, self.sip_realm, data.sip_password)
            now = self.clock.now()
            await self.repos.links.set_sip_credential(
                {
                    "id": new_id(now),
                    "tenant_id": self.tenant_id,
                    "agent_id": agent_id,
                    "realm": self.sip_realm,
                    "username": data.extension,
                    "ha1_md5": ha1.md5,
                    "ha1_sha256": ha1.sha256,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        elif not data.extension:
            await self.repos.links.delete_sip_credential(agent_id)

    async def create_agent(self, data: AgentIn) -> dict[str, Any]:
        if self.max_agents is not None:
            _, seats = await self.repos.table("agents").list(self.tenant_id, limit=1, offset=0)
            if not Limits(agents=self.max_agents).agents_allowed(seats):
                raise AgentLimitReached(self.max_agents)
        await self._check_agent(data, None)
        if data.phone_mode == "sip" and not data.sip_password:
            raise InvalidInput(
                "a SIP phone needs a SIP password",
                code="agent.sip_password.required",
                details={"field": "sip_password"},
            )
        if data.user_id:
            user = await self.repos.table("users").get(self.tenant_id, data.user_id)
            if user is None:
                raise UnknownReference(
                    f"user_id: no such user {data.user_id!r}",
                    code="agent.user.unknown",
                    details={"field": "user_id"},
                )
            if await self.repos.table("agents").find(self.tenant_id, "user_id", data.user_id):
                raise DuplicateName(
                    "this user already has an agent profile",
                    code="agent.user.taken",
                    details={"field": "user_id"},
                )
        else:
            for field in ("username", "display_name", "password"):
                if not getattr(data, field):
                    raise InvalidInput(
                        f"{field} is required to create the agent's user",
                        code="agent.user.incomplete",
                        details={"field": field},
                    )
            user = await self._insert_user(
                data.username or "",
                data.display_name or "",
                data.password or "",
                ["agent"],
                None,
                True,
            )
        now = self.clock.now()
        row = {
            "id": new_id(now),
            "tenant_id": self.tenant_id,
            "user_id": user["id"],
            "extension": data.extension,
            "phone_mode": data.phone_mode,
            "voice_capacity": data.voice_capacity,
            "chat_capacity": data.chat_capacity,
            "email_capacity": data.email_capacity,
            "text_during_call": data.text_during_call,
            "call_during_text": data.call_during_text,
            "created_at": now,
            "updated_at": now,
        }
        await self.repos.table("agents").insert(row)
        await self._write_agent_links(row["id"], data, user["username"])
        view = await self.get_agent(row["id"])
        await self._changed("agent", row["id"], "create", None, view)
        return view

    async def update_agent(self, agent_id: str, data: AgentIn) -> dict[str, Any]:
        before = await self.get_agent(agent_id)
        await self._check_agent(data, agent_id)
        if data.username and data.username != before["username"]:
            raise InvalidInput(
                "an agent's user name cannot change",
                code="agent.username.fixed",
                details={"field": "username"},
            )
        user_values: dict[str, Any] = {"updated_at": self.clock.now()}
        if data.display_name:
            user_values["display_name"] = data.display_name
        if data.password:
            user_values["password_hash"] = hash_password(
                data.password, context=[str(before["username"]), data.display_name or ""]
            )
        await self.repos.table("users").update(self.tenant_id, before["user_id"], user_values)
        await self.repos.table("agents").update(
            self.tenant_id,
            agent_id,
            {
                "extension": data.extension,
                "phone_mode": data.phone_mode,
                "voice_capacity": data.voice_capacity,
                "chat_capacity": data.chat_capacity,
                "email_capacity": data.email_capacity,
                "text_during_call": data.text_during_call,
                "call_during_text": data.call_during_text,
                "updated_at": self.clock.now(),
            },
        )
        await self._write_agent_links(agent_id, data, str(before["username"]))
        after = await self.get_agent(agent_id)
        await self._changed("agent", agent_id, "update", before, after)
        return after

    async def delete_agent(self, agent_id: str) -> None:
        before = await self.get_agent(agent_id)
        await self.repos.table("agents").delete(self.tenant_id, agent_id)
        user = await self.repos.table("users").get(self.tenant_id, before["user_id"])
        # The agent's login goes with the profile unless the person has other roles too.
        if (
            user is not None
            and list(user["roles"]) == ["agent"]
            and user["id"] != self.actor.user_id
        ):
            await self.repos.table("users").delete(self.tenant_id, user["id"])
        await self._changed("agent", agent_id, "delete", before, None)

    # -- queues ----------------------------------------------------------------------------------

    async def _queue_views(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        skills = await self.repos.links.queue_skills([r["id"] for r in rows])
        names = {
            s["id"]: s["name"]
            for s in (await self.repos.table("skills").list(self.tenant_id, limit=100_000))[0]
        }
        return [
            {
                **r,
                "skills": [
                    {
                        "skill_id": s["skill_id"],
                        "name": names.get(s["skill_id"]),
                        "min_proficiency": s["min_proficiency"],
                    }
                    for s in skills[r["id"]]
                ],
            }
            for r in rows
        ]

    async def list_queues(
        self, *, search: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows, total = await self.repos.table("queues").list(
            self.tenant_id,
            search=search,
            search_fields=("name", "display_name"),
            order_by="name",
            limit=limit,
            offset=offset,
        )
        return await self._queue_views(rows), total

    async def get_queue(self, queue_id: str) -> dict[str, Any]:
        return (await self._queue_views([await self._get_row("queues", "queue", queue_id)]))[0]

    async def _check_queue(self, data: QueueIn, queue_id: str | None) -> None:
        await self._unique("queues", "queue", "name", data.name, exclude_id=queue_id)
        await self._refs(
            "skills",
            [s.skill_id for s in data.skills],
            "skills[{index}].skill_id",
            "queue.skill.unknown",
        )
        if data.calendar_id:
            await self._refs(
                "calendars", [data.calendar_id], "calendar_id", "queue.calendar.unknown"
            )

    def _queue_values(self, data: QueueIn) -> dict[str, Any]:
        values = data.model_dump(mode="json", exclude={"skills"})
        return values

    async def create_queue(self, data: QueueIn) -> dict[str, Any]:
        await self._check_queue(data, None)
        now = self.clock.now()
        row = {
            "id": new_id(now),
            "tenant_id": self.tenant_id,
            **self._queue_values(data),
            "created_at": now,
            "updated_at": now,
        }
        await self.repos.table("queues").insert(row)
        await self.repos.links.replace(
            "queue_skills",
            "queue_id",
            row["id"],
            [{"skill_id": s.skill_id, "min_proficiency": s.min_proficiency} for s in data.skills],
        )
        view = await self.get_queue(row["id"])
        await self._changed("queue", row["id"], "create", None, view)
        return view

    async def update_queue(self, queue_id: str, data: QueueIn) -> dict[str, Any]:
        before = await self.get_queue(queue_id)
        await self._check_queue(data, queue_id)
        await self.repos.table("queues").update(
            self.tenant_id, queue_id, {**self._queue_values(data), "updated_at": self.clock.now()}
        )
        await self.repos.links.replace(
            "queue_skills",
            "queue_id",
            queue_id,
            [{"skill_id": s.skill_id, "min_proficiency": s.min_proficiency} for s in data.skills],
        )
        after = await self.get_queue(queue_id)
        await self._changed("queue", queue_id, "update", before, after)
        return after

    async def delete_queue(self, queue_id: str) -> None:
        before = await self.get_queue(queue_id)
        await self.repos.table("queues").delete(self.tenant_id, queue_id)
        await self._changed("queue", queue_id, "delete", before, None)


def _user_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "password_hash"}


def _redact(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        k: ("***" if k in {"password_hash", "password", "sip_password"} else v)
        for k, v in row.items()
    }
