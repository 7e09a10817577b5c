"""Publishing, immutable versions, calls keeping their version, rollback, the emergency switch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows import (
    DigitsCollected,
    EmergencyService,
    FlowInvalid,
    FlowNotFound,
    FlowService,
    FlowVersionConflict,
    FlowVersionNotFound,
    InMemoryEmergencySwitchStore,
    InMemoryFlowRepository,
    NothingToRollBack,
    PlaybackDone,
    content_hash,
    parse_flow,
    read_document,
)
from hotline.flows.events import EmergencySwitched, FlowActivated, FlowPublished
from hotline.flows.versioning import FlowVersion, ProgramCache, plan_rollback

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"
T = "tenant-1"


def greeting_flow(text: str, dids: tuple[str, ...] = ("4001",)) -> dict[str, Any]:
    return {
        "name": "hello",
        "dids": list(dids),
        "start": "hi",
        "nodes": {
            "hi": {"type": "play", "prompt": text, "next": "menu"},
            "menu": {"type": "menu", "prompt": "请按1", "options": {"1": "bye"}},
            "bye": {"type": "hangup"},
        },
    }


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def repository() -> InMemoryFlowRepository:
    return InMemoryFlowRepository()


@pytest.fixture
def service(clock: FakeClock, sink: ListSink, repository: InMemoryFlowRepository) -> FlowService:
    return FlowService(repository, sink, clock)


def test_the_hash_follows_meaning_not_formatting() -> None:
    text = MAIN.read_text(encoding="utf-8")
    from_yaml = parse_flow(read_document(text))
    dumped = from_yaml.model_dump(mode="json")
    dumped["nodes"] = dict(reversed(list(dumped["nodes"].items())))
    reordered = dict(reversed(list(dumped.items())))
    from_json = parse_flow(read_document(json.dumps(reordered), fmt="json"))
    assert content_hash(from_yaml) == content_hash(from_json)
    data = yaml.safe_load(text)
    changed = parse_flow({**data, "nodes": {**data["nodes"], "extra": {"type": "hangup"}}})
    assert content_hash(changed) != content_hash(from_yaml)


async def test_publish_stores_versions_and_activates_them(
    service: FlowService, sink: ListSink
) -> None:
    v1 = await service.publish_document(T, greeting_flow("你好"), by="admin")
    assert (v1.version, v1.published_by) == (1, "admin")
    again = await service.publish(T, parse_flow(greeting_flow("你好")))
    assert again == v1  # identical content: nothing new, no events
    v2 = await service.publish(T, parse_flow(greeting_flow("您好")), note="politer")
    assert v2.version == 2
    assert (await service.active(T, "hello")).version == 2
    infos = await service.versions(T, "hello")
    assert [(i.version, i.active, i.note) for i in infos] == [
        (1, False, None),
        (2, True, "politer"),
    ]
    assert sink.types() == [
        "flow.published",
        "flow.activated",
        "flow.published",
        "flow.activated",
    ]
    activated = sink.of_type(FlowActivated)[1]
    assert (activated.version, activated.previous_version, activated.reason) == (2, 1, "publish")
    assert sink.of_type(FlowPublished)[0].content_hash == v1.content_hash


async def test_publish_refuses_invalid_flows_naming_node_and_field(
    service: FlowService, sink: ListSink
) -> None:
    bad = greeting_flow("你好")
    bad["nodes"]["menu"]["options"] = {"1": "nowhere"}
    bad["nodes"]["orphan"] = {"type": "hangup"}
    with pytest.raises(FlowInvalid) as info:
        await service.publish_document(T, bad)
    assert [(i.node, i.field) for i in info.value.issues] == [
        ("menu", "options.1"),
        ("bye", "id"),
        ("orphan", "id"),
    ]
    with pytest.raises(FlowInvalid):
        await service.publish_document(T, {"name": "x"})
    good = parse_flow(greeting_flow("你好"))
    with pytest.raises(FlowInvalid, match="no queue"):
        await service.publish(
            T, parse_flow(read_document(MAIN.read_text(encoding="utf-8"))), queues={"sales"}
        )
    assert (await service.publish(T, good)).version == 1
    assert sink.types().count("flow.published") == 1


async def test_calls_in_progress_keep_their_version(service: FlowService) -> None:
    v1 = await service.publish_document(T, greeting_flow("旧的问候"))
    call = service.programs.get(v1).start(tenant_id=T, now=0.0)
    assert call.actions[0].prompts[0].text == "旧的问候"  # type: ignore[union-attr]
    await service.publish_document(T, greeting_flow("新的问候"))

    # The running call resumes on the version recorded in its state.
    running = await service.version(T, "hello", call.state.version or 0)
    step = service.programs.get(running).step(call.state, PlaybackDone(), 1.0)
    assert step.state.version == 1
    step = service.programs.get(running).step(step.state, DigitsCollected("1"), 2.0)
    assert step.ended

    # A new call gets the new version.
    fresh = service.programs.get(await service.active(T, "hello")).start(tenant_id=T, now=3.0)
    assert fresh.actions[0].prompts[0].text == "新的问候"  # type: ignore[union-attr]
    assert fresh.state.version == 2


async def test_rollback_is_one_operation_and_can_roll_forward(
    service: FlowService, sink: ListSink
) -> None:
    for text in ("一", "二", "三"):
        await service.publish_document(T, greeting_flow(text), by="admin")
    back = await service.rollback(T, "hello", by="lead")
    assert back.version == 2
    assert (await service.active(T, "hello")).version == 2
    assert (await service.rollback(T, "hello")).version == 1
    with pytest.raises(NothingToRollBack):
        await service.rollback(T, "hello")
    assert (await service.rollback(T, "hello", to=3)).version == 3
    with pytest.raises(NothingToRollBack, match="already active"):
        await service.rollback(T, "hello", to=3)
    with pytest.raises(FlowVersionNotFound):
        await service.rollback(T, "hello", to=9)
    with pytest.raises(FlowNotFound):
        await service.rollback(T, "nope")
    last = sink.of_type(FlowActivated)[-1]
    assert (last.version, last.previous_version, last.reason) == (3, 1, "rollback")
    # Publishing after a rollback takes the next free number; nothing was overwritten.
    again = await service.publish_document(T, greeting_flow("四"))
    assert again.version == 4
    assert [i.version for i in await service.versions(T, "hello")] == [1, 2, 3, 4]


def test_plan_rollback_picks_the_newest_older_version() -> None:
    flow = parse_flow(greeting_flow("x"))
    history = [FlowVersion(T, "hello", n, f"h{n}", flow, 0.0) for n in (1, 2, 5)]
    assert plan_rollback(history, 5, None) == 2
    assert plan_rollback(history, 2, None) == 1
    assert plan_rollback(history, 2, 5) == 5
    with pytest.raises(NothingToRollBack):
        plan_rollback(history, 1, None)


async def test_a_number_finds_the_active_version_of_the_flow_it_is_routed_to(
    service: FlowService, repository: InMemoryFlowRepository
) -> None:
    await service.publish_document(T, greeting_flow("你好"))
    # A flow's own `dids` route nothing: the numbers table does (ADR 0200).
    assert await service.for_did(T, "4001") is None
    repository.route_number(T, "4001", "hello")
    assert (await service.for_did(T, "4001")).version == 1  # type: ignore[union-attr]
    assert await service.for_did(T, "4002") is None
    assert await service.for_did("other-tenant", "4001") is None
    await service.publish_document(T, greeting_flow("你好，新版"))
    assert (await service.for_did(T, "4001")).version == 2  # type: ignore[union-attr]
    await service.rollback(T, "hello")
    assert (await service.for_did(T, "4001")).version == 1  # type: ignore[union-attr]
    repository.route_number(T, "4001", None)
    assert await service.for_did(T, "4001") is None
    with pytest.raises(FlowNotFound):
        await service.active(T, "nope")
    with pytest.raises(FlowVersionNotFound):
        await service.version(T, "hello", 7)


async def test_versions_are_append_only() -> None:
    repo = InMemoryFlowRepository()
    version = FlowVersion(T, "hello", 1, "h", parse_flow(greeting_flow("x")), 0.0)
    await repo.add_version(version)
    with pytest.raises(FlowVersionConflict):
        await repo.add_version(version)
    with pytest.raises(FlowVersionNotFound):
        await repo.set_active(T, "hello", 2, at=0.0, by=None)
    assert await repo.list_names(T) == ["hello"]


def test_programs_are_built_once_per_version() -> None:
    cache = ProgramCache(max_size=1)
    flow = parse_flow(greeting_flow("x"))
    one = FlowVersion(T, "hello", 1, "h1", flow, 0.0)
    two = FlowVersion(T, "hello", 2, "h2", flow, 0.0)
    first = cache.get(one)
    assert cache.get(one) is first
    assert (first.version, first.content_hash) == (1, "h1")
    cache.get(two)
    assert cache.get(one) is not first  # evicted: at most max_size programs are kept


async def test_the_emergency_switch(clock: FakeClock, sink: ListSink) -> None:
    switch = EmergencyService(InMemoryEmergencySwitchStore(), sink, clock)
    assert await switch.variables(T) == {"emergency.active": False, "emergency.message": None}
    await switch.switch(T, active=True, message="  机房断电  ", by="lead")
    assert await switch.variables(T) == {"emergency.active": True, "emergency.message": "机房断电"}
    assert await switch.variables("other") == {"emergency.active": False, "emergency.message": None}
    off = await switch.switch(T, active=False, message="ignored")
    assert off.message is None
    events = sink.of_type(EmergencySwitched)
    assert [(e.active, e.message, e.by) for e in events] == [
        (True, "机房断电", "lead"),
        (False, None, None),
    ]
