"""Interval facts from the event log: a pure projection (no I/O, no clock).

`Rollup.apply(record, deltas)` turns one version-2 record into additions to 15-minute facts
(`Deltas`) and keeps what later records need (waiting work items, open agent segments, the
agents' not-ready reasons, each customer's last contact for FCR) in `RollupState`, whose changed
entries the store persists in the same transaction as the facts and the checkpoint (ADR 0130).
Fed the same records in seq order it gives the same facts, whatever the batches.

Where a record lands (docs/metrics.md): a queue visit's offered / answered / abandoned / wait
in the interval it entered the queue; a segment's handling (talk, hold, after-call work,
transfers, disposition, CSAT) in the interval it was answered — so a wrap-up ending after
midnight counts on the day of its call; agent state time split over the intervals it spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotline.analytics.reports.measures import (
    INTERVAL_S,
    MAX_MEASURES,
    Dim,
    M,
    ReasonKind,
    to_ms,
)
from hotline.events import EventRecord
from hotline.routing.personal import is_personal

__all__ = ["Deltas", "FactKey", "ReasonKey", "Rollup", "RollupSettings", "RollupState", "interval"]

FactKey = tuple[int, str, str]  # (interval start, dimension, key)
ReasonKey = tuple[int, str, str, str, str]  # (interval start, dimension, key, kind, reason)
Keys = list[tuple[str, str]]  # (dimension, key) pairs
_SIZE = len(M)
_IDLE_READY = ("available", "reserved")


def interval(at: float) -> int:
    """The start (epoch seconds) of the 15-minute interval holding `at`."""
    return int(at // INTERVAL_S) * INTERVAL_S


@dataclass(frozen=True, slots=True)
class RollupSettings:
    """What the facts depend on besides the log (changing one calls for `reports rebuild`)."""

    short_abandon_s: float = 5.0
    fcr_window_days: int = 7
    # VIP callers' service level is measured at their own threshold (seed 001: 15 s)
    vip_sl_threshold_s: float = 15.0
    csat_satisfied_from: Mapping[int, int] = field(default_factory=dict)

    def satisfied_from(self, scale: int) -> int:
        """The lowest satisfied rating: 4 on 1–5 (GLOSSARY), ceil(0.8 × scale) by default."""
        configured = self.csat_satisfied_from.get(scale)
        if configured is not None:
            return configured
        return max(1, -int(-(0.8 * scale - 1e-9) // 1))


class Deltas:
    """What a batch of records adds to the facts, merged by key."""

    __slots__ = ("facts", "reasons")

    def __init__(self) -> None:
        self.facts: dict[FactKey, list[int]] = {}
        self.reasons: dict[ReasonKey, list[int]] = {}  # [times, ms]

    def __len__(self) -> int:
        return len(self.facts) + len(self.reasons)

    def add(
        self, at_interval: int, keys: Iterable[tuple[str, str]], measure: M, amount: int
    ) -> None:
        if amount == 0 and measure not in MAX_MEASURES:
            return
        facts = self.facts
        for dim, key in keys:
            row = facts.get((at_interval, dim, key))
            if row is None:
                row = facts[(at_interval, dim, key)] = [0] * _SIZE
            if measure in MAX_MEASURES:
                row[measure] = max(row[measure], amount)
            else:
                row[measure] += amount

    def add_reason(
        self,
        at_interval: int,
        keys: Iterable[tuple[str, str]],
        kind: ReasonKind,
        reason: str,
        times: int,
        ms: int,
    ) -> None:
        for dim, key in keys:
            row = self.reasons.setdefault((at_interval, dim, key, kind.value, reason), [0, 0])
            row[0] += times
            row[1] += ms


class RollupState:
    """What later records need, by kind: contacts ("c"), waiting work items ("w"), agent
    segments ("s"), agents ("a"), customers' last contacts ("u") and the FCR verdicts of
    ended contacts ("f", kept for the FCR window: a repeat contact or a late "resolved?"
    answer may still change them). Every value is plain JSON; `dirty` names the entries
    changed since the store last saved them."""

    KINDS = ("c", "w", "s", "a", "u", "f")

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in self.KINDS}
        self.dirty: set[tuple[str, str]] = set()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.tables[kind].get(key)

    def put(self, kind: str, key: str, value: dict[str, Any]) -> dict[str, Any]:
        self.tables[kind][key] = value
        self.dirty.add((kind, key))
        return value

    def touch(self, kind: str, key: str) -> None:
        self.dirty.add((kind, key))

    def drop(self, kind: str, key: str) -> None:
        if self.tables[kind].pop(key, None) is not None:
            self.dirty.add((kind, key))

    def load(self, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        for kind, key, value in rows:
            self.tables[kind][key] = value

    def take_dirty(self) -> list[tuple[str, str, dict[str, Any] | None]]:
        """The changed entries (None: removed), sorted, and forget that they changed."""
        out = [(kind, key, self.tables[kind].get(key)) for kind, key in sorted(self.dirty)]
        self.dirty.clear()
        return out

    def size(self) -> int:
        return sum(map(len, self.tables.values()))


def _skill_group(skills: Iterable[str]) -> str | None:
    """A queue visit's skill group: the skills it required ("售后>=5" → "售后"), joined."""
    names = sorted({str(s).split(">=")[0].split("<")[0] for s in skills if s})
    names = [n for n in names if n and not n.startswith("@")]
    return "+".join(names) or None


