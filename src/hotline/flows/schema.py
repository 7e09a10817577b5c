"""The flow document: a versioned graph of IVR / bot nodes, read from YAML or JSON by pydantic.

A flow names its `start` node and holds `nodes` keyed by id. Each node's `type` picks its model
below; fields that point at other nodes are node ids, checked by `validate.py` (which also parses
every expression and looks for unreachable nodes and loops that never wait). `Node.edges()` is
the one place that says which fields are branches and whether the caller has surely waited
(heard a prompt, or time passed) before the branch is taken.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from hotline.flows.hours import Calendar, check_timezone
from hotline.flows.skills import parse_skill

__all__ = [
    "NODE_TYPES",
    "Announcements",
    "BotNode",
    "Branch",
    "CallbackNode",
    "CollectNode",
    "ConditionNode",
    "Edge",
    "EmergencyNode",
    "Flow",
    "HangupNode",
    "HoursNode",
    "LookupNode",
    "MenuNode",
    "Node",
    "PlayNode",
    "Prompt",
    "Prompts",
    "QueueNode",
    "SetNode",
    "SmsNode",
    "SurveyNode",
    "TicketNode",
    "TicketStatusNode",
    "TransferNode",
    "VariableSpec",
    "VoicemailNode",
]


def _number_as_text(value: Any) -> Any:
    # YAML reads `1:` (a menu key), `4001` (a DID) and `true` (a condition) as numbers and
    # booleans; in these fields they are text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


AsText = BeforeValidator(_number_as_text)
NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")]
FlowName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
VariableName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
]
DtmfKey = Annotated[str, AsText, StringConstraints(pattern=r"^[0-9*#]$")]
ExpressionText = Annotated[str, AsText, StringConstraints(min_length=1, max_length=2000)]
Name64 = Annotated[str, AsText, StringConstraints(min_length=1, max_length=64)]


def _skill(text: str) -> str:
    parse_skill(text)
    return text


SkillSpec = Annotated[
    str, AsText, StringConstraints(min_length=1, max_length=72), AfterValidator(_skill)
]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Seconds = Annotated[float, Field(gt=0, le=3600)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Edge(NamedTuple):
    """A branch out of a node: the field holding it, the target id, and whether the caller has
    surely waited (heard a prompt or let time pass) before it is taken."""

    field: str
    target: str
    waits: bool


# --- prompts -----------------------------------------------------------------------------------


def _prompt_shorthand(value: Any) -> Any:
    # `prompt: 欢迎致电` is TTS in the flow's default language.
    return {"tts": value} if isinstance(value, str) else value


class Prompt(_Model):
    """What the caller hears: a recorded file (per language or for all) and/or TTS text.

    `tts` is either one text in the flow's default language or `{zh-CN: …, en: …}`. Text may
    name variables: `{caller.number}`, or `{caller.number:digits}` to read it digit by digit.
    `language` pins a prompt to one language whatever the caller's ("For English, press 9").
    """

    tts: str | dict[LanguageTag, str] | None = None
    file: str | None = None
    files: dict[LanguageTag, str] = Field(default_factory=dict)
    language: LanguageTag | None = None

    def texts(self, default_language: str) -> dict[str, str]:
        if self.tts is None:
            return {}
        if isinstance(self.tts, str):
            return {self.language or default_language: self.tts}
        return dict(self.tts)


def _one_or_many(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str | dict):
        return (value,)
    return value


PromptItem = Annotated[Prompt, BeforeValidator(_prompt_shorthand)]
Prompts = Annotated[tuple[PromptItem, ...], BeforeValidator(_one_or_many)]


# --- nodes -------------------------------------------------------------------------------------


class _Node(_Model):
    kind: ClassVar[str]
    title: str | None = None  # a label for diagrams and the screen pop's IVR path

    def edges(self) -> list[Edge]:
        return []

    def prompt_fields(self) -> dict[str, tuple[Prompt, ...]]:
        """Every prompt the node can play, by field name."""
        found: dict[str, tuple[Prompt, ...]] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, tuple) and value and isinstance(value[0], Prompt):
                found[name] = value
        return found

    def expression_fields(self) -> dict[str, str]:
        """Every expression the node evaluates, by field path."""
        return {}


class PlayNode(_Node):
    kind = "play"
    type: Literal["play"]
    prompt: Prompts
    interruptible: bool = False  # a key stops the prompt; the key is kept for the next menu
    next: NodeId

    def edges(self) -> list[Edge]:
        return [Edge("next", self.next, True)]


class MenuNode(_Node):
    kind = "menu"
    type: Literal["menu"]
    prompt: Prompts
    options: dict[DtmfKey, NodeId] = Field(min_length=1)
    timeout: Seconds = 5.0
    retries: Annotated[int, Field(ge=0, le=9)] = 2
    invalid_prompt: Prompts = ()
    timeout_prompt: Prompts = ()
    on_failure: NodeId | None = None  # after the last retry; none = hang up
    variable: VariableName | None = None

    def edges(self) -> list[Edge]:
        found = [Edge(f"options.{key}", target, True) for key, target in self.options.items()]
        if self.on_failure is not None:
            found.append(Edge("on_failure", self.on_failure, True))
        return found


class CollectNode(_Node):
    kind = "collect"
    type: Literal["collect"]
    prompt: Prompts
    variable: VariableName
    min_digits: Annotated[int, Field(ge=1, le=64)] = 1
    max_digits: Annotated[int, Field(ge=1, le=64)] = 20
    terminator: DtmfKey | None = "#"
    pattern: str | None = None  # a regular expression the whole entry must match
    timeout: Seconds = 6.0  # for the first key
    inter_digit_timeout: Seconds = 3.0
    retries: Annotated[int, Field(ge=0, le=9)] = 2
    invalid_prompt: Prompts = ()
    timeout_prompt: Prompts = ()
    sensitive: bool = False  # mask the digits in events and the screen pop (PINs, card numbers)
    next: NodeId
    on_failure: NodeId | None = None

    def edges(self) -> list[Edge]:
        found = [Edge("next", self.next, True)]
        if self.on_failure is not None:
            found.append(Edge("on_failure", self.on_failure, True))
        return found


class Branch(_Model):
    when: ExpressionText
    next: NodeId


class ConditionNode(_Node):
    kind = "condition"
    type: Literal["condition"]
    branches: tuple[Branch, ...] = Field(min_length=1)
    otherwise: NodeId

    def edges(self) -> list[Edge]:
        found = [Edge(f"branches.{i}.next", b.next, False) for i, b in enumerate(self.branches)]
        return [*found, Edge("otherwise", self.otherwise, False)]

    def expression_fields(self) -> dict[str, str]:
        return {f"branches.{i}.when": b.when for i, b in enumerate(self.branches)}


class HoursNode(_Node):
    kind = "hours"
    type: Literal["hours"]
    calendar: str
    open: NodeId
    closed: NodeId
    holiday: NodeId | None = None  # none = same as closed

    def edges(self) -> list[Edge]:
        found = [Edge("open", self.open, False), Edge("closed", self.closed, False)]
        if self.holiday is not None:
            found.append(Edge("holiday", self.holiday, False))
        return found


class LookupNode(_Node):
    """Ask the port for data: the customer by caller id, or an HTTP webhook (with a timeout).

    Results land in `<store_as>.found` and `<store_as>.<field>` variables."""

    kind = "lookup"
    type: Literal["lookup"]
    source: Literal["customer", "webhook"] = "customer"
    key: ExpressionText = "caller.number"
    url: str | None = None
    params: dict[str, ExpressionText] = Field(default_factory=dict)
    timeout: Annotated[float, Field(gt=0, le=30)] = 3.0
    store_as: VariableName = "customer"
    found: NodeId
    not_found: NodeId
    failed: NodeId | None = None  # timeout or error; none = same as not_found

    def edges(self) -> list[Edge]:
        # A lookup can fail at once (connection refused), so it is no wait.
        found = [Edge("found", self.found, False), Edge("not_found", self.not_found, False)]
        if self.failed is not None:
            found.append(Edge("failed", self.failed, False))
        return found

    def expression_fields(self) -> dict[str, str]:
        return {"key": self.key, **{f"params.{k}": v for k, v in self.params.items()}}


class SetNode(_Node):
    kind = "set"
    type: Literal["set"]
    assign: dict[VariableName, ExpressionText] = Field(min_length=1)
    next: NodeId

    def edges(self) -> list[Edge]:
        return [Edge("next", self.next, False)]

    def expression_fields(self) -> dict[str, str]:
        return {f"assign.{k}": v for k, v in self.assign.items()}


class Announcements(_Model):
    """What a queued caller hears; `position`/`ewt` are read out by interactions/ from the
    router's `Announce` decisions ("您前面还有3位，预计等待2分钟")."""

    position: bool = True
    ewt: bool = True
    every: Annotated[float, Field(ge=10, le=600)] = 45.0
    prompt: Prompts = ()
    music: str | None = None


