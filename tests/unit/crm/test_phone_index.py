"""The in-memory phone index answers like the SQL look-up and follows customer changes."""

from __future__ import annotations

from hotline.crm.phone_index import PhoneIndex, PhoneOwner


def test_a_shared_number_goes_to_the_highest_vip_then_the_oldest() -> None:
    index = PhoneIndex()
    index.replace("t1", PhoneOwner("c-old", 0, 1.0), ["+8613800138000"])
    index.replace("t1", PhoneOwner("c-new", 0, 2.0), ["+8613800138000"])
    assert index.find("t1", "+8613800138000") == PhoneOwner("c-old", 0, 1.0)
    index.replace("t1", PhoneOwner("c-new", 3, 2.0), ["+8613800138000"])
    owner = index.find("t1", "+8613800138000")
    assert owner is not None
    assert (owner.customer_id, owner.vip_level) == ("c-new", 3)


def test_a_changed_customer_loses_its_old_numbers_and_a_deleted_one_all() -> None:
    index = PhoneIndex()
    index.replace("t1", PhoneOwner("c1", 2, 1.0), ["+8613800138000", "+8613900139000"])
    index.replace("t1", PhoneOwner("c1", 2, 1.0), ["+8613900139000"])
    assert index.find("t1", "+8613800138000") is None
    assert index.find("t1", "+8613900139000") is not None
    assert index.find("t2", "+8613900139000") is None  # another tenant's customers are apart
    index.remove("t1", "c1")
    assert index.find("t1", "+8613900139000") is None
    assert len(index) == 0


def test_clearing_a_tenant_keeps_the_others() -> None:
    index = PhoneIndex()
    index.replace("t1", PhoneOwner("c1", 0, 1.0), ["1"])
    index.replace("t2", PhoneOwner("c2", 0, 1.0), ["1"])
    index.clear_tenant("t1")
    assert index.find("t1", "1") is None
    assert index.find("t2", "1") is not None
