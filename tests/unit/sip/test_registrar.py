"""Registrar (RFC 3261 §10.3): bindings, expiry, unregister, reachability."""

from __future__ import annotations

from hotline.sip.address import Address
from hotline.sip.registrar import ChangeKind, InMemoryBindingStore, Registrar, RegistrarSettings
from tests.unit.sip.messages import request

SOURCE = Address("udp", "127.0.0.1", 5070)


def register(contact: str, *, cseq: int = 1, call_id: str = "reg-1", expires: str | None = None):
    extra = f"Expires: {expires}\r\n" if expires is not None else ""
    req = request("REGISTER", cseq=cseq, call_id=call_id, extra=extra, uri="sip:hotline")
    req.headers.set("Contact", contact)
    return req


def test_register_refresh_unregister() -> None:
    reg = Registrar()
    result = reg.register(register("<sip:1001@127.0.0.1:5070>;expires=120"), "1001", SOURCE, 0)
    assert result.status == 200
    assert result.headers == [("Contact", "<sip:1001@127.0.0.1:5070>;expires=120")]
    assert [c.kind for c in result.changes] == [ChangeKind.ADDED]
    again = reg.register(register("<sip:1001@127.0.0.1:5070>", cseq=2), "1001", SOURCE, 60)
    assert [c.kind for c in again.changes] == [ChangeKind.REFRESHED]
    assert reg.contacts("1001", 60)[0].expires_at == 60 + 3600
    gone = reg.register(
        register("<sip:1001@127.0.0.1:5070>", cseq=3, expires="0"), "1001", SOURCE, 61
    )
    assert [c.kind for c in gone.changes] == [ChangeKind.REMOVED]
    assert reg.contacts("1001", 61) == []


def test_multiple_contacts_sorted_by_q_and_wildcard_removal() -> None:
    reg = Registrar()
    reg.register(register("<sip:a@10.0.0.1>;q=0.5"), "1001", SOURCE, 0)
    reg.register(register("<sip:b@10.0.0.2>;q=0.9", call_id="reg-2"), "1001", SOURCE, 0)
    assert [b.contact for b in reg.contacts("1001", 1)] == ["sip:b@10.0.0.2", "sip:a@10.0.0.1"]
    bad = reg.register(register("*", cseq=2), "1001", SOURCE, 1)
    assert bad.status == 400
    ok = reg.register(register("*", cseq=2, call_id="reg-3", expires="0"), "1001", SOURCE, 1)
    assert ok.status == 200
    assert len(ok.changes) == 2
    assert reg.contacts("1001", 2) == []


def test_interval_too_brief_and_clamp() -> None:
    reg = Registrar(RegistrarSettings(min_expires=60, max_expires=600))
    brief = reg.register(register("<sip:a@10.0.0.1>;expires=10"), "1001", SOURCE, 0)
    assert (brief.status, brief.headers) == (423, [("Min-Expires", "60")])
    long = reg.register(register("<sip:a@10.0.0.1>;expires=99999"), "1001", SOURCE, 0)
    assert long.headers == [("Contact", "<sip:a@10.0.0.1>;expires=600")]


def test_out_of_order_cseq_is_refused() -> None:
    reg = Registrar()
    reg.register(register("<sip:a@10.0.0.1>", cseq=5), "1001", SOURCE, 0)
    assert reg.register(register("<sip:a@10.0.0.1>", cseq=4), "1001", SOURCE, 1).status == 400


def test_expiry_and_reachability() -> None:
    reg = Registrar()
    reg.register(register("<sip:a@10.0.0.1>;expires=60"), "1001", SOURCE, 0)
    assert reg.next_expiry() == 60
    change = reg.set_reachable("1001", "sip:a@10.0.0.1", False)
    assert change is not None
    assert change.kind is ChangeKind.REACHABILITY
    assert reg.set_reachable("1001", "sip:a@10.0.0.1", False) is None
    assert reg.expire(59) == []
    (expired,) = reg.expire(60)
    assert expired.kind is ChangeKind.EXPIRED
    assert reg.all_bindings() == []


def test_contact_param_is_not_a_uri_param() -> None:
    reg = Registrar()
    result = reg.register(register("sip:+19725552222@gw1.example.net;unknownparam"), "w", SOURCE, 0)
    assert result.headers[0][1].startswith("<sip:+19725552222@gw1.example.net>")


async def test_bindings_survive_a_restart() -> None:
    store = InMemoryBindingStore()
    first = Registrar()
    for change in first.register(
        register("<sip:a@10.0.0.1>;expires=60"), "1001", SOURCE, 0
    ).changes:
        await store.save(change.binding)
    second = Registrar()
    assert second.load(await store.load_all(), 30) == []
    assert [b.contact for b in second.contacts("1001", 30)] == ["sip:a@10.0.0.1"]
    third = Registrar()
    (expired,) = third.load(await store.load_all(), 61)
    assert expired.kind is ChangeKind.EXPIRED
