"""The session's transition table."""

from __future__ import annotations

import pytest

from hotline.errors import IllegalTransition
from hotline.media.webrtc.state import TRANSITIONS, SessionInput, SessionState, next_state


def test_a_session_connects_renegotiates_and_ends() -> None:
    state = SessionState.CONNECTING
    for event, expected in [
        (SessionInput.CONNECTED, SessionState.CONNECTED),
        (SessionInput.RENEGOTIATED, SessionState.CONNECTING),
        (SessionInput.RENEGOTIATED, SessionState.CONNECTING),
        (SessionInput.CONNECTED, SessionState.CONNECTED),
        (SessionInput.ENDED, SessionState.CLOSED),
    ]:
        state = next_state(state, event)
        assert state is expected


@pytest.mark.parametrize("event", list(SessionInput))
def test_closed_is_final(event: SessionInput) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state(SessionState.CLOSED, event)
    assert caught.value.code == "webrtc.session.illegal_transition"


ILLEGAL = [
    (SessionState.CONNECTED, SessionInput.CONNECTED),
    (SessionState.DETACHED, SessionInput.CONNECTED),  # only a new offer brings it back
    (SessionState.DETACHED, SessionInput.DETACHED),
]


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_these_are_illegal_and_every_other_pair_is_in_the_table(
    state: SessionState, event: SessionInput
) -> None:
    with pytest.raises(IllegalTransition):
        next_state(state, event)
    live = [s for s in SessionState if s is not SessionState.CLOSED]
    assert len(TRANSITIONS) == len(live) * len(SessionInput) - len(ILLEGAL)


def test_a_page_that_went_away_comes_back_with_a_new_offer_or_the_session_ends() -> None:
    state = next_state(SessionState.CONNECTED, SessionInput.DETACHED)
    assert state is SessionState.DETACHED
    assert next_state(state, SessionInput.RENEGOTIATED) is SessionState.CONNECTING
    assert next_state(state, SessionInput.ENDED) is SessionState.CLOSED
