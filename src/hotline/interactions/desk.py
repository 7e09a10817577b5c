"""The agent desktop's read model: what each agent's desk shows, kept from events alone (DESIGN
§10, docs/desk-api.md) — state from the router's `agent.state_changed`, the work in front of
the agent from `queue.offered` / `queue.answered` / `agent.interaction_ended` /
`agent.wrap_up_*`, the call's details from `call.held`, `agent.muted`, `recording.paused`, the
consultation events, and the phone from `agent.phone_bound` and the devices' own events.

Pure and synchronous: feed it every event in order (`apply`: a `DomainEvent` as it is emitted, or
an `EventRecord` from the log when rebuilding) and ask for `view(tenant, agent)`. `changed`
names the agents whose desk an event may have changed, so a desk page is sent its desk exactly
when something happened — never on a timer.

A desk holds one voice contact and text contacts (chat, SMS, e-mail) side by side (ADR 0224):
`current` is always the call — the call panel follows it — and `texts` are the conversations,
which the conversation pane shows; a chat taken during a call never takes the call's place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotline.events import DomainEvent, EventRecord
from hotline.routing import is_personal

__all__ = [
    "VOICE",
    "CallView",
    "ConsultView",
    "DeskBoard",
    "DeskView",
    "PhoneView",
    "TextView",
    "WrapUpView",
]

VOICE = "voice"  # the channel of a call (`interaction.created`); every other one is text


@dataclass(frozen=True, slots=True)
class PhoneView:
    kind: str  # "sip" | "browser"
    address: str  # the extension, or the browser session's key
    connected: bool  # registered / WebRTC session connected


@dataclass(frozen=True, slots=True)
class ConsultView:
    target: str
    target_kind: str  # "agent" | "queue" | "number"
    phase: str  # "ringing" | "connected"


@dataclass(frozen=True, slots=True)
class CallView:
    interaction_id: str  # the customer contact
    work_id: str  # the agent's segment (or the offer ringing it)
    phase: str  # "ringing" | "connected" | "held" | "consulting" | "conference" | "wrap_up"
    customer_number: str | None
    queue_id: str | None
    muted: bool
    recording_paused: bool
    since: float
    consult: ConsultView | None = None


@dataclass(frozen=True, slots=True)
class TextView:
    """One text contact on the desk, beside the call: offered, connected, or in wrap-up."""

    interaction_id: str
    work_id: str
    channel: str  # "chat" | "sms" | "email"
    phase: str  # "ringing" | "connected" | "wrap_up"
    queue_id: str | None
    since: float


@dataclass(frozen=True, slots=True)
class WrapUpView:
    interaction_id: str
    work_id: str
    queue_id: str | None
    ends_at: float | None
    overrun_since: float | None = None  # the timer ran out waiting for a disposition


@dataclass(frozen=True, slots=True)
class DeskView:
    agent_id: str
    state: str
    reason: str | None
    since: float
    phone: PhoneView | None  # None: not logged in at a phone
    current: CallView | None  # the voice contact only: the call panel's
    wrap_up: WrapUpView | None  # the latest wrap-up, of a call or of a text contact
    texts: tuple[TextView, ...] = ()  # text contacts beside the call, oldest first


@dataclass
class _Work:
    work_id: str
    contact_id: str
    queue_id: str | None
    since: float
    ends_at: float | None = None
    overrun_since: float | None = None


@dataclass
class _Consult:
    target: str
    kind: str
    work_id: str | None
    answered: bool = False


@dataclass
class _Agent:
    state: str = "logged_out"
    reason: str | None = None
    since: float = 0.0
    phone: tuple[str, str] | None = None  # (kind, address)
    connected: bool = False
    ringing: dict[str, _Work] = field(default_factory=dict)
    talking: dict[str, _Work] = field(default_factory=dict)
    wrapping: dict[str, _Work] = field(default_factory=dict)
    muted: bool = False
    consult: _Consult | None = None


@dataclass
class _Contact:
    channel: str = VOICE
    number: str | None = None
    queue_id: str | None = None
    held: bool = False
    held_since: float = 0.0
    recording_paused: bool = False
    conference: bool = False
    consulted: set[str] = field(default_factory=set)  # agents in a consultation, not primary


@dataclass
class _Tenant:
    tenant_id: str
    agents: dict[str, _Agent] = field(default_factory=dict)
    contacts: dict[str, _Contact] = field(default_factory=dict)
    consults: dict[str, str] = field(default_factory=dict)  # consult work → consulting agent

    def agent(self, agent_id: str) -> _Agent:
        found = self.agents.get(agent_id)
        if found is None:
            found = self.agents[agent_id] = _Agent()
        return found

    def contact(self, contact_id: str) -> _Contact:
        found = self.contacts.get(contact_id)
        if found is None:
            found = self.contacts[contact_id] = _Contact()
        return found

    def agents_on(self, contact_id: str) -> list[str]:
        return [
            agent_id
            for agent_id, agent in self.agents.items()
            if any(w.contact_id == contact_id for w in agent.talking.values())
        ]


@dataclass(frozen=True, slots=True)
class _Envelope:
    tenant_id: str
    at: float
    interaction_id: str | None
    agent_id: str | None


_Handler = Callable[[_Tenant, _Envelope, Mapping[str, Any]], None]


class DeskBoard:
    """Every agent's desk of every tenant, from events."""

    def __init__(self) -> None:
        self._tenants: dict[str, _Tenant] = {}
        self.changed: set[tuple[str, str]] = set()  # (tenant, agent) since `take_changed`
        self._handlers: dict[str, _Handler] = {
            "agent.state_changed": self._state,
            "queue.entered": self._entered,
            "queue.offered": self._offered,
            "queue.offer_failed": self._offer_failed,
            "queue.answered": self._answered,
            "agent.interaction_ended": self._talk_ended,
            "agent.wrap_up_extended": self._extended,
            "agent.wrap_up_overrun": self._overrun,
            "agent.wrap_up_ended": self._wrapped,
            "interaction.created": self._created,
            "interaction.ended": self._contact_ended,
            "interaction.consult_started": self._consult_started,
            "interaction.consult_ended": self._consult_ended,
            "call.held": self._held,
            "call.resumed": self._resumed,
            "agent.muted": self._muted,
            "recording.paused": lambda t, r, p: self._recording(t, r, True),
            "recording.resumed": lambda t, r, p: self._recording(t, r, False),
            "agent.phone_bound": self._bound,
            "agent.phone_unbound": self._unbound,
            "sip.registered": lambda t, r, p: self._sip(t, p, True),
            "sip.unregistered": lambda t, r, p: self._sip(t, p, False),
            "sip.reachability": lambda t, r, p: self._sip(t, p, bool(p.get("reachable"))),
            "phone.browser_connected": lambda t, r, p: self._browser(t, r, True),
            "phone.browser_disconnected": lambda t, r, p: self._browser(t, r, False),
            "phone.browser_detached": lambda t, r, p: self._browser(t, r, False),
        }

    # --- feeding --------------------------------------------------------------------------

    def apply(self, event: DomainEvent | EventRecord) -> None:
        handler = self._handlers.get(event.type)
        if handler is None:
            return
        payload = event.payload if isinstance(event, EventRecord) else event.payload()
        tenant = self._tenants.get(event.tenant_id)
        if tenant is None:
            tenant = self._tenants[event.tenant_id] = _Tenant(event.tenant_id)
        record = _Envelope(event.tenant_id, event.at, event.interaction_id, event.agent_id)
        handler(tenant, record, payload)

    def apply_all(self, events: Iterable[DomainEvent | EventRecord]) -> None:
        for event in events:
            self.apply(event)

    @property
    def live_contacts(self) -> int:
        """Contacts the board holds over all tenants (each leaves at its end once no agent's
        work names it): for `/metrics`, to see that ended calls are let go."""
        return sum(len(t.contacts) for t in self._tenants.values())

    def forget_work(self, tenant_id: str) -> None:
        """After a restart the router starts from what is true now (`reconcile`): the work a
        replayed log left on desks is gone; agents' phones and states stay."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            return
        for agent in tenant.agents.values():
            agent.ringing.clear()
            agent.talking.clear()
            agent.wrapping.clear()
            agent.consult, agent.muted = None, False
        tenant.contacts.clear()
        tenant.consults.clear()

    def take_changed(self) -> set[tuple[str, str]]:
        changed, self.changed = self.changed, set()
        return changed

    def _touch(self, tenant: _Tenant, *agents: str | None) -> None:
        for agent_id in agents:
            if agent_id:
                self.changed.add((tenant.tenant_id, agent_id))

    def _touch_contact(self, tenant: _Tenant, contact_id: str | None) -> None:
        if contact_id:
            self._touch(tenant, *tenant.agents_on(contact_id))

    # --- reading --------------------------------------------------------------------------

    def view(self, tenant_id: str, agent_id: str) -> DeskView:
        tenant = self._tenants.get(tenant_id) or _Tenant(tenant_id)
        agent = tenant.agents.get(agent_id, _Agent())
        phone = None
        if agent.phone is not None:
            phone = PhoneView(agent.phone[0], agent.phone[1], agent.connected)
        current = self._current(tenant, agent_id, agent)
        texts = self._texts(tenant, agent)
        wrap = None
        if agent.wrapping:
            work = max(agent.wrapping.values(), key=lambda w: w.since)
            wrap = WrapUpView(
                work.contact_id, work.work_id, work.queue_id, work.ends_at, work.overrun_since
            )
        return DeskView(
            agent_id, agent.state, agent.reason, agent.since, phone, current, wrap, texts
        )

    def _is_call(self, tenant: _Tenant, work: _Work) -> bool:
        contact = tenant.contacts.get(work.contact_id)
        return contact is None or contact.channel == VOICE

    def _calls(self, tenant: _Tenant, items: dict[str, _Work]) -> list[_Work]:
        return [w for w in items.values() if self._is_call(tenant, w)]

    def _texts(self, tenant: _Tenant, agent: _Agent) -> tuple[TextView, ...]:
        out = []
        for phase, items in (
            ("ringing", agent.ringing),
            ("connected", agent.talking),
            ("wrap_up", agent.wrapping),
        ):
            for work in items.values():
                if self._is_call(tenant, work):
                    continue
                contact = tenant.contacts[work.contact_id]
                queue_id = work.queue_id or contact.queue_id
                out.append(
                    TextView(
                        work.contact_id, work.work_id, contact.channel, phase, queue_id, work.since
                    )
                )
        return tuple(sorted(out, key=lambda v: v.since))

    def _current(self, tenant: _Tenant, agent_id: str, agent: _Agent) -> CallView | None:
        """The agent's call: its voice contact, whatever text contacts came after it."""
        talking = self._calls(tenant, agent.talking)
        if talking:
            work = max(talking, key=lambda w: w.since)
            contact = tenant.contacts.get(work.contact_id, _Contact())
            since = work.since
            consult = None
            if agent.consult is not None:
                phase = "consulting"
                consult = ConsultView(
                    agent.consult.target,
                    agent.consult.kind,
                    "connected" if agent.consult.answered else "ringing",
                )
            elif contact.held and agent_id not in contact.consulted:
                phase, since = "held", contact.held_since
            elif contact.conference:
                phase = "conference"
            else:
                phase = "connected"
            return CallView(
                work.contact_id,
                work.work_id,
                phase,
                contact.number,
                work.queue_id or contact.queue_id,
                muted=agent.muted,
                recording_paused=contact.recording_paused,
                since=since,
                consult=consult,
            )
        for kind, works in (("ringing", agent.ringing), ("wrap_up", agent.wrapping)):
            calls = self._calls(tenant, works)
            if calls:
                work = max(calls, key=lambda w: w.since)
                contact = tenant.contacts.get(work.contact_id, _Contact())
                return CallView(
                    work.contact_id,
                    work.work_id,
                    kind,
                    contact.number,
                    work.queue_id or contact.queue_id,
                    muted=False,
                    recording_paused=False,
                    since=work.since,
                )
        return None

    # --- agents ---------------------------------------------------------------------------

    def _state(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        agent.state, agent.reason, agent.since = str(p["state"]), p.get("reason"), r.at
        self._touch(t, r.agent_id)

    def _work(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> _Work:
        queue_id = p.get("queue_id")
        contact = t.contact(r.interaction_id or "")
        shown = contact.queue_id if is_personal(queue_id) else queue_id
        return _Work(str(p.get("work_id") or r.interaction_id), r.interaction_id or "", shown, r.at)

    def _entered(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        if not is_personal(p.get("queue_id")):
            t.contact(r.interaction_id or "").queue_id = p.get("queue_id")

    def _offered(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        work = self._work(t, r, p)
        t.agent(r.agent_id or "").ringing[work.work_id] = work
        self._touch(t, r.agent_id)

    def _offer_failed(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        t.agent(r.agent_id or "").ringing.pop(str(p.get("work_id") or r.interaction_id), None)
        self._touch(t, r.agent_id)

    def _answered(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        work = self._work(t, r, p)
        agent = t.agent(r.agent_id or "")
        agent.ringing.pop(work.work_id, None)
        agent.talking[work.work_id] = work
        agent.muted = False
        consultant = t.consults.get(work.work_id)
        if consultant is not None:
            t.contact(work.contact_id).consulted.add(r.agent_id or "")
            by = t.agents.get(consultant)
            if by is not None and by.consult is not None:
                by.consult.answered = True
            self._touch(t, consultant)
        self._touch(t, r.agent_id)

    def _talk_ended(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        work = agent.talking.pop(str(p.get("work_id") or r.interaction_id), None)
        if work is None:
            return
        agent.consult = None
        agent.muted = False
        contact = t.contact(work.contact_id)
        contact.consulted.discard(r.agent_id or "")
        if len(t.agents_on(work.contact_id)) < 2:
            contact.conference = False
        work.since, work.ends_at = r.at, p.get("wrap_up_ends_at")
        agent.wrapping[work.work_id] = work
        self._touch(t, r.agent_id)
        self._touch_contact(t, work.contact_id)

    def _extended(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        work = t.agent(r.agent_id or "").wrapping.get(str(p.get("work_id") or r.interaction_id))
        if work is not None:
            work.ends_at = p.get("ends_at")
        self._touch(t, r.agent_id)

    def _overrun(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        work = t.agent(r.agent_id or "").wrapping.get(str(p.get("work_id") or r.interaction_id))
        if work is not None:
            work.overrun_since = float(p.get("due_at") or r.at)
        self._touch(t, r.agent_id)

    def _wrapped(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        work_id = str(p.get("work_id") or r.interaction_id)
        agent.wrapping.pop(work_id, None)
        agent.talking.pop(work_id, None)
        t.consults.pop(work_id, None)
        self._touch(t, r.agent_id)

    def _bound(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        agent.phone = (str(p["kind"]), str(p["address"]))
        agent.connected = True  # bound only when connected (a browser) or registered (SIP)
        self._touch(t, r.agent_id)

    def _unbound(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        agent.phone, agent.connected = None, False
        self._touch(t, r.agent_id)

    def _sip(self, t: _Tenant, p: Mapping[str, Any], up: bool) -> None:
        extension = str(p.get("aor", "")).split("@")[0].removeprefix("sip:")
        for agent_id, agent in t.agents.items():
            if agent.phone == ("sip", extension) and agent.connected != up:
                agent.connected = up
                self._touch(t, agent_id)

    def _browser(self, t: _Tenant, r: _Envelope, up: bool) -> None:
        for agent_id, agent in t.agents.items():
            if agent.phone == ("browser", r.agent_id) and agent.connected != up:
                agent.connected = up
                self._touch(t, agent_id)

    # --- contacts -------------------------------------------------------------------------

    def _created(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        contact = t.contact(r.interaction_id or "")
        contact.number = p.get("caller_number")
        contact.channel = str(p.get("channel") or VOICE)

    def _contact_ended(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        contact_id = r.interaction_id or ""
        busy = any(
            w.contact_id == contact_id
            for a in t.agents.values()
            for items in (a.ringing, a.talking, a.wrapping)
            for w in items.values()
        )
        if not busy:
            t.contacts.pop(contact_id, None)

    def _consult_started(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        work_id = p.get("work_id")
        agent.consult = _Consult(str(p["target"]), str(p["target_kind"]), work_id)
        if work_id:
            t.consults[str(work_id)] = r.agent_id or ""
        self._touch(t, r.agent_id)

    def _consult_ended(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        agent = t.agent(r.agent_id or "")
        agent.consult = None
        contact = t.contact(r.interaction_id or "")
        result = p.get("result")
        if result == "conference":
            contact.conference = True
        if result in ("conference", "completed"):
            contact.consulted.clear()
        self._touch(t, r.agent_id)
        self._touch_contact(t, r.interaction_id)

    def _held(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        contact = t.contact(r.interaction_id or "")
        contact.held, contact.held_since = True, r.at
        self._touch_contact(t, r.interaction_id)

    def _resumed(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        t.contact(r.interaction_id or "").held = False
        self._touch_contact(t, r.interaction_id)

    def _muted(self, t: _Tenant, r: _Envelope, p: Mapping[str, Any]) -> None:
        t.agent(r.agent_id or "").muted = bool(p.get("muted"))
        self._touch(t, r.agent_id)

    def _recording(self, t: _Tenant, r: _Envelope, paused: bool) -> None:
        t.contact(r.interaction_id or "").recording_paused = paused
        self._touch_contact(t, r.interaction_id)
