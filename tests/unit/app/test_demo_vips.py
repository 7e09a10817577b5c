"""The demo's VIP customers are VIPs to the demo flow: its `vip_check` branch takes them (and
only them) to the VIP priority."""

from __future__ import annotations

from hotline.demo import DEMO_CUSTOMERS, DEMO_FLOW
from hotline.flows.evaluate import evaluate, evaluate_bool
from hotline.flows.expression import parse_expression
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.schema import ConditionNode, SetNode


def test_every_seeded_vip_takes_the_flows_vip_branch() -> None:
    flow = parse_flow(read_flow_file(DEMO_FLOW))
    check = flow.nodes["vip_check"]
    assert isinstance(check, ConditionNode)
    (branch,) = check.branches
    assert branch.next == "vip_priority"
    when = parse_expression(branch.when)
    priority = flow.nodes["vip_priority"]
    assert isinstance(priority, SetNode)
    vips = [c for c in DEMO_CUSTOMERS if "VIP" in c.get("tags", [])]
    assert len(vips) == 2
    for customer in DEMO_CUSTOMERS:
        scope = {"customer.vip_level": customer.get("vip_level", 0)}
        assert evaluate_bool(when, scope) == (customer in vips), customer["name"]
    for customer in vips:
        scope = {"customer.vip_level": customer["vip_level"]}
        assert evaluate(parse_expression(str(priority.assign["priority"])), scope) > 10