class QueueNode(_Node):
    kind = "queue"
    type: Literal["queue"]
    queue: Name64
    priority: int | ExpressionText = 0  # a number, or an expression such as customer.vip_level
    skills: tuple[SkillSpec, ...] = ()
    announcements: Announcements = Announcements()
    max_wait: Annotated[float, Field(ge=5, le=86_400)] | None = None
    no_answer: NodeId | None = None  # nobody answered within max_wait; none = hang up
    unavailable: NodeId | None = None  # no agent logged in / queue closed; none = no_answer
    callback: NodeId | None = None  # a callback node, run when the router offers a callback
    after: NodeId | None = None  # when the agent hangs up first (post-call survey)

    def edges(self) -> list[Edge]:
        found: list[Edge] = []
        if self.callback is not None:
            found.append(Edge("callback", self.callback, True))
        if self.no_answer is not None:
            # Without its own `unavailable` branch, `no_answer` can be taken at once.
            found.append(Edge("no_answer", self.no_answer, self.unavailable is not None))
        if self.unavailable is not None:
            found.append(Edge("unavailable", self.unavailable, False))
        if self.after is not None:
            found.append(Edge("after", self.after, True))
        return found

    def expression_fields(self) -> dict[str, str]:
        return {"priority": self.priority} if isinstance(self.priority, str) else {}


