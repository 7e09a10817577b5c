"""A sealed recording streams to a browser decrypted, whole or by byte range (seeking in the
audio player), as `api.recording_files.recording_response` sends it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from hotline.api.recording_files import recording_response
from hotline.directory.errors import EntityNotFound
from hotline.media.storage import FileRecordingStorage
from hotline.vault import Keyring, SealedRecordingStorage
from tests.unit.vault.test_sealed_recordings import record


async def test_whole_and_ranges_of_a_sealed_recording(tmp_path: Path) -> None:
    plain = FileRecordingStorage(tmp_path / "plain")
    expected = plain.path(record(plain, 2.2)).read_bytes()
    sealed = SealedRecordingStorage(FileRecordingStorage(tmp_path / "r"), Keyring(tmp_path / "k"))
    key = record(sealed, 2.2)
    app = FastAPI()

    @app.get("/rec")
    async def rec(request: Request) -> Response:
        return recording_response(request, sealed, key, filename="x-call.wav")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        whole = await client.get("/rec")
        assert (whole.status_code, whole.headers["content-type"]) == (200, "audio/wav")
        assert whole.content == expected
        assert whole.headers["content-length"] == str(len(expected))
        part = await client.get("/rec", headers={"Range": "bytes=40-99"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 40-99/{len(expected)}"
        assert part.content == expected[40:100]
        tail = await client.get("/rec", headers={"Range": "bytes=-10"})
        assert tail.content == expected[-10:]
        beyond = await client.get("/rec", headers={"Range": f"bytes={len(expected)}-"})
        assert beyond.status_code == 416
    sealed.delete(key)
    with pytest.raises(EntityNotFound):
        recording_response(Request({"type": "http", "headers": []}), sealed, key, filename="x")
