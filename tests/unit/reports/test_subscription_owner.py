"""Who sees and stops a report subscription of her center (the tenant is checked apart)."""

from __future__ import annotations

from hotline.analytics.reports.service import Viewer
from hotline.reporting import may_manage
from hotline.reporting.delivery import delivery_payload

ANNA = Viewer("t", "u-anna", frozenset({"agent"}), agent_id="a-anna")
BEN = Viewer("t", "u-ben", frozenset({"agent"}), agent_id="a-ben")
SUE = Viewer("t", "u-sue", frozenset({"supervisor"}))
ADA = Viewer("t", "u-ada", frozenset({"admin"}))
QA = Viewer("t", "u-quinn", frozenset({"qa"}))


def made_by(viewer: Viewer) -> dict[str, object]:
    return delivery_payload(period="day", by="agent", to=["x@example.com"], language="en",
                            viewer=viewer)  # fmt: skip


def test_a_supervisor_or_admin_manages_every_subscription_of_the_center() -> None:
    for owner in (ANNA, SUE, ADA, QA):
        assert may_manage(made_by(owner), SUE)
        assert may_manage(made_by(owner), ADA)


def test_anyone_else_manages_only_her_own() -> None:
    assert may_manage(made_by(ANNA), ANNA)
    assert not may_manage(made_by(ANNA), BEN)
    assert not may_manage(made_by(SUE), ANNA)
    assert not may_manage(made_by(ANNA), QA)
    assert may_manage(made_by(QA), QA)


def test_a_subscription_without_an_owner_is_only_the_managers() -> None:
    assert not may_manage({"period": "day"}, ANNA)
    assert not may_manage({"period": "day"}, Viewer("t", "", frozenset({"agent"})))
    assert may_manage({"period": "day"}, SUE)
