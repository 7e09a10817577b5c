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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.errors import HotlineError, InvalidInput, NotFound
from hotline.events import DomainEvent, domain_event
from hotline.flows.errors import ExpressionSyntaxError
from hotline.flows.evaluate import evaluate_bool
from hotline.flows.expression import Expression, parse_expression
from hotline.flows.prompts import fill_template, template_fields
from hotline.ids import new_id

__all__ = [
    "BUILT_IN_NAMES",
    "HINT_TEMPLATES",
    "HintResponded",
    "HintResponse",
    "HintRule",
    "HintRuleIn",
    "HintRuleInvalid",
    "HintService",
    "HintStore",
    "check_hint_rule",
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
    """A hint rule as the admin page sends it. Its condition and texts are checked against the
    center's custom fields by `check_hint_rule` when it is saved."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    condition: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ]
    text_zh: HintText
    text_en: HintText
    position: int = Field(0, ge=0, le=10_000)
    active: bool = True


# What a hint reads besides the custom fields (`hint_scope`).
BUILT_IN_NAMES = frozenset(
    {"name", "vip_level", "tags", "contacts", "open_tickets", "tickets", "csat_average",
     "days_since_last_contact"}
)  # fmt: skip
_MONTHS = "months"

# Why a rule is refused: message ids of the UI catalog, said after the field's label in the
# user's language (ADR 0125); a parser's reason is said from its own template.
_AT_COLUMN = "%(reason)s (column %(column)s)"
_OUTSIDE = "reads only customer.… names, not %(name)s"
_UNKNOWN_FIELD = "customer.%(key)s: the customer has no such field"
_NOT_A_DATE = "customer.%(key)s.months: only a date field counts months, and %(key)s is not one"
_UNKNOWN_PART = "%(name)s: a hint cannot read this name"
_BRACES = "%(problem)s"
HINT_TEMPLATES = (_AT_COLUMN, _OUTSIDE, _UNKNOWN_FIELD, _NOT_A_DATE, _UNKNOWN_PART)


class HintRuleInvalid(InvalidInput):
    """A rule's condition or text is refused: `field` names the form's field, `template` and
    `params` say why."""

    def __init__(self, field: str, template: str, **params: Any) -> None:
        flat = {k: v["message"] if isinstance(v, dict) else v for k, v in params.items()}
        super().__init__(
            f"{field}: {template % flat}",
            code="hint.rule.invalid",
            details={"field": field, "template": template, "params": params},
        )


def _syntax(field: str, exc: ExpressionSyntaxError) -> HintRuleInvalid:
    reason = {"template": exc.template, "params": exc.params, "message": exc.reason}
    return HintRuleInvalid(field, _AT_COLUMN, reason=reason, column=exc.position + 1)


def _check_name(field: str, name: str, fields: Mapping[str, str]) -> None:
    if not name.startswith(_PREFIX):
        raise HintRuleInvalid(field, _OUTSIDE, name=name)
    parts = name[len(_PREFIX) :].split(".")
    key = parts[0]
    if len(parts) == 1 and (key in BUILT_IN_NAMES or key in fields):
        return
    if key not in fields and key not in BUILT_IN_NAMES:
        raise HintRuleInvalid(field, _UNKNOWN_FIELD, key=key)
    if parts[1:] == [_MONTHS] and key in fields:
        if fields[key] != "date":
            raise HintRuleInvalid(field, _NOT_A_DATE, key=key)
        return
    raise HintRuleInvalid(field, _UNKNOWN_PART, name=name)


def check_hint_rule(rule: HintRuleIn, fields: Mapping[str, str]) -> None:
    """Refuse a rule whose condition does not parse, or whose condition or texts read a name
    the screen pop never has: outside `customer.…`, a custom field the center does not define
    (`fields`: key → type), `.months` of a field that is not a date."""
    try:
        expression = parse_expression(rule.condition)
    except ExpressionSyntaxError as exc:
        raise _syntax("condition", exc) from None
    for name in sorted(expression.names()):
        _check_name("condition", name, fields)
    for field in ("text_zh", "text_en"):
        found, problems = template_fields(getattr(rule, field))
        if problems:
            raise HintRuleInvalid(field, _BRACES, problem=problems[0])
        for item in found:
            _check_name(field, item.name, fields)


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