Priority = Literal["low", "normal", "high", "urgent"]


class VoicemailTicket(_Model):
    """A voicemail in this mailbox opens a ticket in `department` (ADR 0162): linked to the
    contact (so to its recording and the caller's number) and to the caller's customer.
    `subject` may name variables; empty: "语音留言 <number>" / "Voicemail from <number>"."""

    department: Name64
    category: Name64 | None = None
    priority: Priority = "normal"
    subject: Annotated[str, AsText, StringConstraints(max_length=200)] = ""


class VoicemailNode(_Node):
    kind = "voicemail"
    type: Literal["voicemail"]
    greeting: Prompts = ()
    mailbox: Name64 = "default"
    beep: bool = True
    max_length: Annotated[float, Field(ge=5, le=600)] = 120.0
    silence_end: Annotated[float, Field(ge=1, le=60)] = 5.0
    email: tuple[Email, ...] = ()  # who gets the notice
    ticket: VoicemailTicket | None = None  # a message left here opens a ticket
    next: NodeId | None = None  # none = hang up

    def edges(self) -> list[Edge]:
        return [] if self.next is None else [Edge("next", self.next, True)]


class CallbackNode(_Node):
    """Offer a callback that keeps the caller's place in line; confirm the number by keys.

    Reached from a queue node's `callback` branch when the router offers a callback: the
    caller is still in line meanwhile (an agent may still answer). `declined` usually leads
    back to the queue node, which resumes the wait at the same place."""

    kind = "callback"
    type: Literal["callback"]
    queue: Name64
    prompt: Prompts
    accept_key: DtmfKey = "1"
    decline_key: DtmfKey = "2"
    confirm_prompt: Prompts
    confirm_key: DtmfKey = "1"
    change_key: DtmfKey = "2"
    number_prompt: Prompts
    number_pattern: str = r"[0-9]{5,20}"
    invalid_prompt: Prompts = ()
    timeout: Seconds = 6.0
    retries: Annotated[int, Field(ge=0, le=9)] = 2
    accepted: NodeId
    declined: NodeId
    failed: NodeId | None = None  # no valid answer, or the router refused; none = declined

    def edges(self) -> list[Edge]:
        found = [Edge("accepted", self.accepted, True), Edge("declined", self.declined, True)]
        if self.failed is not None:
            found.append(Edge("failed", self.failed, True))
        return found