class Rollup:
    """One tenant's interval facts, record by record (see the module docstring)."""

    def __init__(self, settings: RollupSettings | None = None, state: RollupState | None = None):
        self.settings = settings or RollupSettings()
        self.state = state or RollupState()
        self._window_s = self.settings.fcr_window_days * 86_400.0
        self._short_ms = to_ms(self.settings.short_abandon_s)
        self._vip_ms = to_ms(self.settings.vip_sl_threshold_s)
        self._swept_day = -1
        self._handlers = {
            "interaction.created": self._created,
            "interaction.ended": self._ended,
            "interaction.transferred": self._transferred,
            "interaction.consult_started": self._consulted,
            "interaction.dispositioned": self._dispositioned,
            "queue.entered": self._entered,
            "queue.rejected": self._rejected,
            "queue.answered": self._answered,
            "queue.abandoned": self._abandoned,
            "queue.callback_requested": self._callback_requested,
            "queue.callback_failed": self._callback_failed,
            "queue.exited": self._left,
            "queue.overflowed": self._overflowed,
            "agent.interaction_ended": self._talk_ended,
            "agent.wrap_up_ended": self._wrap_up_ended,
            "agent.state_changed": self._state_changed,
            "call.resumed": self._resumed,
            "flow.survey_answered": self._survey,
        }

    @property
    def handled_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def apply(self, record: EventRecord, out: Deltas) -> None:
        handler = self._handlers.get(record.type)
        if handler is not None:
            handler(record, record.payload, out)

    # == contacts ===========================================================================

    def _contact(self, r: EventRecord, channel: Any = None) -> tuple[str, dict[str, Any]]:
        """The contact a record is about; one made on the spot for logs that never said it
        arrived (the simulator drives only the router)."""
        cid = r.interaction_id or str(r.payload.get("work_id") or "")
        contact = self.state.get("c", cid)
        if contact is None:
            contact = self.state.put(
                "c", cid, {"iv": interval(r.at), "keys": [[Dim.CENTER.value, "all"],
                           [Dim.CHANNEL.value, str(channel or "voice")]], "inbound": False}
            )  # fmt: skip
        return cid, contact

    def _created(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        cid = r.interaction_id or ""
        keys: list[list[str]] = [
            [Dim.CENTER.value, "all"],
            [Dim.CHANNEL.value, str(p.get("channel") or "voice")],
        ]
        if p.get("did"):
            keys.append([Dim.DID.value, str(p["did"])])
        vip = p.get("vip_level")
        if vip:
            keys.append([Dim.VIP.value, str(vip)])
        inbound = (p.get("direction") or "inbound") == "inbound" and (
            p.get("origin") or "customer"
        ) == "customer"
        customer = p.get("customer_id") or (
            f"tel:{p['caller_number']}" if p.get("caller_number") else None
        )
        at_iv = interval(r.at)
        self.state.put("c", cid, {"iv": at_iv, "keys": keys, "inbound": inbound, "cust": customer})
        out.add(at_iv, _pairs(keys), M.CONTACTS, 1)
        if inbound and customer:
            self._repeat(cid, str(customer), r.at, out)

    def _repeat(self, cid: str, customer: str, at: float, out: Deltas) -> None:
        """A contact from a customer: the customer's previous contact within the window was
        not resolved at first contact (FCR), unless its agent marked it resolved."""
        self._sweep(at)
        last = self.state.get("u", customer)
        within = last is not None and at - last["at"] <= self._window_s
        if last is not None and within and last["c"] != cid and not last["done"]:
            last["done"] = True
            verdict = self.state.get("f", last["c"])
            if verdict is not None:  # it ended and was counted: count it again
                verdict["rep"] = True
                self._recount(last["c"], verdict, out)
            elif last.get("keys") is not None:  # counted by a rollup before the "f" verdicts
                for iv, dim, key in last["keys"]:
                    out.add(iv, ((dim, key),), M.FCR_UNRESOLVED, 1)
            else:
                previous = self.state.get("c", last["c"])
                if previous is not None:
                    previous["repeat"] = True
                    self.state.touch("c", last["c"])
        self.state.put("u", customer, {"c": cid, "at": at, "keys": None, "done": False})

    def _recount(self, cid: str, verdict: dict[str, Any], out: Deltas) -> None:
        """Count an ended contact's FCR verdict again (GLOSSARY): resolved when its agent
        marked it resolved, or when it was neither transferred nor followed by a repeat
        contact; only the change from what was counted before is added."""
        unresolved = int(not verdict.get("mark") and (verdict["tr"] or verdict["rep"]))
        change = unresolved - verdict["n"]
        if change:
            for iv, dim, key in verdict["keys"]:
                out.add(iv, ((dim, key),), M.FCR_UNRESOLVED, change)
            verdict["n"] = unresolved
        self.state.touch("f", cid)

    def _sweep(self, at: float) -> None:
        """Once a day of log time, forget customers whose last contact left the window, and
        the verdicts of contacts that ended before it."""
        day = int(at // 86_400)
        if day == self._swept_day:
            return
        self._swept_day = day
        for kind in ("u", "f"):
            table = self.state.tables[kind]
            for key in [k for k, v in table.items() if at - v["at"] > self._window_s]:
                self.state.drop(kind, key)

    def _ended(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        cid = r.interaction_id or ""
        contact = self.state.get("c", cid)
        if contact is None:
            return
        keys = _pairs(contact["keys"])
        first_iv = contact.get("fiv", contact["iv"])
        if p.get("reason") == "voicemail":
            out.add(first_iv, keys, M.VOICEMAILS, 1)
        if contact.get("inbound") and (contact.get("answered") or p.get("answered")):
            counted = [[contact["iv"], dim, key] for dim, key in keys]
            first = contact.get("first")
            if first is not None:
                counted += [[first[0], dim, key] for dim, key in first[1]]
            for iv, dim, key in counted:
                out.add(iv, ((dim, key),), M.FCR_CONTACTS, 1)
            self._sweep(r.at)
            verdict = {"keys": counted, "tr": bool(contact.get("transferred")), "n": 0,
                       "rep": bool(contact.get("repeat")), "mark": contact.get("mark"),
                       "at": r.at}  # fmt: skip
            self.state.put("f", cid, verdict)
            self._recount(cid, verdict, out)
        for skey in contact.get("segs", ()):
            segment = self.state.get("s", skey)
            if segment is not None and segment.get("done"):
                self.state.drop("s", skey)
        self.state.drop("c", cid)

    # == queue visits =======================================================================

    def _entered(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        queue_id = str(p["queue_id"])
        cid, contact = self._contact(r, p.get("channel"))
        wid = str(p.get("work_id") or cid)
        at_iv = interval(r.at)
        personal = is_personal(queue_id)
        keys: list[list[str]] = []
        if not personal:
            keys.append([Dim.QUEUE.value, queue_id])
            group = _skill_group(p.get("skills") or ())
            if group:
                keys.append([Dim.SKILL.value, group])
        self.state.put(
            "w", wid, {"c": cid, "iv": at_iv, "keys": keys, "q": None if personal else queue_id}
        )
        out.add(at_iv, _pairs(keys), M.OFFERED, 1)
        if not personal and not contact.get("offered"):
            contact["offered"], contact["fiv"] = True, at_iv
            self.state.touch("c", cid)
            out.add(at_iv, _pairs(contact["keys"]), M.OFFERED, 1)

    def _work(
        self, r: EventRecord, p: Mapping[str, Any], *, pop: bool
    ) -> tuple[str, dict[str, Any]] | None:
        wid = str(p.get("work_id") or r.interaction_id or "")
        work = self.state.get("w", wid)
        if work is not None and pop:
            self.state.drop("w", wid)
        return (wid, work) if work is not None else None

    def _rejected(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        queue_id = str(p["queue_id"])
        if not is_personal(queue_id):
            out.add(interval(r.at), ((Dim.QUEUE.value, queue_id),), M.REJECTED, 1)

    def _answered(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._work(r, p, pop=True)
        if found is None:
            return
        wid, work = found
        cid, contact = self._contact(r)
        wait_ms = to_ms(float(p["wait_s"]))
        within = int(wait_ms <= to_ms(float(p["sl_threshold_s"])))
        callback = int(bool(p.get("callback")))
        figures = (
            (M.ANSWERED, 1), (M.ANSWERED_IN_SL, within), (M.ANSWER_WAIT_MS, wait_ms),
            (M.LONGEST_WAIT_MS, wait_ms), (M.CALLBACKS_MADE, callback),
        )  # fmt: skip
        for measure, amount in figures:
            out.add(work["iv"], _pairs(work["keys"]), measure, amount)
        if work["keys"] and not contact.get("answered"):
            contact["answered"] = True
            plain, vip = _split_vip(contact["keys"])
            for measure, amount in figures:
                out.add(contact.get("fiv", work["iv"]), plain, measure, amount)
            vip_within = int(wait_ms <= self._vip_ms)
            vip_figures = ((M.ANSWERED_IN_SL, vip_within), *figures[:1], *figures[2:])
            for measure, amount in vip_figures:
                out.add(contact.get("fiv", work["iv"]), vip, measure, amount)
        agent = r.agent_id
        if agent is None:
            self.state.touch("c", cid)
            return
        at_iv = interval(r.at)
        for measure, amount in figures:
            out.add(at_iv, ((Dim.AGENT.value, agent),), measure, amount)
        skey = f"{wid}|{agent}"
        keys = [[Dim.AGENT.value, agent], *work["keys"], *contact["keys"]]
        self.state.put(
            "s", skey, {"c": cid, "iv": at_iv, "keys": keys, "talk": None, "hold": 0, "holds": 0}
        )
        contact.setdefault("segs", []).append(skey)
        if "first" not in contact:
            contact["first"] = [at_iv, [[Dim.AGENT.value, agent], *work["keys"]]]
        self.state.touch("c", cid)
        state = self.state.get("a", agent) or self.state.put("a", agent, {"r": None, "open": []})
        state["open"].append(skey)
        self.state.touch("a", agent)

    def _abandoned(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._work(r, p, pop=True)
        if found is None:
            return
        _, work = found
        wait_ms = to_ms(float(p["wait_s"]))
        short = wait_ms <= self._short_ms
        after = not short and wait_ms > to_ms(float(p["sl_threshold_s"]))
        figures = (
            (M.ABANDONED, 1), (M.SHORT_ABANDONED, int(short)), (M.ABANDONED_AFTER_SL, int(after)),
            (M.ABANDON_WAIT_MS, wait_ms), (M.LONGEST_WAIT_MS, wait_ms),
        )  # fmt: skip
        for measure, amount in figures:
            out.add(work["iv"], _pairs(work["keys"]), measure, amount)
        cid, contact = self._contact(r)
        if work["keys"] and not contact.get("answered") and not contact.get("abandoned"):
            contact["abandoned"] = True
            self.state.touch("c", cid)
            plain, vip = _split_vip(contact["keys"])
            for measure, amount in figures:
                out.add(contact.get("fiv", work["iv"]), plain, measure, amount)
            vip_after = int(not short and wait_ms > self._vip_ms)
            vip_figures = ((M.ABANDONED_AFTER_SL, vip_after), *figures[:2], *figures[3:])
            for measure, amount in vip_figures:
                out.add(contact.get("fiv", work["iv"]), vip, measure, amount)

    def _callback_requested(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._work(r, p, pop=False)  # it keeps its place: answered or failed later
        if found is None:
            return
        _, work = found
        out.add(work["iv"], _pairs(work["keys"]), M.CALLBACKS_REQUESTED, 1)
        cid, contact = self._contact(r)
        if work["keys"] and not contact.get("callback"):
            contact["callback"] = True
            self.state.touch("c", cid)
            out.add(
                contact.get("fiv", work["iv"]), _pairs(contact["keys"]), M.CALLBACKS_REQUESTED, 1
            )

    def _callback_failed(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._work(r, p, pop=True)
        if found is None:
            return
        _, work = found
        out.add(work["iv"], _pairs(work["keys"]), M.CALLBACKS_FAILED, 1)
        _, contact = self._contact(r)
        if work["keys"]:
            out.add(contact.get("fiv", work["iv"]), _pairs(contact["keys"]), M.CALLBACKS_FAILED, 1)

    def _left(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._work(r, p, pop=True)
        if found is not None:
            out.add(found[1]["iv"], _pairs(found[1]["keys"]), M.EXITED, 1)

    def _overflowed(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        if p.get("left_queue"):
            self._left(r, p, out)

    # == agent segments =====================================================================

    def _segment(
        self, work_id: Any, agent: str | None, contact_id: str | None
    ) -> tuple[str, dict[str, Any]] | None:
        """An agent's segment by its work item; without them, the contact's latest one."""
        if work_id and agent:
            skey = f"{work_id}|{agent}"
            segment = self.state.get("s", skey)
            if segment is not None:
                return skey, segment
        contact = self.state.get("c", contact_id or "")
        for skey in reversed(contact.get("segs", []) if contact else []):
            segment = self.state.get("s", skey)
            if segment is not None and (agent is None or skey.endswith(f"|{agent}")):
                return skey, segment
        return None

    def _talk_ended(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._segment(p.get("work_id") or r.interaction_id, r.agent_id, r.interaction_id)
        if found is not None:
            found[1]["talk"] = to_ms(float(p["talk_s"]))
            if p.get("hold_s") is not None:
                found[1]["hold"] = to_ms(float(p["hold_s"]))
            self.state.touch("s", found[0])

    def _resumed(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._segment(None, r.agent_id, r.interaction_id)
        if found is not None and found[1]["talk"] is None:
            found[1]["hold"] += to_ms(float(p.get("held_s") or 0.0))
            found[1]["holds"] += 1
            self.state.touch("s", found[0])

    def _wrap_up_ended(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._segment(p.get("work_id") or r.interaction_id, r.agent_id, r.interaction_id)
        if found is not None and found[1]["talk"] is not None and not found[1].get("done"):
            overrun = to_ms(float(p.get("overrun_s") or 0.0))
            self._complete(found[0], found[1], to_ms(float(p["wrap_up_s"])), overrun, out)

    def _complete(
        self, skey: str, s: dict[str, Any], wrap_ms: int, overrun_ms: int, out: Deltas
    ) -> None:
        keys = _pairs(s["keys"])
        figures = (
            (M.HANDLED, 1), (M.TALK_MS, s["talk"]), (M.HOLD_MS, s["hold"]), (M.HOLDS, s["holds"]),
            (M.ACW_MS, wrap_ms), (M.HANDLE_MS, s["talk"] + wrap_ms),
            (M.ACW_OVERRUNS, int(overrun_ms > 0)), (M.ACW_OVERRUN_MS, overrun_ms),
        )  # fmt: skip
        for measure, amount in figures:
            out.add(s["iv"], keys, measure, amount)
        s["done"] = True
        agent = skey.rsplit("|", 1)[1]
        state = self.state.get("a", agent)
        if state is not None and skey in state["open"]:
            state["open"].remove(skey)
            self.state.touch("a", agent)
        if self.state.get("c", s["c"]) is None:  # the contact is over: nothing more to come
            self.state.drop("s", skey)
        else:
            self.state.touch("s", skey)

    def _transferred(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._segment(p.get("work_id"), r.agent_id, r.interaction_id)
        if found is not None:
            out.add(found[1]["iv"], _pairs(found[1]["keys"]), M.TRANSFERS, 1)
        contact = self.state.get("c", r.interaction_id or "")
        if contact is not None and not contact.get("transferred"):
            contact["transferred"] = True
            self.state.touch("c", r.interaction_id or "")

    def _consulted(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        found = self._segment(p.get("from_work_id"), r.agent_id, r.interaction_id)
        if found is not None:
            out.add(found[1]["iv"], _pairs(found[1]["keys"]), M.CONSULTS, 1)

    def _dispositioned(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        if p.get("resolved") is not None:
            self._mark(r.interaction_id or "", bool(p["resolved"]), out)
        found = self._segment(p.get("work_id"), r.agent_id, r.interaction_id)
        code, sale = str(p.get("disposition") or ""), int(bool(p.get("sale")))
        if found is None:  # saved after its contact was over: the interval it was saved in
            keys: Keys = [(Dim.CENTER.value, "all")]
            if r.agent_id:
                keys.append((Dim.AGENT.value, r.agent_id))
            if p.get("queue_id") and not is_personal(str(p["queue_id"])):
                keys.append((Dim.QUEUE.value, str(p["queue_id"])))
            self._disposition(interval(r.at), keys, code, sale, 1, out)
            return
        skey, s = found
        keys = _pairs(s["keys"])
        before = s.get("disp")
        if before is not None:  # saved again: the new code replaces the old one
            self._disposition(s["iv"], keys, before[0], before[1], -1, out)
        self._disposition(s["iv"], keys, code, sale, 1, out)
        s["disp"] = [code, sale]
        self.state.touch("s", skey)

    def _mark(self, cid: str, resolved: bool, out: Deltas) -> None:
        """The agent's "resolved?" answer (the latest one counts), on the contact while it
        lasts, else on its verdict (a wrap-up saved after the call ended)."""
        contact = self.state.get("c", cid)
        if contact is not None:
            contact["mark"] = resolved
            self.state.touch("c", cid)
            return
        verdict = self.state.get("f", cid)
        if verdict is not None:
            verdict["mark"] = resolved
            self._recount(cid, verdict, out)

    @staticmethod
    def _disposition(at_iv: int, keys: Keys, code: str, sale: int, sign: int, out: Deltas) -> None:
        out.add(at_iv, keys, M.DISPOSITIONED, sign)
        out.add(at_iv, keys, M.SALES, sign * sale)
        if code:
            out.add_reason(at_iv, keys, ReasonKind.DISPOSITION, code, sign, 0)

    def _survey(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        if p.get("kind", "scale") not in ("scale", "satisfied"):
            return  # "solved", NPS and text answers are not CSAT answers (docs/quality.md)
        rating, scale = int(p["rating"]), int(p["scale"])
        found = self._segment(p.get("work_id"), r.agent_id, r.interaction_id)
        if found is not None:
            at_iv, keys = found[1]["iv"], _pairs(found[1]["keys"])
        else:
            contact = self.state.get("c", r.interaction_id or "")
            if contact is None:
                return
            at_iv, keys = contact["iv"], _pairs(contact["keys"])
        satisfied = int(rating >= self.settings.satisfied_from(scale))
        out.add(at_iv, keys, M.CSAT_ANSWERS, 1)
        out.add(at_iv, keys, M.CSAT_SATISFIED, satisfied)
        out.add(at_iv, keys, M.CSAT_SCORE, rating)

    # == agent time =========================================================================

    def _state_changed(self, r: EventRecord, p: Mapping[str, Any], out: Deltas) -> None:
        agent = r.agent_id
        if agent is None:
            return
        state = self.state.get("a", agent) or self.state.put("a", agent, {"r": None, "open": []})
        previous, duration = str(p["previous"]), float(p.get("previous_duration_s") or 0.0)
        if previous != "logged_out" and duration > 0:
            self._span(agent, previous, state.get("r"), r.at - duration, r.at, out)
        now = str(p["state"])
        state["r"] = (p.get("reason") or "none") if now == "not_ready" else None
        self.state.touch("a", agent)
        if now in ("available", "not_ready", "logged_out"):
            # an idle agent holds no work: a segment whose talk ended without wrap-up is done
            for skey in list(state["open"]):
                segment = self.state.get("s", skey)
                if segment is None:
                    state["open"].remove(skey)
                elif segment["talk"] is not None:
                    self._complete(skey, segment, 0, 0, out)

    @staticmethod
    def _span(
        agent: str, state: str, reason: str | None, begin: float, end: float, out: Deltas
    ) -> None:
        """Credit [begin, end) in `state` to its intervals, for the agent and the center."""
        keys = ((Dim.AGENT.value, agent), (Dim.CENTER.value, "all"))
        measure = (
            M.AVAILABLE_MS if state in _IDLE_READY
            else M.BUSY_MS if state == "busy"
            else M.WRAP_UP_MS if state == "wrap_up"
            else M.NOT_READY_MS
        )  # fmt: skip
        first = True
        start = begin
        while start < end:
            at_iv = interval(start)
            stop = min(end, at_iv + INTERVAL_S)
            # whole milliseconds of each edge, so the pieces add up to the span exactly
            ms = to_ms(stop - begin) - to_ms(start - begin)
            out.add(at_iv, keys, M.LOGIN_MS, ms)
            out.add(at_iv, keys, measure, ms)
            if measure is M.NOT_READY_MS:
                out.add_reason(at_iv, keys, ReasonKind.NOT_READY, reason or "none", int(first), ms)
            first = False
            start = stop


def _split_vip(keys: Iterable[Any]) -> tuple[Keys, Keys]:
    """A contact's keys without and with its VIP level (which has its own SL threshold)."""
    pairs = _pairs(keys)
    return [k for k in pairs if k[0] != Dim.VIP.value], [k for k in pairs if k[0] == Dim.VIP.value]


def _pairs(keys: Iterable[Any]) -> Keys:
    return [(str(dim), str(key)) for dim, key in keys]
