"""Random callers through the demo flow: the interpreter never breaks its own rules."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.flows import (
    ACCEPTED_INPUTS,
    AgentLeft,
    Awaiting,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    FlowInput,
    FlowState,
    HungUp,
    LookupCompleted,
    LookupFailed,
    PlaybackDone,
    Program,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TransferOutcome,
    parse_flow,
    read_flow_file,
)

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"
PROGRAM = Program(parse_flow(read_flow_file(MAIN)), version=1)

keys = st.text(alphabet="0123456789*#", max_size=12)
ANSWERS: dict[Awaiting, st.SearchStrategy[FlowInput]] = {
    Awaiting.PLAYBACK: st.builds(PlaybackDone, keys),
    Awaiting.DIGITS: st.one_of(st.builds(DigitsCollected, keys), st.builds(CollectTimedOut, keys)),
    Awaiting.LOOKUP: st.one_of(
        st.builds(
            LookupCompleted,
            st.booleans(),
            st.dictionaries(
                st.sampled_from(["vip_level", "name", "id"]),
                st.one_of(st.integers(-5, 12), st.text(max_size=5), st.none(), st.booleans()),
            ),
        ),
        st.builds(LookupFailed, st.sampled_from(["timeout", "error"])),
    ),
    Awaiting.QUEUE: st.builds(QueueOutcome, st.sampled_from(list(QueueResult)), st.just("a1")),
    Awaiting.AGENT_LEFT: st.just(AgentLeft()),
    Awaiting.RECORDING: st.builds(RecordingDone, st.one_of(st.none(), st.just("r1"))),
    Awaiting.TRANSFER: st.builds(TransferOutcome, st.booleans()),
    Awaiting.CALLBACK: st.builds(CallbackOutcome, st.booleans()),
}


@settings(max_examples=150)
@given(
    data=st.data(),
    start=st.integers(1_790_000_000, 1_830_000_000),
    emergency=st.booleans(),
)
def test_random_callers_always_get_a_valid_next_action(
    data: st.DataObject, start: int, emergency: bool
) -> None:
    result = PROGRAM.start(
        tenant_id="t", now=float(start), variables={"emergency.active": emergency}
    )
    now = float(start)
    for _ in range(60):
        state = result.state
        assert FlowState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        if result.ended:
            assert result.waiting_on is None
            return
        action = result.waiting_on
        assert action is not None
        assert action.awaits is state.awaiting
        roll = data.draw(st.integers(0, 20))
        if roll == 0:  # now and then the caller just leaves
            answer: FlowInput = HungUp()
        elif roll == 1 and state.variables.get("queue.waiting") is True:
            answer = data.draw(ANSWERS[Awaiting.QUEUE])  # the line has news mid-offer
        else:
            answer = data.draw(ANSWERS[state.awaiting])
            assert isinstance(answer, ACCEPTED_INPUTS[state.awaiting])
        now += 7.0
        result = PROGRAM.step(state, answer, now)
