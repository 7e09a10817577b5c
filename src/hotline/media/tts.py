"""Text-to-speech through espeak-ng (zh and en), cached on disk by text + voice.

espeak-ng runs as a subprocess (asyncio, so the event loop never waits on it) and writes a
22.05 kHz WAV to stdout; conversion to 8 kHz runs in an executor (DESIGN §3.10). The cache file
name is a hash of (voice, speed, text), so the same prompt is synthesised once per machine;
files appear atomically (written aside, then renamed), so a crash never leaves half a prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from hotline.media.errors import TtsError
from hotline.media.wav import parse_wav, to_8k_mono, write_wav

__all__ = ["DEFAULT_VOICES", "EspeakTts"]

# Language keys used by flows and prompts -> espeak-ng voice names.
DEFAULT_VOICES: Mapping[str, str] = {"zh": "cmn", "zh-CN": "cmn", "en": "en-us"}


class EspeakTts:
    def __init__(
        self,
        cache_dir: Path,
        *,
        executable: str = "espeak-ng",
        voices: Mapping[str, str] = DEFAULT_VOICES,
        words_per_minute: int = 150,
        timeout_s: float = 30.0,
    ) -> None:
        self.cache_dir = cache_dir
        self._executable = executable
        self._voices = dict(voices)
        self._speed = words_per_minute
        self._timeout = timeout_s
        self._pending: dict[Path, asyncio.Future[Path]] = {}
        self.synthesised = 0  # how many times espeak-ng actually ran (cache misses)
        self.running: set[int] = set()  # pids of espeak-ng children now

    def voice_name(self, voice: str) -> str:
        return self._voices.get(voice, voice)

    def cache_path(self, text: str, voice: str) -> Path:
        key = f"{self.voice_name(voice)}\0{self._speed}\0{text}".encode()
        digest = hashlib.sha256(key).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.wav"

    async def synthesize(self, text: str, voice: str = "zh") -> Path:
        """Path of an 8 kHz mono WAV speaking `text`; synthesised on the first request only."""
        if not text.strip():
            raise TtsError("TTS text is empty", details={"voice": voice})
        path = self.cache_path(text, voice)
        if path.exists():
            return path
        pending = self._pending.get(path)
        if pending is not None:  # the same prompt is being made for another caller
            return await asyncio.shield(pending)
        future: asyncio.Future[Path] = asyncio.get_running_loop().create_future()
        self._pending[path] = future
        try:
            await self._make(text, voice, path)
            future.set_result(path)
            return path
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unawaited twin never warns
            raise
        finally:
            del self._pending[path]

    async def _make(self, text: str, voice: str, path: Path) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                self._executable, "-v", self.voice_name(voice), "-s", str(self._speed),
                "--stdin", "--stdout",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            raise TtsError(f"cannot run {self._executable}: {exc.strerror}") from exc
        self.running.add(process.pid)
        try:
            out, err = await self._talk(process, text)
        finally:
            self.running.discard(process.pid)
        if process.returncode != 0 or not out:
            raise TtsError(
                f"espeak-ng failed ({process.returncode}): {err.decode(errors='replace').strip()}",
                details={"voice": voice},
            )
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _convert_and_store, out, path)
        self.synthesised += 1

    async def _talk(self, process: asyncio.subprocess.Process, text: str) -> tuple[bytes, bytes]:
        try:
            return await asyncio.wait_for(process.communicate(text.encode("utf-8")), self._timeout)
        except TimeoutError:
            await _reap(process)
            raise TtsError(f"espeak-ng took longer than {self._timeout} s") from None
        except asyncio.CancelledError:
            # The caller hung up mid-synthesis: never leave the child and its pipes behind.
            await asyncio.shield(_reap(process))
            raise


async def _reap(process: asyncio.subprocess.Process) -> None:
    """Kill the child if it still runs, read its pipes to the end (which closes them — waiting
    for the exit alone leaves a pipe open until the loop next reads it) and wait for it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    try:
        await asyncio.wait_for(process.communicate(), 5.0)
    except TimeoutError:  # a grandchild holds the pipe: the exit is what matters
        await process.wait()


def _convert_and_store(wav_bytes: bytes, path: Path) -> None:
    pcm = to_8k_mono(parse_wav(wav_bytes, name="espeak-ng output"))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        write_wav(temporary, pcm)
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
