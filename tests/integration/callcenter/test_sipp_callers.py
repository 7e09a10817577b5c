"""Acceptance (issue 6) with sipp callers: RFC 2833 keys from sipp's bundled pcaps reach the
flow, and a VIP caller (a seeded customer) queued behind two normal callers is offered first."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hotline.events import DomainEvent
from hotline.ids import AgentId
from hotline.interactions import InteractionEnded
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.callcenter.phones import baresip_phone, sipp_caller
from tests.integration.callcenter.stack import AGENTS, call_center, seed_vip
from tests.integration.sip.peers import free_port

pytestmark = [pytest.mark.sipp]


def caller_of(created: list[DomainEvent], interaction_id: str | None) -> str | None:
    return next(
        (e.caller_number for e in created if e.interaction_id == interaction_id),
        None,
    )


async def test_sipp_caller_keys_2_by_rfc2833_and_lands_in_support(
    tmp_path: Path, tts_cache: Path
) -> None:
    port = free_port()
    async with call_center(tmp_path, tts_cache, trunk_ports=[port]) as center:
        await center.login("a1", ready=False, phone_up=False)
        async with sipp_caller(tmp_path, "13800138000", center.port, port, stay_s=3):
            keys = await center.event("flow.digits_collected", timeout=20)
            entered = await center.event("queue.entered", timeout=10)
            abandoned = await center.event("queue.abandoned", timeout=15)
            ended = await center.event("interaction.ended", timeout=10)
    assert (keys.node, keys.digits) == ("main_menu", "2")
    assert entered.queue_id == "support"
    assert abandoned.interaction_id == entered.interaction_id
    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "abandoned"
    assert ended.cause == "normal"


@pytest.mark.baresip
async def test_a_vip_caller_behind_two_normal_callers_is_offered_first(
    tmp_path: Path, tts_cache: Path
) -> None:
    ports = [free_port() for _ in range(3)]
    numbers = ["13800000001", "13800000002", "13900000009"]
    async with call_center(tmp_path, tts_cache, trunk_ports=ports) as center:
        seed_vip(center, numbers[2], level=3)
        extension, password = AGENTS["a1"]
        async with baresip_phone(
            tmp_path,
            "agent",
            user=extension,
            password=password,
            server_port=center.port,
            tone_hz=AGENT1_HZ,
        ):
            await center.login("a1", ready=False)
            async with (
                sipp_caller(tmp_path, numbers[0], center.port, ports[0]),
                sipp_caller(tmp_path, numbers[1], center.port, ports[1]),
            ):
                await center.event(
                    "queue.entered",
                    lambda e: (
                        caller_of(center.of("interaction.created"), e.interaction_id) == numbers[1]
                    ),
                )
                async with sipp_caller(tmp_path, numbers[2], center.port, ports[2]):
                    vip = await center.event(
                        "queue.entered",
                        lambda e: (
                            caller_of(center.of("interaction.created"), e.interaction_id)
                            == numbers[2]
                        ),
                    )
                    assert vip.priority == 13
                    assert len(center.of("queue.entered")) == 3
                    center.desk.set_available(AgentId("a1"))
                    offered = await center.event("queue.offered", timeout=10)
                    await center.event("queue.answered", timeout=10)
                    await asyncio.sleep(0.5)
    created = center.of("interaction.created")
    assert caller_of(created, offered.interaction_id) == numbers[2]
    order = [caller_of(created, e.interaction_id) for e in center.of("queue.entered")]
    # The two normal callers dial at once, so either may queue first; the VIP queued last.
    assert sorted(order[:2]) == numbers[:2]
    assert order[2] == numbers[2]
