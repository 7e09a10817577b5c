"""A flow's `file:` prompt under the default, relative prompts directory (`var/prompts`): the
call's playlist and the media engine's prompt library agree on one file, never
`var/prompts/var/prompts/long.wav`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotline.flows.prompts import PromptRef
from hotline.interactions.voice.prompts import playlist
from hotline.media.player import WavFile
from hotline.media.prompts import PromptLibrary
from hotline.media.wav import write_wav


def _prompt_file(prompts_dir: Path) -> None:
    prompts_dir.mkdir(parents=True)
    tone = (np.sin(np.arange(8000) * 0.3) * 8000).astype(np.int16)
    write_wav(prompts_dir / "long.wav", tone)


async def test_a_file_prompt_under_a_relative_prompts_dir_is_found_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    prompts_dir = Path("var/prompts")  # the setting's default: relative to the working dir
    _prompt_file(prompts_dir)

    items = playlist([PromptRef("zh-CN", text="备用", file="long.wav")], prompts_dir)

    assert items == [WavFile((tmp_path / "var/prompts/long.wav").absolute())]
    library = PromptLibrary(prompts_dir=prompts_dir)
    (source,) = await library.resolve(items)
    assert library.conversions == 1
    frame = source.next_frame()
    assert frame is not None
    assert frame.any()


async def test_a_missing_file_prompt_falls_back_to_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    items = playlist([PromptRef("en", text="Welcome", file="gone.wav")], Path("var/prompts"))
    assert [type(item).__name__ for item in items] == ["TtsText"]
