"""Answering machines on live calls (ADR 0197): the campaign's machine handling read from its
retry settings, the tick-to-frame cutting of tapped audio (silence where nothing arrives), the
greeting's end after a verdict, and the campaign figures (the listener a call awaits is the
media backend's: tests/unit/media/test_machine_detection.py)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np
import pytest

from hotline.amd import FRAME, AnsweringMachineDetector, TickFrames, Verdict
from hotline.clock import FakeClock
from hotline.dialer.errors import DialerError
from hotline.dialer.hygiene import DoNotCall
from hotline.dialer.live import CallReport, CampaignDialer, DialerFigures, PlaceCall
from hotline.dialer.machine import (
    DEFAULT_MACHINE_MESSAGE,
    AmdReport,
    MachineAction,
    MachineHandling,
)
from hotline.dialer.outcomes import DialEnd
from hotline.dialer.running import progress_text
from tests.unit.dialer.test_amd import pcm, quiet, voice
from tests.unit.dialer.test_live import Placer, Store, campaign, record, run_out


def ticks(audio: np.ndarray) -> list[np.ndarray]:
    return [audio[i : i + FRAME] for i in range(0, audio.size, FRAME)]


def test_no_action_means_no_detection_and_an_action_reads_its_message() -> None:
    assert MachineHandling.from_retry({}) is None
    assert MachineHandling.from_retry({"machine": {"interval_s": 3600}}) is None
    hang_up = MachineHandling.from_retry({"machine": {"action": "hang_up"}})
    assert hang_up is not None
    assert hang_up.action is MachineAction.HANG_UP
    assert hang_up.message_in("zh-CN") == (DEFAULT_MACHINE_MESSAGE["zh-CN"], "zh-CN")
    message = MachineHandling.from_retry(
        {"machine": {"action": "message", "message": {"en": " Call us back on 400. "}}}
    )
    assert message is not None
    assert message.action is MachineAction.MESSAGE
    # a callee of another language hears the English text rather than nothing
    assert message.message_in("zh-CN") == ("Call us back on 400.", "en")


@pytest.mark.parametrize(
    ("machine", "field"),
    [
        ({"action": "beep"}, "retry.machine.action"),
        ({"action": "message", "message": "hi"}, "retry.machine.message"),
        ({"action": "message", "message": {"fr": "Bonjour"}}, "retry.machine.message.fr"),
        ({"action": "message", "message": {"en": "  "}}, "retry.machine.message.en"),
        ({"action": "message", "message": {"en": "x" * 501}}, "retry.machine.message.en"),
    ],
)
def test_a_bad_machine_setting_names_its_field(machine: dict[str, object], field: str) -> None:
    with pytest.raises(DialerError) as caught:
        MachineHandling.from_retry({"machine": machine})
    assert caught.value.details["field"] == field


def test_tick_frames_cut_20ms_frames_and_count_a_real_gap_as_silence() -> None:
    frames = TickFrames(gap_ticks=3)
    audio = pcm(voice(0.1))
    assert len(frames.push(audio[:100])) == 0  # less than a frame: kept
    cut = frames.push(audio[100:420])
    assert [f.size for f in cut] == [FRAME, FRAME]
    assert np.array_equal(np.concatenate(cut), audio[:320])
    nothing = np.zeros(0, np.int16)
    # one or two empty ticks are jitter: their packets come with the next tick
    assert frames.push(nothing) == []
    assert frames.push(nothing) == []
    gap = frames.push(nothing)  # the third: a callee that stopped sending is quiet
    assert len(gap) == 3
    assert not np.any(np.concatenate(gap))
    assert len(frames.push(nothing)) == 1
    assert len(frames.push(audio[420:580])) == 1  # audio again: the gap is over


def test_after_a_machine_verdict_the_greeting_ends_with_its_silence() -> None:
    detector = AnsweringMachineDetector()
    greeting = pcm(quiet(0.3), voice(3.0), voice(0.4, 3000.0), quiet(1.5), noise_db=-60)
    frames = ticks(greeting)
    decided_at = next(i for i, f in enumerate(frames) if detector.feed(f) is not None)
    assert detector.result is not None
    assert detector.result.verdict is Verdict.MACHINE
    silences = [detector.silence_after(f) for f in frames[decided_at + 1 :]]
    # still talking right after the verdict; silent for over a second at the end
    assert silences[0] == 0.0
    assert silences[-1] >= 1.0


class DetectingPlacer(Placer):
    """Numbers ending in 7 are machines that got the message."""

    async def place(self, call: PlaceCall) -> CallReport:
        if call.phone[-1] != "7":
            report = await super().place(call)
            amd = AmdReport(Verdict.HUMAN, True, 1.3, 1.4, "connect")
            return CallReport(report.end, report.handle_s, amd)
        self.placed.append(call)
        call.answered(self.clock.now() + 2.0)
        await asyncio.sleep(0)
        amd = AmdReport(Verdict.MACHINE, True, 1.6, 1.8, "message", message_left=True)
        return CallReport(DialEnd(200, talk_s=9.0, machine=True), amd=amd)


async def test_campaign_figures_count_verdicts_decision_time_and_messages() -> None:
    clock = FakeClock()
    machine = {"machine": {"action": "message", "interval_s": 3600}}
    the_campaign = replace(campaign(), retry=machine)
    store = Store(the_campaign, [record(1, "0"), record(2, "7")], DoNotCall())
    placer = DetectingPlacer(clock, idle=3)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await run_out(dialer, clock, steps=3)
    assert all(c.machine is not None and c.machine.action is MachineAction.MESSAGE
               for c in placer.placed)  # fmt: skip
    figures = dialer.figures
    assert figures.amd_verdicts == {"human": 1, "machine": 1}
    assert figures.machine_messages == 1
    assert figures.amd_mean_decision_s == pytest.approx(1.6)
    assert figures.outcomes == {"connected": 1, "machine": 1}
    assert store.records["r2"].last_outcome == "machine"
    assert figures.person_answered == 1  # a machine is no person: not in the abandon rate
    assert progress_text(figures) == (
        "已拨 2 通，放弃率 0.0%，答录机 1/2 通（平均 1.6 秒判定） / "
        "2 dialled, abandon rate 0.0%, machines 1 of 2 (1.6 s to decide)"
    )
    assert (
        progress_text(DialerFigures(dials=3))
        == "已拨 3 通，放弃率 0.0% / 3 dialled, abandon rate 0.0%"
    )
