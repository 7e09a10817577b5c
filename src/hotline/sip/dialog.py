"""Dialogs (RFC 3261 §12): identity, CSeq spaces, route set and remote target.

A `Dialog` is created from the INVITE and its response on either side, builds in-dialog
requests (BYE, re-INVITE, INFO, REFER, NOTIFY, OPTIONS) and the ACK of a 2xx, and checks
incoming in-dialog requests (CSeq order, §12.2.2). Its states and transitions are a table.
It holds no timers: retransmissions belong to transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hotline.errors import IllegalTransition
from hotline.sip.address import Address, address_for_uri
from hotline.sip.errors import DialogError, SipParseError
from hotline.sip.headers import Headers, NameAddr, parse_name_addr
from hotline.sip.message import Request, Response
from hotline.sip.uri import SipUri, parse_uri

__all__ = ["DIALOG_TRANSITIONS", "Dialog", "DialogEvent", "DialogState", "Role"]


class Role(StrEnum):
    UAC = "uac"
    UAS = "uas"


class DialogState(StrEnum):
    EARLY = "early"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


class DialogEvent(StrEnum):
    PROVISIONAL = "1xx"
    SUCCESS = "2xx"
    FAILURE = "3xx-6xx"
    BYE = "bye"


DIALOG_TRANSITIONS: dict[tuple[DialogState, DialogEvent], DialogState] = {
    (DialogState.EARLY, DialogEvent.PROVISIONAL): DialogState.EARLY,
    (DialogState.EARLY, DialogEvent.SUCCESS): DialogState.CONFIRMED,
    (DialogState.EARLY, DialogEvent.FAILURE): DialogState.TERMINATED,
    (DialogState.EARLY, DialogEvent.BYE): DialogState.TERMINATED,
    (DialogState.CONFIRMED, DialogEvent.SUCCESS): DialogState.CONFIRMED,
    (DialogState.CONFIRMED, DialogEvent.BYE): DialogState.TERMINATED,
}


def _contact_uri(msg: Request | Response) -> SipUri | None:
    for contact in msg.contacts:
        if isinstance(contact.uri, SipUri):
            return contact.uri
    return None


@dataclass(slots=True)
class Dialog:
    """One dialog. `id` is (Call-ID, local tag, remote tag)."""

    call_id: str
    local_tag: str
    remote_tag: str
    local: NameAddr
    remote: NameAddr
    remote_target: SipUri
    local_contact: str
    role: Role
    transport: str = "udp"
    local_seq: int = 0
    remote_seq: int | None = None
    route_set: list[str] = field(default_factory=list)
    state: DialogState = DialogState.EARLY
    invite_seq: int = 0

    @property
    def id(self) -> tuple[str, str, str]:
        return (self.call_id, self.local_tag, self.remote_tag)

    def step(self, event: DialogEvent) -> None:
        new = DIALOG_TRANSITIONS.get((self.state, event))
        if new is None:
            raise IllegalTransition("dialog", self.state.value, event.value, code="sip.dialog")
        self.state = new

    # --- creation (§12.1.1 UAS, §12.1.2 UAC) ---

    @classmethod
    def from_uas(
        cls, invite: Request, response: Response, local_contact: str, transport: str
    ) -> Dialog:
        """The dialog a 101–299 response to `invite` creates on our (UAS) side."""
        target = _contact_uri(invite)
        local_tag = response.to.tag
        if target is None or local_tag is None:
            raise DialogError("INVITE without a SIP Contact, or response without To tag")
        dialog = cls(
            call_id=invite.call_id,
            local_tag=local_tag,
            remote_tag=invite.from_.tag or "",
            local=response.to,
            remote=invite.from_,
            remote_target=target,
            local_contact=local_contact,
            role=Role.UAS,
            transport=transport,
            local_seq=0,
            remote_seq=invite.cseq.number,
            route_set=invite.headers.values("record-route"),
            invite_seq=invite.cseq.number,
        )
        dialog.step(DialogEvent.SUCCESS if response.status >= 200 else DialogEvent.PROVISIONAL)
        return dialog

    @classmethod
    def from_uac(
        cls, invite: Request, response: Response, local_contact: str, transport: str
    ) -> Dialog:
        """The dialog a 101–299 response with a To tag creates on our (UAC) side."""
        remote_tag = response.to.tag
        target = _contact_uri(response)
        if remote_tag is None:
            raise DialogError("response without To tag creates no dialog")
        if target is None:
            uri = invite.uri
            if not isinstance(uri, SipUri):
                raise DialogError("no SIP remote target")
            target = uri
        dialog = cls(
            call_id=invite.call_id,
            local_tag=invite.from_.tag or "",
            remote_tag=remote_tag,
            local=invite.from_,
            remote=response.to,
            remote_target=target,
            local_contact=local_contact,
            role=Role.UAC,
            transport=transport,
            local_seq=invite.cseq.number,
            remote_seq=None,
            route_set=list(reversed(response.headers.values("record-route"))),
            invite_seq=invite.cseq.number,
        )
        dialog.step(DialogEvent.SUCCESS if response.status >= 200 else DialogEvent.PROVISIONAL)
        return dialog

    # --- requests we send (§12.2.1) ---

    def destination(self) -> Address:
        if self.route_set:
            first = parse_name_addr(self.route_set[0], "Route").uri
            if isinstance(first, SipUri):
                return address_for_uri(first, self.transport)
        return address_for_uri(self.remote_target, self.transport)

    def _request_uri_and_routes(self) -> tuple[SipUri, list[str]]:
        if not self.route_set:
            return self.remote_target, []
        first = parse_name_addr(self.route_set[0], "Route").uri
        if isinstance(first, SipUri) and first.param("lr") is not None:
            return self.remote_target, list(self.route_set)
        # Strict router (RFC 2543): it becomes the Request-URI, the target the last Route.
        assert isinstance(first, SipUri)
        return first.without_params(), [*self.route_set[1:], f"<{self.remote_target}>"]

    def create_request(
        self,
        method: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> Request:
        """A new in-dialog request with the next local CSeq (ACK and CANCEL excluded)."""
        if method in ("ACK", "CANCEL"):
            raise DialogError(f"{method} is not built with create_request")
        if self.state is DialogState.TERMINATED:
            raise DialogError("the dialog is terminated")
        self.local_seq += 1
        if method == "INVITE":
            self.invite_seq = self.local_seq
        return self._build(method, self.local_seq, body, content_type, extra)

    def create_ack(self, cseq: int, body: bytes = b"", content_type: str | None = None) -> Request:
        """The ACK of a 2xx to our INVITE with CSeq `cseq` (§13.2.2.4)."""
        return self._build("ACK", cseq, body, content_type, None)

    def _build(
        self,
        method: str,
        cseq: int,
        body: bytes,
        content_type: str | None,
        extra: list[tuple[str, str]] | None,
    ) -> Request:
        uri, routes = self._request_uri_and_routes()
        headers = Headers()
        for route in routes:
            headers.add("Route", route)
        headers.add("Max-Forwards", "70")
        headers.add("From", str(self.local))
        headers.add("To", str(self.remote))
        headers.add("Call-ID", self.call_id)
        headers.add("CSeq", f"{cseq} {method}")
        if method in ("INVITE", "REFER", "NOTIFY", "SUBSCRIBE", "UPDATE", "ACK"):
            headers.add("Contact", self.local_contact)
        for name, value in extra or ():
            headers.add(name, value)
        request = Request(method, uri, headers)
        request.set_body(body, content_type)
        return request

    # --- what we receive ---

    def check_request(self, request: Request) -> int | None:
        """Validate an in-dialog request; return an error status or None (§12.2.2)."""
        if request.method in ("ACK", "CANCEL"):
            return None
        seq = request.cseq.number
        if self.remote_seq is not None and seq <= self.remote_seq:
            return 500  # out of order
        self.remote_seq = seq
        if request.method in ("INVITE", "UPDATE"):
            target = _contact_uri(request)
            if target is not None:
                self.remote_target = target  # target refresh
        return None

    def receive_response(self, response: Response) -> None:
        """Track state and target refresh from a response to one of our requests."""
        method = response.cseq.method
        status = response.status
        if method == "INVITE":
            if status >= 300 and self.state is DialogState.EARLY:
                self.step(DialogEvent.FAILURE)
            elif 200 <= status < 300:
                self.step(DialogEvent.SUCCESS)
                target = _contact_uri(response)
                if target is not None:
                    self.remote_target = target
        elif method == "BYE" or status in (408, 481):
            self.state = DialogState.TERMINATED

    def terminate(self) -> None:
        self.state = DialogState.TERMINATED

    # --- surviving a restart -------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """What a restarted node needs to end this dialog with a BYE: ids, URIs, the route set,
        the remote target, the transport and our CSeq — plain JSON values."""
        return {
            "call_id": self.call_id,
            "local_tag": self.local_tag,
            "remote_tag": self.remote_tag,
            "local": str(self.local),
            "remote": str(self.remote),
            "remote_target": str(self.remote_target),
            "local_contact": self.local_contact,
            "role": self.role.value,
            "transport": self.transport,
            "local_seq": self.local_seq,
            "route_set": list(self.route_set),
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, object], *, cseq_margin: int = 100) -> Dialog:
        """A confirmed dialog rebuilt from `snapshot()`; our CSeq jumps by `cseq_margin`, past
        any in-dialog request sent after the snapshot was taken (RFC 3261 §12.2.1.1 only asks
        that it grow). `DialogError` names what is missing or malformed."""
        try:
            target = parse_uri(str(data["remote_target"]), "remote target")
            routes = data.get("route_set") or []
            if not isinstance(target, SipUri) or not isinstance(routes, list):
                raise DialogError("the remote target is not a SIP URI, or no route list")
            dialog = cls(
                call_id=str(data["call_id"]),
                local_tag=str(data["local_tag"]),
                remote_tag=str(data["remote_tag"]),
                local=parse_name_addr(str(data["local"]), "From"),
                remote=parse_name_addr(str(data["remote"]), "To"),
                remote_target=target,
                local_contact=str(data["local_contact"]),
                role=Role(str(data["role"])),
                transport=str(data["transport"]),
                local_seq=int(str(data["local_seq"])) + cseq_margin,
                route_set=[str(r) for r in routes],
            )
        except (KeyError, ValueError, SipParseError) as exc:
            raise DialogError(f"not a dialog snapshot: {exc}") from None
        dialog.state = DialogState.CONFIRMED
        return dialog

    def matches(self, msg: Request | Response) -> bool:
        if msg.call_id != self.call_id:
            return False
        if isinstance(msg, Request):
            return msg.to.tag == self.local_tag and (msg.from_.tag or "") == self.remote_tag
        return (msg.from_.tag or "") == self.local_tag and msg.to.tag == self.remote_tag
