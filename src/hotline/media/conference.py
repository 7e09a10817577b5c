"""A conference: endpoints joined with per-participant modes, mixed once per tick by `Mixer`.

Supervision is a conference: monitor = LISTEN, whisper = WHISPER to the agent, barge = BARGE.
A three-way call or a consultative transfer moves the customer's bridge into a conference.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt

from hotline.media.backend import ConferenceId, EndpointContext, EndpointId
from hotline.media.endpoint import AudioFrame, Endpoint
from hotline.media.errors import MediaConflict
from hotline.media.mixer import ConferenceMode, Mixer, Participant

__all__ = ["Conference"]

Pcm = npt.NDArray[np.int16]


class Conference:
    def __init__(self, conference_id: ConferenceId, context: EndpointContext) -> None:
        self.id = conference_id
        self.context = context
        self._mixer = Mixer()
        self._members: dict[EndpointId, Endpoint] = {}
        self._tick = -1
        self._mixed: dict[object, AudioFrame] = {}

    def members(self) -> list[Endpoint]:
        return list(self._members.values())

    def mode_of(self, endpoint: Endpoint) -> ConferenceMode | None:
        for participant in self._mixer.participants:
            if participant.key == endpoint.id:
                return participant.mode
        return None

    def add(self, endpoint: Endpoint, mode: ConferenceMode,
            whisper_to: EndpointId | None = None) -> None:  # fmt: skip
        if mode is ConferenceMode.WHISPER:
            if whisper_to == endpoint.id:
                raise MediaConflict("a participant cannot whisper to itself")
            if whisper_to is None or whisper_to not in self._members:
                raise MediaConflict("a whisper needs a target that is in the conference")
        self._members[endpoint.id] = endpoint
        endpoint.conference = self
        self._mixer.set(Participant(endpoint.id, mode, whisper_to))
        self._tick = -1

    def remove(self, endpoint: Endpoint) -> None:
        if self._members.pop(endpoint.id, None) is not None:
            self._mixer.remove(endpoint.id)
            endpoint.conference = None
            # A whisperer whose target left falls back to listening.
            for participant in self._mixer.participants:
                if participant.whisper_to == endpoint.id:
                    self._mixer.set(Participant(participant.key, ConferenceMode.LISTEN))
            self._tick = -1

    def output(self, endpoint: Endpoint, tick: int) -> AudioFrame:
        if tick != self._tick:
            self._tick = tick
            frames: dict[Hashable, Pcm | None] = {}
            for member_id, member in self._members.items():
                frame = member.inbound(tick)
                frames[member_id] = None if frame is None else frame.pcm()
            self._mixed = {key: AudioFrame(pcm=pcm) for key, pcm in self._mixer.mix(frames).items()}
        return self._mixed[endpoint.id]
