"""Hints during service (服务提示, ADR 0164): rules on the customer's fields and history that
the screen pop shows the agent — "device older than 24 months → suggest the upgrade offer" —
and the agent's response (offered, accepted, declined), recorded for reports.

A rule's condition is the flows' condition language (`customer.device_bought.months >= 24
and customer.vip_level >= 1`) over the names `hint_scope` gives; its texts (zh-CN, en) may
quote them (`已使用 {customer.device_bought.months} 个月`). Rules are pure: a condition that
cannot be evaluated for a customer (text compared with a number) shows no hint, it never
breaks the screen pop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hotline.errors import HotlineError, NotFound
from hotline.events import DomainEvent, domain_event
from hotline.flows.evaluate import evaluate_bool
from hotline.flows.expression import Expression, parse_expression
from hotline.flows.prompts import fill_template, template_fields
from hotline.ids import new_id

__all__ = [
    "HintResponded",
    "HintResponse",
    "HintRule",
    "HintRuleIn",
    "HintService",
    "HintStore",
    "hint_scope",
    "matching_hints",
    "months_between",
]


class HintResponse(StrEnum):
    OFFERED = "offered"  # 已推荐: the agent made the offer
    ACCEPTED = "accepted"  # 客户接受
    DECLINED = "declined"  # 客户拒绝


@domain_event("customer.hint_responded")
class HintResponded(DomainEvent):
    """What the agent did with a hint on this contact (reports count these)."""

    rule_id: str
    rule_name: str
    customer_id: str | None
    response: str
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class HintRule:
    id: str
    name: str
    condition: str
    text_zh: str
    text_en: str
    position: int = 0
    active: bool = True

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> HintRule:
        return cls(
            id=str(row["id"]), name=str(row["name"]), condition=str(row["condition"]),
            text_zh=str(row["text_zh"]), text_en=str(row["text_en"]),
            position=int(row.get("position") or 0), active=bool(row.get("active", True)),
        )  # fmt: skip


_PREFIX = "customer."
HintText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class HintRuleIn(BaseModel):
    """A hint rule as the admin page sends it; the condition is parsed and may read only the
    customer's names (`customer.…`)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    condition: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ]
    text_zh: HintText
    text_en: HintText
    position: int = Field(0, ge=0, le=10_000)
    active: bool = True

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str) -> str:
        try:
            parsed = parse_expression(value)
        except HotlineError as exc:
            raise ValueError(exc.message) from None
        outside = sorted(n for n in parsed.names() if not n.startswith(_PREFIX))
        if outside:
            raise ValueError(f"a hint reads only customer.… names, not {outside[0]!r}")
        return value

    @field_validator("text_zh", "text_en")
    @classmethod
    def _text(cls, value: str) -> str:
        found, problems = template_fields(value)
        if problems:
            raise ValueError(problems[0])
        outside = [f.name for f in found if not f.name.startswith(_PREFIX)]
        if outside:
            raise ValueError(f"a hint quotes only customer.… names, not {outside[0]!r}")
        return value