class TransferNode(_Node):
    kind = "transfer"
    type: Literal["transfer"]
    to: Literal["number", "agent", "queue"]
    target: Annotated[str, AsText, StringConstraints(min_length=1, max_length=128)]  # {var} ok
    trunk: Name64 | None = None
    caller_id: Annotated[str, AsText, StringConstraints(max_length=64)] | None = None
    timeout: Annotated[float, Field(ge=5, le=300)] = 30.0
    prompt: Prompts = ()  # "正在为您转接"
    on_failure: NodeId | None = None  # none = hang up

    def edges(self) -> list[Edge]:
        if self.on_failure is None:
            return []
        return [Edge("on_failure", self.on_failure, bool(self.prompt))]


class SurveyNode(_Node):
    kind = "survey"
    type: Literal["survey"]
    prompt: Prompts
    scale: Annotated[int, Field(ge=2, le=9)] = 5
    timeout: Seconds = 6.0
    retries: Annotated[int, Field(ge=0, le=9)] = 1
    invalid_prompt: Prompts = ()
    thanks: Prompts = ()
    variable: VariableName = "survey.rating"
    next: NodeId | None = None  # none = hang up
    # The survey definition and its question this node asks (docs/quality.md): the answer is
    # stored under them; a `satisfied` / `solved` question takes 1 (满意 / yes) and 2 (no).
    survey: Name64 | None = None
    question: Name64 | None = None
    answers: Literal["scale", "satisfied", "solved"] = "scale"

    def edges(self) -> list[Edge]:
        return [] if self.next is None else [Edge("next", self.next, True)]


class TicketNode(_Node):
    """Open a ticket about this contact and read its number to the caller digit by digit.

    The ticket is linked to the contact (so to the caller's number) and to the customer the
    caller is; `department`, `category`, `priority`, `subject` and `description` come from
    here (`subject`/`description` may name variables). `ticket.number`, `.id`, `.status` and
    `.status_text` hold it for later nodes; `prompt` reads it (`{ticket.number:digits}`).
    A ticket that cannot be opened (no such department, refused) takes `error`."""

    kind = "ticket"
    type: Literal["ticket"]
    department: Name64
    subject: Annotated[str, AsText, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    category: Name64 | None = None
    priority: Priority = "normal"
    prompt: Prompts = ()  # none: the built-in text (zh-CN or en, see flows/ticket_speech.py)
    next: NodeId | None = None  # none = hang up
    error: NodeId | None = None  # none = hang up

    def edges(self) -> list[Edge]:
        found = [] if self.next is None else [Edge("next", self.next, True)]
        if self.error is not None:
            # Refused at once (no such department): no wait before the branch.
            found.append(Edge("error", self.error, False))
        return found


class TicketStatusNode(_Node):
    """Self-service: read the status of the ticket whose number `number` holds (an entry from
    a collect node). `found` after the status is read (`prompt`, in the caller's language);
    `not_found` when no ticket has that number; `invalid` when the entry is not a ticket
    number at all (not 5–12 digits); `error` when the tickets cannot be asked."""

    kind = "ticket_status"
    type: Literal["ticket_status"]
    number: ExpressionText = "ticket_entry"
    prompt: Prompts = ()  # none: the built-in text
    found: NodeId | None = None  # none = hang up
    not_found: NodeId
    invalid: NodeId | None = None  # none = not_found
    error: NodeId | None = None  # none = not_found

    def edges(self) -> list[Edge]:
        found = [Edge("not_found", self.not_found, False)]
        for name in ("found", "invalid", "error"):
            target = getattr(self, name)
            if target is not None:
                found.append(Edge(name, target, name == "found"))
        return found

    def expression_fields(self) -> dict[str, str]:
        return {"number": self.number}


TemplateField = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]


class SmsNode(_Node):
    """Text the caller, e.g. the overflow step "we will text you a link": the center's SMS
    template `template` in the caller's language, its fields filled from `values`
    (expressions: `"'https://help.example/s'"`, `caller.number`), sent to `to` (the caller's
    number unless said). The SMS channel sends it after the flow goes on; `prompt` tells the
    caller. A number that cannot be worked out sends nothing and goes on all the same."""

    kind = "sms"
    type: Literal["sms"]
    template: Name64
    to: ExpressionText = "caller.number"
    values: dict[TemplateField, ExpressionText] = Field(default_factory=dict)
    prompt: Prompts = ()  # "我们已将自助服务链接发送到您的手机"
    next: NodeId | None = None  # none = hang up

    def edges(self) -> list[Edge]:
        return [] if self.next is None else [Edge("next", self.next, bool(self.prompt))]

    def expression_fields(self) -> dict[str, str]:
        return {"to": self.to, **{f"values.{k}": v for k, v in self.values.items()}}


