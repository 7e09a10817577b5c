"""From the flow's `PromptRef`s to the media backend's playlist items.

A prompt with a file plays the file (relative to the prompts directory); its text is spoken by
TTS only when the file is gone (flows doc: "spoken only if the file is missing at run time").
The TTS voice follows the prompt's language ("zh-CN" → Mandarin, "en" → English).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotline.flows.prompts import PromptRef
from hotline.media.player import PlayItem, TtsText, WavFile

__all__ = ["playlist", "spoken"]


def playlist(prompts: Sequence[PromptRef], prompts_dir: Path | None) -> list[PlayItem]:
    items: list[PlayItem] = []
    for prompt in prompts:
        if prompt.file is not None:
            path = Path(prompt.file)
            located = prompts_dir / path if prompts_dir is not None else path
            # Absolute: the media backend resolves a relative path under its own prompts
            # directory, and a relative `prompts_dir` (the default `var/prompts`) would be
            # prefixed twice (`var/prompts/var/prompts/x.wav`).
            located = located.absolute()
            # A stat per prompt: cheap, and it spares the caller a failed playback.
            if located.is_file() or not prompt.text:
                items.append(WavFile(located))
                continue
        if prompt.text:
            items.append(TtsText(prompt.text, prompt.language))
    return items


def spoken(text: str, language: str) -> list[PlayItem]:
    return [TtsText(text, language)] if text else []