def months_between(start: dt.date, today: dt.date) -> int:
    """Whole months from `start` to `today` (a date 2 years ago: 24)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - (1 if today.day < start.day else 0)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def hint_scope(
    customer: Mapping[str, Any], summary: Mapping[str, Any], today: dt.date, now: float
) -> dict[str, Any]:
    """The names a hint may read: `customer.name`, `.vip_level`, `.tags`, each custom field
    (`customer.<key>`; a date field also as `customer.<key>.months`, whole months since) and
    the history: `.contacts`, `.open_tickets`, `.tickets`, `.csat_average`,
    `.days_since_last_contact`."""
    scope: dict[str, Any] = {
        "customer.name": customer.get("name"),
        "customer.vip_level": int(customer.get("vip_level") or 0),
        "customer.tags": tuple(customer.get("tags") or ()),
        "customer.contacts": int(summary.get("contacts") or 0),
        "customer.open_tickets": int(summary.get("open_tickets") or 0),
        "customer.tickets": int(summary.get("tickets") or 0),
        "customer.csat_average": summary.get("csat_average"),
    }
    last = summary.get("last_contact_at")
    scope["customer.days_since_last_contact"] = (
        int((now - float(last)) // 86400) if isinstance(last, int | float) else None
    )
    for key, value in dict(customer.get("custom") or {}).items():
        scope[f"{_PREFIX}{key}"] = _value(value)
        day = _date(value)
        if day is not None:
            scope[f"{_PREFIX}{key}.months"] = months_between(day, today)
    return scope


def matching_hints(
    rules: Sequence[HintRule], scope: Mapping[str, Any], language: str
) -> list[dict[str, Any]]:
    """The active rules whose condition holds, in order, each with its text filled in the
    agent's language."""
    shown: list[dict[str, Any]] = []
    for rule in sorted(rules, key=lambda r: (r.position, r.name)):
        if not rule.active:
            continue
        try:
            expression: Expression = parse_expression(rule.condition)
            if not evaluate_bool(expression, scope):
                continue
        except HotlineError:
            continue  # this customer's values do not fit the rule: no hint
        template = rule.text_zh if language.lower().startswith("zh") else rule.text_en
        shown.append({"rule_id": rule.id, "name": rule.name,
                      "text": fill_template(template, scope)})  # fmt: skip
    return shown


class HintStore(Protocol):
    async def rules(self, tenant_id: str) -> list[HintRule]: ...
    async def rule(self, tenant_id: str, rule_id: str) -> HintRule | None: ...
    async def add_response(self, row: Mapping[str, Any]) -> None: ...
    async def responses(self, tenant_id: str, interaction_id: str) -> dict[str, str]:
        """rule id → the last response on this contact."""
        ...

    async def counts(self, tenant_id: str, since: float, until: float) -> list[dict[str, Any]]: ...


class HintRuleNotFound(NotFound):
    def __init__(self, rule_id: str) -> None:
        super().__init__("No such hint.", code="hint.not_found", details={"id": rule_id})


class HintService:
    def __init__(
        self,
        store: HintStore,
        *,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
        user_id: str | None = None,
        agent_id: str | None = None,
    ) -> None:
        self.store = store
        self.tenant = tenant_id
        self.emit = emit
        self.now = now
        self.user_id = user_id
        self.agent_id = agent_id

    async def for_contact(
        self,
        interaction_id: str,
        customer: Mapping[str, Any] | None,
        summary: Mapping[str, Any],
        *,
        language: str,
        today: dt.date,
    ) -> list[dict[str, Any]]:
        """The hints for the customer on this contact, each with the agent's last response."""
        if customer is None:
            return []
        rules = await self.store.rules(self.tenant)
        shown = matching_hints(rules, hint_scope(customer, summary, today, self.now()), language)
        answered = await self.store.responses(self.tenant, interaction_id)
        return [{**hint, "response": answered.get(hint["rule_id"])} for hint in shown]

    async def respond(
        self, interaction_id: str, rule_id: str, response: HintResponse, customer_id: str | None
    ) -> dict[str, Any]:
        rule = await self.store.rule(self.tenant, rule_id)
        if rule is None:
            raise HintRuleNotFound(rule_id)
        at = self.now()
        row = {
            "id": new_id(at), "tenant_id": self.tenant, "rule_id": rule.id,
            "interaction_id": interaction_id, "customer_id": customer_id,
            "user_id": self.user_id, "response": response.value, "at": at,
        }  # fmt: skip
        await self.store.add_response(row)
        self.emit(
            HintResponded(
                tenant_id=self.tenant, at=at, interaction_id=interaction_id,
                agent_id=self.agent_id, rule_id=rule.id, rule_name=rule.name,
                customer_id=customer_id, response=response.value, user_id=self.user_id,
            )
        )  # fmt: skip
        return row

    async def report(self, since: float, until: float) -> list[dict[str, Any]]:
        """Per rule: how often it was offered, accepted and declined in [since, until)."""
        return await self.store.counts(self.tenant, since, until)