Share = Annotated[float, Field(ge=0, le=1)]


class BotNode(_Node):
    """Answer the customer from the knowledge base (ADR 0256): each message is searched, an
    article that covers the question well enough (`answer_at`) is the answer, a near miss
    (`offer_at`) offers the best few to pick from, anything else asks again. The bot hands
    off (`hand_off`, normally a queue node) when the customer asks for a person ("转人工",
    "agent"), when nothing comes near the question (`hand_off_below`) or after
    `max_failed_turns` turns without an answer; `bot.hand_off_reason` says which. On calls the
    customer speaks (speech recognition); without a recognizer the bot hands off at once.
    `no_reply`: the customer said nothing for `timeout` seconds (none = end the contact)."""

    kind = "bot"
    type: Literal["bot"]
    prompt: Prompts = ()  # the greeting: "您好，我是智能客服，请问有什么可以帮您？"
    again: Prompts = ()  # after an answer: "还有其他问题吗？"
    answer_at: Share = 0.5
    offer_at: Share = 0.3
    hand_off_below: Share = 0.15
    max_failed_turns: Annotated[int, Field(ge=1, le=9)] = 2
    audience: Literal["public", "internal"] = "public"
    timeout: Seconds = 300.0
    hand_off: NodeId
    no_reply: NodeId | None = None  # none = end the contact

    def edges(self) -> list[Edge]:
        found = [Edge("hand_off", self.hand_off, True)]
        if self.no_reply is not None:
            found.append(Edge("no_reply", self.no_reply, True))
        return found


class EmergencyNode(_Node):
    """While the tenant's emergency switch is on, play the announcement and take `reroute`."""

    kind = "emergency"
    type: Literal["emergency"]
    announcement: Prompts
    reroute: NodeId
    next: NodeId

    def edges(self) -> list[Edge]:
        return [Edge("reroute", self.reroute, True), Edge("next", self.next, False)]


class HangupNode(_Node):
    kind = "hangup"
    type: Literal["hangup"]
    prompt: Prompts = ()
    cause: Literal["normal", "busy", "rejected", "no_answer", "unavailable"] = "normal"


Node = Annotated[
    PlayNode
    | MenuNode
    | CollectNode
    | ConditionNode
    | HoursNode
    | LookupNode
    | SetNode
    | QueueNode
    | VoicemailNode
    | CallbackNode
    | TransferNode
    | SurveyNode
    | TicketNode
    | TicketStatusNode
    | SmsNode
    | BotNode
    | EmergencyNode
    | HangupNode,
    Field(discriminator="type"),
]

NODE_TYPES: dict[str, type[_Node]] = {
    cls.kind: cls
    for cls in (
        PlayNode,
        MenuNode,
        CollectNode,
        ConditionNode,
        HoursNode,
        LookupNode,
        SetNode,
        QueueNode,
        VoicemailNode,
        CallbackNode,
        TransferNode,
        SurveyNode,
        TicketNode,
        TicketStatusNode,
        SmsNode,
        BotNode,
        EmergencyNode,
        HangupNode,
    )
}


# --- the flow ----------------------------------------------------------------------------------


class VariableSpec(_Model):
    type: Literal["string", "integer", "number", "boolean"]
    default: str | int | float | bool | None = None
    description: str | None = None


class Flow(_Model):
    """One flow document. Published copies are immutable (see `versioning.py`)."""

    format: Literal[1] = 1
    name: FlowName
    title: str | None = None
    description: str | None = None
    language: LanguageTag = "zh-CN"
    languages: tuple[LanguageTag, ...] = ()  # prompts may carry these; default = (language,)
    timezone: Annotated[str, AfterValidator(check_timezone)] = "Asia/Shanghai"
    dids: tuple[Annotated[str, AsText, StringConstraints(pattern=r"^\+?[0-9]{1,20}$")], ...] = ()
    start: NodeId
    variables: dict[VariableName, VariableSpec] = Field(default_factory=dict)
    calendars: dict[NodeId, Calendar] = Field(default_factory=dict)
    nodes: dict[NodeId, Node] = Field(min_length=1)

    @property
    def all_languages(self) -> tuple[str, ...]:
        rest = tuple(lang for lang in self.languages if lang != self.language)
        return (self.language, *rest)
