"""The conference mixer: who hears whom, as a matrix, applied to one 20 ms frame per
participant with numpy. The modes are the basis of supervision (GLOSSARY: 监听 / 耳语 / 强插):

- FULL: speaks to and hears everyone (customer, agent, three-way party);
- LISTEN: hears everyone, heard by nobody (monitor);
- WHISPER: hears everyone, heard only by its whisper target (coaching the agent);
- BARGE: like FULL (the supervisor joins the conversation).

Nobody hears themselves. Sums saturate at int16 instead of wrapping around.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["ConferenceMode", "Mixer", "Participant"]

Pcm = npt.NDArray[np.int16]


class ConferenceMode(enum.StrEnum):
    FULL = "full"
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


@dataclasses.dataclass(frozen=True, slots=True)
class Participant:
    key: Hashable
    mode: ConferenceMode = ConferenceMode.FULL
    whisper_to: Hashable | None = None


class Mixer:
    """Holds the participants' audibility matrix; rebuilt only when membership changes."""

    def __init__(self) -> None:
        self._participants: dict[Hashable, Participant] = {}
        self._order: list[Hashable] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    @property
    def participants(self) -> Sequence[Participant]:
        return [self._participants[k] for k in self._order]

    def set(self, participant: Participant) -> None:
        self._participants[participant.key] = participant
        self._rebuild()

    def remove(self, key: Hashable) -> None:
        self._participants.pop(key, None)
        self._rebuild()

    def hears(self, listener: Hashable, speaker: Hashable) -> bool:
        i, j = self._order.index(listener), self._order.index(speaker)
        return bool(self._matrix[i, j])

    def _rebuild(self) -> None:
        self._order = list(self._participants)
        size = len(self._order)
        matrix = np.zeros((size, size), dtype=np.float32)
        for j, key in enumerate(self._order):
            speaker = self._participants[key]
            for i, other in enumerate(self._order):
                if i == j:
                    continue
                if speaker.mode in (ConferenceMode.FULL, ConferenceMode.BARGE) or (
                    speaker.mode is ConferenceMode.WHISPER and speaker.whisper_to == other
                ):
                    matrix[i, j] = 1.0
        self._matrix = matrix

    def mix(self, frames: Mapping[Hashable, Pcm | None], samples: int = 160) -> dict[Hashable, Pcm]:
        """What each participant hears this tick; a missing or None frame counts as silence."""
        if not self._order:
            return {}
        stacked = np.zeros((len(self._order), samples), dtype=np.float32)
        for row, key in enumerate(self._order):
            frame = frames.get(key)
            if frame is not None:
                stacked[row] = frame
        mixed = np.clip(self._matrix @ stacked, -32768, 32767).astype(np.int16)
        return {key: mixed[row] for row, key in enumerate(self._order)}
